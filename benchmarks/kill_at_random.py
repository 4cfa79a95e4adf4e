"""Kill training runs with SIGKILL at random moments, resume each, compare bit for bit.

Usage::

    python benchmarks/kill_at_random.py --kills 30 --out /tmp/kill-at-random
    python benchmarks/kill_at_random.py --kills 6 --compile-kills 1 --modes controller

For each learn mode (``inside``, ``controller``) the script trains one small
run without interruption (``superspike train``, its own process), then, for
every kill point, starts the same command and kills it with SIGKILL:

``time``
    after a random time within the uninterrupted run's wall time (starting
    Python, building, simulating a block, writing: whatever it is doing then);
``writing``
    the moment a temporary file of ``checkpoint.npz``, a record part,
    ``metrics.csv`` or a figure appears (while it is being written);
``compile``
    a random time after the run says it compiles, in a build directory of its
    own (expensive: every one compiles the model from scratch).

Each killed run is then continued the way a user would: ``superspike train
--resume DIR`` when DIR has a config.json, else the first command again. A run
directory that cannot be resumed must say why in one line. Every resumed run
is compared with the uninterrupted one (``compare_runs.py``: weights, spikes,
membrane arrays and metrics.csv, bitwise). Prints one line per kill and a
summary; writes ``OUT/summary.json``. Exit status 1 if any resumed run differs
or failed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_runs import compare  # noqa: E402

#: Files whose writing is a kill point (atomic_write's temporary file is ".<name>.<random>.tmp").
WRITTEN = ("checkpoint.npz", "part-", "metrics.csv", "config.json", "raster.png", "weights.npz")
#: Polling interval while waiting for a file to appear (s).
POLL_S = 0.0005


def task_files(work):
    """A small task on disk (20 inputs, 2 outputs, 500 ms period)."""
    from brian2 import Hz, ms

    from superspike_brian.tasks.single_neuron import frozen_poisson
    from superspike_brian.tasks.spikeio import write_ras

    work.mkdir(parents=True, exist_ok=True)
    write_ras(work / "in.ras", frozen_poisson(20, 20 * Hz, 500 * ms, seed=1))
    (work / "tgt.ras").write_text("0.1 0\n0.2 1\n0.3 0\n")
    return work / "in.ras", work / "tgt.ras"


def train_argv(work, mode, out, duration, build_dir=None):
    """The ``superspike train`` command of a run (learn ``mode``, in ``out``)."""
    argv = [
        "train",
        "--input",
        str(work / "in.ras"),
        "--target",
        str(work / "tgt.ras"),
        "--period",
        "0.5",
        "--hidden",
        "0",
        "--learn",
        mode,
        "--duration",
        str(duration),
        "--block",
        "0.5",
        "--burn-in",
        "0.5",
        "--out",
        str(out),
    ]
    if build_dir is not None:
        argv += ["--build-dir", str(build_dir)]
    return argv


def _start(argv, log):
    cmd = [sys.executable, "-m", "superspike_brian.cli", *argv]
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def run_to_end(argv, log_path, timeout_s=1800):
    """Run a command to its end; (exit status, last line of its output, seconds)."""
    t0 = time.monotonic()
    with open(log_path, "a") as log:
        proc = _start(argv, log)
        rc = proc.wait(timeout=timeout_s)
    lines = Path(log_path).read_text().strip().splitlines()
    return rc, (lines[-1] if lines else ""), time.monotonic() - t0


def _writing(out, name):
    """Whether a temporary file of ``name`` exists under ``out`` (being written)."""
    for folder in (out, out / "checkpoint_records"):
        try:
            with os.scandir(folder) as it:
                if any(e.name.startswith(f".{name}") and e.name.endswith(".tmp") for e in it):
                    return True
        except FileNotFoundError:
            pass
    return False


def kill_run(argv, out, log_path, kind, when, timeout_s=1800):
    """Start ``argv`` and SIGKILL it at the kill point; what it was doing then.

    Returns
    -------
    dict
        ``killed`` (False if it ended first), ``at_s`` (seconds after the start).
    """
    with open(log_path, "w") as log:
        proc = _start(argv, log)
        t0 = time.monotonic()
        killed = False
        while proc.poll() is None and time.monotonic() - t0 < timeout_s:
            if kind == "time":
                hit = time.monotonic() - t0 >= when
            elif kind == "writing":
                hit = _writing(out, when)
            else:  # compile: a random time after the run says it compiles
                text = Path(log_path).read_text()
                hit = "compiling" in text and time.monotonic() - t0 >= when
            if hit:
                proc.send_signal(signal.SIGKILL)
                killed = True
                break
            time.sleep(POLL_S if kind == "writing" else 0.005)
        proc.wait()
    return {"killed": killed, "at_s": round(time.monotonic() - t0, 3)}


def state_of(out):
    """What a killed run left: config status and blocks in metrics.csv."""
    config = out / "config.json"
    if not config.exists():
        return "no config.json"
    try:
        status = json.loads(config.read_text()).get("status")
    except ValueError:
        return "config.json unreadable"
    metrics = out / "metrics.csv"
    blocks = len(metrics.read_text().strip().splitlines()) - 1 if metrics.exists() else 0
    return f"{status}, {blocks} blocks"


def resume(work, argv, out, log_path):
    """Continue a killed run as a user would; (exit status, last line)."""
    if (out / "config.json").exists():
        rc, last, _ = run_to_end(["train", "--resume", str(out)], log_path)
    else:
        rc, last, _ = run_to_end(argv, log_path)
    return rc, last


def equal(a, b):
    """compare_runs' verdict, its lines kept quiet."""
    with contextlib.redirect_stdout(io.StringIO()):
        return compare(a, b)


def kill_points(rng, n, wall_s, n_compile):
    """``n`` kill points: two thirds at random times, a third while writing a file."""
    points = []
    for k in range(n):
        if k % 3 == 2:
            points.append(("writing", rng.choice(WRITTEN)))
        else:
            points.append(("time", round(rng.uniform(0.0, wall_s), 3)))
    points += [("compile", round(rng.uniform(0.0, 10.0), 3)) for _ in range(n_compile)]
    return points


def run(work, modes, kills, compile_kills, seed, duration, echo=print):
    """Kill and resume ``kills`` runs per mode; returns the summary (a dict)."""
    work = Path(work)
    task_files(work)
    rng = random.Random(seed)
    results = []
    for mode in modes:
        ref = work / f"{mode}-uninterrupted"
        rc, last, wall = run_to_end(
            train_argv(work, mode, ref, duration) + ["--overwrite"], work / f"{mode}-ref.log"
        )
        if rc != 0:
            raise RuntimeError(f"the uninterrupted {mode} run failed: {last}")
        echo(f"{mode}: uninterrupted run {wall:.1f} s")
        per_mode = max(1, kills // len(modes))
        for k, (kind, when) in enumerate(kill_points(rng, per_mode, wall, compile_kills)):
            out = work / f"{mode}-kill-{k:02d}"
            build = work / f"{mode}-build-{k:02d}" if kind == "compile" else None
            argv = train_argv(work, mode, out, duration, build)
            if out.exists():
                import shutil

                shutil.rmtree(out)
            log = work / f"{mode}-kill-{k:02d}.log"
            killed = kill_run(argv, out, log, kind, when)
            left = state_of(out)
            rc, last = resume(work, argv, out, log)
            same = rc == 0 and equal(ref, out)
            row = {
                "mode": mode,
                "kind": kind,
                "when": when,
                **killed,
                "left": left,
                "resume_rc": rc,
                "resume_said": last,
                "equal": bool(same),
            }
            results.append(row)
            echo(
                f"{mode:10s} {kind:7s} {str(when):14s} killed={killed['killed']!s:5s}"
                f" at {killed['at_s']:7.3f} s  left: {left:22s} resumed rc={rc}"
                f"  bitwise equal: {same}"
            )
    summary = {
        "kill_points": len(results),
        "killed": sum(r["killed"] for r in results),
        "resumed_equal": sum(r["equal"] for r in results),
        "runs": results,
    }
    (work / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    echo(
        f"{summary['kill_points']} kill points ({summary['killed']} killed before the run"
        f" ended), {summary['resumed_equal']} resumed runs bitwise equal to the uninterrupted one"
    )
    return summary


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--out", default="kill-at-random", help="work folder")
    p.add_argument("--kills", type=int, default=30, help="kill points over all modes")
    p.add_argument("--compile-kills", type=int, default=0, help="extra kills while compiling")
    p.add_argument("--modes", default="inside,controller")
    p.add_argument("--seed", type=int, default=1, help="seed of the kill points")
    p.add_argument("--duration", type=float, default=5.0, help="training, s (blocks of 0.5 s)")
    args = p.parse_args(argv)
    summary = run(
        args.out,
        args.modes.split(","),
        args.kills,
        args.compile_kills,
        args.seed,
        args.duration,
    )
    return 0 if summary["resumed_equal"] == summary["kill_points"] else 1


if __name__ == "__main__":
    sys.exit(main())
