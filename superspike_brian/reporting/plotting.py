"""Figures of a training run: learning curve, rasters, membrane traces, rates, weights.

Every figure exists in three forms, so that one drawing serves the single
figures, the summary page and the tests:

* ``draw_<figure>(fig, ...)`` draws into a `matplotlib.figure.Figure` or a
  `matplotlib.figure.SubFigure` (a cell of the summary page) and returns the
  axes it made;
* ``<figure>_figure(...)`` returns a new Figure with that drawing;
* ``plot_<figure>(path, ...)`` writes it as a PNG (atomically) and returns
  `path`.

Inputs are plain numpy arrays (times in seconds, voltages in mV, rates in Hz).
Figures are built without pyplot, so plotting never opens a window, works on
headless machines and leaves no global figure state behind (a long sweep that
plots after every run does not leak figures). Artists that carry data get a
``gid`` (``"spikes"``, ``"target"``, ``"threshold"``, ...), so that a test or
a script finds them without relying on drawing order.
"""

import math
import numbers
import textwrap

import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation, MaxNLocator

from superspike_brian.files import save_figure

__all__ = [
    "COST_LABEL",
    "cost_label",
    "draw_layer_rasters",
    "draw_learning_curve",
    "draw_membrane",
    "draw_raster",
    "draw_rates",
    "draw_weights",
    "plain_log_axis",
    "layer_rasters_figure",
    "learning_curve_figure",
    "membrane_figure",
    "plot_layer_rasters",
    "plot_learning_curve",
    "plot_membrane",
    "plot_raster",
    "plot_rates",
    "plot_weights",
    "raster_figure",
    "rates_figure",
    "weight_bins",
    "weights_figure",
]

#: Resolution of the written PNGs.
DPI = 120

#: Label of the cost axis; the normalization is that of `superspike_brian.model.cost`.
COST_LABEL = "cost (1 = one unmatched spike per second per output unit)"

#: Most membrane panels drawn: beyond a handful, the panels get too flat to
#: read, so the first units stand for the population.
MAX_TRACES = 6

#: Scatter plots with more points than this are rasterized inside vector
#: files (PDF, SVG): text and axes stay vector, the file stays small.
RASTERIZE_ABOVE = 5000

#: Connections with at most this many synapses are drawn synapse by synapse
#: (before and after on one row) instead of as histograms of a handful of counts.
FEW_WEIGHTS = 20

# Colors shared by the figures, so that "target" and "output" look the same
# in every figure of a run.
_TARGET_COLOR = "tab:red"
_OUTPUT_COLOR = "black"
_BEFORE_COLOR = "tab:gray"
_AFTER_COLOR = "tab:blue"


# Argument checks. Each names the offending argument, like the checks of
# `superspike_brian.validation`, but works on plain numbers: this module must
# stay usable on results loaded from files, without brian2 quantities.


def _array_1d(name, value, dtype=float):
    arr = np.asarray(value, dtype=dtype)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def _finite(name, arr):
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values")
    return arr


def _same_length(name_a, a, name_b, b):
    if len(a) != len(b):
        raise ValueError(
            f"{name_a} and {name_b} must have the same length, got {len(a)} and {len(b)}"
        )


def _spike_ids(name, value, n_units):
    ids = np.asarray(value)
    if ids.ndim == 0:
        ids = ids.reshape(1)
    if ids.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {ids.shape}")
    if ids.size and not np.all(np.mod(ids, 1) == 0):
        raise ValueError(f"{name} must contain integer unit ids")
    ids = ids.astype(np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= n_units):
        raise ValueError(
            f"{name} must be unit ids in [0, n_units) = [0, {n_units}), "
            f"got values in [{ids.min()}, {ids.max()}]"
        )
    return ids


def _spikes(name, times, ids, n_units):
    """Checked spike times (s, >= 0) and unit ids of one layer."""
    times = _finite(f"{name}_t", _array_1d(f"{name}_t", times))
    ids = np.asarray(ids)
    _same_length(f"{name}_t", times, f"{name}_i", np.atleast_1d(ids))
    ids = _spike_ids(f"{name}_i", ids, n_units)
    if times.size and times.min() < 0:
        raise ValueError(f"{name}_t must be times >= 0 (seconds since the start of training)")
    return times, ids


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def _positive_float(name, value):
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not (math.isfinite(x) and x > 0):
        raise ValueError(f"{name} must be a positive, finite number, got {value!r}")
    return x


def _new_figure(width, height):
    return Figure(figsize=(width, height), layout="constrained")


def _save(fig, path):
    """Write `fig` as a PNG at `path` (creating its folder) and free it."""
    save_figure(fig, path, dpi=DPI)
    # The figure is not registered with pyplot, so clearing it is all the
    # "closing" there is: it drops the artists (and their arrays) at once.
    fig.clear()
    return path


class PlainLogFormatter(LogFormatterSciNotation):
    """Tick labels of a log axis in one form: plain numbers (6, 8, 10, 20) or powers of ten.

    Matplotlib's default labels the decades as powers (10^1) and, on an axis
    of less than about a decade, the ticks between them in another form
    (6x10^0, 3.004x10^3). This keeps its choice of which ticks get a label; on
    an axis of up to :data:`PLAIN_DECADES` decades every label is a plain
    number, on a wider one every label is a power of ten (only decades are
    labelled there).
    """

    def __call__(self, x, pos=None):
        label = super().__call__(x, pos)
        if not label:
            return ""
        lo, hi = sorted(abs(v) for v in self.axis.get_view_interval())
        if lo > 0 and math.log10(hi / lo) > PLAIN_DECADES:
            return label
        return f"{x:.4g}"


#: Widest log axis (decades) labelled with plain numbers (see `PlainLogFormatter`).
PLAIN_DECADES = 4


def plain_log_axis(axis):
    """Give a log-scaled ``ax.yaxis`` or ``ax.xaxis`` plain-number tick labels."""
    axis.set_major_formatter(PlainLogFormatter(labelOnlyBase=False))
    axis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))


def _positive_for_log(values):
    """`values` with non-positive entries replaced by NaN.

    The bias-corrected cost is exactly 0 before the first reading, and a
    log axis cannot show 0: masking leaves a gap instead of a warning and a
    line plunging off the axis.
    """
    values = np.array(values, dtype=float)
    values[~(values > 0)] = np.nan
    return values


def _dot_size(n_rows, largest):
    """Marker area (pt^2) that keeps neighbouring raster rows apart.

    A 100-row raster with the marker of a 5-row one is a solid block.
    """
    return float(np.clip(3000.0 / max(n_rows, 1), 2.0, largest))


# 1. Learning curve


def cost_label(scale=None):
    """Label of a cost axis that says which cost it shows and its normalization.

    Parameters
    ----------
    scale : float, optional
        None for the cost of `superspike_brian.model.cost` (column ``cost`` of
        ``metrics.csv``); otherwise the factor from that cost to the plotted
        one, ``cost_ref / cost`` (1 for one output unit, 4 for 200).

    Returns
    -------
    str
    """
    if scale is None:
        return COST_LABEL
    return (
        "cost_ref: cost as the reference code prints it\n"
        f"({scale:g} = one unmatched spike per second per output unit)"
    )


def _reference_points(reference):
    """Blocks and values of `reference` given as a dict or as two arrays."""
    if isinstance(reference, dict):
        blocks = _array_1d("reference", list(reference.keys()))
        values = _array_1d("reference", list(reference.values()))
    else:
        try:
            blocks, values = reference
        except (TypeError, ValueError):
            raise ValueError(
                "reference must be a dict {block: cost} or a pair (blocks, costs)"
            ) from None
        blocks = _array_1d("reference blocks", blocks)
        values = _array_1d("reference costs", values)
        _same_length("reference blocks", blocks, "reference costs", values)
    return blocks, values


def _checked_cost(block, cost):
    block = _finite("block", _array_1d("block", block))
    cost = np.asarray(cost, dtype=float)
    if cost.ndim not in (1, 2):
        raise ValueError(f"cost must be 1-D or 2-D (runs x blocks), got shape {cost.shape}")
    if cost.shape[-1] != block.size:
        raise ValueError(
            f"cost must have one value per block: its last axis has {cost.shape[-1]} "
            f"values, block has {block.size}"
        )
    return block, cost


def _draw_runs(ax, block, cost, label, highlight=None):
    """This run's cost (or several runs' and their mean or one of them); returns what is drawn."""
    if label is None:
        label = "this run" if cost.ndim == 1 else f"run {highlight}"
    if cost.ndim == 1:
        ax.plot(block, _positive_for_log(cost), color=_AFTER_COLOR, lw=2, label=label, gid="cost")
        return cost
    if highlight is not None and not 0 <= highlight < len(cost):
        raise ValueError(f"highlight: expected a run index in 0..{len(cost) - 1}; got {highlight}")
    for k, run in enumerate(_positive_for_log(cost)):
        ax.plot(
            block,
            run,
            color=_AFTER_COLOR,
            lw=0.7,
            alpha=0.35,
            label=f"individual runs (n = {len(cost)})" if k == 0 else None,
            gid="cost-run",
        )
    if highlight is not None:
        ax.plot(
            block,
            _positive_for_log(cost[highlight]),
            color=_AFTER_COLOR,
            lw=2,
            label=label,
            gid="cost",
        )
        return cost
    # The mean of the raw costs, not of the masked ones: a run that has
    # not started yet (cost 0) must pull the mean down, not vanish.
    mean = cost.mean(axis=0)
    ax.plot(
        block,
        _positive_for_log(mean),
        color=_AFTER_COLOR,
        lw=2,
        label=f"mean of the {len(cost)} runs" if label == "this run" else label,
        gid="cost",
    )
    return cost


def _draw_spread(ax, spread, last_block):
    """Range over seeds at single blocks (bars) and the late per-seed medians (band).

    Returns the values drawn inside the block range, for the y limits.
    """
    shown = []
    ranges = {b: r for b, r in spread.ranges.items() if b <= last_block}
    if ranges:
        blocks = np.array(sorted(ranges), dtype=float)
        lo, hi = np.array([ranges[b] for b in sorted(ranges)], dtype=float).T
        mid = np.sqrt(lo * hi)  # the centre of the bar on a log axis
        ax.errorbar(
            blocks,
            mid,
            yerr=[mid - lo, hi - mid],
            fmt="none",
            ecolor=_TARGET_COLOR,
            elinewidth=2,
            capsize=5,
            label=f"reference code, {spread.n_seeds} seeds: range",
            gid="reference-range",
        )
        shown += [v for v in (*lo, *hi) if v >= spread.exact]
    first, last = spread.late_blocks
    if last_block >= first:
        medians = np.asarray(spread.late_medians, dtype=float)
        x = [first, min(last, last_block)]
        ax.fill_between(
            x,
            medians.min(),
            medians.max(),
            color=_TARGET_COLOR,
            alpha=0.12,
            lw=0,
            label=(
                f"reference code: per-seed medians of blocks {first}–{last}\n"
                f"({spread.n_exact} of {spread.n_seeds} seeds below "
                f"{spread.exact:.0e}: exact match)"
            ),
            gid="reference-late",
        )
        ax.plot(
            x,
            [spread.median] * 2,
            color=_TARGET_COLOR,
            lw=1.5,
            ls="--",
            label=f"reference code: median over seeds ({spread.median:.2g})",
            gid="reference-median",
        )
        shown += [v for v in medians if v >= spread.exact]
    return shown


def _cost_limits(ax, block, values):
    """Clip the axes to the run's blocks and to the costs drawn there.

    Reference values outside the run's blocks, or ranges reaching down to
    an exact match (1e-22), would otherwise stretch the axes far beyond what
    this run can be compared with; they run off the axes instead.
    """
    pad = 0.02 * max(float(np.ptp(block)), 1.0)
    ax.set_xlim(block.min() - pad, block.max() + pad)
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size:
        ax.set_ylim(values.min() / 2, values.max() * 2)


def draw_learning_curve(
    fig,
    block,
    cost,
    *,
    reference=None,
    spread=None,
    label="this run",
    title=None,
    ylabel=COST_LABEL,
    reference_label="reference implementation",
    note=None,
    highlight=None,
    threshold=None,
):
    """Draw the cost per block on a log axis into `fig` (Figure or SubFigure).

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure
    block : array_like, shape (n_blocks,)
        Block index of each cost reading (0 = end of the burn-in).
    cost : array_like, shape (n_blocks,) or (n_runs, n_blocks)
        Cost at each block. A 2-D array holds several runs (e.g. seeds):
        their mean is drawn as a thick line and each run as a thin one.
        Values <= 0 (the cost before the first reading) are left out, as a
        log axis cannot show them.
    reference : dict or (array_like, array_like), optional
        One run of the reference implementation, ``{block: cost}`` or
        ``(blocks, costs)``, drawn as open markers. It must be on the scale
        of `cost` and measured on the same task.
    spread : superspike_brian.reporting.reference.SeedSpread, optional
        Spread of the reference over seeds: the range at single blocks as
        bars, the per-seed medians of the late blocks as a band with the
        median over seeds. With a reference or a spread, the axes are
        limited to this run's blocks and to the costs drawn there.
    label : str, optional
        Legend label of this run (of the mean for several runs).
    title : str, optional
        Axes title (default: "Learning curve").
    ylabel : str, optional
        Label of the cost axis; it must name the plotted quantity (see
        `cost_label`). Default: `COST_LABEL`.
    reference_label : str, optional
        Legend label of `reference`.
    note : str, optional
        A line of small text in the axes, e.g. why no reference is drawn.
    highlight : int, optional
        With several runs: draw run `highlight` as the thick line (labelled
        `label`) instead of their mean, e.g. the seed with the median cost;
        a mean over seeds on a log axis follows the worst seed.
    threshold : (float, str), optional
        A cost and its meaning, drawn as a horizontal line (e.g. the cost
        below which a run counts as learned).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If `cost` is not 1-D or 2-D, or its last axis does not match `block`,
        or `reference` is malformed.
    """
    block, cost = _checked_cost(block, cost)
    ref = _reference_points(reference) if reference is not None else None
    ax = fig.add_subplot()
    drawn = list(np.ravel(_draw_runs(ax, block, cost, label, highlight)))
    if ref is not None:
        ax.plot(
            ref[0],
            _positive_for_log(ref[1]),
            ls="none",
            marker="o",
            mfc="none",
            mec=_TARGET_COLOR,
            ms=6,
            label=reference_label,
            gid="reference",
        )
        drawn += list(ref[1][ref[0] <= block.max()])
    ax.set_yscale("log")
    plain_log_axis(ax.yaxis)
    if threshold is not None:
        level, meaning = threshold
        ax.axhline(level, color="0.3", ls=":", lw=1.2, label=meaning, gid="threshold")
    if spread is not None:
        # Seeds a hundred times below this run's lowest cost (down to exact
        # convergence, 1e-22) run off the bottom instead of flattening the run.
        floor = np.nanmin(_positive_for_log(cost), initial=np.inf) / 100
        drawn += [v for v in _draw_spread(ax, spread, block.max()) if v >= floor]
    if ref is not None or spread is not None:
        _cost_limits(ax, block, drawn)
    if note:
        text = ax.text(
            0.01,
            0.01,
            textwrap.fill(note, 70),
            transform=ax.transAxes,
            fontsize=8,
            color="0.35",
            gid="note",
            # Readable where it crosses the reference's bars.
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 2},
        )
        text.set_in_layout(False)  # a long note must not shrink the axes
    ax.set_xlabel("block (0 = end of the burn-in)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    ax.set_title(title if title is not None else "Learning curve")
    ax.grid(True, which="major", alpha=0.4)
    ax.grid(True, which="minor", alpha=0.15)
    ax.legend(fontsize=8)
    return ax


def learning_curve_figure(block, cost, **kwargs):
    """A new Figure with `draw_learning_curve` (same arguments)."""
    fig = _new_figure(7.5, 4.8)
    draw_learning_curve(fig, block, cost, **kwargs)
    return fig


def plot_learning_curve(path, block, cost, **kwargs):
    """Write the learning curve (see `draw_learning_curve`) as a PNG; returns `path`."""
    return _save(learning_curve_figure(block, cost, **kwargs), path)


# 2. Rasters


def _target(target_t, target_i, period, n_units):
    """Checked target spikes of one period: times in [0, period) s, unit ids."""
    target_t = _finite("target_t", _array_1d("target_t", target_t))
    target_i = np.asarray(target_i)
    _same_length("target_t", target_t, "target_i", np.atleast_1d(target_i))
    target_i = _spike_ids("target_i", target_i, n_units)
    if target_t.size and (target_t.min() < 0 or target_t.max() >= period):
        raise ValueError(
            f"target_t must be times within one period, in [0, period) = [0, {period:g}) s"
        )
    return target_t, target_i


def _count_periods(times, period, duration, name="spikes_t"):
    """Number of periods of the training (the last one may be silent)."""
    if duration is None:
        return int(times.max() // period) + 1 if times.size else 1
    duration = _positive_float("duration", duration)
    if times.size and times.max() > duration:
        raise ValueError(
            f"duration ({duration:g} s) is shorter than the last spike of {name} "
            f"({times.max():g} s)"
        )
    # A duration that is a multiple of the period up to rounding (500 s of
    # 0.5 s periods) must not add an empty, partial period.
    return max(1, math.ceil(duration / period - 1e-9))


def _fold(times, period, n_periods):
    """Period index of each spike and its time within the period (ms)."""
    phase = np.floor(times / period).astype(np.int64)
    phase = np.minimum(phase, n_periods - 1)  # a spike exactly at `duration`
    return phase, (times - phase * period) * 1e3


def _check_windows(windows, default, n_periods):
    windows = default if windows is None else windows
    windows = [int(w) for w in np.atleast_1d(np.asarray(windows))]
    if not windows:
        raise ValueError("windows must name at least one period")
    bad = [w for w in windows if not 0 <= w < n_periods]
    if bad:
        raise ValueError(f"windows must be period indices in [0, {n_periods}), got {bad[:5]}")
    return windows


def _unit_axis(ax, n_units, unit0_top, label):
    """Unit ids on the y axis; unit 0 at the top for a picture drawn by the units."""
    ax.set_ylim((n_units - 0.5, -0.5) if unit0_top else (-0.5, n_units - 0.5))
    if n_units <= 20:
        ax.set_yticks(range(n_units))
    ax.set_ylabel(label)


def _folded_panel(ax, within_ms, ids, n_units, target=None):
    """One period of a layer: spikes as dots, target spikes as open circles."""
    circle = float(np.clip(3000.0 / n_units, 6.0, 60.0))
    if target is not None:
        ax.scatter(
            target[0] * 1e3,
            target[1],
            s=circle,
            facecolors="none",
            edgecolors=_TARGET_COLOR,
            linewidths=1,
            label="target spike",
            gid="target",
            rasterized=target[0].size > RASTERIZE_ABOVE,
        )
    ax.scatter(
        within_ms,
        ids,
        s=_dot_size(n_units, 15.0) if target is None else circle / 4,
        color=_OUTPUT_COLOR,
        linewidths=0,
        label="spike" if target is None else "output spike",
        gid="spikes",
        rasterized=within_ms.size > RASTERIZE_ABOVE,
    )
    ax.set_xlabel("time within the period (ms)")


def _period_title(w, period, n_spikes, n_target=None):
    counted = f"{n_spikes} spikes" if n_target is None else f"{n_spikes} output / {n_target} target"
    return f"period {w} (t = {w * period:g}–{(w + 1) * period:g} s): {counted}"


def draw_raster(
    fig,
    spikes_t,
    spikes_i,
    target_t,
    target_i,
    period,
    *,
    n_units,
    windows=None,
    duration=None,
    title=None,
    unit0_top=False,
):
    """Draw the output spikes of a training run folded on the task period.

    The x axis is the time within the period (ms), so that output spikes line
    up with the target spikes whenever the network has learned.

    * One unit (``n_units == 1``): one row per period (y = period index),
      dots colored by training time, target spike times as vertical dashed
      lines through all rows. Convergence shows as the dots gathering on
      the lines from the bottom (first period) to the top (last period).
    * Several units: one panel per selected period (by default the first and
      the last of training), y = unit, output spikes as dots and target
      spikes as open circles; a learned spike is a dot inside a circle.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure
    spikes_t : array_like, shape (n_spikes,)
        Output spike times in seconds since the start of training, >= 0.
    spikes_i : array_like of int, shape (n_spikes,)
        Unit of each output spike, in ``[0, n_units)``.
    target_t : array_like, shape (n_target,)
        Target spike times within one period, in ``[0, period)`` seconds.
    target_i : array_like of int, shape (n_target,)
        Unit of each target spike, in ``[0, n_units)``.
    period : float
        Period of the task in seconds, > 0.
    n_units : int
        Number of output units (>= 1).
    windows : sequence of int, optional
        Indices of the periods to show (period ``k`` covers
        ``[k * period, (k + 1) * period)``). Default: every period for one
        unit, the first and the last period for several units.
    duration : float, optional
        Length of the training in seconds; it sets the number of periods
        (the last one may be silent). Default: up to the last spike.
    title : str, optional
        Title (default: "Output spikes folded on the period").
    unit0_top : bool, optional
        Put unit 0 at the top (several units): for a target that draws a
        picture, whose row 0 is at the top. Default: unit 0 at the bottom.

    Returns
    -------
    list of matplotlib.axes.Axes
        One per panel.

    Raises
    ------
    ValueError
        If lengths of times and ids differ, `period` or `duration` is not
        positive, a time or an id is out of range, or a window index does not
        name a period of the training.
    """
    period = _positive_float("period", period)
    n_units = _positive_int("n_units", n_units)
    spikes_t, spikes_i = _spikes("spikes", spikes_t, spikes_i, n_units)
    target_t, target_i = _target(target_t, target_i, period, n_units)
    n_periods = _count_periods(spikes_t, period, duration)
    phase, within_ms = _fold(spikes_t, period, n_periods)
    default = range(n_periods) if n_units == 1 else sorted({0, n_periods - 1})
    windows = _check_windows(windows, default, n_periods)

    if n_units == 1:
        axes = [
            _raster_one_unit(fig, spikes_t, within_ms, phase, target_t, period, windows, n_periods)
        ]
    else:
        axes = fig.subplots(1, len(windows), sharey=True, squeeze=False)[0]
        for ax, w in zip(axes, windows, strict=True):
            sel = phase == w
            _folded_panel(ax, within_ms[sel], spikes_i[sel], n_units, (target_t, target_i))
            ax.set_title(_period_title(w, period, int(sel.sum()), target_t.size), fontsize=9)
        label = "output unit (0 = top row of the picture)" if unit0_top else "output unit"
        _unit_axis(axes[0], n_units, unit0_top, label)
        # A figure legend below the panels: inside, it would hide spikes.
        fig.legend(*axes[-1].get_legend_handles_labels(), loc="outside lower center", ncols=2)
    for ax in axes:
        ax.set_xlim(0, period * 1e3)
    fig.suptitle(title if title is not None else "Output spikes folded on the period")
    return list(axes)


def _raster_one_unit(fig, spikes_t, within_ms, phase, target_t, period, windows, n_periods):
    """One row per period; colors tell the training time of each row."""
    ax = fig.add_subplot()
    shown = np.isin(phase, windows)
    # Dots shrink as rows get denser, so that hundreds of periods stay separate
    # rows instead of merging into a smear.
    size = float(np.clip(2000.0 / len(windows), 1.0, 25.0))
    cmap = colormaps["viridis"]
    norm = Normalize(vmin=0.0, vmax=n_periods * period)
    ax.scatter(
        within_ms[shown],
        phase[shown],
        c=spikes_t[shown],
        cmap=cmap,
        norm=norm,
        s=size,
        marker="o",
        linewidths=0,
        label="output spike",
        gid="spikes",
        rasterized=int(shown.sum()) > RASTERIZE_ABOVE,
    )
    for k, t in enumerate(target_t * 1e3):
        ax.axvline(
            t,
            color=_TARGET_COLOR,
            ls="--",
            lw=1,
            alpha=0.8,
            label="target spike time" if k == 0 else None,
            gid="target",
        )
    ax.set_ylim(min(windows) - 0.5, max(windows) + 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # periods are whole
    ax.set_xlabel("time within the period (ms)")
    ax.set_ylabel("period (trial) index")
    ax.set_title(f"one unit, {len(windows)} of {n_periods} periods shown", fontsize=10)
    colorbar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax)
    colorbar.set_label("training time (s)")
    # Legend outside the data (above the axes): the rows fill the whole box.
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.06), ncols=2, fontsize=9, frameon=False)
    return ax


def raster_figure(spikes_t, spikes_i, target_t, target_i, period, *, n_units, **kwargs):
    """A new Figure with `draw_raster` (same arguments)."""
    n_windows = len(kwargs.get("windows") or [0, 1])
    width = 7.5 if n_units == 1 else min(5.0 * n_windows, 15.0)
    fig = _new_figure(width, 5.0 if n_units <= 40 else 7.0)
    draw_raster(fig, spikes_t, spikes_i, target_t, target_i, period, n_units=n_units, **kwargs)
    return fig


def plot_raster(path, spikes_t, spikes_i, target_t, target_i, period, *, n_units, **kwargs):
    """Write the output raster (see `draw_raster`) as a PNG; returns `path`."""
    fig = raster_figure(spikes_t, spikes_i, target_t, target_i, period, n_units=n_units, **kwargs)
    return _save(fig, path)


def draw_layer_rasters(
    fig, layers, period, *, duration=None, windows=None, burn_in=None, title=None
):
    """Draw the spikes of each layer: folded rasters of some periods and activity over training.

    One row per layer: one panel per selected period (by default the first
    and the last of the training), y = unit, x = time within the period;
    then the number of spikes of each unit in each period over the whole
    training, so that one sees when units start (or stop) firing.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure
    layers : dict of str to (array_like, array_like, int)
        Layer name -> (spike times in s since the start of training, unit
        ids, number of units).
    period : float
        Period of the task in seconds, > 0.
    duration : float, optional
        Length of the training in seconds (default: up to the last spike).
    windows : sequence of int, optional
        Periods to show folded (default: the first and the last).
    burn_in : float, optional
        End of the burn-in in seconds, marked on the activity panels.
    title : str, optional
        Title (default: "Spikes of the hidden layers").

    Returns
    -------
    dict of str to list of matplotlib.axes.Axes
        Layer name -> its folded panels, then its activity panel.

    Raises
    ------
    ValueError
        If `layers` is empty, or spikes, `period`, `duration` or `windows`
        are invalid (see `draw_raster`).
    """
    period = _positive_float("period", period)
    if not layers:
        raise ValueError("layers must name at least one layer")
    checked = {}
    for name, (times, ids, n_units) in layers.items():
        n_units = _positive_int(f"n_units of {name}", n_units)
        checked[name] = (*_spikes(name, times, ids, n_units), n_units)
    every = np.concatenate([t for t, _, _ in checked.values()])
    n_periods = _count_periods(every, period, duration)
    windows = _check_windows(windows, sorted({0, n_periods - 1}), n_periods)
    rows = fig.subfigures(len(checked), 1, squeeze=False)[:, 0]
    out = {}
    for row, (name, (times, ids, n_units)) in zip(rows, checked.items(), strict=True):
        out[name] = _layer_row(row, name, times, ids, n_units, period, n_periods, windows, burn_in)
    fig.suptitle(title if title is not None else "Spikes of the hidden layers")
    return out


def _layer_row(fig, name, times, ids, n_units, period, n_periods, windows, burn_in):
    """Folded panels and the activity map of one layer."""
    axes = fig.subplots(1, len(windows) + 1, width_ratios=[1] * len(windows) + [1.4])
    phase, within_ms = _fold(times, period, n_periods)
    for ax, w in zip(axes, windows, strict=False):
        sel = phase == w
        _folded_panel(ax, within_ms[sel], ids[sel], n_units)
        ax.set_xlim(0, period * 1e3)
        ax.set_title(_period_title(w, period, int(sel.sum())), fontsize=9)
        _unit_axis(ax, n_units, False, f"{name} unit")
    counts = np.zeros((n_units, n_periods))
    np.add.at(counts, (ids, phase), 1)
    ax = axes[-1]
    image = ax.imshow(
        counts,
        aspect="auto",
        origin="lower",
        interpolation="nearest",
        cmap="Greys",
        extent=(0, n_periods * period, -0.5, n_units - 0.5),
        gid="activity",
    )
    if burn_in:
        ax.axvline(burn_in, color=_AFTER_COLOR, ls="--", lw=1, gid="burn-in")
        ax.text(
            burn_in,
            0.98,
            "end of burn-in ",
            transform=ax.get_xaxis_transform(),
            rotation=90,
            ha="right",
            va="top",
            color=_AFTER_COLOR,
            fontsize=8,
        )
    _unit_axis(ax, n_units, False, f"{name} unit")
    ax.set_xlabel("training time (s)")
    ax.set_title(f"{name}: spikes per period over training", fontsize=9)
    fig.colorbar(image, ax=ax).set_label("spikes per period")
    return list(axes)


def layer_rasters_figure(layers, period, **kwargs):
    """A new Figure with `draw_layer_rasters` (same arguments)."""
    fig = _new_figure(15.0, 1.0 + 3.6 * max(len(layers), 1))
    draw_layer_rasters(fig, layers, period, **kwargs)
    return fig


def plot_layer_rasters(path, layers, period, **kwargs):
    """Write the layer rasters (see `draw_layer_rasters`) as a PNG; returns `path`."""
    return _save(layer_rasters_figure(layers, period, **kwargs), path)


# 3. Membrane potential


def _trace(name, value, period):
    try:
        t, u = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (t, U)") from None
    t = _finite(f"{name} t", _array_1d(f"{name} t", t))
    u = np.asarray(u, dtype=float)
    if u.ndim == 1:
        u = u[np.newaxis]  # one unit
    if u.ndim != 2 or u.shape[1] != t.size:
        raise ValueError(
            f"{name} U must have shape (n_units, {t.size}) to match {name} t, "
            f"got {np.shape(value[1])}"
        )
    if period is not None and t.size and (t.min() < 0 or t.max() > period):
        raise ValueError(f"{name} t must be times within one period, [0, {period:g}] s")
    return t, u


def _targets_per_unit(target_t, n_units, period):
    """Target times as one array per unit.

    `target_t` is either one array of times (the same targets for every unit)
    or a sequence of arrays, one per unit.
    """
    if target_t is None:
        return None
    arr = None
    if not isinstance(target_t, np.ndarray | list | tuple):
        arr = np.asarray(target_t)
    elif isinstance(target_t, np.ndarray) and target_t.dtype != object:
        arr = target_t
    elif all(np.ndim(x) == 0 for x in target_t):
        arr = np.asarray(target_t, dtype=float)
    if arr is not None and arr.ndim <= 1:
        per_unit = [arr] * n_units
    else:
        per_unit = list(target_t)
        if len(per_unit) != n_units:
            raise ValueError(
                f"target_t must be one array of times or one array per unit "
                f"({n_units}), got {len(per_unit)} arrays"
            )
    out = []
    for times in per_unit:
        times = _finite("target_t", _array_1d("target_t", times))
        if period is not None and times.size and (times.min() < 0 or times.max() >= period):
            raise ValueError(f"target_t must be times within one period, [0, {period:g}) s")
        out.append(times)
    return out


def _membrane_panel(ax, unit, before, after, theta, targets):
    """One unit: its trace in the first and the last period, threshold, targets."""
    ax.plot(
        before[0] * 1e3,
        before[1],
        color=_BEFORE_COLOR,
        lw=0.8,
        label="first period (before learning)",
        gid="before",
    )
    ax.plot(
        after[0] * 1e3,
        after[1],
        color=_AFTER_COLOR,
        lw=1.0,
        label="last period (after training)",
        gid="after",
    )
    ax.axhline(
        theta, color="black", ls="--", lw=1, label=f"threshold ({theta:g} mV)", gid="threshold"
    )
    for k, x in enumerate(targets if targets is not None else []):
        ax.axvline(
            x * 1e3,
            color=_TARGET_COLOR,
            ls=":",
            lw=1.2,
            label=None if k else "target spike",
            gid="target",
        )
    if targets is not None and not len(targets):
        # Say so: a flat trace under no target line could be a missing target.
        ax.text(
            0.995,
            0.04,
            "no target spikes",
            transform=ax.transAxes,
            ha="right",
            fontsize=8,
            color="0.35",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        )
    ax.set_ylabel(f"unit {unit}\n(mV)")


def draw_membrane(
    fig, before, after, *, theta=-50.0, target_t=None, period=None, units=None, title=None
):
    """Draw membrane potentials over one period, before and after learning.

    Small multiples: one panel per unit (stacked, sharing both axes), each
    with the unit's trace in the first period of the run (gray) and in the
    last one (blue), the firing threshold and the unit's own target spikes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure
    before, after : (array_like, array_like)
        ``(t, U)``: sample times within one period, shape ``(n_samples,)``, in
        seconds, and membrane potentials, shape ``(n_units, n_samples)`` (or
        ``(n_samples,)`` for one unit), in mV. The first `MAX_TRACES` units
        are drawn; the title says when some are left out.
    theta : float, optional
        Firing threshold in mV, drawn as a dashed line (default -50).
    target_t : array_like or sequence of array_like, optional
        Target spike times within the period in seconds: one array for all
        units, or one array per unit.
    period : float, optional
        Period in seconds, > 0: sets the x range and bounds the times.
    units : sequence of int, optional
        Id of each recorded unit, for the panel labels (default 0, 1, ...).
    title : str, optional
        Title (default: "Membrane potential of the output units").

    Returns
    -------
    list of matplotlib.axes.Axes
        One per drawn unit.

    Raises
    ------
    ValueError
        If a trace is not a ``(t, U)`` pair of matching shapes, `period` is not
        positive, a time lies outside the period, or `units` or `target_t` does
        not have one entry per unit.
    """
    if period is not None:
        period = _positive_float("period", period)
    theta = float(theta)
    t_before, u_before = _trace("before", before, period)
    t_after, u_after = _trace("after", after, period)
    if u_before.shape[0] != u_after.shape[0]:
        raise ValueError(
            f"before and after must hold the same units, got {u_before.shape[0]} "
            f"and {u_after.shape[0]}"
        )
    n_units = u_before.shape[0]
    units = list(range(n_units)) if units is None else [int(u) for u in units]
    _same_length("units", units, "the recorded units", range(n_units))
    targets = _targets_per_unit(target_t, n_units, period)
    n_shown = min(n_units, MAX_TRACES)

    axes = fig.subplots(n_shown, 1, sharex=True, sharey=True, squeeze=False)[:, 0]
    for k, ax in enumerate(axes):
        unit_targets = targets[k] if targets is not None else None
        _membrane_panel(
            ax, units[k], (t_before, u_before[k]), (t_after, u_after[k]), theta, unit_targets
        )
    axes[-1].set_xlabel("time within the period (ms)")
    if period is not None:
        axes[-1].set_xlim(0, period * 1e3)
    # Below the panels: the traces fill every box.
    fig.legend(
        *axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=4, fontsize=9
    )
    shown = "" if n_shown == n_units else f" (first {n_shown} of {n_units} recorded units)"
    heading = "Membrane potential of the output units" if title is None else title
    fig.suptitle(f"{heading}{shown}")
    return list(axes)


def membrane_figure(before, after, **kwargs):
    """A new Figure with `draw_membrane` (same arguments)."""
    n_units = min(np.atleast_2d(np.asarray(before[1])).shape[0], MAX_TRACES)
    fig = _new_figure(10.0, 1.4 + 1.9 * n_units)
    draw_membrane(fig, before, after, **kwargs)
    return fig


def plot_membrane(path, before, after, **kwargs):
    """Write the membrane figure (see `draw_membrane`) as a PNG; returns `path`."""
    return _save(membrane_figure(before, after, **kwargs), path)


# 4. Firing rates


def draw_rates(fig, block, rates, *, target_rate=None, title=None):
    """Draw the mean firing rate of each layer per block.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure
    block : array_like, shape (n_blocks,)
        Block index of each reading.
    rates : dict of str to array_like
        Layer name -> mean firing rate per unit in each block in Hz, each of
        shape ``(n_blocks,)``; one line per layer.
    target_rate : float, optional
        Mean rate of the target spike trains of the output units (Hz),
        drawn as a dashed horizontal line.
    title : str, optional
        Axes title (default: "Firing rate per layer").

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If `rates` is empty, a layer does not have one rate per block, or
        `target_rate` is negative.
    """
    block = _finite("block", _array_1d("block", block))
    if not rates:
        raise ValueError("rates must name at least one layer")
    ax = fig.add_subplot()
    markers = "osD^v<>"
    for k, (name, values) in enumerate(rates.items()):
        values = _array_1d(f"rates[{name!r}]", values)
        _same_length("block", block, f"rates[{name!r}]", values)
        ax.plot(
            block,
            values,
            marker=markers[k % len(markers)],
            ms=3,
            lw=1.5,
            label=name,
            gid=f"rate-{name}",
        )
    if target_rate is not None:
        target_rate = float(target_rate)
        if not (math.isfinite(target_rate) and target_rate >= 0):
            raise ValueError(f"target_rate must be a finite rate >= 0 Hz, got {target_rate!r}")
        ax.axhline(
            target_rate,
            color=_TARGET_COLOR,
            ls="--",
            lw=1.2,
            label=f"output target ({target_rate:.3g} Hz)",
            gid="target-rate",
        )
    ax.set_xlabel("block (0 = end of the burn-in)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("mean firing rate per unit (Hz)")
    ax.set_ylim(bottom=0)
    ax.set_title(title if title is not None else "Firing rate per layer")
    ax.grid(True, alpha=0.4)
    ax.legend(title="layer", fontsize=9)
    return ax


def rates_figure(block, rates, **kwargs):
    """A new Figure with `draw_rates` (same arguments)."""
    fig = _new_figure(7.5, 4.8)
    draw_rates(fig, block, rates, **kwargs)
    return fig


def plot_rates(path, block, rates, **kwargs):
    """Write the rates figure (see `draw_rates`) as a PNG; returns `path`."""
    return _save(rates_figure(block, rates, **kwargs), path)


# 5. Weights


def _checked_weights(initial, final, names):
    initial = [np.asarray(w, dtype=float) for w in initial]
    final = [np.asarray(w, dtype=float) for w in final]
    if not initial:
        raise ValueError("initial must hold at least one weight matrix")
    _same_length("initial", initial, "final", final)
    names = [f"connection {k + 1}" for k in range(len(initial))] if names is None else list(names)
    _same_length("names", names, "initial", initial)
    for k, (w0, w1) in enumerate(zip(initial, final, strict=True)):
        if w0.shape != w1.shape:
            raise ValueError(
                f"initial[{k}] and final[{k}] must have the same shape, "
                f"got {w0.shape} and {w1.shape}"
            )
        _finite(f"initial[{k}]", w0)
        _finite(f"final[{k}]", w1)
    return initial, final, names


def weight_bins(w0, w1):
    """Shared bin edges of two weight samples: 30 to 120 bins, growing with the sample.

    Shared edges make the two histograms directly comparable; 30 bins at
    least, so that the shape of a distribution of 100 weights still shows,
    but no more than 10 for a handful of weights (4 hidden -> 1 output).
    """
    lo, hi = min(w0.min(), w1.min()), max(w0.max(), w1.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5  # all weights equal: give the bar a width
    n_bins = min(int(np.clip(2 * np.sqrt(w0.size), 30, 120)), max(w0.size, 10))
    return np.linspace(lo, hi, n_bins + 1)


def draw_weights(fig, initial, final, *, names=None):
    """Draw histograms of the weights of each connection before and after training.

    Before: filled gray; after: blue outline on the same bins. A connection
    of at most `FEW_WEIGHTS` synapses (4 hidden units -> 1 output) is drawn
    synapse by synapse instead: one row each, from before to after.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure
    initial, final : sequence of array_like
        Weight matrices in mV, one per connection (any shape; only the values
        are histogrammed). ``final[k]`` must have the shape of ``initial[k]``.
    names : sequence of str, optional
        Name of each connection, e.g. "input → hidden_1" (default
        "connection 1", ...).

    Returns
    -------
    list of matplotlib.axes.Axes
        One per connection.

    Raises
    ------
    ValueError
        If the lists are empty or of different lengths, or a pair of matrices
        differs in shape.
    """
    initial, final, names = _checked_weights(initial, final, names)
    axes = fig.subplots(1, len(initial), squeeze=False)[0]
    for ax, name, w0, w1 in zip(axes, names, initial, final, strict=True):
        if w0.size <= FEW_WEIGHTS:
            _weight_pairs(ax, w0, w1)
        else:
            _weight_histograms(ax, w0.ravel(), w1.ravel())
        ax.set_title(f"{name} ({w0.size} synapses)", fontsize=10)
        ax.set_xlabel("weight (mV)")
        # Below the axes: inside, the legend would hide the tallest bars.
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    fig.suptitle("Weights before and after training")
    return list(axes)


def _weight_label(when, w):
    return f"{when} (mean {w.mean():.3g}, sd {w.std():.3g} mV)"


def _weight_histograms(ax, w0, w1):
    """Before filled, after as an outline on the same bins."""
    bins = weight_bins(w0, w1)
    ax.hist(
        w0,
        bins=bins,
        histtype="stepfilled",
        color=_BEFORE_COLOR,
        alpha=0.5,
        gid="before",
        label=_weight_label("before", w0),
    )
    ax.hist(
        w1,
        bins=bins,
        histtype="step",
        color=_AFTER_COLOR,
        lw=1.5,
        gid="after",
        label=_weight_label("after", w1),
    )
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("number of synapses")


def _weight_pairs(ax, w0, w1):
    """Each synapse on its own row, from its weight before to its weight after.

    Rows are labelled post <- pre (unit indices of the matrix, shape
    (n_post, n_pre)), so that a hidden unit's output weight can be found.
    """
    post, pre = np.unravel_index(np.arange(w0.size), w0.shape if w0.ndim == 2 else (1, w0.size))
    w0, w1 = w0.ravel(), w1.ravel()
    rows = np.arange(w0.size)
    ax.hlines(rows, np.minimum(w0, w1), np.maximum(w0, w1), color="0.7", lw=1)
    ax.scatter(w0, rows, color=_BEFORE_COLOR, s=30, label=_weight_label("before", w0), gid="before")
    ax.scatter(w1, rows, color=_AFTER_COLOR, s=30, label=_weight_label("after", w1), gid="after")
    ax.set_ylim(w0.size - 0.5, -0.5)
    ax.set_yticks(rows, [f"{i} ← {j}" for i, j in zip(post, pre, strict=True)])
    ax.set_ylabel("synapse (post ← pre unit)")


def weights_figure(initial, final, **kwargs):
    """A new Figure with `draw_weights` (same arguments)."""
    fig = _new_figure(min(5.0 * max(len(initial), 1), 15.0), 4.8)
    draw_weights(fig, initial, final, **kwargs)
    return fig


def plot_weights(path, initial, final, **kwargs):
    """Write the weights figure (see `draw_weights`) as a PNG; returns `path`."""
    return _save(weights_figure(initial, final, **kwargs), path)
