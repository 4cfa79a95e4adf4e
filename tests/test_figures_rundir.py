"""The figures of a run directory draw its saved data: checked on synthetic run directories.

No Brian2 here: a run directory is written by hand in the documented format
(config.json, metrics.csv, spikes.npz, voltage.npz, weights.npz), and every
figure is checked against it through the artists of its Figure.
"""

import csv
import json

import numpy as np
import pytest

from superspike_brian.reporting import figures
from superspike_brian.reporting.common import cost_label, root_figure
from superspike_brian.reporting.reference import TASKS, curve, spread

PERIOD = 0.5
SSBM_TARGET = np.array(TASKS["ssbm_poisson"].target_t)


def by_gid(fig_or_ax, gid):
    return [a for a in fig_or_ax.findobj() if a.get_gid() == gid]


def data_axes(fig):
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def write_run(
    out,
    *,
    task="single_neuron(seed=1)",
    n_in=100,
    hidden=(4,),
    n_out=24,
    n_blocks=6,
    target=None,
    recorded=None,
    seed=0,
):
    """A run directory with random but consistent data; returns what it holds."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    burn_in, block_s = 10.0, 10.0
    duration = burn_in + n_blocks * block_s
    config = {
        "task": task,
        "period_s": PERIOD,
        "network": {
            "n_in": n_in,
            "hidden": list(hidden),
            "n_out": n_out,
            "feedback": "random",
            "regularizer": True,
            "seed": 7,
            "params": {"neuron": {"theta": "-52. mV"}},
        },
        "schedule": {"burn_in_s": burn_in, "block_s": block_s, "n_blocks": n_blocks},
        "device": "runtime",
    }
    (out / "config.json").write_text(json.dumps(config))
    layers = [f"hidden_{k + 1}" for k in range(len(hidden))]
    blocks = np.arange(n_blocks + 1)
    scale = 4.0 * n_out / (-(-n_out // 4) * 4)
    cost = 10 * np.exp(-blocks / 3) + 0.1
    metrics = {"block": blocks, "time_s": burn_in + blocks * block_s, "cost": cost}
    metrics["cost_ref"] = cost * scale
    for name in layers:
        metrics[f"{name}_rate_hz"] = rng.uniform(0, 20, blocks.size)
    metrics["output_rate_hz"] = rng.uniform(0, 20, blocks.size)
    if layers:
        metrics["hidden_rate_hz"] = np.mean([metrics[f"{n}_rate_hz"] for n in layers], axis=0)
    with open(out / "metrics.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(metrics)
        w.writerows(zip(*metrics.values(), strict=True))
    if target is None:
        target_i = np.repeat(np.arange(n_out), 3)
        target = (rng.uniform(0, PERIOD, target_i.size), target_i)
    spikes = {
        "target_t": target[0],
        "target_i": target[1],
        "period": np.array(PERIOD),
        "update_times": np.arange(0, duration + 1e-9, PERIOD),
    }
    for name, n in (*zip(layers, hidden, strict=True), ("output", n_out)):
        t = np.sort(rng.uniform(2.0, duration, 40 * n))
        spikes[f"{name}_t"], spikes[f"{name}_i"] = t, rng.integers(0, n, t.size)
    np.savez(out / "spikes.npz", **spikes)
    n_rec = min(4, n_out)
    t = np.arange(0, PERIOD, 1e-3)
    voltage = {
        "before_t": t,
        "before_U": rng.normal(-60, 2, (n_rec, t.size)),
        "after_t": t,
        "after_U": rng.normal(-58, 2, (n_rec, t.size)),
    }
    if recorded is not None:
        voltage["units"] = np.asarray(recorded)
    np.savez(out / "voltage.npz", **voltage)
    sizes = [n_in, *hidden, n_out]
    weights = {}
    for k in range(1, len(sizes)):
        w0 = rng.normal(0, 3, (sizes[k], sizes[k - 1]))
        weights[f"w_init_{k}"], weights[f"w_final_{k}"] = w0, w0 + rng.normal(0, 1, w0.shape)
    np.savez(out / "weights.npz", **weights)
    return {"config": config, "metrics": metrics, "spikes": spikes, "voltage": voltage}


def panel_figure(run, name, reference=None):
    """The single Figure of panel `name`, drawn as make_figures draws it."""
    plot, args, kwargs = figures.figure_panels(run, reference)[name]
    return root_figure(plot(*args, **kwargs))


# Task name and kind, orientation


def test_task_info_accepts_the_name_and_the_dict():
    assert figures.task_info({"task": "single_neuron(seed=1)"}) == (
        "single_neuron(seed=1)",
        "unknown",
    )
    task = {"name": "oxford", "kind": "files", "period_s": 1.89}
    assert figures.task_info({"task": task}) == ("oxford", "files")


@pytest.mark.parametrize(
    "task, kind",
    [
        ("single_neuron(seed=1)", "single_neuron"),
        ("pattern(SPIKE, seed=2)", "pattern"),
        ("input -> oxford.PNG", "image"),
        ("input -> target", "unknown"),
        ({"name": "single_neuron(seed=1)", "kind": "files"}, "files"),
    ],
)
def test_guess_kind_from_older_names(task, kind):
    assert figures.guess_kind({"task": task}) == kind


@pytest.mark.parametrize(
    "task, top",
    [
        ({"name": "pattern(seed=1)", "kind": "pattern"}, True),
        ({"name": "input -> word.png", "kind": "image"}, True),
        ({"name": "input -> target", "kind": "files"}, False),
        ({"name": "xor", "kind": "xor"}, False),
        ({"name": "input -> target", "kind": "files", "unit0_top": True}, True),
        ("input -> word.png", True),
        ("pattern(SPIKE, seed=2)", True),
        ("input -> target", False),
        ("single_neuron(seed=1)", False),
    ],
)
def test_unit0_on_top_for_pictures_only(task, top):
    assert figures.unit0_on_top({"task": task}) is top


# Every figure against the data of the run directory


@pytest.fixture(scope="module")
def image_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("image_run")
    task = {"name": "input -> word.png", "kind": "image", "period_s": PERIOD}
    data = write_run(out, task=task, hidden=(5, 3), n_out=24)
    return out, data


def test_learning_curve_plots_cost_ref_and_says_so(image_run):
    out, data = image_run
    fig = panel_figure(figures.read_run_data(out), "learning_curve")
    (line,) = by_gid(fig, "cost")
    np.testing.assert_allclose(line.get_xdata(), data["metrics"]["block"])
    np.testing.assert_allclose(line.get_ydata(), data["metrics"]["cost_ref"], rtol=1e-12)
    ylabel = data_axes(fig)[0].get_ylabel()
    assert ylabel == cost_label(4.0)  # 24 outputs: 4 x our cost


def test_output_raster_is_upright_for_a_picture(image_run):
    out, data = image_run
    sp = data["spikes"]
    fig = panel_figure(figures.read_run_data(out), "raster")
    first, last = data_axes(fig)
    assert first.yaxis_inverted() and last.yaxis_inverted()
    n_periods = int(round(sp["update_times"][-1] / PERIOD))
    for ax, w in ((first, 0), (last, n_periods - 1)):
        sel = np.floor(sp["output_t"] / PERIOD).astype(int) == w
        (dots,) = by_gid(ax, "spikes")
        assert len(dots.get_offsets()) == sel.sum()
        np.testing.assert_allclose(np.sort(dots.get_offsets()[:, 1]), np.sort(sp["output_i"][sel]))


def test_hidden_rasters_of_every_layer(image_run):
    out, data = image_run
    paths = figures.make_figures(out)
    assert out / "hidden_raster.png" in paths
    fig = panel_figure(figures.read_run_data(out), "hidden_raster")
    axes = data_axes(fig)
    assert len(axes) == 2 * 3  # two layers: first period, last period, activity
    for row, (name, n) in enumerate((("hidden_1", 5), ("hidden_2", 3))):
        activity = axes[3 * row + 2]
        counts = by_gid(activity, "activity")[0].get_array()
        assert counts.shape[0] == n
        assert counts.sum() == data["spikes"][f"{name}_t"].size
        assert by_gid(activity, "burn-in")[0].get_xdata()[0] == 10.0


def test_rates_per_layer_and_target_rate(image_run):
    out, data = image_run
    fig = panel_figure(figures.read_run_data(out), "rates")
    names = [ln.get_gid() for ln in fig.findobj() if str(ln.get_gid()).startswith("rate-")]
    assert names == ["rate-hidden_1", "rate-hidden_2", "rate-output"]  # no mean "hidden"
    (line,) = by_gid(fig, "target-rate")
    sp = data["spikes"]
    assert line.get_ydata()[0] == pytest.approx(sp["target_t"].size / PERIOD / 24)


def test_weights_named_by_their_layers(image_run):
    out, _ = image_run
    fig = panel_figure(figures.read_run_data(out), "weights")
    titles = [ax.get_title().split(" (")[0] for ax in data_axes(fig)]
    assert titles == ["input → hidden_1", "hidden_1 → hidden_2", "hidden_2 → output"]


def test_membrane_panel_per_recorded_unit_with_its_targets(tmp_path):
    target = (np.array([0.1, 0.2, 0.3, 0.05]), np.array([5, 5, 9, 0]))
    data = write_run(tmp_path, n_out=12, target=target, recorded=[5, 9, 0, 1])
    fig = panel_figure(figures.read_run_data(tmp_path), "membrane")
    axes = data_axes(fig)
    assert len(axes) == 4
    for ax, unit in zip(axes, [5, 9, 0, 1], strict=True):
        assert f"unit {unit}" in ax.get_ylabel()
        got = sorted(ln.get_xdata()[0] for ln in by_gid(ax, "target"))
        np.testing.assert_allclose(got, np.sort(target[0][target[1] == unit]) * 1e3)
        assert by_gid(ax, "threshold")[0].get_ydata()[0] == -52.0  # from config.json
    after = by_gid(axes[1], "after")[0].get_ydata()
    np.testing.assert_allclose(after, data["voltage"]["after_U"][1])


# The summary page


def test_summary_page_draws_every_panel_with_a_true_title(image_run):
    out, data = image_run
    page = figures.summary_page(out)
    assert page == out / "summary.png"
    assert (out / "summary.pdf").read_bytes().startswith(b"%PDF")
    run = figures.read_run_data(out)
    panels = figures.figure_panels(run)
    sizes = {n: (7.5, 4.8) if n in ("learning_curve", "rates") else (15, 5) for n in panels}
    fig = figures.summary_figure(run, panels, sizes)
    title = fig.get_suptitle()
    lines = title.split("\n")
    assert lines[0] == "Task: input -> word.png (image)"
    assert "100 → 5 → 3 → 24" in lines[1] and "random feedback" in lines[1]
    assert "6 training blocks of 10 s after a 10 s burn-in" in lines[2]
    # One cell per panel, none empty.
    cells = [sub for row in fig.subfigs for sub in row.subfigs]
    assert len(cells) == len(panels) == 6
    for cell in cells:
        axes = [ax for ax in cell.findobj() if hasattr(ax, "has_data")]
        assert axes and all(ax.has_data() for ax in axes)


def test_summary_title_counts_training_blocks_not_rows(tmp_path):
    write_run(tmp_path, n_blocks=1, hidden=(), n_out=1, task="input -> target")
    title = figures.summary_title(figures.read_run_data(tmp_path))
    assert "1 training block of 10 s" in title
    assert "no hidden layer" in title and "Task: input -> target\n" in title


# The reference curve only where it was measured


def ssbm_run(tmp_path, task, target_t):
    write_run(
        tmp_path,
        task=task,
        hidden=(),
        n_out=1,
        target=(target_t, np.zeros(target_t.size, dtype=int)),
        n_blocks=12,
    )
    return figures.read_run_data(tmp_path)


def test_reference_on_the_same_data_draws_the_run_and_the_spread(tmp_path):
    run = ssbm_run(tmp_path, "input -> target", SSBM_TARGET)
    fig = panel_figure(run, "learning_curve", curve("single_neuron"))
    (marks,) = by_gid(fig, "reference")
    assert list(marks.get_xdata()) == list(curve("single_neuron"))
    assert by_gid(fig, "reference-range") and not by_gid(fig, "note")


@pytest.mark.parametrize(
    "task", [{"name": "single_neuron(seed=3)", "kind": "single_neuron"}, "single_neuron(seed=3)"]
)
def test_reference_on_another_draw_draws_only_the_spread(tmp_path, task):
    own = PERIOD * np.arange(1, 6) / 6  # the built-in task: its own input
    run = ssbm_run(tmp_path, task, own)
    fig = panel_figure(run, "learning_curve", "single_neuron")
    assert not by_gid(fig, "reference")
    bars = by_gid(fig, "reference-range")[0]
    assert sorted(float(s[0, 0]) for s in bars.get_segments()) == [1.0, 10.0]
    assert "ssbm/poisson" in by_gid(fig, "note")[0].get_text().replace("\n", " ")
    assert spread("single_neuron").n_seeds == 21


@pytest.mark.parametrize("name", ["oxford_symmetric", "fig4_symmetric"])
def test_reference_of_another_task_or_network_is_not_drawn(tmp_path, name):
    run = ssbm_run(tmp_path, "input -> target", SSBM_TARGET)
    fig = panel_figure(run, "learning_curve", curve(name))
    assert not by_gid(fig, "reference") and not by_gid(fig, "reference-range")
    assert "not drawn" in by_gid(fig, "note")[0].get_text()


def test_callers_own_reference_is_drawn_as_given(tmp_path):
    run = ssbm_run(tmp_path, "anything", np.array([0.1]))
    fig = panel_figure(run, "learning_curve", {0: 5.0, 3: 1.0})
    assert list(by_gid(fig, "reference")[0].get_xdata()) == [0, 3]
