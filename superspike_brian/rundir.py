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

from superspike_brian.files import atomic_write, read_json_object, write_json, write_npz
from superspike_brian.integrity import CorruptFile, check_digest, digest_bytes, digest_json
from superspike_brian.runlock import (  # noqa: F401 - re-exported
    RunBusy,
    busy_message,
    lock_holder,
    other_writer,
    writer_lock,
)

#: Layout of config.json (2: task, engine, package and exact parameters added;
#: 3: the SHA-256 of its content, and of the results once complete).
CONFIG_FORMAT = 3
#: Layouts this version reads (2 without checksums to verify).
READABLE_CONFIG_FORMATS = (2, 3)


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
    "status.json",
    "xor.json",
    "*.png",
    "*.pdf",
)
#: The record a sweep writes when a run ends (state, exit code, seconds, options).
STATUS_FILE = "status.json"
#: The XOR runs' results (accuracies, trials to a perfect block; docs/xor.md).
XOR_FILE = "xor.json"
#: What a run printed, written by the process that started it (a sweep) while
#: the run replaces the files above: listed, never deleted here.
LOG_FILE = "log.txt"


class RunMissing(FileNotFoundError):
    """A run directory that does not exist, or is no run directory."""


class RunUnfinished(ValueError):
    """A run that has not completed: still running, interrupted or failed."""


def resume_hint(out):
    """The command that continues the run in ``out``."""
    return f"superspike train --resume {out}"


def last_checkpoint_block(out):
    """The block of the last checkpoint of ``out`` (from metrics.csv), or None if none."""
    if not (Path(out) / "checkpoint.npz").exists():
        return None
    try:
        blocks = read_metrics(out).get("block")
    except (OSError, ValueError):
        return None
    return int(blocks[-1]) if blocks is not None and len(blocks) else None


def unfinished_message(out, config):
    """One line on a run that has not completed: why, how far it got, and what to do."""
    block = last_checkpoint_block(out)
    where = f"last checkpoint at block {block}" if block is not None else "no checkpoint yet"
    holder = lock_holder(out)
    if holder is not None:
        return f"{out} is unfinished ({where}): it is being written by {holder}"
    if config.get("status") == "failed":
        fault = " ".join(str(config.get("fault", "a numerical fault")).split())
        return f"{out} is unfinished: it stopped on a fault ({fault}; {where})"
    return f"{out} is unfinished ({where}): resume with `{resume_hint(out)}`"


def require_finished(out, flag=None):
    """The config of the completed run in ``out``; one-line errors for anything else.

    Parameters
    ----------
    out : path
        Run directory.
    flag : str, optional
        The option that named it (``--init``), put before the messages.

    Raises
    ------
    RunMissing
        ``out`` does not exist ("D does not exist") or holds no run.
    RunUnfinished
        The run is running, was interrupted or failed:
        "D is unfinished (last checkpoint at block k): resume with
        `superspike train --resume D`".
    """
    out = Path(out)
    prefix = f"{flag} " if flag else ""
    if not out.exists():
        raise RunMissing(f"{prefix}{out} does not exist")
    if not out.is_dir():
        raise RunMissing(f"{prefix}{out} is a file, not a run directory")
    if not is_run(out):
        raise RunMissing(f"{prefix}{out} is not a run directory (no config.json)")
    config = read_config(out)
    # Run directories written before "status" existed count as complete (their
    # readers name what is missing or of another format), unless being written.
    if config.get("status", "complete") != "complete" or other_writer(out) is not None:
        raise RunUnfinished(prefix + unfinished_message(out, config))
    return config


def is_run(out):
    """True when ``out`` is a run directory: a folder with a config.json.

    The one test of "is this a run"; :func:`holds_run` asks the wider question
    of whether anything a run writes is there (what an overwrite would lose).
    """
    out = Path(out)
    return out.is_dir() and (out / "config.json").is_file()


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
    RunBusy
        Another process is writing ``out`` (named in the message).
    ValueError
        ``out`` is a file, or holds a run and neither ``resume`` nor ``overwrite``
        was asked for.
    PermissionError
        ``out`` cannot be created or written.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"the run directory {out} is a file; give a directory")
    writer = other_writer(out)
    if writer is not None:
        raise RunBusy(busy_message(out, writer))
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


def write_config(out, config, files=None):
    """Write config.json (atomically), with the SHA-256 of its content.

    Parameters
    ----------
    out : path
        Run directory.
    config : dict
    files : dict, optional
        File name -> SHA-256 of the files of the results written before (see
        :func:`write_results`), stored as ``files`` and checked by the readers.
    """
    config = {k: v for k, v in config.items() if k not in ("checksum", "files")}
    if files:
        config["files"] = dict(files)
    config["checksum"] = digest_json(config)
    write_json(Path(out) / "config.json", config)


def write_metrics(out, rows):
    """Write metrics.csv, one row per block; returns the SHA-256 of the file (None: no rows)."""
    if not rows:
        return None
    keys = list(rows[0].keys())
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: (f"{float(v):.6g}" if k not in ("block",) else v) for k, v in row.items()})
    return atomic_write(Path(out) / "metrics.csv", buf.getvalue())


def read_metrics(out):
    """Read metrics.csv into a dict of arrays.

    Raises
    ------
    FileNotFoundError
        There is no metrics.csv.
    ValueError
        metrics.csv is damaged: it does not match the checksum in config.json
        (:class:`~superspike_brian.integrity.CorruptFile`), or is not a table of
        numbers with a ``block`` column; the message names it.
    """
    path = Path(out) / "metrics.csv"
    text = _verified_bytes(out, "metrics.csv")
    try:
        rows = list(csv.DictReader(io.StringIO(text.decode("utf-8"))))
        if not rows:
            return {}
        if "block" not in rows[0]:
            raise ValueError("no block column")
        return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}
    except (ValueError, TypeError, KeyError, csv.Error) as exc:
        raise CorruptFile(f"{path} is damaged: not a table of numbers ({exc})") from None


def _verified_bytes(out, name):
    """The content of the file ``name`` of a run, checked against the checksum in config.json.

    The checksums of the results are stored when a run completes; a file of a
    run that is not complete is only checked by its reader.
    """
    path = Path(out) / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OSError(exc.errno, f"cannot read {path}: {exc.strerror}", str(path)) from None
    if (Path(out) / "config.json").exists():
        expected = read_config(out).get("files", {}).get(name)
        if expected is not None:
            check_digest(path, expected, digest_bytes(data), Path(out) / "config.json")
    return data


def package_version():
    """This package's version (``superspike_brian.__version__``, its one source)."""
    import superspike_brian

    return superspike_brian.__version__


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
        config.json is not a JSON object, or does not match its checksum
        (:class:`~superspike_brian.integrity.CorruptFile`); the message names it.
    """
    path = Path(out) / "config.json"
    if not path.exists():
        raise FileNotFoundError(f"{out} is not a run directory (no config.json)")
    try:
        config = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptFile(f"{path} is damaged: not valid JSON ({exc})") from None
    if not isinstance(config, dict):
        raise CorruptFile(f"{path} is damaged: not a JSON object")
    # A file written before checksums (format 2) has none to check; one whose
    # "checksum" key itself was damaged still says format 3 and is refused.
    fmt = config.get("format")
    if "checksum" in config or (isinstance(fmt, int) and fmt >= 3):
        rest = {k: v for k, v in config.items() if k != "checksum"}
        check_digest(path, config.get("checksum"), digest_json(rest))
    return config


def write_results(out, history, task):
    """Write the arrays of a finished (or partial) run: weights, spikes, membrane, task.

    Parameters
    ----------
    out : path
        Run directory.
    history : History
    task : Task

    Returns
    -------
    dict
        File name -> SHA-256 of every file written (for :func:`write_config`).
    """
    out = Path(out)
    digests = {}
    weights = {}
    for k, (w0, w1) in enumerate(zip(history.initial_weights, history.weights), start=1):
        weights[f"w_init_{k}"] = w0
        weights[f"w_final_{k}"] = w1
    digests["weights.npz"] = write_npz(out / "weights.npz", **weights)
    spikes = {"update_times": history.update_times, "cost": history.cost, "sq": history.sq}
    for name, (t, i) in history.spikes.items():
        spikes[f"{name}_t"] = t
        spikes[f"{name}_i"] = i
    spikes["target_t"] = task.target.times
    spikes["target_i"] = task.target.ids
    spikes["period"] = np.array(task.period)
    digests["spikes.npz"] = write_npz(out / "spikes.npz", **spikes)
    volt = {}
    for key, (t, U) in history.voltage.items():
        volt[f"{key}_t"] = t
        volt[f"{key}_U"] = U
    if history.voltage_units is not None:
        volt["units"] = np.asarray(history.voltage_units)
    digests["voltage.npz"] = write_npz(out / "voltage.npz", **volt)
    digests["task.npz"] = write_npz(out / "task.npz", **task_arrays(task))
    return digests


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


def read_record(out, name):
    """A JSON record of a run directory (:data:`STATUS_FILE`, :data:`XOR_FILE`), or None.

    These records are written after the run's own files, by whoever ran it, so
    config.json holds no checksum of them: a missing or unreadable record is
    None (the run is then not known to have finished).
    """
    return read_json_object(Path(out) / name)


def metric_rows(out):
    """metrics.csv as a list of rows (column -> float), checked like :func:`read_metrics`.

    Returns
    -------
    list of dict
        [] when there is no metrics.csv, or it is damaged (a sweep counts such a
        run as not finished rather than stopping on it).
    """
    try:
        columns = read_metrics(out)
    except (OSError, ValueError):
        return []
    n = len(next(iter(columns.values()))) if columns else 0
    return [{k: float(v[i]) for k, v in columns.items()} for i in range(n)]


def has_arrays(out, name):
    """Whether the run directory ``out`` holds the arrays ``name`` (``spikes``, ...)."""
    return out is not None and (Path(out) / f"{name}.npz").is_file()


def read_arrays(out, name):
    """The arrays of ``name`` (weights, spikes, voltage, task) in a run directory, as a dict.

    Raises
    ------
    FileNotFoundError, ValueError
        The file is missing, cannot be read or does not match its checksum in
        config.json; the message names it.
    """
    path = Path(out) / f"{name}.npz"
    data = _verified_bytes(out, f"{name}.npz")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            return {k: arrays[k] for k in arrays.files}
    except Exception as exc:
        raise CorruptFile(
            f"cannot read {path}, it is damaged: {type(exc).__name__} {exc}"
        ) from None
