"""What the figures of a run share: their canvas, their style and the PNG they are written to.

Every figure function of `superspike_brian.reporting` (`~.curves`, `~.rasters`,
`~.membrane`, `~.rates`, `~.weights`) draws into the axes (single panel) or
the figure (several panels) it is given and creates one of its natural size
when given none; `save_figure` writes any of them.

Figures are built without pyplot, so plotting never opens a window, works on
headless machines and leaves no global figure state behind (a long sweep that
plots after every run does not leak figures). Artists that carry data get a
``gid`` (``"spikes"``, ``"target"``, ``"threshold"``, ...), so that a test or
a script finds them without relying on drawing order.
"""

import math

from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation

from superspike_brian import files

__all__ = [
    "AFTER_COLOR",
    "BEFORE_COLOR",
    "COST_LABEL",
    "DPI",
    "OUTPUT_COLOR",
    "PLAIN_DECADES",
    "RASTERIZE_ABOVE",
    "TARGET_COLOR",
    "PlainLogFormatter",
    "axes_or_new",
    "cost_label",
    "figure_or_new",
    "plain_log_axis",
    "root_figure",
    "save_figure",
]

#: Resolution of the written PNGs.
DPI = 120

#: Label of the cost axis; the normalization is that of `superspike_brian.model.cost`.
COST_LABEL = "cost (1 = one unmatched spike per second per output unit)"

#: Scatter plots with more points than this are rasterized inside vector
#: files (PDF, SVG): text and axes stay vector, the file stays small.
RASTERIZE_ABOVE = 5000

#: Widest log axis (decades) labelled with plain numbers (see `PlainLogFormatter`).
PLAIN_DECADES = 4

# Colors shared by the figures, so that "target" and "output" look the same
# in every figure of a run.
#: Target spikes and rates.
TARGET_COLOR = "tab:red"
#: Output spikes.
OUTPUT_COLOR = "black"
#: What was before training (first period, initial weights).
BEFORE_COLOR = "tab:gray"
#: What is after training, and this run's cost.
AFTER_COLOR = "tab:blue"


def _new_figure(width, height):
    return Figure(figsize=(width, height), layout="constrained")


def axes_or_new(ax, width, height):
    """`ax`, or the axes of a new Figure of `width` x `height` inches if `ax` is None.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
    width, height : float
        Size of the new figure in inches: the figure's natural size.

    Returns
    -------
    matplotlib.axes.Axes
    """
    return _new_figure(width, height).add_subplot() if ax is None else ax


def figure_or_new(fig, width, height):
    """`fig`, or a new Figure of `width` x `height` inches if `fig` is None.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.figure.SubFigure or None
    width, height : float
        Size of the new figure in inches: the figure's natural size.

    Returns
    -------
    matplotlib.figure.Figure or matplotlib.figure.SubFigure
    """
    return _new_figure(width, height) if fig is None else fig


def root_figure(drawn):
    """The Figure that holds `drawn` (a Figure, a SubFigure or an Axes).

    Parameters
    ----------
    drawn : matplotlib.figure.Figure or matplotlib.figure.SubFigure or matplotlib.axes.Axes

    Returns
    -------
    matplotlib.figure.Figure
    """
    # ``.figure`` of an Axes or a SubFigure is its parent; a Figure's is itself.
    while drawn.figure is not drawn:
        drawn = drawn.figure
    return drawn


def save_figure(drawn, path, *, dpi=DPI):
    """Write the figure that holds `drawn` to `path` (atomically, creating its folder).

    Parameters
    ----------
    drawn : matplotlib.figure.Figure or matplotlib.figure.SubFigure or matplotlib.axes.Axes
        What a plot function returned: the whole figure it is part of is written.
    path : str or path-like
        Target file; its suffix gives the format (``.png``, ``.pdf``, ``.svg``).
    dpi : float, optional
        Resolution of raster formats (default `DPI`).

    Returns
    -------
    path
        `path`, as given.

    Notes
    -----
    The figure is kept, so that it can be written again in another format. It
    is not registered with pyplot: dropping the last reference frees it, and
    ``fig.clear()`` frees its artists (and their arrays) at once.
    """
    files.save_figure(root_figure(drawn), path, dpi=dpi)
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


def plain_log_axis(axis):
    """Give a log-scaled ``ax.yaxis`` or ``ax.xaxis`` plain-number tick labels.

    Parameters
    ----------
    axis : matplotlib.axis.Axis
    """
    axis.set_major_formatter(PlainLogFormatter(labelOnlyBase=False))
    axis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))


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
