"""The runs of a sweep: seeds x grid values, parsed and checked before anything runs."""

from __future__ import annotations

import argparse
import difflib
import itertools
import numbers
import re
from dataclasses import dataclass
from pathlib import Path

from superspike_brian.options import add_train_arguments

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
    """The checking train parser and its options (name without dashes -> action)."""
    p = _CheckingParser(prog="superspike train", allow_abbrev=False, add_help=False)
    return p, add_train_arguments(p)


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


def grid_points(grid):
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


def without_option(argv, name):
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


def _check_files(ns, cwd):
    """Checks argparse leaves to the trainer, done early: the task files exist."""
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
    parser, options = _train_parser()
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
        base = without_option(base, "seed")
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
            _check_files(ns, cwd)
        except _ParseError as exc:
            raise ValueError(f"{where}: {exc}") from None
        return ns

    parse(base, "train options")
    for key, texts in grid.items():
        for text in texts:
            parse(base + _value_argv(key, text, options), f"--grid {key}={text}")

    specs, names = [], {}
    for values in grid_points(grid):
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
