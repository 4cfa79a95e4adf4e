"""Runs at once on one build cache: they take turns, and a killed holder frees the lock."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from superspike_brian import devices

HOLDER = """
import sys, time
from superspike_brian import devices

with devices.build_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(600)
"""


def test_a_lock_left_by_a_killed_process_names_it_and_is_broken(tmp_path):
    build = tmp_path / "build"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(HOLDER), str(build)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        said, acquired, recorded = [], threading.Event(), []

        def wait_for_lock():
            with devices.build_lock(build, say=said.append, poll=0.05):
                recorded.append((build / ".lock").read_text())
                acquired.set()

        waiter = threading.Thread(target=wait_for_lock)
        waiter.start()
        while not said:
            time.sleep(0.01)
        assert said == [f"waiting for {build}, in use by process {holder.pid} ..."]
        assert not acquired.is_set()
        os.kill(holder.pid, signal.SIGKILL)  # killed while holding the lock
        holder.wait()
        waiter.join(timeout=60)
        assert acquired.is_set()
        assert f"\npid={os.getpid()}\n" in recorded[0]  # the lock file names its new holder
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def _train(files, out, seed):
    return [
        sys.executable,
        "-m",
        "superspike_brian.cli",
        "train",
        "--input",
        str(files / "in.ras"),
        "--target",
        str(files / "tgt.ras"),
        "--period",
        "0.5",
        "--hidden",
        "3",
        "--feedback",
        "random",
        "--learn",
        "controller",
        "--duration",
        "1.5",
        "--block",
        "0.5",
        "--burn-in",
        "0.5",
        "--seed",
        str(seed),
        "--out",
        str(out),
    ]


@pytest.mark.slow
def test_four_runs_at_once_on_one_build_cache_equal_runs_one_at_a_time(tmp_path):
    from brian2 import Hz, ms

    from superspike_brian.tasks.single_neuron import frozen_poisson
    from superspike_brian.tasks.spikeio import write_ras

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from compare_runs import compare

    write_ras(tmp_path / "in.ras", frozen_poisson(20, 20 * Hz, 500 * ms, seed=1))
    (tmp_path / "tgt.ras").write_text("0.1 0\n0.2 1\n0.3 0\n")
    env = {**os.environ, "SUPERSPIKE_BUILD_DIR": str(tmp_path / "cache")}
    # Four at once on a cache that holds nothing yet: one compiles, three wait.
    procs = [
        subprocess.Popen(
            _train(tmp_path, tmp_path / f"together-{s}", s),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for s in range(1, 5)
    ]
    errors = [p.communicate()[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, errors
    builds = [d for d in (tmp_path / "cache").iterdir() if d.name.startswith("cpp_standalone")]
    assert len(builds) == 1  # one structure, one build
    for s in range(1, 5):
        alone = tmp_path / f"alone-{s}"
        subprocess.run(_train(tmp_path, alone, s), env=env, check=True, capture_output=True)
        assert compare(tmp_path / f"together-{s}", alone)
