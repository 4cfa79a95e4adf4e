"""Figures of a training run: learning curve, rasters, membrane traces, rates, weights.

Every function takes plain numpy arrays (times in seconds, voltages in mV,
rates in Hz), writes one PNG and returns its path. The figures are built as
`matplotlib.figure.Figure` objects on the Agg backend, without pyplot, so that
plotting never opens a window, works on headless machines and leaves no global
figure state behind (a long sweep that plots after every run does not leak
figures).
"""

import math
import numbers

import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from superspike_brian.files import save_figure

__all__ = [
    "plot_learning_curve",
    "plot_membrane",
    "plot_raster",
    "plot_rates",
    "plot_weights",
]

#: Resolution of the written PNGs.
DPI = 120

#: Label of the cost axis; the normalization is that of `superspike_brian.model.cost`.
COST_LABEL = "cost (1 = one unmatched spike per second)"

#: Most membrane traces drawn per panel: beyond a handful, overlaid traces are
#: an unreadable tangle, so the first units stand for the population.
MAX_TRACES = 5

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


def _save(fig, path):
    """Write `fig` as a PNG at `path` (creating its folder) and free it."""
    save_figure(fig, path, dpi=DPI)
    # The figure is not registered with pyplot, so clearing it is all the
    # "closing" there is: it drops the artists (and their arrays) at once.
    fig.clear()
    return path


def _positive_for_log(values):
    """`values` with non-positive entries replaced by NaN.

    The bias-corrected cost is exactly 0 before the first reading, and a
    log axis cannot show 0: masking leaves a gap instead of a warning and a
    line plunging off the axis.
    """
    values = np.array(values, dtype=float)
    values[~(values > 0)] = np.nan
    return values


# 1. Learning curve


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


def plot_learning_curve(path, block, cost, *, reference=None, label="this run", title=None):
    """Plot the cost per block on a log axis.

    Parameters
    ----------
    path : str or os.PathLike
        PNG file to write (its folder is created if needed).
    block : array_like, shape (n_blocks,)
        Block index of each cost reading.
    cost : array_like, shape (n_blocks,) or (n_runs, n_blocks)
        Cost at each block (normalized so that one unmatched spike per second
        gives 1). A 2-D array holds several runs (e.g. seeds): their mean is
        drawn as a thick line and each run as a thin one. Values <= 0 (the
        cost before the first reading) are left out, as a log axis cannot
        show them.
    reference : dict or (array_like, array_like), optional
        Costs of the reference implementation, ``{block: cost}`` or
        ``(blocks, costs)``, drawn as markers.
    label : str, optional
        Legend label of this run (of the mean for several runs).
    title : str, optional
        Figure title (default: "Learning curve").

    Returns
    -------
    str or os.PathLike
        `path`.

    Raises
    ------
    ValueError
        If `cost` is not 1-D or 2-D, or its last axis does not match `block`.
    """
    block = _finite("block", _array_1d("block", block))
    cost = np.asarray(cost, dtype=float)
    if cost.ndim not in (1, 2):
        raise ValueError(f"cost must be 1-D or 2-D (runs x blocks), got shape {cost.shape}")
    if cost.shape[-1] != block.size:
        raise ValueError(
            f"cost must have one value per block: its last axis has {cost.shape[-1]} "
            f"values, block has {block.size}"
        )

    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.add_subplot()
    if cost.ndim == 2:
        runs = _positive_for_log(cost)
        for k, run in enumerate(runs):
            ax.plot(
                block,
                run,
                color=_AFTER_COLOR,
                lw=0.7,
                alpha=0.35,
                label=f"individual runs (n = {len(runs)})" if k == 0 else None,
            )
        # The mean of the raw costs, not of the masked ones: a run that has
        # not started yet (cost 0) must pull the mean down, not vanish.
        with np.errstate(invalid="ignore"):
            mean = _positive_for_log(cost.mean(axis=0))
        ax.plot(block, mean, color=_AFTER_COLOR, lw=2, label=f"{label} (mean)")
    else:
        ax.plot(block, _positive_for_log(cost), color=_AFTER_COLOR, lw=2, label=label)
    if reference is not None:
        ref_blocks, ref_values = _reference_points(reference)
        ax.plot(
            ref_blocks,
            _positive_for_log(ref_values),
            ls="none",
            marker="o",
            mfc="none",
            mec=_TARGET_COLOR,
            ms=6,
            label="reference implementation",
        )
    ax.set_yscale("log")
    ax.set_xlabel("block")
    ax.set_ylabel(COST_LABEL)
    ax.set_title(title if title is not None else "Learning curve")
    ax.grid(True, which="major", alpha=0.4)
    ax.grid(True, which="minor", alpha=0.15)
    ax.legend()
    return _save(fig, path)


# 2. Raster


def plot_raster(
    path,
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
):
    """Plot the output spikes of a training run folded on the task period.

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
    path : str or os.PathLike
        PNG file to write (its folder is created if needed).
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
        Figure title (default: "Output spikes folded on the period").

    Returns
    -------
    str or os.PathLike
        `path`.

    Raises
    ------
    ValueError
        If lengths of times and ids differ, `period` or `duration` is not
        positive, a time or an id is out of range, or a window index does not
        name a period of the training.
    """
    period = _positive_float("period", period)
    n_units = _positive_int("n_units", n_units)
    spikes_t = _finite("spikes_t", _array_1d("spikes_t", spikes_t))
    spikes_i = np.asarray(spikes_i)
    _same_length("spikes_t", spikes_t, "spikes_i", np.atleast_1d(spikes_i))
    spikes_i = _spike_ids("spikes_i", spikes_i, n_units)
    target_t = _finite("target_t", _array_1d("target_t", target_t))
    target_i = np.asarray(target_i)
    _same_length("target_t", target_t, "target_i", np.atleast_1d(target_i))
    target_i = _spike_ids("target_i", target_i, n_units)
    if spikes_t.size and spikes_t.min() < 0:
        raise ValueError("spikes_t must be times >= 0 (seconds since the start of training)")
    if target_t.size and (target_t.min() < 0 or target_t.max() >= period):
        raise ValueError(
            f"target_t must be times within one period, in [0, period) = [0, {period:g}) s"
        )

    if duration is not None:
        duration = _positive_float("duration", duration)
        if spikes_t.size and spikes_t.max() > duration:
            raise ValueError(
                f"duration ({duration:g} s) is shorter than the last spike ({spikes_t.max():g} s)"
            )
        # A duration that is a multiple of the period up to rounding (500 s of
        # 0.5 s periods) must not add an empty, partial period.
        n_periods = max(1, math.ceil(duration / period - 1e-9))
    else:
        n_periods = int(spikes_t.max() // period) + 1 if spikes_t.size else 1
    phase = np.floor(spikes_t / period).astype(np.int64)
    phase = np.minimum(phase, n_periods - 1)  # a spike exactly at `duration`
    within_ms = (spikes_t - phase * period) * 1e3

    if windows is None:
        windows = range(n_periods) if n_units == 1 else sorted({0, n_periods - 1})
    windows = [int(w) for w in np.atleast_1d(np.asarray(windows))]
    if not windows:
        raise ValueError("windows must name at least one period")
    bad = [w for w in windows if not 0 <= w < n_periods]
    if bad:
        raise ValueError(f"windows must be period indices in [0, {n_periods}), got {bad[:5]}")

    period_ms = period * 1e3
    if n_units == 1:
        fig = _raster_one_unit(
            spikes_t, within_ms, phase, target_t * 1e3, period, windows, n_periods
        )
    else:
        fig = _raster_many_units(
            within_ms, spikes_i, phase, target_t * 1e3, target_i, period, windows, n_units
        )
    for ax in fig.axes:
        if ax.get_label() != "<colorbar>":
            ax.set_xlim(0, period_ms)
    fig.suptitle(title if title is not None else "Output spikes folded on the period")
    return _save(fig, path)


def _raster_one_unit(spikes_t, within_ms, phase, target_ms, period, windows, n_periods):
    """One row per period; colors tell the training time of each row."""
    fig = Figure(figsize=(7, 5), layout="constrained")
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
    )
    for k, t in enumerate(target_ms):
        ax.axvline(
            t,
            color=_TARGET_COLOR,
            ls="--",
            lw=1,
            alpha=0.8,
            label="target spike time" if k == 0 else None,
        )
    ax.set_ylim(min(windows) - 0.5, max(windows) + 0.5)
    ax.set_xlabel("time within the period (ms)")
    ax.set_ylabel("period (trial) index")
    ax.set_title(f"one unit, {len(windows)} of {n_periods} periods shown", fontsize=10)
    colorbar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax)
    colorbar.set_label("training time (s)")
    # Legend outside the data (above the axes): the rows fill the whole box.
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.06), ncols=2, fontsize=9, frameon=False)
    return fig


def _raster_many_units(within_ms, spikes_i, phase, target_ms, target_i, period, windows, n_units):
    """One panel per selected period: output dots inside target circles."""
    n = len(windows)
    fig = Figure(figsize=(min(4.5 * n, 14), 5), layout="constrained")
    axes = fig.subplots(1, n, sharey=True, squeeze=False)[0]
    # Marker sizes fall with the number of units so that neighbouring rows do
    # not overlap (a 100-unit raster would otherwise be a solid block).
    circle = float(np.clip(3000.0 / n_units, 6.0, 60.0))
    dot = circle / 4
    for ax, w in zip(axes, windows, strict=True):
        sel = phase == w
        ax.scatter(
            target_ms,
            target_i,
            s=circle,
            facecolors="none",
            edgecolors=_TARGET_COLOR,
            linewidths=1,
            label="target spike",
        )
        ax.scatter(
            within_ms[sel],
            spikes_i[sel],
            s=dot,
            color=_OUTPUT_COLOR,
            linewidths=0,
            label="output spike",
        )
        ax.set_title(
            f"period {w} (t = {w * period:g}–{(w + 1) * period:g} s)\n"
            f"{int(sel.sum())} output / {target_ms.size} target spikes",
            fontsize=10,
        )
        ax.set_xlabel("time within the period (ms)")
    axes[0].set_ylabel("output unit")
    axes[0].set_ylim(-0.5, n_units - 0.5)
    if n_units <= 20:
        axes[0].set_yticks(range(n_units))
    # A figure legend below the panels: inside, it would hide spikes.
    fig.legend(*axes[-1].get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return fig


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
    """Target times as one array per unit, and whether one array serves all.

    `target_t` is either one array of times (the same targets for every unit)
    or a sequence of arrays, one per unit.
    """
    if target_t is None:
        return None, True
    arr = None
    if not isinstance(target_t, np.ndarray | list | tuple):
        arr = np.asarray(target_t)
    elif isinstance(target_t, np.ndarray) and target_t.dtype != object:
        arr = target_t
    elif all(np.ndim(x) == 0 for x in target_t):
        arr = np.asarray(target_t, dtype=float)
    if arr is not None and arr.ndim <= 1:
        per_unit, shared = [arr] * n_units, True
    else:
        per_unit, shared = list(target_t), False
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
    return out, shared


def plot_membrane(path, before, after, *, theta=-50.0, target_t=None, period=None):
    """Plot membrane potentials over one period, before and after learning.

    Parameters
    ----------
    path : str or os.PathLike
        PNG file to write (its folder is created if needed).
    before, after : (array_like, array_like)
        ``(t, U)``: sample times within one period, shape ``(n_samples,)``, in
        seconds, and membrane potentials, shape ``(n_units, n_samples)`` (or
        ``(n_samples,)`` for one unit), in mV. At most `MAX_TRACES` units are
        drawn; the rest are left out (the panel title says so).
    theta : float, optional
        Firing threshold in mV, drawn as a dashed line (default -50).
    target_t : array_like or sequence of array_like, optional
        Target spike times within the period in seconds: one array for all
        units, or one array per unit (marks in the color of the unit's trace).
    period : float, optional
        Period in seconds, > 0: sets the x range and bounds the times.

    Returns
    -------
    str or os.PathLike
        `path`.

    Raises
    ------
    ValueError
        If a trace is not a ``(t, U)`` pair of matching shapes, `period` is not
        positive, or a time lies outside the period.
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
    targets, shared = _targets_per_unit(target_t, n_units, period)
    n_shown = min(n_units, MAX_TRACES)
    colors = colormaps["tab10"].colors

    fig = Figure(figsize=(10, 4.5), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True, sharex=True)
    panels = (("before learning", t_before, u_before), ("after learning", t_after, u_after))
    for ax, (name, t, u) in zip(axes, panels, strict=True):
        for k in range(n_shown):
            ax.plot(
                t * 1e3,
                u[k],
                color=colors[k % len(colors)],
                lw=1,
                label=f"unit {k}" if n_units > 1 else "membrane potential",
            )
        ax.axhline(theta, color="black", ls="--", lw=1, label=f"threshold ({theta:g} mV)")
        if targets is not None:
            # Shared targets get one neutral color and are drawn once; per-unit
            # targets take the color of their unit's trace.
            labelled = False
            for k in range(1) if shared else range(n_shown):
                color = _TARGET_COLOR if shared or n_units == 1 else colors[k % len(colors)]
                for x in targets[k]:
                    ax.axvline(
                        x * 1e3,
                        color=color,
                        ls=":",
                        lw=1.2,
                        label=None if labelled else "target spike",
                    )
                    labelled = True
        subtitle = name if n_shown == n_units else f"{name} (units 0–{n_shown - 1} of {n_units})"
        ax.set_title(subtitle)
        ax.set_xlabel("time within the period (ms)")
        if period is not None:
            ax.set_xlim(0, period * 1e3)
    axes[0].set_ylabel("membrane potential (mV)")
    # A figure legend beside the panels: the traces fill the whole box.
    fig.legend(*axes[1].get_legend_handles_labels(), loc="outside right upper", fontsize=9)
    fig.suptitle("Membrane potential over one period")
    return _save(fig, path)


# 4. Firing rates


def plot_rates(path, block, rates):
    """Plot the mean firing rate of each layer per block.

    Parameters
    ----------
    path : str or os.PathLike
        PNG file to write (its folder is created if needed).
    block : array_like, shape (n_blocks,)
        Block index of each reading.
    rates : dict of str to array_like
        Layer name -> mean firing rate per block in Hz, each of shape
        ``(n_blocks,)``; one line per layer.

    Returns
    -------
    str or os.PathLike
        `path`.

    Raises
    ------
    ValueError
        If `rates` is empty or a layer does not have one rate per block.
    """
    block = _finite("block", _array_1d("block", block))
    if not rates:
        raise ValueError("rates must name at least one layer")
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.add_subplot()
    markers = "osD^v<>"
    for k, (name, values) in enumerate(rates.items()):
        values = _array_1d(f"rates[{name!r}]", values)
        _same_length("block", block, f"rates[{name!r}]", values)
        ax.plot(block, values, marker=markers[k % len(markers)], ms=3, lw=1.5, label=name)
    ax.set_xlabel("block")
    ax.set_ylabel("mean firing rate (Hz)")
    ax.set_ylim(bottom=0)
    ax.set_title("Firing rate per layer")
    ax.grid(True, alpha=0.4)
    ax.legend(title="layer")
    return _save(fig, path)


# 5. Weights


def plot_weights(path, initial, final, *, names=None):
    """Plot histograms of the weights of each connection before and after training.

    Parameters
    ----------
    path : str or os.PathLike
        PNG file to write (its folder is created if needed).
    initial, final : sequence of array_like
        Weight matrices in mV, one per connection (any shape; only the values
        are histogrammed). ``final[k]`` must have the shape of ``initial[k]``.
    names : sequence of str, optional
        Panel title of each connection (default "connection 1", ...).

    Returns
    -------
    str or os.PathLike
        `path`.

    Raises
    ------
    ValueError
        If the lists are empty or of different lengths, or a pair of matrices
        differs in shape.
    """
    initial = [np.asarray(w, dtype=float) for w in initial]
    final = [np.asarray(w, dtype=float) for w in final]
    if not initial:
        raise ValueError("initial must hold at least one weight matrix")
    _same_length("initial", initial, "final", final)
    if names is None:
        names = [f"connection {k + 1}" for k in range(len(initial))]
    names = list(names)
    _same_length("names", names, "initial", initial)
    for k, (w0, w1) in enumerate(zip(initial, final, strict=True)):
        if w0.shape != w1.shape:
            raise ValueError(
                f"initial[{k}] and final[{k}] must have the same shape, "
                f"got {w0.shape} and {w1.shape}"
            )
        _finite(f"initial[{k}]", w0)
        _finite(f"final[{k}]", w1)

    n = len(initial)
    fig = Figure(figsize=(min(4.5 * n, 14), 4.8), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, name, w0, w1 in zip(axes, names, initial, final, strict=True):
        w0, w1 = w0.ravel(), w1.ravel()
        # Shared bin edges, so that the two histograms are directly comparable.
        lo, hi = min(w0.min(), w1.min()), max(w0.max(), w1.max())
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5  # all weights equal: give the bar a width
        bins = np.linspace(lo, hi, int(np.clip(np.sqrt(w0.size), 10, 60)) + 1)
        for w, color, when in ((w0, _BEFORE_COLOR, "before"), (w1, _AFTER_COLOR, "after")):
            ax.hist(
                w,
                bins=bins,
                color=color,
                alpha=0.55,
                label=f"{when} (mean {w.mean():.3g}, sd {w.std():.3g} mV)",
            )
        ax.set_title(f"{name} ({w0.size} synapses)")
        ax.set_xlabel("weight (mV)")
        # Below the axes: inside, the legend would hide the tallest bars.
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    axes[0].set_ylabel("number of synapses")
    fig.suptitle("Weights before and after training")
    return _save(fig, path)
