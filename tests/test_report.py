"""A short run writes a complete run directory, and `superspike report` redraws it.

What the figures draw is checked in tests/test_plotting.py and
tests/test_figures_rundir.py; here the whole path from training to files.
"""

import csv
import json

from superspike_brian import Trainer, cli
from superspike_brian.reporting.figures import read_run_data, summary_title

from .helpers import SHORT, small_network, small_task

FIGURES = ["learning_curve", "raster", "hidden_raster", "membrane", "rates", "weights"]


def test_run_directory_and_report(tmp_path, capsys):
    task = small_task()
    net = small_network(task, hidden=(5,))
    out = tmp_path / "run"
    Trainer(net, task, device="runtime", schedule=SHORT, progress=False).run(out=out)
    config = json.loads((out / "config.json").read_text())
    assert config["network"]["hidden"] == [5] and config["device"] == "runtime"
    with open(out / "metrics.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == SHORT.n_blocks + 1
    assert {"block", "time_s", "cost", "output_rate_hz", "hidden_1_rate_hz"} <= set(rows[0])
    for name in ("weights.npz", "spikes.npz", "voltage.npz"):
        assert (out / name).stat().st_size > 0
    for name in FIGURES:
        (out / f"{name}.png").unlink()
    assert cli.main(["report", str(out)]) == 0
    for name in [*FIGURES, "summary"]:
        assert (out / f"{name}.png").read_bytes().startswith(b"\x89PNG"), name
    assert (out / "summary.pdf").read_bytes().startswith(b"%PDF")
    run = read_run_data(out)
    title = summary_title(run)
    assert f"{SHORT.n_blocks} training blocks" in title and "Task: small" in title
    assert "20 → 5 → 3 units, symmetric feedback" in title
    assert cli.main(["report", str(tmp_path / "nothing")]) == 2
    assert f"{tmp_path / 'nothing'} does not exist" in capsys.readouterr().err
