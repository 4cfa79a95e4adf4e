"""One writer per run directory: a second is refused naming the first; a dead one's lock is taken.

The first writer is a real process that holds the lock of the run directory
(as a training does while it writes); the second is a training (also with
--overwrite), a resume and a sweep's run into the same directory.
"""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from superspike_brian import cli, rundir
from superspike_brian.runlock import handed_down
from superspike_brian.sweep.records import run_one

from .helpers import short_train_options, small_task

HOLDER = """
import sys, time
from superspike_brian.runlock import writer_lock

with writer_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(600)
"""


@pytest.fixture
def held(tmp_path):
    """A run directory whose lock another process holds; yields (directory, process)."""
    out = tmp_path / "run"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(HOLDER), str(out)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield out, holder
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_a_second_writer_is_refused_naming_the_first(held, tmp_path, capsys):
    out, holder = held
    (out / "metrics.csv").write_text("block,time_s,cost\n0,1,10\n")
    common = short_train_options(small_task(), tmp_path)
    for argv in (
        ["train", *common, "--out", str(out), "--overwrite"],
        ["train", *common, "--out", str(out)],
    ):
        rc = cli.main(argv)
        err = capsys.readouterr().err.strip()
        assert rc == 2 and len(err.splitlines()) == 1, err
        assert f"{out} is being written by process {holder.pid} on " in err
    assert (out / "metrics.csv").read_text() == "block,time_s,cost\n0,1,10\n"  # untouched
    # A resume of it, too (here with the run's config, as an interrupted run has).
    rundir.write_config(out, {"format": 3, "argv": ["train", *common, "--out", str(out)]})
    assert cli.main(["train", "--resume", str(out)]) == 2
    assert f"is being written by process {holder.pid}" in capsys.readouterr().err
    # A sweep's run: refused without writing its log or status.
    rec = run_one(out, [*common])
    assert rec["status"] == "failed" and f"process {holder.pid}" in rec["error"]
    assert not (out / "log.txt").exists() and not (out / "status.json").exists()
    # What the readers say about it: it is being written.
    with pytest.raises(rundir.RunUnfinished, match=f"being written by process {holder.pid}"):
        rundir.require_finished(out)


def test_a_lock_left_by_a_killed_writer_is_taken_over_and_said(held):
    out, holder = held
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    said = []
    with rundir.writer_lock(out, say=said.append):
        assert rundir.lock_holder(out).startswith(f"process {os.getpid()} on ")
    assert said == [
        f"{out}: taking over the lock left by process {holder.pid}, which no longer runs"
    ]
    # Released cleanly: the next writer takes it without a word.
    with rundir.writer_lock(out, say=said.append):
        pass
    assert len(said) == 1 and rundir.lock_holder(out) is None


def test_the_lock_is_reentrant_and_handed_to_a_sweeps_training(tmp_path):
    out = tmp_path / "run"
    with rundir.writer_lock(out), rundir.writer_lock(out):  # the CLI, then the trainer
        env = {**os.environ, **handed_down(out)}
        child = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from superspike_brian.runlock import writer_lock\n"
                "with writer_lock(sys.argv[1]): print('ok')",
                str(out),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        assert child.stdout.strip() == "ok", child.stderr
        # Without the hand-down, the same child is refused.
        stranger = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(HOLDER), str(out)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert stranger.returncode != 0 and "is being written by process" in stranger.stderr
