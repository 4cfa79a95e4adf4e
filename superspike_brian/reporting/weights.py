"""The weights of each connection before and after training.

See `superspike_brian.reporting.common` for what every figure function shares.
"""

import numpy as np
from matplotlib.ticker import MaxNLocator

from superspike_brian.plain_checks import check_finite, check_same_length
from superspike_brian.reporting.common import AFTER_COLOR, BEFORE_COLOR, figure_or_new

__all__ = ["FEW_WEIGHTS", "plot_weights", "weight_bins"]

#: Connections with at most this many synapses are drawn synapse by synapse
#: (before and after on one row) instead of as histograms of a handful of counts.
FEW_WEIGHTS = 20


def _checked_weights(initial, final, names):
    initial = [np.asarray(w, dtype=float) for w in initial]
    final = [np.asarray(w, dtype=float) for w in final]
    if not initial:
        raise ValueError("initial must hold at least one weight matrix")
    check_same_length("initial", initial, "final", final)
    names = [f"connection {k + 1}" for k in range(len(initial))] if names is None else list(names)
    check_same_length("names", names, "initial", initial)
    for k, (w0, w1) in enumerate(zip(initial, final, strict=True)):
        if w0.shape != w1.shape:
            raise ValueError(
                f"initial[{k}] and final[{k}] must have the same shape, "
                f"got {w0.shape} and {w1.shape}"
            )
        check_finite(f"initial[{k}]", w0)
        check_finite(f"final[{k}]", w1)
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


def plot_weights(initial, final, *, fig=None, names=None):
    """Draw histograms of the weights of each connection before and after training.

    Before: filled gray; after: blue outline on the same bins. A connection
    of at most `FEW_WEIGHTS` synapses (4 hidden units -> 1 output) is drawn
    synapse by synapse instead: one row each, from before to after.

    Parameters
    ----------
    initial, final : sequence of array_like
        Weight matrices in mV, one per connection (any shape; only the values
        are histogrammed). ``final[k]`` must have the shape of ``initial[k]``.
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure, optional
        Figure to draw the panels into; by default a new Figure of a width
        that fits the connections.
    names : sequence of str, optional
        Name of each connection, e.g. "input → hidden_1" (default
        "connection 1", ...).

    Returns
    -------
    matplotlib.figure.Figure or matplotlib.figure.SubFigure
        The figure drawn into: one axes per connection.

    Raises
    ------
    ValueError
        If the lists are empty or of different lengths, or a pair of matrices
        differs in shape.
    """
    initial, final, names = _checked_weights(initial, final, names)
    fig = figure_or_new(fig, min(5.0 * len(initial), 15.0), 4.8)
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
    return fig


def _weight_label(when, w):
    return f"{when} (mean {w.mean():.3g}, sd {w.std():.3g} mV)"


def _weight_histograms(ax, w0, w1):
    """Before filled, after as an outline on the same bins."""
    bins = weight_bins(w0, w1)
    ax.hist(
        w0,
        bins=bins,
        histtype="stepfilled",
        color=BEFORE_COLOR,
        alpha=0.5,
        gid="before",
        label=_weight_label("before", w0),
    )
    ax.hist(
        w1,
        bins=bins,
        histtype="step",
        color=AFTER_COLOR,
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
    ax.scatter(w0, rows, color=BEFORE_COLOR, s=30, label=_weight_label("before", w0), gid="before")
    ax.scatter(w1, rows, color=AFTER_COLOR, s=30, label=_weight_label("after", w1), gid="after")
    ax.set_ylim(w0.size - 0.5, -0.5)
    ax.set_yticks(rows, [f"{i} ← {j}" for i, j in zip(post, pre, strict=True)])
    ax.set_ylabel("synapse (post ← pre unit)")
