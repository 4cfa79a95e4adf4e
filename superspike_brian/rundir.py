"""Run directories: what a training run leaves behind, and reading it back.

A run directory holds ``config.json``, ``metrics.csv``, ``weights.npz``,
``spikes.npz``, ``voltage.npz``, ``task.npz`` and the figures (see
``runs/README.md``). Every file is written to a temporary name and renamed
(:mod:`superspike_brian.files`), so an interrupted run never leaves a
half-written file. This module only reads and writes files;
:func:`superspike_brian.training.load.load_run` turns a run directory back
into a network, task, schedule and history.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import platform
import shutil
from pathlib import Path

import numpy as np

from superspike_brian.files import atomic_write, write_json, write_npz

#: Layout of config.json (2: task, engine, package and exact parameters added).
CONFIG_FORMAT = 2


def versions():
    """Versions of Python and of the libraries that shape the results."""
    import brian2

    out = {"python": platform.python_version(), "brian2": brian2.__version__}
    try:
        import brian2cuda

        out["brian2cuda"] = getattr(brian2cuda, "__version__", "unknown")
    except Exception:  # brian2cuda is optional at run time
        pass
    out["numpy"] = np.__version__
    return out


#: Files a run directory holds (written by the package; nothing else is touched).
RUN_FILES = (
    "config.json",
    "metrics.csv",
    "checkpoint.npz",
    "checkpoint_records",
    "weights.npz",
    "spikes.npz",
    "voltage.npz",
    "task.npz",
    "*.png",
    "*.pdf",
)


def holds_run(out):
    """True when ``out`` holds files of a run."""
    out = Path(out)
    return out.is_dir() and any(any(out.glob(pattern)) for pattern in RUN_FILES)


def prepare(out, *, resume=False, overwrite=False, create=True):
    """Make ``out`` ready for a run, refusing to lose an earlier run's results.

    Parameters
    ----------
    out : path
        Run directory.
    resume : bool
        The run continues the one in ``out``.
    overwrite : bool
        Delete the files of the run in ``out`` first (only the files a run
        writes, :data:`RUN_FILES`).
    create : bool
        Create ``out`` (False: only check that it could be).

    Raises
    ------
    ValueError
        ``out`` is a file, or holds a run and neither ``resume`` nor ``overwrite``
        was asked for.
    PermissionError
        ``out`` cannot be created or written.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"the run directory {out} is a file; give a directory")
    if holds_run(out) and not (resume or overwrite):
        raise ValueError(
            f"{out} holds a run already: resume it (--resume {out}, resume=True) or replace"
            " it (--overwrite, overwrite=True), or choose another directory"
        )
    existing = next((p for p in [out, *out.parents] if p.exists()), Path("."))
    if not existing.is_dir():
        raise PermissionError(f"cannot create the run directory {out}: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write into {existing}, where the run directory {out} goes")
    if not create:
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PermissionError(f"cannot create the run directory {out}: {exc.strerror}") from None
    if overwrite and not resume:
        for pattern in RUN_FILES:
            for path in out.glob(pattern):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()


def write_config(out, config):
    """Write config.json (atomically)."""
    write_json(Path(out) / "config.json", config)


def write_metrics(out, rows):
    """Write metrics.csv, one row per block."""
    if not rows:
        return
    keys = list(rows[0].keys())
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: (f"{float(v):.6g}" if k not in ("block",) else v) for k, v in row.items()})
    atomic_write(Path(out) / "metrics.csv", buf.getvalue())


def read_metrics(out):
    """Read metrics.csv into a dict of arrays."""
    with open(Path(out) / "metrics.csv") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return {}
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def package_version():
    """The installed version of this package."""
    from importlib import metadata

    try:
        return metadata.version("superspike-brian")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


def package_info():
    """This package's version and, when it runs from a git checkout, the commit."""
    return dict(_package_info())


@functools.lru_cache(maxsize=1)
def _package_info():
    # Asked at every checkpoint (the fingerprint); the code a process runs
    # does not change while it runs, so git is asked once.
    import subprocess

    version = package_version()
    root = Path(__file__).resolve().parent.parent
    commit = None
    if (root / ".git").exists():
        try:
            out = subprocess.run(
                ["git", "-C", str(root), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                timeout=10,
            )
            if out.returncode == 0:
                commit = out.stdout.strip()
                dirty = subprocess.run(
                    ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                    capture_output=True,
                    text=True,
                    timeout=10,
                )
                if dirty.stdout.strip():
                    commit += "+changes"
        except (OSError, subprocess.SubprocessError):
            commit = None
    return {"name": "superspike-brian", "version": version, "git": commit}


def read_config(out):
    """Read config.json of a run directory.

    Raises
    ------
    FileNotFoundError
        ``out`` is not a run directory.
    ValueError
        config.json is not valid JSON.
    """
    path = Path(out) / "config.json"
    if not path.exists():
        raise FileNotFoundError(f"{out} is not a run directory (no config.json)")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from exc


def write_results(out, history, task):
    """Write the arrays of a finished (or partial) run: weights, spikes, membrane, task.

    Parameters
    ----------
    out : path
        Run directory.
    history : History
    task : Task
    """
    out = Path(out)
    weights = {}
    for k, (w0, w1) in enumerate(zip(history.initial_weights, history.weights), start=1):
        weights[f"w_init_{k}"] = w0
        weights[f"w_final_{k}"] = w1
    write_npz(out / "weights.npz", **weights)
    spikes = {"update_times": history.update_times, "cost": history.cost, "sq": history.sq}
    for name, (t, i) in history.spikes.items():
        spikes[f"{name}_t"] = t
        spikes[f"{name}_i"] = i
    spikes["target_t"] = task.target.times
    spikes["target_i"] = task.target.ids
    spikes["period"] = np.array(task.period)
    write_npz(out / "spikes.npz", **spikes)
    volt = {}
    for key, (t, U) in history.voltage.items():
        volt[f"{key}_t"] = t
        volt[f"{key}_U"] = U
    if history.voltage_units is not None:
        volt["units"] = np.asarray(history.voltage_units)
    write_npz(out / "voltage.npz", **volt)
    write_npz(out / "task.npz", **task_arrays(task))


def task_arrays(task):
    """The rasters (and windows of opportunity) of a task, as arrays for ``task.npz``."""
    arrays = {"period": np.array(task.period)}
    for kind in ("input", "target"):
        r = getattr(task, kind)
        arrays[f"{kind}_t"] = r.times
        arrays[f"{kind}_i"] = r.ids
        arrays[f"{kind}_n"] = np.array(r.n_units)
        arrays[f"{kind}_duration"] = np.array(r.duration)
    for name in ("onsets", "patterns", "labels", "window"):
        value = getattr(task, name, None)
        if value is not None:
            arrays[f"xor_{name}"] = np.asarray(value)
    return arrays


def read_arrays(out, name):
    """The arrays of ``name`` (weights, spikes, voltage, task) in a run directory, as a dict.

    Raises
    ------
    FileNotFoundError, ValueError
        The file is missing or cannot be read; the message names it.
    """
    path = Path(out) / f"{name}.npz"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except Exception as exc:
        raise ValueError(f"cannot read {path}: {exc}") from exc
