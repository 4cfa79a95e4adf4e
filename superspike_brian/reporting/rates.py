"""The mean firing rate of each layer per block, against the output's target rate.

See `superspike_brian.reporting.common` for what every figure function shares.
"""

from matplotlib.ticker import MaxNLocator

from superspike_brian.plain_checks import check_array_1d, check_number, check_same_length
from superspike_brian.reporting.common import TARGET_COLOR, axes_or_new

__all__ = ["plot_rates"]

#: Natural size of the figure (inches).
SIZE = (7.5, 4.8)

#: Markers of the layers' lines, in turn: told apart where colors are not.
MARKERS = "osD^v<>"


def plot_rates(block, rates, *, ax=None, target_rate=None, title=None):
    """Draw the mean firing rate of each layer per block.

    Parameters
    ----------
    block : array_like, shape (n_blocks,)
        Block index of each reading.
    rates : dict of str to array_like
        Layer name -> mean firing rate per unit in each block in Hz, each of
        shape ``(n_blocks,)``; one line per layer.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; by default those of a new Figure of its natural
        size, `SIZE`.
    target_rate : float, optional
        Mean rate of the target spike trains of the output units (Hz),
        drawn as a dashed horizontal line.
    title : str, optional
        Axes title (default: "Firing rate per layer").

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into.

    Raises
    ------
    ValueError
        If `rates` is empty, a layer does not have one rate per block, or
        `target_rate` is negative.
    """
    block = check_array_1d("block", block, finite=True)
    if not rates:
        raise ValueError("rates must name at least one layer")
    checked = {}
    for name, values in rates.items():
        checked[name] = check_array_1d(f"rates[{name!r}]", values)
        check_same_length("block", block, f"rates[{name!r}]", checked[name])
    if target_rate is not None:
        target_rate = check_number("target_rate", target_rate, nonnegative=True, unit="Hz")
    ax = axes_or_new(ax, *SIZE)
    for k, (name, values) in enumerate(checked.items()):
        ax.plot(
            block,
            values,
            marker=MARKERS[k % len(MARKERS)],
            ms=3,
            lw=1.5,
            label=name,
            gid=f"rate-{name}",
        )
    if target_rate is not None:
        ax.axhline(
            target_rate,
            color=TARGET_COLOR,
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
