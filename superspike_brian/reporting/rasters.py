"""Spike rasters: the output against its target, and the spikes of each hidden layer.

Both fold the training's spikes on the task period, so that a spike that
comes back at the same time of every period lines up. See
`superspike_brian.reporting.common` for what every figure function shares.
"""

import math

import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.ticker import MaxNLocator

from superspike_brian.plain_checks import (
    check_array_1d,
    check_number,
    check_positive_int,
    check_same_length,
    check_unit_ids,
)
from superspike_brian.reporting.common import (
    AFTER_COLOR,
    OUTPUT_COLOR,
    RASTERIZE_ABOVE,
    TARGET_COLOR,
    figure_or_new,
)

__all__ = ["plot_layer_rasters", "plot_raster"]


def _spikes(name, times, ids, n_units):
    """Checked spike times (s, >= 0) and unit ids of one layer."""
    times = check_array_1d(f"{name}_t", times, finite=True)
    ids = np.asarray(ids)
    check_same_length(f"{name}_t", times, f"{name}_i", np.atleast_1d(ids))
    ids = check_unit_ids(f"{name}_i", ids, n_units)
    if times.size and times.min() < 0:
        raise ValueError(f"{name}_t must be times >= 0 (seconds since the start of training)")
    return times, ids


def _dot_size(n_rows, largest):
    """Marker area (pt^2) that keeps neighbouring raster rows apart.

    A 100-row raster with the marker of a 5-row one is a solid block.
    """
    return float(np.clip(3000.0 / max(n_rows, 1), 2.0, largest))


def _target(target_t, target_i, period, n_units):
    """Checked target spikes of one period: times in [0, period) s, unit ids."""
    target_t = check_array_1d("target_t", target_t, finite=True)
    target_i = np.asarray(target_i)
    check_same_length("target_t", target_t, "target_i", np.atleast_1d(target_i))
    target_i = check_unit_ids("target_i", target_i, n_units)
    if target_t.size and (target_t.min() < 0 or target_t.max() >= period):
        raise ValueError(
            f"target_t must be times within one period, in [0, period) = [0, {period:g}) s"
        )
    return target_t, target_i


def _count_periods(times, period, duration, name="spikes_t"):
    """Number of periods of the training (the last one may be silent)."""
    if duration is None:
        return int(times.max() // period) + 1 if times.size else 1
    duration = check_number("duration", duration, positive=True, unit="s")
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
            edgecolors=TARGET_COLOR,
            linewidths=1,
            label="target spike",
            gid="target",
            rasterized=target[0].size > RASTERIZE_ABOVE,
        )
    ax.scatter(
        within_ms,
        ids,
        s=_dot_size(n_units, 15.0) if target is None else circle / 4,
        color=OUTPUT_COLOR,
        linewidths=0,
        label="spike" if target is None else "output spike",
        gid="spikes",
        rasterized=within_ms.size > RASTERIZE_ABOVE,
    )
    ax.set_xlabel("time within the period (ms)")


def _period_title(w, period, n_spikes, n_target=None):
    counted = f"{n_spikes} spikes" if n_target is None else f"{n_spikes} output / {n_target} target"
    return f"period {w} (t = {w * period:g}–{(w + 1) * period:g} s): {counted}"


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
            color=TARGET_COLOR,
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
        ax.axvline(burn_in, color=AFTER_COLOR, ls="--", lw=1, gid="burn-in")
        ax.text(
            burn_in,
            0.98,
            "end of burn-in ",
            transform=ax.get_xaxis_transform(),
            rotation=90,
            ha="right",
            va="top",
            color=AFTER_COLOR,
            fontsize=8,
        )
    _unit_axis(ax, n_units, False, f"{name} unit")
    ax.set_xlabel("training time (s)")
    ax.set_title(f"{name}: spikes per period over training", fontsize=9)
    fig.colorbar(image, ax=ax).set_label("spikes per period")


def plot_raster(
    spikes_t,
    spikes_i,
    target_t,
    target_i,
    period,
    *,
    n_units,
    fig=None,
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
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure, optional
        Figure to draw the panels into; by default a new Figure of a size
        that fits the panels.
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
    matplotlib.figure.Figure or matplotlib.figure.SubFigure
        The figure drawn into: one axes per panel (and a colorbar for one unit).

    Raises
    ------
    ValueError
        If lengths of times and ids differ, `period` or `duration` is not
        positive, a time or an id is out of range, or a window index does not
        name a period of the training.
    TypeError
        If `n_units` is not an integer.
    """
    period = check_number("period", period, positive=True, unit="s")
    n_units = check_positive_int("n_units", n_units)
    spikes_t, spikes_i = _spikes("spikes", spikes_t, spikes_i, n_units)
    target_t, target_i = _target(target_t, target_i, period, n_units)
    n_periods = _count_periods(spikes_t, period, duration)
    phase, within_ms = _fold(spikes_t, period, n_periods)
    default = range(n_periods) if n_units == 1 else sorted({0, n_periods - 1})
    checked = _check_windows(windows, default, n_periods)
    # Two panels' width unless windows are named, even where the first period
    # is the last: the figures of a run keep one size.
    fig = figure_or_new(fig, *_raster_size(n_units, 2 if windows is None else len(checked)))

    if n_units == 1:
        axes = [
            _raster_one_unit(fig, spikes_t, within_ms, phase, target_t, period, checked, n_periods)
        ]
    else:
        spikes, target = (phase, within_ms, spikes_i), (target_t, target_i)
        axes = _raster_units(fig, spikes, target, n_units, period, checked, unit0_top)
    for ax in axes:
        ax.set_xlim(0, period * 1e3)
    fig.suptitle(title if title is not None else "Output spikes folded on the period")
    return fig


def _raster_size(n_units, n_windows):
    """Natural size (inches) of the output raster."""
    width = 7.5 if n_units == 1 else min(5.0 * n_windows, 15.0)
    return width, 5.0 if n_units <= 40 else 7.0


def _raster_units(fig, spikes, target, n_units, period, windows, unit0_top):
    """One panel per period, units on the y axis; returns the panels."""
    phase, within_ms, ids = spikes
    axes = fig.subplots(1, len(windows), sharey=True, squeeze=False)[0]
    for ax, w in zip(axes, windows, strict=True):
        sel = phase == w
        _folded_panel(ax, within_ms[sel], ids[sel], n_units, target)
        ax.set_title(_period_title(w, period, int(sel.sum()), target[0].size), fontsize=9)
    label = "output unit (0 = top row of the picture)" if unit0_top else "output unit"
    _unit_axis(axes[0], n_units, unit0_top, label)
    # A figure legend below the panels: inside, it would hide spikes.
    fig.legend(*axes[-1].get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return list(axes)


def plot_layer_rasters(
    layers, period, *, fig=None, duration=None, windows=None, burn_in=None, title=None
):
    """Draw the spikes of each layer: folded rasters of some periods and activity over training.

    One row per layer: one panel per selected period (by default the first
    and the last of the training), y = unit, x = time within the period;
    then the number of spikes of each unit in each period over the whole
    training, so that one sees when units start (or stop) firing.

    Parameters
    ----------
    layers : dict of str to (array_like, array_like, int)
        Layer name -> (spike times in s since the start of training, unit
        ids, number of units).
    period : float
        Period of the task in seconds, > 0.
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure, optional
        Figure to draw into (one sub-figure per layer); by default a new
        Figure of a size that fits the layers.
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
    matplotlib.figure.Figure or matplotlib.figure.SubFigure
        The figure drawn into: per layer, a sub-figure with its folded panels,
        then its activity panel (and its colorbar).

    Raises
    ------
    ValueError
        If `layers` is empty, or spikes, `period`, `duration` or `windows`
        are invalid (see `plot_raster`).
    """
    period = check_number("period", period, positive=True, unit="s")
    if not layers:
        raise ValueError("layers must name at least one layer")
    checked = {}
    for name, (times, ids, n_units) in layers.items():
        n_units = check_positive_int(f"n_units of {name}", n_units)
        checked[name] = (*_spikes(name, times, ids, n_units), n_units)
    every = np.concatenate([t for t, _, _ in checked.values()])
    n_periods = _count_periods(every, period, duration)
    windows = _check_windows(windows, sorted({0, n_periods - 1}), n_periods)
    fig = figure_or_new(fig, 15.0, 1.0 + 3.6 * len(checked))
    rows = fig.subfigures(len(checked), 1, squeeze=False)[:, 0]
    for row, (name, (times, ids, n_units)) in zip(rows, checked.items(), strict=True):
        _layer_row(row, name, times, ids, n_units, period, n_periods, windows, burn_in)
    fig.suptitle(title if title is not None else "Spikes of the hidden layers")
    return fig
