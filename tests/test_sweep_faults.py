"""Sweeps under faults: a Dask worker killed mid-run, a scheduler that cannot be reached."""

import json
import sys
import textwrap

import pytest

from superspike_brian import sweep

# A stand-in for ``superspike train`` (fast): the run named in kill-worker-when
# kills the Dask worker that runs it, once, in the middle of its training.
FAKE_TRAIN = """
import os, pathlib, signal, sys, time

args = sys.argv[1:]
value = lambda name: args[args.index(name) + 1]
out = pathlib.Path(value("--out"))
out.mkdir(parents=True, exist_ok=True)
kill = pathlib.Path(__file__).with_name("kill-worker-when")
(out / "metrics.csv").write_text("block,time_s,cost,cost_ref,output_rate_hz\\n0,0.5,3,12,1\\n")
if kill.exists() and kill.read_text().split() == [value("--feedback"), value("--seed")]:
    kill.unlink()
    (out / "metrics.csv").unlink()  # killed before its run ended
    os.kill(os.getppid(), signal.SIGKILL)  # the worker that started this training
    time.sleep(60)  # dies with its worker
    sys.exit(9)
(out / "trained").write_text("ok")
"""


def test_a_killed_worker_fails_its_run_and_the_same_command_completes_it(tmp_path, capsys):
    script = tmp_path / "fake_train.py"
    script.write_text(textwrap.dedent(FAKE_TRAIN))
    (tmp_path / "kill-worker-when").write_text("random 2")
    out = tmp_path / "sw"
    kwargs = dict(
        base_args=["--hidden", "2"],
        grid={"feedback": ["symmetric", "random"]},
        seeds=[1, 2],
        workers=2,
        command=[sys.executable, str(script)],
    )
    result = sweep.run_sweep(out, **kwargs)
    assert [(f["condition"], f["seed"]) for f in result.failed] == [("feedback-random", 2)]
    assert "KilledWorker" in result.failed[0]["why"]
    status = json.loads((out / "feedback-random/seed-2/status.json").read_text())
    assert status["status"] == "failed" and "KilledWorker" in status["error"]
    assert not (out / "feedback-random/seed-2/trained").exists()
    printed = capsys.readouterr().out
    assert "feedback-random seed 2: FAILED (KilledWorker" in printed
    finished = {p: p.stat().st_mtime_ns for p in out.glob("*/seed-*/trained")}
    assert len(finished) == 3
    # The same command again runs only the killed run.
    again = sweep.run_sweep(out, **kwargs)
    assert (again.total, again.skipped, again.ran, again.failed) == (4, 3, 1, [])
    assert (out / "feedback-random/seed-2/trained").exists()
    assert {p: p.stat().st_mtime_ns for p in finished} == finished
    assert again.ok


def test_an_unreachable_scheduler_is_named_at_once(tmp_path):
    with pytest.raises(
        RuntimeError,
        match=r"cannot reach the Dask scheduler at --scheduler "
        r"tcp://127\.0\.0\.1:9 within 10 s",
    ):
        sweep.run_sweep(
            tmp_path / "sw",
            base_args=["--hidden", "0"],
            seeds=[1],
            scheduler="tcp://127.0.0.1:9",
            command=[sys.executable, "-c", "pass"],
        )


def test_the_command_line_names_an_unreachable_scheduler(tmp_path, capsys):
    from superspike_brian import cli

    rc = cli.main(
        [
            "sweep",
            "--out",
            str(tmp_path / "sw"),
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--seeds",
            "1",
            "--",
            "--hidden",
            "0",
            "--duration",
            "20",
        ]
    )
    err = capsys.readouterr().err.strip().split("\n")
    assert rc == 2 and err[-1].startswith("superspike: error: cannot reach the Dask scheduler")
    assert "tcp://127.0.0.1:9" in err[-1]
