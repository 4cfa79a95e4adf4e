"""Sweeps: a grid of independent training runs on Dask, one run directory each.

A sweep trains every combination of grid values (any ``superspike train`` option:
feedback mode, hidden sizes, learning rate, ...) for every seed, as separate runs,
then tabulates and plots them per condition.

Examples
--------
Command line (three feedback modes x 20 seeds on the hidden-layer task)::

    superspike sweep --out runs/fig4-sweep --seeds 1-20 \\
        --grid feedback=symmetric,random,uniform -- \\
        --hidden 4 --duration 300 --device cpp_standalone

The same from Python::

    from superspike_brian.sweep.sweep import run_sweep

    result = run_sweep(
        "runs/fig4-sweep",
        ["--hidden", "4", "--duration", "300", "--device", "cpp_standalone"],
        grid={"feedback": ["symmetric", "random", "uniform"]},
        seeds=range(1, 21),
    )
    print(result.skipped, len(result.failed))

What a sweep directory ``OUT`` holds
------------------------------------
``sweep.json``
    The grid, the seeds, the base train options and the last command line.
``<condition>/seed-<s>/``
    One ordinary run directory per run (see ``runs/README.md``), plus
    ``log.txt`` (everything the run printed) and ``status.json``
    (``{"status": "ok" | "failed", "returncode", "seconds", "argv"}``).
    ``<condition>`` names the grid values, e.g. ``feedback-random_hidden-4``,
    or is ``base`` for an empty grid.
``summary.csv``, ``summary.png``
    One row per run; learning curves per condition (mean over seeds and the
    min-max band). :func:`write_summary` regenerates both from the disk.

How runs execute
----------------
Every run is its own process, ``python -m superspike_brian.cli train ARGV --out
RUN_DIR``, started from a Dask task: Brian2's devices are process-wide
singletons, so two trainings never share a Python process. By default the
tasks go to a :class:`distributed.LocalCluster` with one single-threaded worker
process per core; ``scheduler="tcp://host:8786"`` (``--scheduler``) sends them
to any running Dask scheduler instead, for example one started by
dask-jobqueue on SLURM. Workers of such a cluster need this package installed
and ``OUT`` (and the task files) on a shared file system at the same paths.

Resuming
--------
A run is finished when its ``status.json`` says ``ok`` and its ``metrics.csv``
exists. Running a sweep again skips the finished runs and re-runs failed or
missing ones, so after failures (or an interrupted sweep) the same command
finishes the job. A sweep may also be extended: more seeds, or more values of
the same grid keys, add runs next to the existing ones (``sweep.json`` records
the union; every combination of it is run). Changing the base options or the
set of grid keys in an existing ``OUT`` is refused; use a new ``OUT``.

Standalone builds
-----------------
With ``--device cpp_standalone`` (or ``cuda_standalone``) each run builds in a
directory keyed by the compiled model structure under
``~/.cache/superspike-brian/`` (`superspike_brian.devices.default_build_root`),
held with an exclusive file lock while in use: runs of the same structure wait
for each other instead of writing into one project at the same time, and runs
of different structures build in parallel. The sweep passes no ``--build-dir``;
one given in the base options is refused when there is more than one run.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import itertools
import json
import math
import numbers
import os
import re
import shlex
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from superspike_brian.files import atomic_write, save_figure

__all__ = [
    "RunSpec",
    "SweepResult",
    "condition_name",
    "expand_grid",
    "load_sweep",
    "parse_grid",
    "parse_seeds",
    "run_one",
    "run_state",
    "run_sweep",
    "write_summary",
]

#: Written in sweep.json; bumped if its layout changes.
SWEEP_FORMAT = 1

#: Blocks averaged for the ``mean_cost_last10`` column of summary.csv.
LAST_BLOCKS = 10

#: Lines of a failed run's log.txt shown in the final report.
LOG_TAIL = 12

_BOOL_WORDS = {
    "true": True,
    "yes": True,
    "on": True,
    "1": True,
    "false": False,
    "no": False,
    "off": False,
    "0": False,
}


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep.

    Attributes
    ----------
    condition : str
        Directory name of the grid point, e.g. ``feedback-random_hidden-4``.
    seed : int
        The run's ``--seed``.
    values : dict
        Grid key (train option name, hyphenated) -> value as written.
    argv : list of str
        Arguments of ``superspike train`` (without ``--out``).
    """

    condition: str
    seed: int
    values: dict
    argv: list

    def run_dir(self, out):
        """The run directory, ``out/<condition>/seed-<seed>``."""
        return Path(out) / self.condition / f"seed-{self.seed}"


class _ParseError(Exception):
    pass


class _CheckingParser(argparse.ArgumentParser):
    """The train parser, raising instead of printing usage and exiting."""

    def error(self, message):
        raise _ParseError(message)


def _train_parser():
    from superspike_brian.cli.main import add_train_arguments

    p = _CheckingParser(prog="superspike train", allow_abbrev=False, add_help=False)
    add_train_arguments(p)
    return p


def _train_options(parser):
    """Option name (no dashes) -> argparse action, for every train option."""
    options = {}
    for action in parser._actions:
        for flag in action.option_strings:
            if flag.startswith("--"):
                options[flag[2:]] = action
    return options


def _is_flag(action):
    return action.nargs == 0


def parse_seeds(text):
    """Seeds from ``"1,2,3"``, ``"1-20"`` or a mix like ``"1-5,10"``.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of int
    """
    seeds = []
    for part in str(text).split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not m:
            raise ValueError(
                f"--seeds must be integers like 1,2,3 or a range like 1-20; got {text!r}"
            )
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) is not None else first
        if last < first:
            raise ValueError(f"--seeds range {part!r} runs backwards")
        seeds.extend(range(first, last + 1))
    return seeds


def parse_grid(items):
    """Grid from ``KEY=V1,V2`` strings (the ``--grid`` options).

    Parameters
    ----------
    items : list of str
        Each ``key=value[,value...]``; ``key`` is a train option without its
        dashes (``burn-in`` or ``burn_in``).

    Returns
    -------
    dict
        Key -> list of value strings, in the order given.
    """
    grid = {}
    for item in items or ():
        key, sep, values = str(item).partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(
                f"--grid takes KEY=VALUE[,VALUE...], e.g. feedback=symmetric,random; got {item!r}"
            )
        if key in grid:
            raise ValueError(f"grid key {key!r} given twice; list its values once: {key}=A,B")
        grid[key] = [v.strip() for v in values.split(",")] if values.strip() else []
    return grid


def _value_text(value):
    if isinstance(value, list | tuple):
        return "x".join(str(v) for v in value)
    return str(value).strip()


def _safe(text):
    """A filesystem-safe spelling of a grid value."""
    return re.sub(r"[^A-Za-z0-9.+-]+", "-", text).strip("-.") or "empty"


def condition_name(values):
    """Directory name of a grid point: ``feedback-random_hidden-4``, or ``base``.

    Parameters
    ----------
    values : dict
        Grid key -> value text, in grid order.
    """
    return "_".join(f"{k}-{_safe(v)}" for k, v in values.items()) or "base"


def _points(grid):
    """Every combination of grid values (first key slowest), as dicts."""
    for combo in itertools.product(*grid.values()):
        yield dict(zip(grid, combo, strict=True))


def _option_tokens(argv, name):
    """Indices of the tokens that give option ``--name`` in ``argv``."""
    flag = f"--{name}"
    return [i for i, tok in enumerate(argv) if tok == flag or tok.startswith(flag + "=")]


def _option_value(argv, name):
    idx = _option_tokens(argv, name)
    if not idx:
        return None
    tok = argv[idx[-1]]
    if "=" in tok:
        return tok.split("=", 1)[1]
    return argv[idx[-1] + 1] if idx[-1] + 1 < len(argv) else None


def _without_option(argv, name):
    drop = set(_option_tokens(argv, name))
    out, skip = [], False
    for i, tok in enumerate(argv):
        if skip:
            skip = False
            continue
        if i in drop:
            skip = "=" not in tok
            continue
        out.append(tok)
    return out


def _normalize_grid(grid, options):
    """Check the grid keys and values; key -> list of value texts."""
    if grid is None:
        return {}
    if not hasattr(grid, "items"):
        raise TypeError(f"grid must be a dict {{option: [values]}}, got {type(grid).__name__}")
    norm = {}
    for raw_key, values in grid.items():
        key = str(raw_key).strip().lstrip("-").replace("_", "-")
        if key == "seed":
            raise ValueError("seed is not a grid key: give the seeds with --seeds (seeds=...)")
        if key == "out":
            raise ValueError("out is not a grid key: the sweep sets each run's --out")
        if key not in options:
            near = difflib.get_close_matches(key, sorted(options), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ValueError(
                f"unknown grid key {raw_key!r}: not an option of superspike train{hint}"
            )
        if key in norm:
            raise ValueError(f"grid key {raw_key!r} given twice (as {key!r})")
        if isinstance(values, str) or not hasattr(values, "__iter__"):
            values = [values]
        texts = [_value_text(v) for v in values]
        if not texts:
            raise ValueError(f"grid key {key!r} has no values: give them as {key}=A,B")
        if any(t == "" for t in texts):
            raise ValueError(f"grid key {key!r} has an empty value in {texts!r}")
        if len(set(texts)) != len(texts):
            raise ValueError(f"grid key {key!r} lists a value twice: {texts!r}")
        if _is_flag(options[key]):
            bad = [t for t in texts if t.lower() not in _BOOL_WORDS]
            if bad:
                raise ValueError(
                    f"grid key {key!r} is an on/off switch: its values are true or false;"
                    f" got {bad[0]!r}"
                )
        norm[key] = texts
    return norm


def _value_argv(key, text, options):
    if _is_flag(options[key]):
        return [f"--{key}"] if _BOOL_WORDS[text.lower()] else []
    if key == "hidden":
        text = text.replace("x", ",")
    return [f"--{key}", text]


def _check_choices(ns, cwd):
    """Checks argparse leaves to the trainer, done early: choices, files."""
    from superspike_brian.model.error import FEEDBACK_MODES
    from superspike_brian.model.network import ENGINES
    from superspike_brian.training.devices import DEVICES
    from superspike_brian.training.trainer import LEARN_MODES

    for name, allowed, value in (
        ("feedback", FEEDBACK_MODES, ns.feedback),
        ("device", DEVICES, ns.device),
        ("engine", ENGINES, ns.engine),
        ("learn", LEARN_MODES, ns.learn),
    ):
        if value is not None and value not in allowed:
            raise _ParseError(f"--{name} must be one of {', '.join(allowed)}; got {value!r}")
    for name in ("input", "target"):
        path = getattr(ns, name)
        if path is not None and not (Path(cwd) / path).exists():
            raise _ParseError(f"--{name} file {path} does not exist")


def expand_grid(base_args=(), grid=None, seeds=None, *, cwd=None):
    """Every run of a sweep, checked before anything runs.

    Parameters
    ----------
    base_args : list of str
        ``superspike train`` options shared by every run (no ``--out``).
    grid : dict, optional
        Train option name (without dashes; ``-`` or ``_``) -> list of values.
        Values are passed as written (numbers are converted with ``str``);
        ``hidden`` values spell layers with ``x`` (``64x64``) or as a tuple;
        on/off switches (``float32``, ``no-regularizer``) take true/false.
    seeds : iterable of int, optional
        One run per seed and grid point. Default: the ``--seed`` of
        ``base_args`` (removed from them), or 1.
    cwd : path, optional
        Folder the runs start in, against which relative ``--input`` and
        ``--target`` paths are checked (default: the current folder).

    Returns
    -------
    list of RunSpec
        Grid points in the order of the grid (first key slowest), seeds
        innermost.

    Raises
    ------
    ValueError
        Naming the problem: unknown grid key, empty or repeated values, bad
        seeds, ``--seed`` both in ``base_args`` and ``seeds``, ``--out`` in
        ``base_args``, a grid key also in ``base_args``, ``--build-dir``
        shared by several runs, or any train option value the train parser
        (or its choices: feedback, device, engine, learn) rejects.
    """
    base = [str(a) for a in base_args]
    cwd = Path(cwd) if cwd is not None else Path.cwd()
    parser = _train_parser()
    options = _train_options(parser)
    grid = _normalize_grid(grid, options)

    if _option_tokens(base, "out"):
        raise ValueError(
            "--out is set by the sweep (OUT/<condition>/seed-<s>); give the sweep's --out instead"
        )
    if _option_tokens(base, "seed"):
        if seeds is not None:
            raise ValueError(
                "--seed is given in the train options and --seeds for the sweep; give only --seeds"
            )
        text = _option_value(base, "seed")
        try:
            seeds = [int(text)]
        except (TypeError, ValueError):
            raise ValueError(f"--seed must be an integer; got {text!r}") from None
        base = _without_option(base, "seed")
    if seeds is None:
        seeds = [1]
    checked = []
    for s in seeds:
        if isinstance(s, bool) or not (
            isinstance(s, numbers.Integral) or (isinstance(s, str) and s.strip().isdigit())
        ):
            raise ValueError(f"seeds must be non-negative integers; got {s!r}")
        s = int(s)
        if not 0 <= s < 2**32:
            raise ValueError(f"seeds must be non-negative integers below 2**32; got {s}")
        checked.append(s)
    if not checked:
        raise ValueError("no seeds given")
    if len(set(checked)) != len(checked):
        raise ValueError(f"a seed is listed twice: {checked}")
    for key in grid:
        if _option_tokens(base, key):
            raise ValueError(f"--{key} is both a train option and a grid key; give it in one place")

    def parse(argv, where):
        try:
            ns = parser.parse_args(argv)
            _check_choices(ns, cwd)
        except _ParseError as exc:
            raise ValueError(f"{where}: {exc}") from None
        return ns

    parse(base, "train options")
    for key, texts in grid.items():
        for text in texts:
            parse(base + _value_argv(key, text, options), f"--grid {key}={text}")

    specs, names = [], {}
    for values in _points(grid):
        condition = condition_name(values)
        if condition in names:
            raise ValueError(
                f"grid points {names[condition]} and {values} give the same directory name"
                f" {condition!r}; spell the values differently"
            )
        names[condition] = values
        point = list(base)
        for key, text in values.items():
            point += _value_argv(key, text, options)
        parse(point, f"grid point {condition}")
        for s in checked:
            specs.append(RunSpec(condition, s, values, point + ["--seed", str(s)]))

    build_dirs = [_option_value(spec.argv, "build-dir") for spec in specs]
    build_dirs = [b for b in build_dirs if b is not None]
    if len(set(build_dirs)) != len(build_dirs):
        raise ValueError(
            f"--build-dir with {len(specs)} runs: they would share one standalone project"
            " directory. Leave it out: each model structure gets its own build directory"
            " under ~/.cache/superspike-brian, locked while in use"
        )
    return specs


# --------------------------------------------------------------------------- files


def _write_json(path, data):
    atomic_write(path, json.dumps(data, indent=2) + "\n")


def _read_json(path):
    try:
        with open(path) as fh:
            return json.load(fh)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _read_rows(run_dir):
    """metrics.csv as a list of dicts of floats ([] if missing or unreadable)."""
    try:
        with open(Path(run_dir) / "metrics.csv") as fh:
            rows = list(csv.DictReader(fh))
        return [{k: float(v) for k, v in r.items() if v not in (None, "")} for r in rows]
    except (FileNotFoundError, ValueError):
        return []


def run_state(run_dir):
    """``"ok"``, ``"failed"`` or ``"missing"`` for a run directory on disk."""
    status = _read_json(Path(run_dir) / "status.json") or {}
    if status.get("status") == "ok" and (Path(run_dir) / "metrics.csv").exists():
        return "ok"
    if status.get("status") == "failed":
        return "failed"
    return "missing"


def _tail(path, n=LOG_TAIL):
    try:
        with open(path, errors="replace") as fh:
            lines = fh.read().splitlines()
    except FileNotFoundError:
        return ["(no log.txt)"]
    return lines[-n:]


# --------------------------------------------------------------------------- one run


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
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "status.json").unlink(missing_ok=True)
    resuming = False
    if command is None:
        command = [sys.executable, "-m", "superspike_brian.cli", "train"]
        # A run killed after some blocks continues from its checkpoint (controller mode).
        resuming = (run_dir / "checkpoint.npz").exists() and (run_dir / "config.json").exists()
    cmd = (
        [*command, "--resume", str(run_dir)]
        if resuming
        else [*command, *argv, "--out", str(run_dir)]
    )
    if cwd is not None and not Path(cwd).is_dir():
        cwd = None
    t0 = time.monotonic()
    with open(run_dir / "log.txt", "a" if resuming else "w") as log:
        log.write(f"$ {shlex.join(cmd)}\n")
        log.flush()
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd
        )
        try:
            returncode = proc.wait()
        finally:
            if proc.poll() is None:  # interrupted: do not leave the training behind
                proc.kill()
                proc.wait()
    seconds = time.monotonic() - t0
    rows = _read_rows(run_dir)
    ok = returncode == 0 and (run_dir / "metrics.csv").exists()
    status = {
        "status": "ok" if ok else "failed",
        "returncode": returncode,
        "seconds": round(seconds, 3),
        "argv": list(argv),
    }
    _write_json(run_dir / "status.json", status)
    return {**status, "final_cost": rows[-1].get("cost") if rows and ok else None}


# --------------------------------------------------------------------------- sweep.json


def _merge_record(old, new, path):
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


def _record(base, grid, seeds, command):
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
    record = _read_json(Path(out) / "sweep.json")
    if record is None:
        raise FileNotFoundError(f"{out} holds no sweep (no readable sweep.json)")
    return record


# --------------------------------------------------------------------------- running


@dataclass
class SweepResult:
    """What :func:`run_sweep` did.

    Attributes
    ----------
    out : Path
    total : int
        Runs in the sweep.
    skipped : int
        Runs finished earlier, not run again.
    ran : int
        Runs started by this call.
    failed : list of dict
        This call's failed runs: condition, seed, run_dir, returncode,
        seconds, error (if the task itself broke) and log tail.
    rows : list of dict
        The rows of summary.csv.
    """

    out: Path
    total: int = 0
    skipped: int = 0
    ran: int = 0
    failed: list = field(default_factory=list)
    rows: list = field(default_factory=list)

    @property
    def ok(self):
        """Whether every run of the sweep finished successfully."""
        return not self.failed and all(r["status"] == "ok" for r in self.rows)


def _fmt(x, spec=".4g"):
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def run_sweep(
    out,
    base_args=(),
    grid=None,
    seeds=None,
    scheduler=None,
    workers=None,
    *,
    command=None,
    cwd=None,
    command_line=None,
    echo=print,
):
    """Run a sweep on Dask, skipping finished runs, and write its summary.

    Parameters
    ----------
    out : path
        Sweep directory (created).
    base_args : list of str
        ``superspike train`` options shared by every run.
    grid : dict, optional
        Option name -> values (see :func:`expand_grid`).
    seeds : iterable of int, optional
        Default: the ``--seed`` of ``base_args``, or 1.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``). Default: a
        local cluster started (and closed) by this call.
    workers : int, optional
        Worker processes of the local cluster (default: one per CPU core).
    command : list of str, optional
        Program each run executes, before the train arguments (default: the
        worker's Python, ``-m superspike_brian.cli train``).
    cwd : path, optional
        Folder the runs start in (default: the current folder).
    command_line : list of str, optional
        Recorded in sweep.json (default ``sys.argv``).
    echo : callable
        Receives each progress line (default ``print``).

    Returns
    -------
    SweepResult
    """
    out = Path(out).resolve()
    cwd = Path(cwd).resolve() if cwd is not None else Path.cwd()
    if workers is not None:
        if scheduler is not None:
            raise ValueError("--workers sizes the local cluster; with --scheduler leave it out")
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"--workers must be a positive integer; got {workers!r}")
    specs = expand_grid(base_args, grid, seeds, cwd=cwd)
    # The grid as normalized by expand_grid (hyphenated keys, value texts).
    grid_norm = {}
    for spec in specs:
        for k, v in spec.values.items():
            grid_norm.setdefault(k, [])
            if v not in grid_norm[k]:
                grid_norm[k].append(v)
    seed_list = list(dict.fromkeys(spec.seed for spec in specs))
    base = _without_option([str(a) for a in base_args], "seed")
    record = _record(base, grid_norm, seed_list, command_line or sys.argv)

    sweep_json = out / "sweep.json"
    old = _read_json(sweep_json)
    if old is None and sweep_json.exists():
        raise ValueError(f"{sweep_json} is unreadable; fix or remove it")
    if old is not None:
        record = _merge_record(old, record, sweep_json)
        specs = expand_grid(record["base"], dict(record["grid"]), record["seeds"], cwd=cwd)
    out.mkdir(parents=True, exist_ok=True)
    _write_json(sweep_json, record)

    todo = [s for s in specs if run_state(s.run_dir(out)) != "ok"]
    result = SweepResult(out=out, total=len(specs), skipped=len(specs) - len(todo))
    echo(
        f"sweep {out}: {len(specs)} run{'s' * (len(specs) != 1)};"
        f" {result.skipped} finished earlier (skipped),"
        f" {len(todo)} to run"
    )
    if todo:
        result.failed = _run_on_dask(todo, out, scheduler, workers, command, cwd, echo)
        result.ran = len(todo)
    result.rows = write_summary(out, echo=echo)
    if result.failed:
        echo(f"\n{len(result.failed)} run(s) failed:")
        for f in result.failed:
            echo(f"- {f['condition']} seed {f['seed']} ({f['run_dir']}), {f['why']}:")
            for line in f["log_tail"]:
                echo(f"    {line}")
        echo("run the same command again to re-run them (finished runs are skipped)")
    return result


def _start_client(scheduler, workers, n_runs):
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler), None
        except (OSError, TimeoutError) as exc:
            raise RuntimeError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    cluster = LocalCluster(
        n_workers=min(workers or os.cpu_count() or 1, n_runs),
        threads_per_worker=1,
        processes=True,
    )
    try:
        return Client(cluster), cluster
    except BaseException:
        cluster.close()
        raise


def _run_on_dask(todo, out, scheduler, workers, command, cwd, echo):
    from distributed import as_completed

    client, cluster = _start_client(scheduler, workers, len(todo))
    failed = []
    try:
        futures = {}
        for spec in todo:
            fut = client.submit(
                run_one,
                str(spec.run_dir(out)),
                spec.argv,
                command,
                str(cwd),
                key=f"superspike-{out.name}-{spec.condition}-seed-{spec.seed}-{time.time_ns()}",
                pure=False,
            )
            futures[fut] = spec
        for k, fut in enumerate(as_completed(futures), 1):
            spec = futures[fut]
            run_dir = spec.run_dir(out)
            try:
                rec = fut.result()
                error = None
            except Exception as exc:  # the task itself broke (worker lost, disk full, ...)
                error = f"{type(exc).__name__}: {exc}"
                rec = {"status": "failed", "returncode": None, "seconds": None, "error": error}
                rec["argv"] = spec.argv
                _write_json(run_dir / "status.json", rec)
            line = f"[{k}/{len(todo)}] {spec.condition} seed {spec.seed}: "
            if rec["status"] == "ok":
                line += f"ok, final cost {_fmt(rec.get('final_cost'))}, {rec['seconds']:.1f} s"
            else:
                why = error or f"exit status {rec['returncode']}"
                line += f"FAILED ({why})"
                if rec.get("seconds") is not None:
                    line += f", {rec['seconds']:.1f} s"
                failed.append(
                    {
                        "condition": spec.condition,
                        "seed": spec.seed,
                        "run_dir": str(run_dir),
                        "returncode": rec.get("returncode"),
                        "seconds": rec.get("seconds"),
                        "error": error,
                        "why": why,
                        "log_tail": _tail(run_dir / "log.txt"),
                    }
                )
            echo(line)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return failed


# --------------------------------------------------------------------------- summary


def _summary_row(spec, run_dir, grid_keys):
    state = run_state(run_dir)
    status = _read_json(run_dir / "status.json") or {}
    rows = _read_rows(run_dir) if state == "ok" else []
    last = rows[-1] if rows else {}
    tail = [r["cost"] for r in rows[-LAST_BLOCKS:] if "cost" in r]
    row = {"condition": spec.condition}
    row.update({k: spec.values.get(k, "") for k in grid_keys})
    row.update(
        {
            "seed": spec.seed,
            "status": state,
            "final_cost": last.get("cost"),
            "final_cost_ref": last.get("cost_ref"),
            "mean_cost_last10": sum(tail) / len(tail) if tail else None,
            "final_output_rate_hz": last.get("output_rate_hz"),
            "seconds": status.get("seconds"),
            "run_dir": str(run_dir.relative_to(run_dir.parents[1])),
        }
    )
    return row


def write_summary(out, *, echo=print):
    """Write ``summary.csv`` and ``summary.png`` from the run directories on disk.

    Parameters
    ----------
    out : path
        A sweep directory (with ``sweep.json``).
    echo : callable or None
        Receives the per-condition table (None: print nothing).

    Returns
    -------
    list of dict
        The rows of summary.csv, one per run of the sweep: condition, one
        column per grid key, seed, status (ok, failed or missing),
        final_cost, final_cost_ref, mean_cost_last10 (mean cost of the last
        10 blocks), final_output_rate_hz, seconds and run_dir.
    """
    out = Path(out)
    record = load_sweep(out)
    grid = {k: v for k, v in record["grid"]}
    # Names and values only: the runs were checked when the sweep started, and
    # relative task paths need not resolve from where the summary is redrawn.
    specs = [
        RunSpec(condition_name(values), seed, values, [])
        for values in _points(grid)
        for seed in record["seeds"]
    ]
    rows = [_summary_row(s, s.run_dir(out), list(grid)) for s in specs]

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow(
            {
                k: ("" if v is None else f"{v:.6g}" if isinstance(v, float) else v)
                for k, v in row.items()
            }
        )
    atomic_write(out / "summary.csv", buf.getvalue())
    _plot_summary(out, specs)
    if echo is not None:
        for line in _condition_table(rows):
            echo(line)
        echo(f"summary: {out / 'summary.csv'}, {out / 'summary.png'}")
    return rows


def _condition_table(rows):
    by_condition = {}
    for row in rows:
        by_condition.setdefault(row["condition"], []).append(row)
    width = max(len("condition"), *(len(c) for c in by_condition))
    lines = [
        f"\n{'condition':<{width}}  ok  failed  missing  final cost (mean +/- std over ok runs)"
    ]
    for condition, group in by_condition.items():
        costs = [
            r["final_cost"] for r in group if r["status"] == "ok" and r["final_cost"] is not None
        ]
        count = {s: sum(r["status"] == s for r in group) for s in ("ok", "failed", "missing")}
        if costs:
            mean = sum(costs) / len(costs)
            std = math.sqrt(sum((c - mean) ** 2 for c in costs) / len(costs))
            cost = f"{mean:.4g} +/- {std:.2g}"
        else:
            cost = "-"
        counts = f"{count['ok']:>2}  {count['failed']:>6}  {count['missing']:>7}"
        lines.append(f"{condition:<{width}}  {counts}  {cost}")
    return lines


def _plot_summary(out, specs):
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from superspike_brian.reporting.plotting import COST_LABEL, DPI

    curves = {}
    for spec in specs:
        run_dir = spec.run_dir(out)
        if run_state(run_dir) != "ok":
            continue
        rows = _read_rows(run_dir)
        if rows and "cost" in rows[0] and "time_s" in rows[0]:
            t = np.array([r["time_s"] for r in rows])
            c = np.array([r["cost"] for r in rows])
            c[~(c > 0)] = np.nan  # a log axis cannot show 0
            curves.setdefault(spec.condition, []).append((t, c))

    fig = Figure(figsize=(8.5, 5))
    ax = fig.add_subplot()
    handles = []
    colors = [f"C{i % 10}" for i in range(len(curves))]
    for color, (condition, runs) in zip(colors, curves.items(), strict=True):
        for t, c in runs:
            ax.plot(t, c, color=color, lw=0.7, alpha=0.5)
        n = min(len(t) for t, _ in runs)
        t = runs[0][0][:n]
        stack = np.vstack([c[:n] for _, c in runs])
        with warnings.catch_warnings():  # all-NaN columns (zero cost) stay gaps
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(stack, axis=0)
            lo, hi = np.nanmin(stack, axis=0), np.nanmax(stack, axis=0)
        ax.fill_between(t, lo, hi, color=color, alpha=0.15, lw=0)
        (line,) = ax.plot(t, mean, color=color, lw=2.2)
        line.set_label(f"{condition} (n={len(runs)})")
        handles.append(line)
    if curves:
        ax.set_yscale("log")
        handles += [
            Line2D([], [], color="0.4", lw=0.7, alpha=0.6, label="single seeds"),
            Line2D([], [], color="0.4", lw=2.2, label="mean over seeds"),
            Patch(color="0.4", alpha=0.25, label="min-max over seeds"),
        ]
        ax.legend(handles=handles, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    else:
        ax.text(0.5, 0.5, "no finished runs yet", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel(COST_LABEL)
    n_ok = sum(len(r) for r in curves.values())
    ax.set_title(f"sweep {out.name}: cost per block, {n_ok} of {len(specs)} runs finished")
    ax.grid(True, which="both", alpha=0.2)
    fig.tight_layout()
    try:
        save_figure(fig, out / "summary.png", dpi=DPI)
    finally:
        fig.clear()
    return out / "summary.png"


# --------------------------------------------------------------------------- CLI


def add_sweep_arguments(p):
    """Options of ``superspike sweep``."""
    p.add_argument("--out", required=True, help="sweep directory (one run directory per run)")
    p.add_argument(
        "--seeds", help="seeds, e.g. 1,2,3 or 1-20 (default: the --seed of the train options, or 1)"
    )
    p.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="KEY=V1,V2",
        help="a train option and its values, e.g. feedback=symmetric,random, hidden=4,8,64x64,"
        " r0=1,0.5; repeat for more keys (every combination runs)",
    )
    p.add_argument(
        "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786 (default: local cluster)"
    )
    p.add_argument("--workers", type=int, help="local cluster worker processes (default: cores)")
    p.add_argument(
        "--summary-only",
        action="store_true",
        help="rewrite summary.csv and summary.png of --out from its run directories; run nothing",
    )
    p.add_argument(
        "train_args",
        nargs=argparse.REMAINDER,
        metavar="-- TRAIN OPTIONS",
        help="options of superspike train shared by every run, after --",
    )


def cmd_sweep(args):
    """``superspike sweep``: exit status 0 if every run succeeded, 1 if any failed."""
    train_args = list(args.train_args)
    if train_args and train_args[0] == "--":
        train_args = train_args[1:]
    if args.summary_only:
        if train_args or args.grid or args.seeds:
            raise ValueError("--summary-only reads the sweep from --out: give nothing else")
        rows = write_summary(args.out)
        return 0 if all(r["status"] == "ok" for r in rows) else 1
    seeds = parse_seeds(args.seeds) if args.seeds is not None else None
    result = run_sweep(
        args.out,
        train_args,
        parse_grid(args.grid),
        seeds,
        scheduler=args.scheduler,
        workers=args.workers,
        command_line=["superspike", *sys.argv[1:]],
    )
    return 1 if result.failed else 0
