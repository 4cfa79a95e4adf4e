"""The summary of a sweep: summary.csv and summary.png from its run directories."""

from __future__ import annotations

import csv
import io
import math
import warnings
from pathlib import Path

from superspike_brian import logs
from superspike_brian.files import atomic_write, save_figure
from superspike_brian.sweep.grid import RunSpec, condition_name, grid_points
from superspike_brian.sweep.records import load_sweep, run_state, run_status

_log = logs.get_logger(__name__)


def print_line(line):
    """A line of the sweep's result: stdout, through the logger (level INFO)."""
    _log.info(line, extra=logs.STDOUT)


#: Blocks averaged for the ``mean_cost_last10`` column of summary.csv.
LAST_BLOCKS = 10


# --------------------------------------------------------------------------- summary


def _summary_row(spec, run_dir, grid_keys):
    from superspike_brian import rundir

    state, status = run_status(run_dir)
    rows = rundir.metric_rows(run_dir) if state == "ok" else []
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


def write_summary(out, *, echo=print_line):
    """Write ``summary.csv`` and ``summary.png`` from the run directories on disk.

    Parameters
    ----------
    out : path
        A sweep directory (with ``sweep.json``).
    echo : callable or None
        Receives the per-condition table (default: the package's logger, level
        INFO, on stdout; None: nothing).

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
        for values in grid_points(grid)
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

    from superspike_brian import rundir
    from superspike_brian.reporting.common import COST_LABEL, DPI, plain_log_axis

    curves = {}
    for spec in specs:
        run_dir = spec.run_dir(out)
        if run_state(run_dir) != "ok":
            continue
        rows = rundir.metric_rows(run_dir)
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
        plain_log_axis(ax.yaxis)
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
    ax.set_title(
        f"sweep {out.name}: cost at each block's end, {n_ok} of {len(specs)} runs finished"
    )
    ax.grid(True, which="both", alpha=0.2)
    fig.tight_layout()
    try:
        save_figure(fig, out / "summary.png", dpi=DPI)
    finally:
        fig.clear()
    return out / "summary.png"
