"""Drawing helpers of the reproduction report: figures, cost bands, table cells."""

from __future__ import annotations

import math
import warnings

import numpy as np

from superspike_brian.files import save_figure

__all__ = [
    "DPI",
    "FLOOR",
    "REFERENCE_COLOR",
    "figure",
    "save",
    "stack",
    "band",
    "fmt",
    "quartiles",
    "empty",
    "planned",
]

#: Figures' resolution, dots per inch: small PNGs to commit.
DPI = 90
#: Costs below this are drawn at it (exact convergence decays to any small value).
FLOOR = 1e-12
REFERENCE_COLOR = "#c0392b"


def figure(w, h):
    """A matplotlib Figure of ``w`` x ``h`` inches, without pyplot."""
    from matplotlib.figure import Figure

    return Figure(figsize=(w, h))


def save(fig, path):
    """Save ``fig`` as ``path`` (small PNG) and free it; returns the file name."""
    fig.tight_layout()
    try:
        save_figure(fig, path, dpi=DPI)
    finally:
        fig.clear()
    return path.name


def stack(rows):
    """(training time, costs (seeds x blocks)) over the blocks every run has."""
    n = min(len(r["cost"]) for r in rows)
    t = np.asarray(rows[0]["time_s"][:n]) - rows[0]["time_s"][0]
    c = np.array([r["cost"][:n] for r in rows], dtype=float)
    return t, np.clip(c, FLOOR, None)


def band(ax, rows, color, label):
    """Each seed thin, the median thick, quartiles and min-max shaded (log axis)."""
    t, c = stack(rows)
    for ck in c:
        ax.plot(t, ck, color=color, lw=0.5, alpha=0.35)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, q1, med, q3, hi = np.nanpercentile(c, [0, 25, 50, 75, 100], axis=0)
    ax.fill_between(t, lo, hi, color=color, alpha=0.12, lw=0)
    ax.fill_between(t, q1, q3, color=color, alpha=0.25, lw=0)
    ax.plot(t, med, color=color, lw=2, label=f"{label} (n = {len(rows)})")
    ax.set_yscale("log")
    from superspike_brian.reporting.common import plain_log_axis

    plain_log_axis(ax.yaxis)
    ax.set_xlabel("training time (s)")
    ax.grid(True, which="major", alpha=0.25)


def fmt(x, spec=".3g"):
    """``x`` formatted, ``-`` for None or a non-finite number."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return format(x, spec)


def quartiles(values):
    """``median (q1-q3)`` of the finite values, ``-`` without any."""
    v = np.array([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if v.size == 0:
        return "-"
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    return f"{med:.3g} ({q1:.3g}-{q3:.3g})"


def empty(ax, what="no finished runs yet"):
    """Write ``what`` in the middle of an axis with nothing to draw."""
    ax.text(0.5, 0.5, what, ha="center", va="center", transform=ax.transAxes)


def planned(out, sweep):
    """The grid and number of runs of a sweep: as on disk (maybe extended), or as planned."""
    from superspike_brian.files import read_json_object

    recorded = read_json_object(out / sweep.name / "sweep.json")
    grid = dict(recorded["grid"]) if recorded else sweep.grid
    seeds = recorded["seeds"] if recorded else sweep.seeds
    return grid, len(seeds) * math.prod(len(v) for v in grid.values())
