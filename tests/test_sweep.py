"""Sweeps: grid expansion, checks before anything runs, Dask runs that resume."""

import csv
import json
import sys
import textwrap

import numpy as np
import pytest

from superspike_brian import cli, sweep
from superspike_brian.rundir import read_metrics
from superspike_brian.sweep import records, runner
from superspike_brian.tasks.spikeio import SpikeRaster, write_ras

# --------------------------------------------------------------------------- grid


def test_grid_expansion_and_condition_names():
    specs = sweep.expand_grid(
        ["--duration", "1"],
        {"feedback": ["symmetric", "random"], "hidden": ["4", "64x64"], "burn_in": [0.5]},
        [1, 2],
    )
    assert len(specs) == 8
    names = list(dict.fromkeys(s.condition for s in specs))
    assert names == [
        "feedback-symmetric_hidden-4_burn-in-0.5",
        "feedback-symmetric_hidden-64x64_burn-in-0.5",
        "feedback-random_hidden-4_burn-in-0.5",
        "feedback-random_hidden-64x64_burn-in-0.5",
    ]
    first = specs[0]
    assert first.seed == 1 and specs[1].seed == 2 and specs[1].condition == first.condition
    assert first.argv == [
        "--duration",
        "1",
        "--feedback",
        "symmetric",
        "--hidden",
        "4",
        "--burn-in",
        "0.5",
        "--seed",
        "1",
    ]
    # 64x64 is two hidden layers, passed to train as 64,64.
    assert specs[2].argv[specs[2].argv.index("--hidden") + 1] == "64,64"
    assert specs[2].values == {"feedback": "symmetric", "hidden": "64x64", "burn-in": "0.5"}
    assert specs[0].run_dir("OUT").as_posix() == (
        "OUT/feedback-symmetric_hidden-4_burn-in-0.5/seed-1"
    )


def test_empty_grid_switches_and_seed_from_train_options():
    specs = sweep.expand_grid(["--hidden", "2", "--seed", "7"])
    assert [(s.condition, s.seed, s.argv) for s in specs] == [
        ("base", 7, ["--hidden", "2", "--seed", "7"])
    ]
    specs = sweep.expand_grid([], {"float32": ["true", "false"]}, [3])
    assert [s.argv for s in specs] == [["--float32", "--seed", "3"], ["--seed", "3"]]
    assert specs[0].condition == "float32-true"


def test_cli_parsers():
    assert sweep.parse_seeds("1,2,5-7") == [1, 2, 5, 6, 7]
    assert sweep.parse_grid(["feedback=symmetric,random", "r0=1,0.5"]) == {
        "feedback": ["symmetric", "random"],
        "r0": ["1", "0.5"],
    }
    with pytest.raises(ValueError, match="--seeds must be integers"):
        sweep.parse_seeds("1,x")
    with pytest.raises(ValueError, match="runs backwards"):
        sweep.parse_seeds("5-2")
    with pytest.raises(ValueError, match="--grid takes KEY=VALUE"):
        sweep.parse_grid(["feedback"])
    with pytest.raises(ValueError, match="given twice"):
        sweep.parse_grid(["hidden=4", "hidden=8"])


@pytest.mark.parametrize(
    "base,grid,seeds,message",
    [
        ([], {"hiden": ["4"]}, [1], r"unknown grid key 'hiden'.*did you mean 'hidden'"),
        ([], {"feedback": []}, [1], "grid key 'feedback' has no values"),
        ([], {"r0": ["1", ""]}, [1], "empty value"),
        ([], {"r0": ["1", "1"]}, [1], "lists a value twice"),
        ([], {"seed": ["1", "2"]}, [1], "give the seeds with --seeds"),
        ([], {}, ["one"], "seeds must be non-negative integers"),
        ([], {}, [-1], "seeds must be non-negative integers"),
        ([], {}, [1, 1], "a seed is listed twice"),
        (["--seed", "3"], {}, [1, 2], "--seed is given in the train options and --seeds"),
        (["--out", "x"], {}, [1], "--out is set by the sweep"),
        (["--hidden", "4"], {"hidden": ["8"]}, [1], "both a train option and a grid key"),
        (["--build-dir", "b"], {}, [1, 2], "--build-dir with 2 runs"),
        (
            [],
            {"feedback": ["symmetric", "sideways"]},
            [1],
            r"--grid feedback=sideways: argument --feedback: invalid choice",
        ),
        ([], {"hidden": ["4y"]}, [1], r"--grid hidden=4y: argument --hidden"),
        ([], {"r0": ["fast"]}, [1], r"--grid r0=fast: argument --r0"),
        ([], {"float32": ["maybe"]}, [1], "on/off switch"),
        (["--device", "gpu"], {}, [1], r"train options: argument --device: invalid choice: 'gpu'"),
        (["--hiden", "4"], {}, [1], r"train options: unrecognized arguments: --hiden"),
        (["--input", "nope.ras"], {}, [1], r"--input file nope.ras does not exist"),
    ],
)
def test_checks_before_running(tmp_path, base, grid, seeds, message):
    with pytest.raises(ValueError, match=message):
        sweep.expand_grid(base, grid, seeds, cwd=tmp_path)


def test_cli_errors_before_any_run(tmp_path, capsys, monkeypatch):
    def no_dask(*args):
        raise AssertionError("Dask started although the sweep is invalid")

    monkeypatch.setattr(runner, "_start_client", no_dask)
    out = tmp_path / "sw"
    rc = cli.main(
        ["sweep", "--out", str(out), "--grid", "feedback=sideways", "--", "--hidden", "2"]
    )
    assert rc == 2
    assert "superspike: error: --grid feedback=sideways: argument --feedback: invalid choice" in (
        capsys.readouterr().err
    )
    assert not out.exists()
    rc = cli.main(["sweep", "--out", str(out), "--seeds", "1,2", "--", "--seed", "4"])
    assert rc == 2 and "give only --seeds" in capsys.readouterr().err


# --------------------------------------------------------------------------- runs, fake trainer

FAKE_TRAIN = """
import pathlib, sys

args = sys.argv[1:]
value = lambda name: args[args.index(name) + 1]
out = pathlib.Path(value("--out"))
fail = pathlib.Path(__file__).with_name("fail-when")
print("fake train", " ".join(args))
if fail.exists() and fail.read_text().split() == [value("--feedback"), value("--seed")]:
    print("boom: the training diverged")
    sys.exit(3)
out.mkdir(parents=True, exist_ok=True)
cost = 1.0 + int(value("--seed")) + (value("--feedback") == "random")
rows = [f"{b},{0.5 * (b + 1)},{cost / (b + 1)},{4 * cost / (b + 1)},{b}" for b in range(12)]
(out / "metrics.csv").write_text("block,time_s,cost,cost_ref,output_rate_hz\\n" + "\\n".join(rows))
"""


def _statuses(out):
    return {
        p.parent.relative_to(out).as_posix(): json.loads(p.read_text())["status"]
        for p in sorted(out.glob("*/seed-*/status.json"))
    }


@pytest.fixture
def scheduler():
    """A Dask cluster of our own, reached by its address like a remote one."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster:
        yield cluster.scheduler_address


def test_failures_reported_and_rerun_alone(tmp_path, capsys, scheduler):
    """The sweep mechanics with a stand-in for ``superspike train`` (fast)."""
    script = tmp_path / "fake_train.py"
    script.write_text(textwrap.dedent(FAKE_TRAIN))
    (tmp_path / "fail-when").write_text("random 2")
    out = tmp_path / "sw"
    kwargs = dict(
        base_args=["--hidden", "2"],
        grid={"feedback": ["symmetric", "random"]},
        seeds=[1, 2],
        scheduler=scheduler,
        command=[sys.executable, str(script)],
    )
    result = sweep.run_sweep(out, **kwargs)
    assert (result.total, result.skipped, result.ran) == (4, 0, 4)
    assert [(f["condition"], f["seed"]) for f in result.failed] == [("feedback-random", 2)]
    assert "boom: the training diverged" in result.failed[0]["log_tail"]
    assert _statuses(out) == {
        "feedback-symmetric/seed-1": "ok",
        "feedback-symmetric/seed-2": "ok",
        "feedback-random/seed-1": "ok",
        "feedback-random/seed-2": "failed",
    }
    status = json.loads((out / "feedback-random/seed-2/status.json").read_text())
    assert status["returncode"] == 3 and status["argv"][-2:] == ["--seed", "2"]
    printed = capsys.readouterr().out
    assert "feedback-random seed 2: FAILED (exit status 3)" in printed
    assert "1 run(s) failed" in printed and "boom" in printed
    with open(out / "summary.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["status"] for r in rows] == ["ok", "ok", "ok", "failed"]
    # symmetric seed 1: cost 2 / (b + 1); last 10 of 12 blocks; block 11 rate.
    assert float(rows[0]["final_cost"]) == pytest.approx(2 / 12, rel=1e-5)
    assert float(rows[0]["final_cost_ref"]) == pytest.approx(8 / 12, rel=1e-5)
    assert float(rows[0]["mean_cost_last10"]) == pytest.approx(
        sum(2 / (b + 1) for b in range(2, 12)) / 10, rel=1e-5
    )
    assert rows[0]["final_output_rate_hz"] == "11"

    # The same sweep again: only the failed run runs.
    (tmp_path / "fail-when").unlink()
    ok_status = out / "feedback-symmetric/seed-1/status.json"
    stamp = ok_status.stat().st_mtime_ns
    result = sweep.run_sweep(out, **kwargs)
    assert (result.skipped, result.ran, result.failed) == (3, 1, [])
    assert set(_statuses(out).values()) == {"ok"}
    assert ok_status.stat().st_mtime_ns == stamp

    # A removed status.json: that run again, nothing else.
    (out / "feedback-symmetric/seed-2/status.json").unlink()
    result = sweep.run_sweep(out, **kwargs)
    assert (result.skipped, result.ran) == (3, 1)
    assert "[1/1] feedback-symmetric seed 2: ok" in capsys.readouterr().out
    assert result.ok

    # More seeds extend the sweep; other keys or base options are refused.
    result = sweep.run_sweep(out, **{**kwargs, "seeds": [3]})
    assert (result.total, result.skipped, result.ran) == (6, 4, 2)
    assert json.loads((out / "sweep.json").read_text())["seeds"] == [1, 2, 3]
    with pytest.raises(ValueError, match="other train options"):
        sweep.run_sweep(out, **{**kwargs, "base_args": ["--hidden", "3"]})
    with pytest.raises(ValueError, match="grid keys"):
        sweep.run_sweep(out, **{**kwargs, "grid": {"r0": ["1", "2"]}})

    # The summary is regenerated from the disk alone.
    (out / "summary.csv").unlink()
    (out / "summary.png").unlink()
    assert cli.main(["sweep", "--out", str(out), "--summary-only"]) == 0
    assert (out / "summary.png").stat().st_size > 0
    with open(out / "summary.csv") as fh:
        assert len(list(csv.DictReader(fh))) == 6


# --------------------------------------------------------------------------- real training


@pytest.fixture
def tiny_task(tmp_path):
    """8 inputs, one output with 2 target spikes, 100 ms period."""
    inp = tmp_path / "in.ras"
    times = [0.005 + 0.01 * i for i in range(8)] + [0.055 + 0.01 * i for i in range(4)]
    write_ras(inp, SpikeRaster(times, list(range(8)) + [0, 2, 4, 6], n_units=8, duration=0.1))
    tgt = tmp_path / "tgt.ras"
    write_ras(tgt, SpikeRaster([0.03, 0.07], [0, 0], n_units=1, duration=0.1))
    # One block of 0.5 s after 0.5 s burn-in: the smallest schedule (t_update = 0.5 s).
    return [
        "--input",
        str(inp),
        "--target",
        str(tgt),
        "--period",
        "0.1",
        "--n-in",
        "8",
        "--n-out",
        "1",
        "--device",
        "runtime",
        "--burn-in",
        "0.5",
        "--block",
        "0.5",
        "--duration",
        "0.5",
    ]


def test_sweep_trains_on_local_cluster_and_resumes(tmp_path, tiny_task, monkeypatch):
    out = tmp_path / "sw"
    args = dict(
        base_args=[*tiny_task, "--hidden", "2"],
        grid={"feedback": ["symmetric", "random"]},
        seeds=[1, 2],
        workers=2,
    )
    result = sweep.run_sweep(out, **args)
    assert (result.total, result.ran, result.failed) == (4, 4, [])
    runs = sorted(p.parent for p in out.glob("*/seed-*/metrics.csv"))
    assert [r.relative_to(out).as_posix() for r in runs] == [
        "feedback-random/seed-1",
        "feedback-random/seed-2",
        "feedback-symmetric/seed-1",
        "feedback-symmetric/seed-2",
    ]
    assert set(_statuses(out).values()) == {"ok"}
    for run in runs:
        assert (run / "config.json").exists()
        assert "results in" in (run / "log.txt").read_text()
    with open(out / "summary.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 and {r["status"] for r in rows} == {"ok"}
    for row in rows:
        # Each summary value is the run's own: its last metrics row, its last 10
        # blocks (summary.csv writes computed numbers with 6 significant digits).
        metrics = read_metrics(out / row["run_dir"])
        assert row["run_dir"] == f"{row['condition']}/seed-{row['seed']}"
        for column, key in (
            ("final_cost", "cost"),
            ("final_cost_ref", "cost_ref"),
            ("final_output_rate_hz", "output_rate_hz"),
        ):
            assert float(row[column]) == pytest.approx(float(metrics[key][-1]), rel=1e-5), column
        assert float(row["mean_cost_last10"]) == pytest.approx(
            float(np.mean(metrics["cost"][-10:])), rel=1e-5
        )
    assert (out / "summary.png").stat().st_size > 0
    record = json.loads((out / "sweep.json").read_text())
    assert record["grid"] == [["feedback", ["symmetric", "random"]]]
    assert record["seeds"] == [1, 2]

    # Again: everything is finished, so no cluster starts and nothing is rewritten.
    def no_dask(*a):
        raise AssertionError("Dask started with nothing to run")

    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/seed-*/status.json")}
    with monkeypatch.context() as m:
        m.setattr(runner, "_start_client", no_dask)
        result = sweep.run_sweep(out, **args)
    assert (result.skipped, result.ran) == (4, 0)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps

    # A lost status.json: exactly that run trains again.
    (out / "feedback-random/seed-2/status.json").unlink()
    result = sweep.run_sweep(out, **args)
    assert (result.skipped, result.ran, result.failed) == (3, 1, [])
    changed = [p for p, t in stamps.items() if p.exists() and p.stat().st_mtime_ns != t]
    assert changed == [out / "feedback-random/seed-2/status.json"]
    assert set(_statuses(out).values()) == {"ok"}


def test_cli_failed_run_exit_status_1(tmp_path, tiny_task, capsys):
    """A run that fails in training (random feedback needs a hidden layer) is listed."""
    out = tmp_path / "sw"
    argv = ["sweep", "--out", str(out), "--grid", "feedback=random", "--", *tiny_task]
    rc = cli.main([*argv, "--hidden", "0"])
    assert rc == 1
    printed = capsys.readouterr().out
    assert "[1/1] feedback-random seed 1: FAILED (exit status" in printed
    assert "1 run(s) failed" in printed and "feedback-random seed 1 (" in printed
    assert "needs a hidden layer" in printed
    assert _statuses(out) == {"feedback-random/seed-1": "failed"}
    with open(out / "summary.csv") as fh:
        assert [r["status"] for r in csv.DictReader(fh)] == ["failed"]


def test_a_run_with_a_checkpoint_resumes_instead_of_starting_again(tmp_path, monkeypatch):
    run_dir = tmp_path / "feedback-random" / "seed-1"
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text("{}")
    (run_dir / "checkpoint.npz").write_bytes(b"")
    seen = []

    class Done:
        def __init__(self, cmd, **kw):
            seen.append(cmd)

        def wait(self):
            return 1

        def poll(self):
            return 1

    monkeypatch.setattr(records.subprocess, "Popen", Done)
    sweep.run_one(run_dir, ["--hidden", "4"])
    assert seen[0][-2:] == ["--resume", str(run_dir)] and "--hidden" not in seen[0]
    (run_dir / "checkpoint.npz").unlink()
    sweep.run_one(run_dir, ["--hidden", "4"])
    assert seen[1][-5:] == ["--hidden", "4", "--out", str(run_dir), "--overwrite"]
