"""A few kill points of ``benchmarks/kill_at_random.py``: SIGKILL, resume, bitwise equal.

The benchmark kills 30 runs at random moments; here three runs of the command
line (learning in the controller) are killed at chosen moments (while Python
starts, while the checkpoint and while the metrics are written), resumed with
``superspike train --resume`` and compared bit for bit with an uninterrupted run.
"""

import importlib.util
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "kill_at_random.py"


@pytest.fixture(scope="module")
def kill_at_random():
    spec = importlib.util.spec_from_file_location("kill_at_random", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_runs_killed_at_a_few_moments_resume_bitwise_equal(kill_at_random, tmp_path):
    k = kill_at_random
    k.task_files(tmp_path)
    ref = tmp_path / "uninterrupted"
    rc, last, _ = k.run_to_end(k.train_argv(tmp_path, "controller", ref, 1.5), tmp_path / "r.log")
    assert rc == 0, last
    points = [("time", 0.5), ("writing", "checkpoint.npz"), ("writing", "metrics.csv")]
    for n, (kind, when) in enumerate(points):
        out = tmp_path / f"killed-{n}"
        argv = k.train_argv(tmp_path, "controller", out, 1.5)
        log = tmp_path / f"killed-{n}.log"
        killed = k.kill_run(argv, out, log, kind, when)
        rc, last = k.resume(tmp_path, argv, out, log)
        assert rc == 0, (kind, when, killed, last)
        assert k.equal(ref, out), (kind, when, killed, k.state_of(out))
