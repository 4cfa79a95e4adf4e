"""The figures of a run directory, drawn from its saved data.

:func:`make_figures` reads ``config.json``, ``metrics.csv`` and the ``.npz``
files of a run directory and draws every figure of it; :func:`summary_page`
adds one page with all of them. Nothing here needs Brian2 or the trained
model: a run directory copied from another machine is enough.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from superspike_brian.files import save_figure
from superspike_brian.reporting import plotting
from superspike_brian.rundir import read_metrics

__all__ = ["make_figures", "summary_page"]


def make_figures(out, reference=None):
    """(Re)draw every figure of a run directory from its saved data."""
    out = Path(out)
    config = json.loads((out / "config.json").read_text())
    m = read_metrics(out)
    sp = np.load(out / "spikes.npz")
    period = float(sp["period"])
    plotting.plot_learning_curve(
        out / "learning_curve.png",
        m["block"],
        m.get("cost_ref", m["cost"]),
        reference=reference,
        title=f"{config['task']}: cost per block",
    )
    n_out = config["network"]["n_out"]
    # Show the last complete period of training, not a partial one.
    whole = np.floor(float(sp["update_times"][-1]) / period + 1e-9) * period
    keep = sp["output_t"] < whole - 1e-9
    plotting.plot_raster(
        out / "raster.png",
        sp["output_t"][keep],
        sp["output_i"][keep],
        sp["target_t"],
        sp["target_i"],
        period,
        n_units=n_out,
        duration=whole,
        title=f"{config['task']}: output spikes against the target",
    )
    v = np.load(out / "voltage.npz")
    if "before_t" in v and "after_t" in v:
        plotting.plot_membrane(
            out / "membrane.png",
            (v["before_t"], v["before_U"]),
            (v["after_t"], v["after_U"]),
            target_t=sp["target_t"][sp["target_i"] == 0],
            period=period,
        )
    rates = {k[: -len("_rate_hz")]: m[k] for k in m if k.endswith("_rate_hz")}
    if "hidden_2" not in rates:
        rates.pop("hidden", None)  # with one hidden layer the mean is that layer
    if rates:
        plotting.plot_rates(out / "rates.png", m["block"], rates)
    w = np.load(out / "weights.npz")
    n = len([k for k in w if k.startswith("w_init_")])
    plotting.plot_weights(
        out / "weights.png",
        [w[f"w_init_{k}"] for k in range(1, n + 1)],
        [w[f"w_final_{k}"] for k in range(1, n + 1)],
    )


def summary_page(out, reference=None):
    """One PNG that tiles every figure of a run directory, with its headline numbers."""
    import matplotlib.image as mpimg
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = Path(out)
    make_figures(out, reference=reference)
    config = json.loads((out / "config.json").read_text())
    m = read_metrics(out)
    names = ["learning_curve", "raster", "membrane", "rates", "weights"]
    images = [(n, out / f"{n}.png") for n in names if (out / f"{n}.png").exists()]
    fig = Figure(figsize=(16, 4.5 * ((len(images) + 1) // 2) + 1.2))
    FigureCanvasAgg(fig)
    net = config["network"]
    sizes = " -> ".join(str(x) for x in [net["n_in"], *net["hidden"], net["n_out"]])
    cost = m.get("cost_ref", m["cost"])
    fig.suptitle(
        f"{config['task']}: {sizes}, {net['feedback']} feedback, seed {net['seed']},"
        f" {config['device']}\ncost block 0: {cost[0]:.3g}, last block: {cost[-1]:.3g}"
        f" ({len(cost) - 1} blocks)",
        fontsize=13,
    )
    rows = (len(images) + 1) // 2
    for k, (name, path) in enumerate(images):
        ax = fig.add_subplot(rows, 2, k + 1)
        ax.imshow(mpimg.imread(path))
        ax.set_axis_off()
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    save_figure(fig, out / "summary.png", dpi=100)
    return out / "summary.png"
