"""The figures of a run directory, drawn from its saved data.

:func:`make_figures` reads ``config.json``, ``metrics.csv`` and the ``.npz``
files of a run directory and draws every figure of it; :func:`summary_page`
draws the same panels again on one page (PNG and PDF) with a title that names
the task, the network and the training. Nothing here needs Brian2 or the
trained model: a run directory copied from another machine is enough.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from superspike_brian.reporting import reference as references
from superspike_brian.reporting.common import cost_label, root_figure, save_figure
from superspike_brian.reporting.curves import plot_learning_curve
from superspike_brian.reporting.membrane import plot_membrane
from superspike_brian.reporting.rasters import plot_layer_rasters, plot_raster
from superspike_brian.reporting.rates import plot_rates
from superspike_brian.reporting.weights import plot_weights
from superspike_brian.rundir import read_arrays, read_config, read_metrics

__all__ = [
    "IMAGE_KINDS",
    "RunData",
    "figure_panels",
    "guess_kind",
    "unit0_on_top",
    "layer_names",
    "read_run_data",
    "make_figures",
    "summary_figure",
    "summary_page",
    "summary_title",
    "task_info",
]

#: Task kinds whose target is a picture turned into spikes by
#: `superspike_brian.tasks.pattern.image_to_raster`: unit i = row i of the
#: picture, row 0 at the top.
IMAGE_KINDS = ("image", "pattern")

#: Task names that tell the kind where config.json gives the name only (older
#: run directories): the built-in tasks' "single_neuron(...)", "pattern(...)",
#: the command line's "input -> picture.png".
_NAMED_KINDS = (
    (re.compile(r"^single_neuron\(.*\)$"), "single_neuron"),
    (re.compile(r"^pattern\(.*\)$"), "pattern"),
    (re.compile(r"\.(png|jpe?g)$", re.IGNORECASE), "image"),
)

#: Firing threshold (mV) drawn when config.json does not give it.
DEFAULT_THETA_MV = -50.0

#: Resolution of the summary page PNG: 100 dpi keeps 10-point text readable
#: on a screen at full size without a huge file.
SUMMARY_DPI = 100


def task_info(config):
    """Name and kind of the task of a run, from ``config["task"]``.

    ``config["task"]`` is either the task name (older run directories; kind
    ``"unknown"``) or a dict with ``name`` and ``kind`` (``single_neuron``,
    ``files``, ``image``, ``pattern``, ``xor``).

    Returns
    -------
    (str, str)
        Name and kind.
    """
    task = config.get("task", "")
    if isinstance(task, dict):
        return str(task.get("name", "")), str(task.get("kind", "unknown"))
    return str(task), "unknown"


def guess_kind(config):
    """The kind of the task, from its name where config.json does not say it.

    Returns `task_info`'s kind when it is known, else the kind that the name
    of a built-in task or a picture file tells, else ``"unknown"``.
    """
    name, kind = task_info(config)
    if kind != "unknown":
        return kind
    for pattern, named in _NAMED_KINDS:
        if pattern.search(name.strip()):
            return named
    return "unknown"


def unit0_on_top(config):
    """Whether the output raster draws unit 0 at the top, as row 0 of a picture.

    True for a picture target (kind ``image`` or ``pattern``, or a task named
    after a picture file or ``pattern(...)`` in older run directories), whose
    unit i is row i of the picture counted from the top. Spike files keep
    their own order, drawn with unit 0 at the bottom: the Oxford picture of
    ssbm counts its rows from the bottom. A task dict may say it explicitly
    with ``"unit0_top": true|false``.
    """
    task = config.get("task")
    if isinstance(task, dict) and "unit0_top" in task:
        return bool(task["unit0_top"])
    return guess_kind(config) in IMAGE_KINDS


def layer_names(network):
    """Names of the layers, input first: input, hidden_1, ..., output."""
    hidden = [f"hidden_{k}" for k in range(1, len(network.get("hidden", [])) + 1)]
    return ["input", *hidden, "output"]


@dataclass
class RunData:
    """The saved data of a run directory that the figures draw."""

    out: Path
    config: dict
    metrics: dict
    spikes: dict
    voltage: dict = field(default_factory=dict)
    weights: dict = field(default_factory=dict)

    @property
    def network(self):
        return self.config["network"]

    @property
    def period(self):
        return float(self.spikes["period"])

    @property
    def task(self):
        return task_info(self.config)

    @property
    def label(self):
        """The network (layers, feedback, seed) and the task: how figure titles name the run."""
        name, _ = self.task
        net = self.network
        sizes = [net.get("n_in"), *net.get("hidden", []), net.get("n_out")]
        text = " → ".join(str(n) for n in sizes if n is not None)
        if net.get("hidden"):
            text += f", {net.get('feedback', 'symmetric')} feedback"
        if net.get("seed") is not None:
            text += f", seed {net['seed']}"
        return f"{text}; task {name}" if name else text

    @property
    def blocks(self):
        """Number of training blocks (rows after block 0, the end of the burn-in)."""
        return int(np.sum(self.metrics["block"] > 0))

    @property
    def cost(self):
        """The cost drawn and the label that names it (cost_ref when saved)."""
        m = self.metrics
        if "cost_ref" not in m:
            return m["cost"], cost_label(None)
        ok = m["cost"] > 0
        scale = float(np.median(m["cost_ref"][ok] / m["cost"][ok])) if ok.any() else 1.0
        return m["cost_ref"], cost_label(float(f"{scale:.3g}"))

    @property
    def trained_until(self):
        """End of the last complete period of the run (s); its end when shorter than one."""
        end = float(self.spikes["update_times"][-1])
        whole = np.floor(end / self.period + 1e-9) * self.period
        # A run shorter than its period (a test of a 1.89-s task) is drawn as it is.
        return whole if whole > 0 else end


def _npz(out, name):
    if not (Path(out) / f"{name}.npz").exists():
        return {}
    return read_arrays(out, name)


def read_run_data(out):
    """The files of run directory `out` that the figures draw (config, metrics, arrays).

    Not :func:`superspike_brian.load_run`, which makes the run's network, task
    and history again: the figures need only its files, read through
    :mod:`superspike_brian.rundir`. Every file is checked against the checksums
    in config.json; a damaged one raises a ValueError that names it
    (:mod:`superspike_brian.integrity`).
    """
    from superspike_brian.rundir import require_finished

    out = Path(out)
    # The figures need the whole run: an unfinished one is one line, not a KeyError.
    require_finished(out)
    return RunData(
        out=out,
        config=read_config(out),
        metrics=read_metrics(out),
        spikes=_npz(out, "spikes"),
        voltage=_npz(out, "voltage"),
        weights=_npz(out, "weights"),
    )


# What each figure draws, shared by the single figures and the summary page.


def _reference_args(run, reference):
    """Reference arguments of the learning curve: only what compares with this run.

    A curve of `superspike_brian.reporting.reference` (or its name) is drawn
    only on the same data, network and schedule; on another draw of the same
    kind of task only its spread over seeds is; otherwise a note says why
    nothing is drawn. Any other `reference` (a dict or a pair of arrays) is the
    caller's own and drawn as given.
    """
    if reference is None:
        return {}
    if isinstance(reference, str):
        reference = references.curve(reference)
    if not isinstance(reference, references.ReferenceCurve):
        return {"reference": reference}
    level, why = references.match(
        reference,
        {
            "kind": guess_kind(run.config),
            "n_in": run.network["n_in"],
            "n_out": run.network["n_out"],
            "period_s": run.period,
            "target_t": run.spikes["target_t"],
            "target_i": run.spikes["target_i"],
            "network": run.network,
            "schedule": run.config.get("schedule", {}),
        },
    )
    spread = references.spread(reference.name)
    if level == "same":
        label = f"reference code, one run ({reference.name})"
        return {"reference": reference, "reference_label": label, "spread": spread}
    if level == "similar" and spread is not None:
        note = (
            f"reference {reference.name!r} (spread over seeds): {why};"
            " this run: the same kind of task on its own input"
        )
        return {"spread": spread, "note": note}
    return {"note": f"reference {reference.name!r} not drawn: {why}"}


def _learning_curve(run, reference=None):
    cost, label = run.cost
    kwargs = {"title": f"{run.label}\ncost per block", "ylabel": label}
    kwargs.update(_reference_args(run, reference))
    return (run.metrics["block"], cost), kwargs


def _output_raster(run):
    sp, n_out = run.spikes, run.network["n_out"]
    whole = run.trained_until
    # Show the last complete period of training, not a partial one.
    keep = sp["output_t"] < whole - 1e-9
    args = (sp["output_t"][keep], sp["output_i"][keep], sp["target_t"], sp["target_i"], run.period)
    kwargs = {
        "n_units": n_out,
        "duration": whole,
        "title": f"{run.label}\noutput spikes against the target",
        "unit0_top": n_out > 1 and unit0_on_top(run.config),
    }
    return args, kwargs


def _hidden_rasters(run):
    sizes = run.network.get("hidden", [])
    names = layer_names(run.network)[1:-1]
    if not names or any(f"{n}_t" not in run.spikes for n in names):
        return None
    whole = run.trained_until
    layers = {}
    for name, size in zip(names, sizes, strict=True):
        t, i = run.spikes[f"{name}_t"], run.spikes[f"{name}_i"]
        keep = t < whole - 1e-9
        layers[name] = (t[keep], i[keep], int(size))
    burn_in = run.config.get("schedule", {}).get("burn_in_s")
    return (layers, run.period), {"duration": whole, "burn_in": burn_in}


def _threshold_mv(config):
    """Firing threshold in mV from the saved parameters (e.g. "-50. mV")."""
    try:
        text = str(config["network"]["params"]["neuron"]["theta"])
    except (KeyError, TypeError):
        return DEFAULT_THETA_MV
    found = re.fullmatch(r"\s*([-+0-9.eE]+)\s*(mV|V)\s*", text)
    if not found:
        return DEFAULT_THETA_MV
    return float(found.group(1)) * (1e3 if found.group(2) == "V" else 1.0)


def _membrane(run):
    v = run.voltage
    if "before_t" not in v or "after_t" not in v:
        return None
    n = np.atleast_2d(v["before_U"]).shape[0]
    # Which output units were recorded; older run directories record 0, 1, ...
    units = [int(u) for u in v.get("units", range(n))]
    sp = run.spikes
    targets = [sp["target_t"][sp["target_i"] == k] for k in units]
    kwargs = {
        "theta": _threshold_mv(run.config),
        "target_t": targets,
        "period": run.period,
        "units": units,
        "title": f"{run.label}\nmembrane potential of the output units",
    }
    return ((v["before_t"], v["before_U"]), (v["after_t"], v["after_U"])), kwargs


def _rates(run):
    m = run.metrics
    rates = {k[: -len("_rate_hz")]: m[k] for k in m if k.endswith("_rate_hz")}
    if any(re.fullmatch(r"hidden_\d+", k) for k in rates):
        rates.pop("hidden", None)  # the mean over hidden layers, drawn per layer already
    if not rates:
        return None
    # Layers in the order of the network: hidden_1, hidden_2, ..., output.
    order = {n: k for k, n in enumerate(layer_names(run.network))}
    rates = dict(sorted(rates.items(), key=lambda kv: order.get(kv[0], -1)))
    target_rate = np.size(run.spikes["target_t"]) / run.period / run.network["n_out"]
    title = f"{run.label}\nfiring rate per layer"
    return (m["block"], rates), {"target_rate": target_rate, "title": title}


def _weights(run):
    w = run.weights
    n = len([k for k in w if k.startswith("w_init_")])
    if n == 0:
        return None
    layers = layer_names(run.network)
    if len(layers) != n + 1:  # a network this module does not know: plain numbers
        names = [f"connection {k}" for k in range(1, n + 1)]
    else:
        names = [f"{layers[k - 1]} → {layers[k]}" for k in range(1, n + 1)]
    initial = [w[f"w_init_{k}"] for k in range(1, n + 1)]
    final = [w[f"w_final_{k}"] for k in range(1, n + 1)]
    return (initial, final), {"names": names}


#: Figure name -> (plot function, arguments from the run).
_FIGURES = {
    "learning_curve": (plot_learning_curve, _learning_curve),
    "raster": (plot_raster, _output_raster),
    "hidden_raster": (plot_layer_rasters, _hidden_rasters),
    "membrane": (plot_membrane, _membrane),
    "rates": (plot_rates, _rates),
    "weights": (plot_weights, _weights),
}

#: The plot functions of one panel: they draw into axes (``ax=``), the others
#: into a figure (``fig=``).
_INTO_AXES = (plot_learning_curve, plot_rates)


def figure_panels(run, reference=None):
    """Every figure that run `run` has data for.

    Returns
    -------
    dict of str to (callable, tuple, dict)
        Figure name -> (its plot function, e.g.
        `superspike_brian.reporting.rasters.plot_raster`, and the positional and
        keyword arguments to call it with).
    """
    panels = {}
    for name, (plot, make) in _FIGURES.items():
        made = make(run, reference) if name == "learning_curve" else make(run)
        if made is not None:
            panels[name] = (plot, *made)
    return panels


def _write_figures(run, panels):
    """Write each panel as its own PNG; returns name -> (path, size in inches)."""
    written = {}
    for name, (plot, args, kwargs) in panels.items():
        fig = root_figure(plot(*args, **kwargs))
        path = run.out / f"{name}.png"
        save_figure(fig, path)
        written[name] = (path, tuple(fig.get_size_inches()))
        fig.clear()  # not registered with pyplot: this frees it
    return written


def missing_figures(out, reference=None):
    """Names of the figures :func:`make_figures` draws that ``out`` lacks (a run stopped
    while drawing them)."""
    run = read_run_data(out)
    return [
        name for name in figure_panels(run, reference) if not (run.out / f"{name}.png").exists()
    ]


def make_figures(out, reference=None):
    """(Re)draw every figure of a run directory from its saved data.

    Parameters
    ----------
    out : str or path-like
        Run directory.
    reference : str, dict or (array_like, array_like), optional
        Reference curve: a name or a curve of
        `superspike_brian.reporting.reference`, drawn only where it was
        measured on the same task (on another draw of the same kind of task,
        only its spread over seeds), or the caller's own ``{block: cost}``.

    Returns
    -------
    list of pathlib.Path
        The PNG files written.
    """
    run = read_run_data(out)
    return [path for path, _ in _write_figures(run, figure_panels(run, reference)).values()]


# The summary page.

#: Width of the summary page (inches); rows of panels are packed up to it.
SUMMARY_WIDTH = 16.0

#: Order of the panels on the summary page: per-block curves first.
SUMMARY_ORDER = ("learning_curve", "rates", "raster", "hidden_raster", "membrane", "weights")


def _pack_rows(sizes):
    """Panels in rows of at most `SUMMARY_WIDTH` natural width, in `SUMMARY_ORDER`.

    Returns a list of rows, each a list of names; every row fills the page
    width, so the page has no empty cell.
    """
    rows, width = [], SUMMARY_WIDTH
    for name in [n for n in SUMMARY_ORDER if n in sizes]:
        w = sizes[name][0]
        if rows and width + w <= SUMMARY_WIDTH + 1e-9:
            rows[-1].append(name)
            width += w
        else:
            rows.append([name])
            width = w
    return rows


def summary_title(run):
    """Three lines: task, network, training (blocks and cost)."""
    name, kind = run.task
    net = run.network
    hidden = list(net.get("hidden", []))
    sizes = " → ".join(str(x) for x in [net["n_in"], *hidden, net["n_out"]])
    if hidden:
        regularizer = " with regularizer" if net.get("regularizer") else ""
        wiring = f"{net.get('feedback', '?')} feedback{regularizer}"
    else:
        wiring = "no hidden layer"
    task = f"Task: {name}" + ("" if kind == "unknown" else f" ({kind})")
    network = f"Network: {sizes} units, {wiring}, seed {net.get('seed', '?')}"
    device = run.config.get("device")
    if device:
        network += f"; device {device}"
    cost, _ = run.cost
    what = "cost_ref" if "cost_ref" in run.metrics else "cost"
    schedule = run.config.get("schedule", {})
    blocks = f"{run.blocks} training block{'s' if run.blocks != 1 else ''}"
    if "block_s" in schedule and "burn_in_s" in schedule:
        blocks += f" of {schedule['block_s']:g} s after a {schedule['burn_in_s']:g} s burn-in"
    last = int(run.metrics["block"][-1])
    training = (
        f"Training: {blocks}; {what} {cost[0]:.3g} at block 0 (end of burn-in),"
        f" {cost[-1]:.3g} at block {last}"
    )
    return "\n".join((task, network, training))


def summary_figure(run, panels, sizes):
    """One page with every panel drawn again, rows packed to the page width.

    Parameters
    ----------
    run : RunData
    panels : dict
        As returned by `figure_panels`.
    sizes : dict of str to (float, float)
        Natural size (inches) of each panel's own figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = _pack_rows(sizes)
    heights = [max(sizes[n][1] for n in row) for row in rows]
    fig = Figure(figsize=(SUMMARY_WIDTH, sum(heights) + 1.2), layout="constrained")
    fig.suptitle(summary_title(run), fontsize=13, ha="left", x=0.01)
    cells = fig.subfigures(len(rows), 1, height_ratios=heights, squeeze=False)[:, 0]
    for row, cell in zip(rows, cells, strict=True):
        widths = [sizes[n][0] for n in row]
        for name, sub in zip(
            row, cell.subfigures(1, len(row), width_ratios=widths, squeeze=False)[0], strict=True
        ):
            _draw_into(sub, *panels[name])
    return fig


def _draw_into(cell, plot, args, kwargs):
    """Draw a panel into `cell`, a SubFigure of the summary page."""
    if plot in _INTO_AXES:
        plot(*args, ax=cell.add_subplot(), **kwargs)
    else:
        plot(*args, fig=cell, **kwargs)


def summary_page(out, reference=None):
    """Redraw every figure of a run directory and one page with all of them.

    The page (``summary.png`` and the vector ``summary.pdf``) draws the same
    panels as the single figures, with a title that names the task, the
    network and the number of training blocks.

    Parameters
    ----------
    out : str or path-like
        Run directory.
    reference : str, dict or (array_like, array_like), optional
        As for `make_figures`.

    Returns
    -------
    pathlib.Path
        The PNG of the page.
    """
    run = read_run_data(out)
    panels = figure_panels(run, reference)
    written = _write_figures(run, panels)
    fig = summary_figure(run, panels, {n: size for n, (_, size) in written.items()})
    # dpi=None: matplotlib's default resolution for the few rasterized artists of the PDF.
    save_figure(fig, run.out / "summary.pdf", dpi=None)
    save_figure(fig, run.out / "summary.png", dpi=SUMMARY_DPI)
    fig.clear()
    return run.out / "summary.png"
