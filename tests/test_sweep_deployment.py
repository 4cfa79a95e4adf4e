"""A sweep on a real Dask deployment: a scheduler and two workers started as separate
processes with the ``dask`` command line (as on a cluster, here on 127.0.0.1), the
sweep sent there by ``superspike sweep --scheduler``, one worker killed in the
middle of a run.

What it shows: the killed worker's training dies with it; the first command
reports that run failed (the scheduler runs with ``allowed-failures 0``, as the
sweep's own local cluster and the documented cluster recipe do), and that run
only (a run waiting for a worker is not lost with it), and finishes the
others on the surviving worker; the same command again runs only the killed run;
every run then holds all its blocks, and no run directory was ever written by
two training processes at once (every training process is watched through
/proc for the whole test).
"""

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from superspike_brian.sweep.runner import SCHEDULER_CONFIG
from superspike_brian.tasks.spikeio import SpikeRaster, write_ras

SEEDS = ("1", "2", "3")


def _dask(*args, env=None, log):
    """Start ``dask ARGS`` in its own session (so that no signal of ours reaches it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "dask", *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )


def _wait_for(condition, what, limit_s=120):
    """Poll ``condition`` until true; fail naming ``what`` after ``limit_s`` (a hang,
    not a speed bound: every step here takes seconds)."""
    end = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"no {what} within {limit_s} s")
        time.sleep(0.05)


class Trainings(threading.Thread):
    """Every ``superspike train`` process writing under ``out``, seen through /proc.

    ``seen[run_dir][pid]`` is ``[first, last]`` (monotonic seconds) of the samples
    in which that process was alive; ``overlaps`` lists the run directories that
    two live processes wrote at one sample.
    """

    def __init__(self, out):
        super().__init__(daemon=True)
        self.out, self.seen, self.parents, self.overlaps = str(out), {}, {}, []
        self.stop = threading.Event()

    def sample(self):
        now, alive = time.monotonic(), {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                raw = Path(f"/proc/{name}/cmdline").read_bytes()
                if b"superspike_brian.cli\0train\0" not in raw:
                    continue
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:  # ended meanwhile
                continue
            argv = raw.decode(errors="replace").split("\0")
            if stat.rsplit(")", 1)[1].split()[0] == "Z":  # dead, not yet reaped
                continue
            flag = "--out" if "--out" in argv else "--resume"
            run_dir = argv[argv.index(flag) + 1]
            if run_dir.startswith(self.out):
                alive.setdefault(run_dir, []).append(int(name))
                self.parents[int(name)] = int(stat.rsplit(")", 1)[1].split()[1])
        for run_dir, pids in alive.items():
            # A child forked by a training (make started with a preexec hook) has
            # its parent's command line until it execs: the same writer, not another.
            pids[:] = [p for p in pids if self.parents.get(p) not in pids]
            if len(pids) > 1:
                self.overlaps.append((run_dir, pids))
            for pid in pids:
                self.seen.setdefault(run_dir, {}).setdefault(pid, [now, now])[1] = now

    def run(self):
        while not self.stop.is_set():
            self.sample()
            time.sleep(0.1)


@pytest.fixture
def deployment(tmp_path):
    """A scheduler (port 0: the system picks a free one) and two single-threaded
    workers without nanny (a killed worker stays dead), on 127.0.0.1."""
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    address_file = tmp_path / "scheduler.json"
    # The scheduler settings of the sweep's own cluster, given as docs/cluster.md gives
    # them to a deployed scheduler: DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=0 ...
    env = dict(os.environ)
    for key, value in SCHEDULER_CONFIG.items():
        env["DASK_" + key.upper().replace(".", "__").replace("-", "_")] = str(value)
    procs = []
    try:
        with open(logs / "scheduler.log", "w") as log:
            procs.append(
                _dask(
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-dashboard",
                    "--scheduler-file",
                    str(address_file),
                    "--idle-timeout",
                    "600",  # ends by itself should the test die
                    env=env,
                    log=log,
                )
            )
        _wait_for(address_file.exists, "scheduler file")
        _wait_for(lambda: "address" in address_file.read_text(), "scheduler address")
        address = json.loads(address_file.read_text())["address"]
        workers = []
        for k in (1, 2):
            with open(logs / f"worker-{k}.log", "w") as log:
                worker = _dask(
                    "worker",
                    address,
                    "--host",
                    "127.0.0.1",
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--name",
                    f"worker-{k}",
                    "--death-timeout",
                    "60",
                    log=log,
                )
            procs.append(worker)
            workers.append(worker)
        _wait_for(
            lambda: all("Registered to" in (logs / f"worker-{k}.log").read_text() for k in (1, 2)),
            "two workers registered",
        )
        yield address, workers, logs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


@pytest.fixture
def tiny_train(tmp_path):
    """Train options of a small runtime run (8 inputs, 1 output, 1 s simulated)."""
    inp, tgt = tmp_path / "in.ras", tmp_path / "tgt.ras"
    times = [0.005 + 0.01 * i for i in range(8)] + [0.055 + 0.01 * i for i in range(4)]
    write_ras(inp, SpikeRaster(times, list(range(8)) + [0, 2, 4, 6], n_units=8, duration=0.1))
    write_ras(tgt, SpikeRaster([0.03, 0.07], [0, 0], n_units=1, duration=0.1))
    # fmt: off
    return [
        "--input", str(inp), "--target", str(tgt), "--period", "0.1", "--n-in", "8",
        "--n-out", "1", "--device", "runtime", "--burn-in", "0.5", "--block", "0.5",
        "--duration", "0.5",
    ]
    # fmt: on


def _rows(run_dir):
    with open(run_dir / "metrics.csv") as fh:
        return list(csv.DictReader(fh))


def test_a_worker_killed_mid_run_loses_nothing(tmp_path, deployment, tiny_train):
    address, workers, logs = deployment
    out = tmp_path / "sweep"
    command = [
        sys.executable,
        "-m",
        "superspike_brian.cli",
        "sweep",
        "--out",
        str(out),
        "--seeds",
        ",".join(SEEDS),
        "--scheduler",
        address,
        "--",
        *tiny_train,
    ]
    watch = Trainings(out)
    watch.start()
    try:
        first = subprocess.Popen(
            command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

        # The middle of a run: its training has written config.json (status running).
        def started():
            # Copies: the watching thread adds to these meanwhile.
            for run_dir, pids in list(watch.seen.items()):
                config = Path(run_dir) / "config.json"
                live = [p for p in list(pids) if _alive(p)]
                if live and config.exists() and "running" in config.read_text():
                    return run_dir, live[0]
            return None

        _wait_for(started, "training that started")
        killed_run, training = started()
        worker = next(w for w in workers if w.pid == watch.parents[training])
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        # Its training dies with it (PR_SET_PDEATHSIG), never left writing.
        _wait_for(lambda: not _alive(training), "end of the killed worker's training", 30)
        printed, _ = first.communicate(timeout=600)
        assert first.returncode == 1, printed
        killed = Path(killed_run)
        name = f"{killed.parent.name} seed {killed.name.removeprefix('seed-')}"
        assert f"{name}: FAILED (KilledWorker" in printed, printed
        assert printed.count(": ok, final cost") == len(SEEDS) - 1, printed
        assert json.loads((killed / "status.json").read_text())["status"] == "failed"
        stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/seed-*/status.json")}

        # The same command again, on the surviving worker: only the killed run.
        again = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert again.returncode == 0, again.stdout + again.stderr
        assert f"{len(SEEDS) - 1} finished earlier (skipped), 1 to run" in again.stdout
        assert f"[1/1] {name}: ok" in again.stdout
    finally:
        watch.stop.set()
        watch.join()
    watch.sample()

    # Nothing lost: every run complete, with all its blocks, in the summary.
    runs = sorted(out.glob("*/seed-*"))
    assert [r.name for r in runs] == [f"seed-{s}" for s in SEEDS]
    blocks = {r.name: len(_rows(r)) for r in runs}
    assert len(set(blocks.values())) == 1 and blocks[killed.name] > 1, blocks
    for run in runs:
        assert json.loads((run / "status.json").read_text())["status"] == "ok"
        assert json.loads((run / "config.json").read_text())["status"] == "complete"
    changed = [p for p, t in stamps.items() if p.stat().st_mtime_ns != t]
    assert changed == [killed / "status.json"]  # the finished runs were not touched
    with open(out / "summary.csv") as fh:
        assert [r["status"] for r in csv.DictReader(fh)] == ["ok"] * len(SEEDS)

    # No run directory written by two processes: one training at a time in each,
    # the killed run's second only after its first had died.
    assert watch.overlaps == []
    assert sorted(watch.seen) == [str(r) for r in runs]
    for run_dir, pids in watch.seen.items():
        spans = sorted(pids.values())
        assert all(a[1] < b[0] for a, b in zip(spans, spans[1:])), (run_dir, spans)
        assert len(spans) == (2 if run_dir == killed_run else 1), (run_dir, spans)


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
