"""Membrane potentials of the output units over one period, before and after learning.

See `superspike_brian.reporting.common` for what every figure function shares.
"""

import numpy as np

from superspike_brian.plain_checks import check_array_1d, check_number, check_same_length
from superspike_brian.reporting.common import (
    AFTER_COLOR,
    BEFORE_COLOR,
    TARGET_COLOR,
    figure_or_new,
)

__all__ = ["MAX_TRACES", "plot_membrane"]

#: Most membrane panels drawn: beyond a handful, the panels get too flat to
#: read, so the first units stand for the population.
MAX_TRACES = 6


def _trace(name, value, period):
    try:
        t, u = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (t, U)") from None
    t = check_array_1d(f"{name} t", t, finite=True)
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
        times = check_array_1d("target_t", times, finite=True)
        if period is not None and times.size and (times.min() < 0 or times.max() >= period):
            raise ValueError(f"target_t must be times within one period, [0, {period:g}) s")
        out.append(times)
    return out


def _membrane_panel(ax, unit, before, after, theta, targets):
    """One unit: its trace in the first and the last period, threshold, targets."""
    ax.plot(
        before[0] * 1e3,
        before[1],
        color=BEFORE_COLOR,
        lw=0.8,
        label="first period (before learning)",
        gid="before",
    )
    ax.plot(
        after[0] * 1e3,
        after[1],
        color=AFTER_COLOR,
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
            color=TARGET_COLOR,
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


def plot_membrane(
    before, after, *, fig=None, theta=-50.0, target_t=None, period=None, units=None, title=None
):
    """Draw membrane potentials over one period, before and after learning.

    Small multiples: one panel per unit (stacked, sharing both axes), each
    with the unit's trace in the first period of the run (gray) and in the
    last one (blue), the firing threshold and the unit's own target spikes.

    Parameters
    ----------
    before, after : (array_like, array_like)
        ``(t, U)``: sample times within one period, shape ``(n_samples,)``, in
        seconds, and membrane potentials, shape ``(n_units, n_samples)`` (or
        ``(n_samples,)`` for one unit), in mV. The first `MAX_TRACES` units
        are drawn; the title says when some are left out.
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure, optional
        Figure to draw the panels into; by default a new Figure of a height
        that fits the panels.
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
    matplotlib.figure.Figure or matplotlib.figure.SubFigure
        The figure drawn into: one axes per drawn unit.

    Raises
    ------
    ValueError
        If a trace is not a ``(t, U)`` pair of matching shapes, `period` is not
        positive, a time lies outside the period, or `units` or `target_t` does
        not have one entry per unit.
    """
    if period is not None:
        period = check_number("period", period, positive=True, unit="s")
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
    check_same_length("units", units, "the recorded units", range(n_units))
    targets = _targets_per_unit(target_t, n_units, period)
    n_shown = min(n_units, MAX_TRACES)

    fig = figure_or_new(fig, 10.0, 1.4 + 1.9 * n_shown)
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
    return fig
