"""The main job (`make run`, models/single_neuron.py): several seeds, the typical one shown."""

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "models" / "single_neuron.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("single_neuron_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def late_cost(run):
    with open(run / "metrics.csv") as f:
        cost = np.array([float(row["cost"]) for row in csv.DictReader(f)])
    return float(np.median(cost[cost.size // 2 :]))


@pytest.fixture(scope="module")
def three_seeds(script, tmp_path_factory):
    out = tmp_path_factory.mktemp("single") / "runs"
    script.main(["--seeds", "1-3", "--duration", "40", "--out", str(out)])
    return out


def test_each_seed_gets_a_run_and_the_median_one_is_called_typical(script, three_seeds, capsys):
    out = three_seeds
    runs = {seed: out / f"seed-{seed}" for seed in (1, 2, 3)}
    for run in runs.values():
        assert (run / "metrics.csv").exists() and (run / "weights.npz").exists()
    lates = {seed: late_cost(run) for seed, run in runs.items()}
    median_seed = sorted(lates, key=lates.get)[1]
    assert (out / "learning_curves.png").stat().st_size > 10_000
    # Only the typical run gets every figure.
    assert (runs[median_seed] / "raster.png").exists()
    others = [s for s in runs if s != median_seed]
    assert not any((runs[s] / "raster.png").exists() for s in others)
    # The same command again reuses the runs (nothing retrained, nothing lost)
    # and names the same typical seed.
    before = {s: (r / "metrics.csv").read_bytes() for s, r in runs.items()}
    capsys.readouterr()
    script.main(["--seeds", "1-3", "--duration", "40", "--out", str(out)])
    printed = capsys.readouterr().out
    assert f"typical run: seed {median_seed} " in printed
    assert "reference implementation, 21 seeds" in printed
    assert {s: (r / "metrics.csv").read_bytes() for s, r in runs.items()} == before


def test_a_longer_duration_continues_the_runs(script, three_seeds):
    metrics = three_seeds / "seed-2" / "metrics.csv"
    n_rows = len(metrics.read_text().splitlines())
    script.main(["--seeds", "2", "--duration", "60", "--out", str(three_seeds)])
    lines = metrics.read_text().splitlines()
    assert len(lines) == n_rows + 2  # two more blocks of 10 s


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--seeds", "one"], "--seeds"),
        (["--seeds", "3-1"], "--seeds"),
        (["--duration", "0"], "--duration"),
        (["--device", "gpu"], "--device"),
    ],
)
def test_bad_options_get_one_line(script, argv, named, capsys):
    with pytest.raises(SystemExit) as stop:
        script.main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert named in err and "Traceback" not in err


def test_out_that_is_a_file_is_refused(script, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(SystemExit) as stop:
        script.main(["--out", str(target)])
    assert "--out" in str(stop.value.code)


def _load(name):
    path = SCRIPT.parent / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{name}_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["single_neuron", "hidden_layer", "pattern", "xor"])
def test_every_script_takes_seeds_as_a_list_or_a_count_and_documents_its_options(
    name, capsys, monkeypatch
):
    from superspike_brian.cli.script_options import chosen_seeds

    module = _load(name)
    assert chosen_seeds(module.parse_args(["--seeds", "1-3,5"])) == [1, 2, 3, 5]
    assert chosen_seeds(module.parse_args(["--n-seeds", "3"])) == [1, 2, 3]
    with pytest.raises(SystemExit):
        module.parse_args(["--seeds", "1-3", "--n-seeds", "3"])
    made, real = [], module.script_parser
    monkeypatch.setattr(module, "script_parser", lambda doc: made.append(real(doc)) or made[-1])
    module.parse_args([])
    (parser,) = made
    for action in parser._actions:
        assert action.help, f"{name}: {action.option_strings} has no description"
    capsys.readouterr()
    with pytest.raises(SystemExit) as shown:
        parser.parse_args(["--help"])
    assert shown.value.code == 0
    text = capsys.readouterr().out
    assert "Reference: Zenke F, Ganguli S (2018)" in text  # the description is the docstring
    for action in parser._actions:
        if action.default not in (None, False) and action.dest not in ("help", "default_seeds"):
            assert f"{action.option_strings[-1]}" in text
            assert "(default: " in " ".join(text.split())
