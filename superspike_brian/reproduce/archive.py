"""A reproduction's measured rows as one file: its report without its runs.

The run directories of a full reproduction hold about a gigabyte (checkpoints,
spikes, figures), but the report and every claim are computed from a few
numbers per run, the rows of :func:`superspike_brian.reproduce.measures.collect`.
Each report also writes those rows to ``OUT/results.json``. Given back with
``superspike reproduce --results FILE``, they stand in for runs that are not
on disk: their rows enter the report as if read from the runs, and a sweep
whose every run is in the file is not run again (nor is any run that is). A reproduction can so be
completed later or elsewhere (another machine, a cluster's scratch space that
was wiped) and its report redrawn from a file small enough to keep beside it.

What the file cannot give back: the Fig 2 rasters, which are drawn from the
spikes of runs on disk.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from superspike_brian.files import atomic_write

__all__ = ["FORMAT", "RESULTS_FILE", "write", "read", "merge", "runs", "complete"]

#: Version of the file's layout; a reader refuses any other.
FORMAT = 1
#: Name of the file in the reproduction's folder.
RESULTS_FILE = "results.json"


def _plain(value):
    """``value`` as JSON can hold it: NaN as None (JSON has no NaN)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _restore(row):
    """The row as :func:`measures.collect` gives it: None back to NaN in the cost lists."""
    row = dict(row)
    for key in ("time_s", "cost", "cost_ref", "hidden_rate_hz"):
        if key in row:
            row[key] = [math.nan if v is None else v for v in row[key]]
    for key in ("late_median", "final5", "final_cost", "final_mean"):
        if key in row and row[key] is None:
            row[key] = math.nan
    return row


def write(out, results, sweeps, *, scale):
    """Write the rows of ``sweeps`` to ``out/results.json``.

    Parameters
    ----------
    out : path
        The reproduction's folder.
    results : dict
        Sweep name -> rows (:func:`superspike_brian.reproduce.measures.collect`).
    sweeps : iterable of str
        The sweeps to keep (an alias's rows are its source's: left out).
    scale : str

    Returns
    -------
    Path
    """
    out = Path(out)
    rows = {}
    for name in sweeps:
        kept = []
        for row in results.get(name, ()):
            row = dict(row)
            run_dir = row.pop("run_dir", None)
            if run_dir is not None and Path(run_dir).is_absolute():
                try:
                    run_dir = Path(run_dir).relative_to(out).as_posix()
                except ValueError:
                    pass  # a row of another folder's file keeps its own path
            row["run"] = str(run_dir) if run_dir is not None else None
            kept.append(_plain(row))
        rows[name] = kept
    path = out / RESULTS_FILE
    text = json.dumps({"format": FORMAT, "scale": scale, "rows": rows}, indent=1, sort_keys=True)
    atomic_write(path, text + "\n")
    return path


def read(path, *, scale):
    """The rows of a ``results.json``: sweep name -> rows.

    Raises
    ------
    ValueError
        One line naming ``--results``, the file and what is wrong.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"--results {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"--results {path} is not a reproduction's results.json ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise ValueError(
            f"--results {path}: expected a results.json of format {FORMAT} (written by"
            f" superspike reproduce); found format {found!r}"
        )
    if data.get("scale") != scale:
        raise ValueError(
            f"--results {path} holds runs of scale {data.get('scale')!r}, not {scale!r}"
        )
    return {name: [_restore(r) for r in rows] for name, rows in data["rows"].items()}


def _key(row):
    return row["condition"], int(row["seed"])


def merge(out, on_disk, archived):
    """``on_disk``'s rows, and those of ``archived`` for runs not among them.

    A run found in both is taken from the disk (it may have run longer since).
    Rows keep the order of the sweep's grid and seeds: the disk's rows first in
    their order, then the archived ones in theirs, sorted by condition order of
    first appearance and seed.
    """
    out = Path(out)
    merged = {}
    for name in set(on_disk) | set(archived):
        rows = list(on_disk.get(name, ()))
        seen = {_key(r) for r in rows}
        for row in archived.get(name, ()):
            if _key(row) not in seen:
                row = dict(row)
                run = row.pop("run", None)
                row["run_dir"] = str(out / run) if run else None
                rows.append(row)
        order = {}
        for row in rows:
            order.setdefault(row["condition"], len(order))
        merged[name] = sorted(rows, key=lambda r: (order[r["condition"]], int(r["seed"])))
    return merged


def runs(name, archived):
    """The runs (condition, seed) of sweep ``name`` that ``archived`` holds."""
    return sorted(_key(r) for r in archived.get(name, ()))


def complete(sweep, archived):
    """Whether every planned run of ``sweep`` (its grid and seeds) is in ``archived``."""
    from superspike_brian.sweep.grid import condition_name, grid_points

    have = {_key(r) for r in archived.get(sweep.name, ())}
    return all(
        (condition_name(values), int(seed)) in have
        for values in grid_points(sweep.grid)
        for seed in sweep.seeds
    )
