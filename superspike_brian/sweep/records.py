"""The files of a sweep: sweep.json, and one run's status, log and metrics; running one run."""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
from pathlib import Path

from superspike_brian.files import read_json_object, write_json

#: Written in sweep.json; bumped if its layout changes.
SWEEP_FORMAT = 1

#: Lines of a failed run's log.txt shown in the final report.
LOG_TAIL = 12


# --------------------------------------------------------------------------- files


def run_status(run_dir):
    """(state, status.json contents ({} if none)) of a run directory on disk.

    The state is ``"ok"``, ``"failed"`` or ``"missing"``; callers that also
    want the record's fields (its seconds, say) read the file once.
    """
    # Imported here: rundir imports numpy, which `superspike --help` must not.
    from superspike_brian import rundir

    status = rundir.read_record(run_dir, rundir.STATUS_FILE) or {}
    if status.get("status") == "ok" and (Path(run_dir) / "metrics.csv").exists():
        return "ok", status
    if status.get("status") == "failed":
        return "failed", status
    return "missing", status


def run_state(run_dir):
    """``"ok"``, ``"failed"`` or ``"missing"`` for a run directory on disk."""
    return run_status(run_dir)[0]


def log_tail(path, n=LOG_TAIL):
    try:
        with open(path, errors="replace") as fh:
            lines = fh.read().splitlines()
    except FileNotFoundError:
        return ["(no log.txt)"]
    return lines[-n:]


# --------------------------------------------------------------------------- one run


def _die_with_parent():
    """A ``preexec_fn`` that makes the training die when the worker that started it dies.

    A worker killed by the system (out of memory, a job's time limit) cannot
    stop its training; left running, it would write into the run directory
    while the sweep, run again, trains the same run there. Linux only (None
    elsewhere). The C function is looked up here, before the fork: the child
    of a threaded worker only calls it (no import, no lock).
    """
    import ctypes
    import signal

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux: nothing to arrange
        return None
    pr_set_pdeathsig, sigkill = 1, int(signal.SIGKILL)
    return lambda: prctl(pr_set_pdeathsig, sigkill)


def run_one(run_dir, argv, command=None, cwd=None):
    """Train one run in a subprocess; the body of each Dask task.

    Parameters
    ----------
    run_dir : path
        Output directory (``--out``); ``log.txt`` and ``status.json`` go there.
    argv : list of str
        ``superspike train`` arguments.
    command : list of str, optional
        Program and leading arguments (default: this worker's Python running
        ``-m superspike_brian.cli train``).
    cwd : path, optional
        Folder to start in (relative task paths); ignored if it does not exist
        on the worker.

    Returns
    -------
    dict
        The ``status.json`` contents plus ``final_cost``.
    """
    from superspike_brian.runlock import RunBusy, handed_down, writer_lock

    run_dir = Path(run_dir)
    # The worker holds the run's lock for the whole training and hands it to the
    # training it starts: no other writer gets in, nor does this one write into a
    # directory that another process writes (a run of the same sweep started twice).
    try:
        with writer_lock(run_dir):
            return _run_locked(run_dir, argv, command, cwd, handed_down(run_dir))
    except RunBusy as exc:
        return {
            "status": "failed",
            "returncode": None,
            "seconds": 0.0,
            "argv": list(argv),
            "error": str(exc),
            "final_cost": None,
        }


def _run_locked(run_dir, argv, command, cwd, env):
    """The body of :func:`run_one`, with the run's lock held."""
    import os

    from superspike_brian import rundir

    (run_dir / rundir.STATUS_FILE).unlink(missing_ok=True)
    resuming = False
    if command is None:
        command = [sys.executable, "-m", "superspike_brian.cli", "train"]
        # A run killed after some blocks continues from its checkpoint; one that left
        # none (runtime) starts again: the sweep owns its run directories.
        resuming = (run_dir / "checkpoint.npz").exists() and (run_dir / "config.json").exists()
    cmd = (
        [*command, "--resume", str(run_dir)]
        if resuming
        else [*command, *argv, "--out", str(run_dir), "--overwrite"]
    )
    if cwd is not None and not Path(cwd).is_dir():
        cwd = None
    t0 = time.monotonic()
    with open(run_dir / rundir.LOG_FILE, "a" if resuming else "w") as log:
        log.write(f"$ {shlex.join(cmd)}\n")
        log.flush()
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env={**os.environ, **env},
            preexec_fn=_die_with_parent(),
        )
        try:
            returncode = proc.wait()
        finally:
            if proc.poll() is None:  # interrupted: do not leave the training behind
                proc.kill()
                proc.wait()
    seconds = time.monotonic() - t0
    rows = rundir.metric_rows(run_dir)
    ok = returncode == 0 and (run_dir / "metrics.csv").exists()
    status = {
        "status": "ok" if ok else "failed",
        "returncode": returncode,
        "seconds": round(seconds, 3),
        "argv": list(argv),
    }
    write_json(run_dir / rundir.STATUS_FILE, status)
    return {**status, "final_cost": rows[-1].get("cost") if rows and ok else None}


# --------------------------------------------------------------------------- sweep.json


def merge_record(old, new, path):
    """The union of a recorded sweep and a new request, or a clear refusal."""
    if old.get("base") != new["base"]:
        raise ValueError(
            f"{path} records a sweep with other train options:\n  recorded: "
            f"{shlex.join(old.get('base', []))}\n  given:    {shlex.join(new['base'])}\n"
            "run the same sweep (resume, add seeds or grid values) or use a new --out"
        )
    old_keys = [k for k, _ in old.get("grid", [])]
    new_keys = [k for k, _ in new["grid"]]
    if old_keys != new_keys:
        raise ValueError(
            f"{path} records a sweep over grid keys {old_keys or '(none)'}, given"
            f" {new_keys or '(none)'}: a sweep can gain seeds and values of its grid keys,"
            " not other keys; use a new --out"
        )
    grid = []
    for (key, old_values), (_, new_values) in zip(old["grid"], new["grid"], strict=True):
        grid.append([key, old_values + [v for v in new_values if v not in old_values]])
    seeds = old["seeds"] + [s for s in new["seeds"] if s not in old["seeds"]]
    return {**new, "grid": grid, "seeds": seeds, "created": old.get("created", new["created"])}


def sweep_record(base, grid, seeds, command):
    return {
        "format": SWEEP_FORMAT,
        "base": list(base),
        "grid": [[k, list(v)] for k, v in grid.items()],
        "seeds": list(seeds),
        "command": list(command),
        "created": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def load_sweep(out):
    """The record of ``out/sweep.json``: grid, seeds, base options, command line."""
    record = read_json_object(Path(out) / "sweep.json")
    if record is None:
        raise FileNotFoundError(f"{out} holds no sweep (no readable sweep.json)")
    return record
