"""The learning curve: the cost per block on a log axis, against the reference implementation.

See `superspike_brian.reporting.common` for what every figure function shares.
"""

import textwrap

import numpy as np
from matplotlib.ticker import MaxNLocator

from superspike_brian.plain_checks import check_array_1d, check_same_length
from superspike_brian.reporting.common import (
    AFTER_COLOR,
    COST_LABEL,
    TARGET_COLOR,
    axes_or_new,
    plain_log_axis,
)

__all__ = ["plot_learning_curve"]

#: Natural size of the figure (inches).
SIZE = (7.5, 4.8)


def _positive_for_log(values):
    """`values` with non-positive entries replaced by NaN.

    The bias-corrected cost is exactly 0 before the first reading, and a
    log axis cannot show 0: masking leaves a gap instead of a warning and a
    line plunging off the axis.
    """
    values = np.array(values, dtype=float)
    values[~(values > 0)] = np.nan
    return values


def _reference_points(reference):
    """Blocks and values of `reference` given as a dict or as two arrays."""
    if isinstance(reference, dict):
        blocks = check_array_1d("reference", list(reference.keys()))
        values = check_array_1d("reference", list(reference.values()))
    else:
        try:
            blocks, values = reference
        except (TypeError, ValueError):
            raise ValueError(
                "reference must be a dict {block: cost} or a pair (blocks, costs)"
            ) from None
        blocks = check_array_1d("reference blocks", blocks)
        values = check_array_1d("reference costs", values)
        check_same_length("reference blocks", blocks, "reference costs", values)
    return blocks, values


def _checked_cost(block, cost):
    block = check_array_1d("block", block, finite=True)
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
        ax.plot(block, _positive_for_log(cost), color=AFTER_COLOR, lw=2, label=label, gid="cost")
        return cost
    if highlight is not None and not 0 <= highlight < len(cost):
        raise ValueError(f"highlight: expected a run index in 0..{len(cost) - 1}; got {highlight}")
    for k, run in enumerate(_positive_for_log(cost)):
        ax.plot(
            block,
            run,
            color=AFTER_COLOR,
            lw=0.7,
            alpha=0.35,
            label=f"individual runs (n = {len(cost)})" if k == 0 else None,
            gid="cost-run",
        )
    if highlight is not None:
        ax.plot(
            block,
            _positive_for_log(cost[highlight]),
            color=AFTER_COLOR,
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
        color=AFTER_COLOR,
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
            ecolor=TARGET_COLOR,
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
            color=TARGET_COLOR,
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
            color=TARGET_COLOR,
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


def plot_learning_curve(
    block,
    cost,
    *,
    ax=None,
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
    """Draw the cost per block on a log axis.

    Parameters
    ----------
    block : array_like, shape (n_blocks,)
        Block index of each cost reading (0 = end of the burn-in).
    cost : array_like, shape (n_blocks,) or (n_runs, n_blocks)
        Cost at each block. A 2-D array holds several runs (e.g. seeds):
        their mean is drawn as a thick line and each run as a thin one.
        Values <= 0 (the cost before the first reading) are left out, as a
        log axis cannot show them.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; by default those of a new Figure of its natural
        size, `SIZE`.
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
        `~superspike_brian.reporting.common.cost_label`). Default:
        `~superspike_brian.reporting.common.COST_LABEL`.
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
        The axes drawn into.

    Raises
    ------
    ValueError
        If `cost` is not 1-D or 2-D, or its last axis does not match `block`,
        or `reference` is malformed.
    """
    block, cost = _checked_cost(block, cost)
    ref = _reference_points(reference) if reference is not None else None
    ax = axes_or_new(ax, *SIZE)
    drawn = list(np.ravel(_draw_runs(ax, block, cost, label, highlight)))
    if ref is not None:
        drawn += _draw_reference(ax, block, ref, reference_label)
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
        _draw_note(ax, note)
    ax.set_xlabel("block (0 = end of the burn-in)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    ax.set_title(title if title is not None else "Learning curve")
    ax.grid(True, which="major", alpha=0.4)
    ax.grid(True, which="minor", alpha=0.15)
    ax.legend(fontsize=8)
    return ax


def _draw_reference(ax, block, ref, label):
    """One run of the reference as open markers; returns its costs within this run's blocks."""
    ax.plot(
        ref[0],
        _positive_for_log(ref[1]),
        ls="none",
        marker="o",
        mfc="none",
        mec=TARGET_COLOR,
        ms=6,
        label=label,
        gid="reference",
    )
    return list(ref[1][ref[0] <= block.max()])


def _draw_note(ax, note):
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
