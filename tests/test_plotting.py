"""Tests of the figures: each draws the data it is given, into the caller's axes or
figure, is written as a PNG, refuses bad input.

Content is checked on the artists of the Figure (found by their ``gid``): the
points of a raster against the spikes, the line of a learning curve against
the costs, labels and orientation; a written PNG only has to be a PNG.
"""

import numpy as np
import pytest
from matplotlib.figure import Figure

from superspike_brian.reporting.common import COST_LABEL, cost_label, root_figure, save_figure
from superspike_brian.reporting.curves import plot_learning_curve
from superspike_brian.reporting.membrane import plot_membrane
from superspike_brian.reporting.rasters import plot_layer_rasters, plot_raster
from superspike_brian.reporting.rates import plot_rates
from superspike_brian.reporting.reference import spread
from superspike_brian.reporting.weights import plot_weights, weight_bins

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PERIOD = 0.5  # seconds


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    # A blank canvas compresses to a few kB; a figure with axes, text and data
    # is well above that.
    assert len(data) > 5000


def by_gid(fig_or_ax, gid):
    """Artists of a figure (or axes) with this gid, in drawing order."""
    return [a for a in fig_or_ax.findobj() if a.get_gid() == gid]


def data_axes(fig):
    """Axes of `fig` that are not colorbars."""
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def learning_curve_figure(*args, **kwargs):
    """The Figure of a learning curve drawn on its own."""
    return plot_learning_curve(*args, **kwargs).figure


def learning_spikes(n_units, n_periods, target_t, target_i, seed=0):
    """Output spikes that start random and converge to the target."""
    rng = np.random.default_rng(seed)
    times, ids = [], []
    for k in range(n_periods):
        progress = k / max(n_periods - 1, 1)
        jitter = (1 - progress) * 0.05
        t = np.clip(target_t + rng.normal(0, jitter + 1e-4, target_t.size), 0, PERIOD - 1e-4)
        n_noise = int(round((1 - progress) * 3 * n_units))
        t = np.concatenate([t, rng.uniform(0, PERIOD, n_noise)])
        i = np.concatenate([target_i, rng.integers(0, n_units, n_noise)])
        times.append(k * PERIOD + t)
        ids.append(i)
    return np.concatenate(times), np.concatenate(ids)


# Learning curve


@pytest.mark.parametrize("with_reference", [False, True])
def test_learning_curve_1d(tmp_path, with_reference):
    block = np.arange(81)
    cost = 20 * np.exp(-block / 15) + 0.1
    cost[0] = 0.0  # the bias-corrected cost before the first reading
    reference = {b: 20 * np.exp(-b / 14) + 0.12 for b in range(0, 81, 10)}
    path = tmp_path / "curve.png"
    ax = plot_learning_curve(block, cost, reference=reference if with_reference else None)
    assert save_figure(ax, path) == path
    assert_png(path)


def test_learning_curve_2d_with_reference_arrays(tmp_path):
    rng = np.random.default_rng(1)
    block = np.arange(40)
    cost = 10 * np.exp(-block / 10)[None] * rng.uniform(0.5, 1.5, (5, 1)) + 0.05
    path = tmp_path / "sub" / "curve2d.png"  # the folder is created
    ref = (np.arange(0, 40, 5), 10 * np.exp(-np.arange(0, 40, 5) / 10) + 0.05)
    save_figure(
        plot_learning_curve(block, cost, reference=ref, label="5 seeds", title="Seeds"), path
    )
    assert_png(path)


def test_learning_curve_rejects_mismatched_cost():
    fig = Figure()
    ax = fig.add_subplot()
    with pytest.raises(ValueError, match="cost"):
        plot_learning_curve(np.arange(5), np.ones(4), ax=ax)
    with pytest.raises(ValueError, match="cost"):
        plot_learning_curve(np.arange(5), np.ones((2, 2, 5)), ax=ax)
    with pytest.raises(ValueError, match="reference"):
        plot_learning_curve(np.arange(5), np.ones(5), ax=ax, reference=([0, 1], [1.0]))
    with pytest.raises(ValueError, match=r"block must contain only finite values"):
        plot_learning_curve([0, np.nan], [1.0, 2.0], ax=ax)
    assert not ax.lines  # refused before drawing anything


# Raster


def test_raster_single_unit(tmp_path):
    target_t = np.array([0.1, 0.2, 0.3, 0.4])
    target_i = np.zeros(4, dtype=int)
    spikes_t, spikes_i = learning_spikes(1, 200, target_t, target_i)
    path = tmp_path / "raster1.png"
    fig = plot_raster(spikes_t, spikes_i, target_t, target_i, PERIOD, n_units=1)
    assert save_figure(fig, path) == path
    assert_png(path)


def test_raster_many_units(tmp_path):
    rng = np.random.default_rng(2)
    n_units = 50
    target_i = np.repeat(np.arange(n_units), 2)
    target_t = rng.uniform(0, PERIOD, target_i.size)
    spikes_t, spikes_i = learning_spikes(n_units, 30, target_t, target_i)
    path = tmp_path / "raster_many.png"
    fig = plot_raster(
        spikes_t,
        spikes_i,
        target_t,
        target_i,
        PERIOD,
        n_units=n_units,
        duration=30 * PERIOD,
    )
    save_figure(fig, path)
    assert_png(path)


def test_raster_windows_and_silent_output(tmp_path):
    target_t, target_i = np.array([0.25]), np.array([1])
    path = tmp_path / "raster_w.png"
    # No output spike at all: the figure still shows the target.
    save_figure(plot_raster([], [], target_t, target_i, PERIOD, n_units=3, duration=2.0), path)
    assert_png(path)
    spikes_t, spikes_i = learning_spikes(3, 10, target_t, target_i)
    fig = plot_raster(spikes_t, spikes_i, target_t, target_i, PERIOD, n_units=3, windows=[0, 4, 9])
    assert len(data_axes(fig)) == 3
    save_figure(fig, path)
    assert_png(path)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"spikes_t": [0.1, 0.2], "spikes_i": [0]}, "spikes_t"),
        ({"target_t": [0.1, 0.2], "target_i": [0]}, "target_t"),
        ({"period": -0.5}, "period"),
        ({"period": 0.0}, "period"),
        ({"n_units": 0}, "n_units"),
        ({"spikes_i": [5]}, "spikes_i"),
        ({"spikes_t": [-0.1]}, "spikes_t"),
        ({"target_t": [0.6]}, "target_t"),
        ({"windows": [7]}, "windows"),
        ({"duration": -1.0}, "duration"),
    ],
)
def test_raster_rejects_bad_input(kwargs, name):
    args = {
        "spikes_t": [0.1],
        "spikes_i": [0],
        "target_t": [0.1],
        "target_i": [0],
        "period": PERIOD,
        "n_units": 2,
    }
    args.update(kwargs)
    fig = Figure()
    with pytest.raises(ValueError, match=name):
        plot_raster(
            args.pop("spikes_t"),
            args.pop("spikes_i"),
            args.pop("target_t"),
            args.pop("target_i"),
            args.pop("period"),
            fig=fig,
            **args,
        )
    assert not fig.axes  # refused before drawing anything


# Membrane potential


def membrane(n_units, seed, theta=-50.0):
    rng = np.random.default_rng(seed)
    t = np.arange(0, PERIOD, 1e-4)
    drift = np.cumsum(rng.normal(0, 0.3, (n_units, t.size)), axis=1)
    u = -70 + 8 * np.sin(2 * np.pi * t / PERIOD * (1 + np.arange(n_units))[:, None]) + drift
    return t, np.minimum(u, theta + 5)


@pytest.mark.parametrize("n_units", [1, 3, 12])
def test_membrane(tmp_path, n_units):
    path = tmp_path / f"membrane{n_units}.png"
    fig = plot_membrane(
        membrane(n_units, 0),
        membrane(n_units, 1),
        target_t=np.array([0.1, 0.2, 0.3, 0.4]),
        period=PERIOD,
    )
    assert len(fig.axes) == min(n_units, 6)  # the first six units stand for the rest
    save_figure(fig, path)
    assert_png(path)


def test_membrane_per_unit_targets_and_one_dimensional_trace(tmp_path):
    t, u = membrane(2, 0)
    path = tmp_path / "membrane_per_unit.png"
    save_figure(plot_membrane((t, u), (t, u), target_t=[[0.1, 0.2], [0.35]], period=PERIOD), path)
    assert_png(path)
    save_figure(plot_membrane((t, u[0]), (t, u[1]), theta=-55.0), path)
    assert_png(path)


def test_membrane_rejects_bad_input():
    t, u = membrane(2, 0)
    fig = Figure()
    with pytest.raises(ValueError, match="before"):
        plot_membrane((t[:-1], u), (t, u), fig=fig)
    with pytest.raises(ValueError, match="period must be positive, got -1 s"):
        plot_membrane((t, u), (t, u), fig=fig, period=-1.0)
    with pytest.raises(ValueError, match="target_t"):
        plot_membrane((t, u), (t, u), fig=fig, target_t=[[0.1]] * 3)
    assert not fig.axes


# Rates and weights


def test_rates(tmp_path):
    block = np.arange(20)
    rates = {"hidden 1": 5 + block * 0.2, "output": 8 - block * 0.1}
    path = tmp_path / "rates.png"
    save_figure(plot_rates(block, rates), path)
    assert_png(path)
    with pytest.raises(ValueError, match="output"):
        plot_rates(block, {"output": np.ones(3)})


def test_weights(tmp_path):
    rng = np.random.default_rng(3)
    initial = [rng.normal(0, 2, (100, 4)), rng.normal(0, 1, (4, 1))]
    final = [w + rng.normal(0.5, 1, w.shape) for w in initial]
    path = tmp_path / "weights.png"
    save_figure(plot_weights(initial, final), path)
    assert_png(path)
    # A constant matrix (e.g. zero initial weights) still gets a visible bar.
    fig = plot_weights([np.zeros((3, 3))], [np.zeros((3, 3))], names=["input -> output"])
    save_figure(fig, path)
    assert_png(path)
    with pytest.raises(ValueError, match="final"):
        plot_weights(initial, final[:1])
    with pytest.raises(ValueError, match="shape"):
        plot_weights(initial[:1], [np.zeros((2, 2))])
    with pytest.raises(ValueError, match=r"final\[0\] must contain only finite values"):
        plot_weights(initial[:1], [np.full((100, 4), np.inf)])


# Content: learning curve


def test_learning_curve_draws_the_costs_with_the_given_label():
    block = np.arange(12)
    cost = 10 * np.exp(-block / 4)
    cost[0] = 0.0
    label = cost_label(4.0)
    fig = learning_curve_figure(block, cost, ylabel=label)
    (line,) = by_gid(fig, "cost")
    np.testing.assert_array_equal(line.get_xdata(), block)
    ys = np.asarray(line.get_ydata())
    assert np.isnan(ys[0])  # 0 cannot sit on a log axis
    np.testing.assert_allclose(ys[1:], cost[1:])
    ax = data_axes(fig)[0]
    assert ax.get_ylabel() == label and ax.get_yscale() == "log"
    assert ax.get_xlabel().startswith("block")


def test_cost_label_names_the_plotted_quantity_and_its_normalization():
    assert cost_label(None) == COST_LABEL
    assert "one unmatched spike per second" in COST_LABEL
    ref4 = cost_label(4.0)
    assert ref4.startswith("cost_ref") and "4 = one unmatched spike per second" in ref4
    assert "1 = one unmatched spike per second" in cost_label(1.0)


def test_learning_curve_reference_points_and_axes_limited_to_the_run():
    block = np.arange(8)
    cost = 10 * np.exp(-block / 3)
    reference = {0: 10.1, 2: 4.8, 4: 1.95, 10: 0.91, 22: 2e-3}
    fig = learning_curve_figure(block, cost, reference=reference, reference_label="ref")
    (marks,) = by_gid(fig, "reference")
    np.testing.assert_array_equal(marks.get_xdata(), list(reference))
    ax = data_axes(fig)[0]
    # Block 22 of the reference lies beyond this run: outside the axes.
    assert ax.get_xlim()[1] < 10
    assert ax.get_ylim()[0] > 2e-3


def test_learning_curve_draws_the_reference_spread_over_seeds():
    sn = spread("single_neuron")
    block = np.arange(81)
    cost = 10 * np.exp(-block / 5) + 0.05
    fig = learning_curve_figure(block, cost, spread=sn)
    bars = by_gid(fig, "reference-range")[0]
    segments = bars.get_segments()
    got = sorted((float(s[0, 0]), float(s[:, 1].min()), float(s[:, 1].max())) for s in segments)
    want = sorted((float(b), lo, hi) for b, (lo, hi) in sn.ranges.items())
    np.testing.assert_allclose(got, want, rtol=1e-9)
    (band,) = by_gid(fig, "reference-late")
    ys = band.get_paths()[0].vertices[:, 1]
    xs = band.get_paths()[0].vertices[:, 0]
    assert xs.min() == 40 and xs.max() == 79
    assert ys.max() == pytest.approx(max(sn.late_medians))
    (median,) = by_gid(fig, "reference-median")
    np.testing.assert_allclose(median.get_ydata(), [np.median(sn.late_medians)] * 2)
    # The seeds that converge exactly (1e-22) do not stretch the axis.
    assert data_axes(fig)[0].get_ylim()[0] > 1e-5


def test_learning_curve_spread_only_where_the_run_has_blocks():
    sn = spread("single_neuron")
    fig = learning_curve_figure(np.arange(6), np.linspace(10, 2, 6), spread=sn)
    bars = by_gid(fig, "reference-range")[0]
    assert [float(s[0, 0]) for s in bars.get_segments()] == [1.0]
    assert not by_gid(fig, "reference-late")


def test_learning_curve_note():
    fig = learning_curve_figure([0, 1], [3.0, 2.0], note="reference not drawn: another task")
    (text,) = by_gid(fig, "note")
    assert text.get_text() == "reference not drawn: another task"
    long = "reference 'x' not drawn: " + "measured on another task, " * 8
    (text,) = by_gid(learning_curve_figure([0, 1], [3.0, 2.0], note=long), "note")
    assert max(len(line) for line in text.get_text().split("\n")) <= 70


# Content: rasters


def folded(times, ids, period, window):
    sel = np.floor(times / period).astype(int) == window
    return np.column_stack([(times[sel] - window * period) * 1e3, ids[sel]])


def sorted_rows(a):
    a = np.asarray(a, dtype=float).reshape(-1, 2)
    return a[np.lexsort((a[:, 1], a[:, 0]))]


@pytest.mark.parametrize("unit0_top", [False, True])
def test_raster_many_units_draws_the_spikes_of_each_window(unit0_top):
    rng = np.random.default_rng(5)
    n_units = 24
    target_i = np.repeat(np.arange(n_units), 2)
    target_t = rng.uniform(0, PERIOD, target_i.size)
    spikes_t, spikes_i = learning_spikes(n_units, 12, target_t, target_i)
    fig = plot_raster(
        spikes_t,
        spikes_i,
        target_t,
        target_i,
        PERIOD,
        n_units=n_units,
        duration=12 * PERIOD,
        unit0_top=unit0_top,
    )
    axes = data_axes(fig)
    assert len(axes) == 2  # first and last period
    for ax, window in zip(axes, (0, 11), strict=True):
        (dots,) = by_gid(ax, "spikes")
        np.testing.assert_allclose(
            sorted_rows(dots.get_offsets()),
            sorted_rows(folded(spikes_t, spikes_i, PERIOD, window)),
        )
        (circles,) = by_gid(ax, "target")
        np.testing.assert_allclose(
            sorted_rows(circles.get_offsets()),
            sorted_rows(np.column_stack([target_t * 1e3, target_i])),
        )
    # A picture's row 0 is at the top: the y axis runs downwards.
    assert axes[0].yaxis_inverted() == unit0_top
    assert ("top row" in axes[0].get_ylabel()) == unit0_top


def test_raster_single_unit_rows_are_periods():
    target_t = np.array([0.1, 0.2, 0.3, 0.4])
    target_i = np.zeros(4, dtype=int)
    spikes_t, spikes_i = learning_spikes(1, 20, target_t, target_i)
    fig = plot_raster(spikes_t, spikes_i, target_t, target_i, PERIOD, n_units=1)
    (dots,) = by_gid(fig, "spikes")
    want = np.column_stack([(spikes_t % PERIOD) * 1e3, np.floor(spikes_t / PERIOD)])
    np.testing.assert_allclose(sorted_rows(dots.get_offsets()), sorted_rows(want), atol=1e-9)
    lines = by_gid(fig, "target")
    np.testing.assert_allclose(sorted(ln.get_xdata()[0] for ln in lines), target_t * 1e3)


def test_layer_rasters_draw_first_and_last_period_and_activity(tmp_path):
    rng = np.random.default_rng(6)
    n_periods, burn_in = 20, 2.0
    layers = {}
    for name, n in (("hidden_1", 6), ("hidden_2", 3)):
        # Silent at first: units start firing in period 5.
        t = rng.uniform(5 * PERIOD, n_periods * PERIOD, 150)
        layers[name] = (t, rng.integers(0, n, t.size), n)
    fig = plot_layer_rasters(layers, PERIOD, duration=n_periods * PERIOD, burn_in=burn_in)
    axes = data_axes(fig)
    assert len(axes) == 6  # per layer: first period, last period, activity
    for row, (name, (t, i, n)) in enumerate(layers.items()):
        first, last, activity = axes[3 * row : 3 * row + 3]
        assert len(by_gid(first, "spikes")[0].get_offsets()) == 0
        np.testing.assert_allclose(
            sorted_rows(by_gid(last, "spikes")[0].get_offsets()),
            sorted_rows(folded(t, i, PERIOD, n_periods - 1)),
        )
        (image,) = by_gid(activity, "activity")
        counts = np.asarray(image.get_array())
        assert counts.shape == (n, n_periods)
        assert counts.sum() == t.size and counts[:, :5].sum() == 0
        np.testing.assert_array_equal(counts.sum(axis=1), np.bincount(i, minlength=n))
        assert by_gid(activity, "burn-in")[0].get_xdata()[0] == burn_in
        assert name in first.get_ylabel()
    path = save_figure(plot_layer_rasters(layers, PERIOD), tmp_path / "hidden.png")
    assert_png(path)


# Content: membrane, rates, weights


def test_membrane_one_panel_per_unit_with_its_own_targets():
    n_units = 4
    targets = [[0.1], [0.2, 0.3], [], [0.05, 0.25, 0.45]]
    before, after = membrane(n_units, 0), membrane(n_units, 1)
    fig = plot_membrane(
        before, after, target_t=targets, period=PERIOD, theta=-52.0, units=[3, 5, 7, 9]
    )
    axes = data_axes(fig)
    assert len(axes) == n_units
    for k, ax in enumerate(axes):
        got = sorted(ln.get_xdata()[0] for ln in by_gid(ax, "target"))
        np.testing.assert_allclose(got, np.array(targets[k]) * 1e3)
        (theta,) = by_gid(ax, "threshold")
        assert list(theta.get_ydata()) == [-52.0, -52.0]
        np.testing.assert_allclose(by_gid(ax, "before")[0].get_ydata(), before[1][k])
        np.testing.assert_allclose(by_gid(ax, "after")[0].get_ydata(), after[1][k])
        assert f"unit {[3, 5, 7, 9][k]}" in ax.get_ylabel()


def test_rates_lines_and_target_rate():
    block = np.arange(10)
    rates = {"hidden_1": 1 + block * 0.5, "output": 8 - block * 0.1}
    fig = plot_rates(block, rates, target_rate=10.0).figure
    for name, values in rates.items():
        np.testing.assert_allclose(by_gid(fig, f"rate-{name}")[0].get_ydata(), values)
    (line,) = by_gid(fig, "target-rate")
    assert list(line.get_ydata()) == [10.0, 10.0]
    assert "10 Hz" in line.get_label()
    with pytest.raises(ValueError, match="target_rate must be non-negative, got -1 Hz"):
        plot_rates(block, rates, target_rate=-1.0)


def test_weights_named_by_layers_with_fine_shared_bins():
    rng = np.random.default_rng(3)
    initial = [rng.normal(0, 2, (4, 100)), rng.normal(0, 1, (1, 4))]
    final = [w + rng.normal(0.5, 1, w.shape) for w in initial]
    names = ["input → hidden_1", "hidden_1 → output"]
    fig = plot_weights(initial, final, names=names)
    hist_ax, pairs_ax = data_axes(fig)
    assert hist_ax.get_title().startswith("input → hidden_1")
    assert pairs_ax.get_title().startswith("hidden_1 → output")
    # 400 weights: 40 bins, the same for before and after.
    bins = weight_bins(initial[0].ravel(), final[0].ravel())
    assert len(bins) - 1 == 40
    for gid, w in (("before", initial[0]), ("after", final[0])):
        (outline,) = by_gid(hist_ax, gid)  # a step histogram is one polygon
        xy = outline.get_xy()
        np.testing.assert_allclose(np.unique(xy[:, 0]), bins)
        assert xy[:, 1].max() == np.histogram(w, bins)[0].max()
    assert by_gid(hist_ax, "after")
    # 4 synapses: one row each, before and after.
    np.testing.assert_allclose(by_gid(pairs_ax, "before")[0].get_offsets()[:, 0], initial[1][0])
    np.testing.assert_allclose(by_gid(pairs_ax, "after")[0].get_offsets()[:, 0], final[1][0])
    assert [t.get_text() for t in pairs_ax.get_yticklabels()] == [f"0 ← {j}" for j in range(4)]


def _tick_labels(fig, axis="y"):
    """The texts of the labelled ticks (major and minor) of the first axes, after drawing."""
    fig.canvas.draw()
    ax = fig.axes[0]
    ticks = ax.yaxis if axis == "y" else ax.xaxis
    texts = [t.get_text() for t in ticks.get_ticklabels(which="both") if t.get_text()]
    return [t.replace("\N{MINUS SIGN}", "-") for t in texts]


def test_log_ticks_are_all_plain_numbers_or_all_powers_of_ten():
    block = np.arange(81)
    narrow = learning_curve_figure(block, 3000 + 2000 * np.exp(-block / 20))
    labels = _tick_labels(narrow)
    assert labels and all("10^" not in t and "times" not in t for t in labels), labels
    assert {float(t) for t in labels} >= {3000.0, 4000.0, 5000.0}
    wide = learning_curve_figure(block, 10 * np.exp(-block / 5) + 1e-12)
    labels = _tick_labels(wide)
    assert labels and all(t.startswith("$\\mathdefault{10^{") for t in labels), labels


def test_one_unit_raster_counts_periods_in_whole_numbers():
    fig = plot_raster([0.05, 0.55, 1.05], [0, 0, 0], [0.1], [0], 0.5, n_units=1, duration=2.0)
    labels = _tick_labels(fig)
    assert labels and all(float(t) == int(float(t)) for t in labels), labels


def test_a_mean_over_runs_is_labelled_as_one_and_a_threshold_is_drawn():
    block = np.arange(5)
    fig = learning_curve_figure(
        block, np.array([[5, 4, 3, 2, 1], [6, 5, 4, 3, 2.0]]), threshold=(2.0, "learned below 2")
    )
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert "mean of the 2 runs" in labels and "this run (mean)" not in labels
    (line,) = [ln for ln in ax.get_lines() if ln.get_gid() == "threshold"]
    assert line.get_label() == "learned below 2" and set(line.get_ydata()) == {2.0}


# The caller's axes and figures

#: Single-panel plots: a call that draws into given axes, and the gid of what it draws.
INTO_AXES = {
    "learning_curve": (
        lambda ax: plot_learning_curve(np.arange(6), np.linspace(5, 1, 6), ax=ax),
        "cost",
    ),
    "rates": (
        lambda ax: plot_rates(np.arange(6), {"output": np.linspace(1, 2, 6)}, ax=ax),
        "rate-output",
    ),
}

#: Multi-panel plots: a call that draws into a given figure, and the gid of what it draws.
INTO_FIGURE = {
    "raster": (
        lambda fig: plot_raster([0.1, 0.6], [0, 1], [0.1], [0], PERIOD, n_units=2, fig=fig),
        "spikes",
    ),
    "raster of one unit": (
        lambda fig: plot_raster([0.1, 0.6], [0, 0], [0.1], [0], PERIOD, n_units=1, fig=fig),
        "spikes",
    ),
    "layer_rasters": (
        lambda fig: plot_layer_rasters({"hidden_1": ([0.1, 0.6], [0, 2], 3)}, PERIOD, fig=fig),
        "activity",
    ),
    "membrane": (lambda fig: plot_membrane(membrane(2, 0), membrane(2, 1), fig=fig), "before"),
    "weights": (lambda fig: plot_weights([np.zeros((2, 2))], [np.ones((2, 2))], fig=fig), "after"),
}


@pytest.mark.parametrize("name", sorted(INTO_AXES))
def test_a_single_panel_plot_draws_into_the_callers_axes_and_returns_them(name):
    call, gid = INTO_AXES[name]
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert call(right) is right
    assert by_gid(right, gid) and not by_gid(left, gid)
    assert fig.axes == [left, right]  # no axes of its own


@pytest.mark.parametrize("name", sorted(INTO_FIGURE))
def test_a_multi_panel_plot_draws_into_the_callers_figure_and_returns_it(name):
    call, gid = INTO_FIGURE[name]
    page = Figure(layout="constrained")
    left, right = page.subfigures(1, 2)
    assert call(right) is right
    assert by_gid(right, gid) and not by_gid(left, gid)
    assert not left.axes


@pytest.mark.parametrize("name", sorted(INTO_AXES))
def test_without_axes_a_single_panel_plot_makes_a_figure_of_its_natural_size(name):
    call, _ = INTO_AXES[name]
    ax = call(None)
    assert ax.figure.axes == [ax]
    np.testing.assert_array_equal(ax.figure.get_size_inches(), [7.5, 4.8])


@pytest.mark.parametrize(
    "name, size",
    [
        ("raster", (10.0, 5.0)),  # two panels' width
        ("raster of one unit", (7.5, 5.0)),
        ("layer_rasters", (15.0, 4.6)),  # one layer
        ("membrane", (10.0, 5.2)),  # two units
        ("weights", (5.0, 4.8)),  # one connection
    ],
)
def test_without_a_figure_a_multi_panel_plot_makes_one_that_fits_its_panels(name, size):
    call, _ = INTO_FIGURE[name]
    fig = call(None)
    assert isinstance(fig, Figure)
    np.testing.assert_allclose(fig.get_size_inches(), size)


def test_save_figure_writes_the_whole_figure_of_axes_or_a_subfigure(tmp_path):
    from matplotlib.image import imread

    page = Figure(figsize=(4.0, 3.0))
    left, right = page.subfigures(1, 2)
    ax = left.add_subplot()
    assert root_figure(ax) is page and root_figure(right) is page and root_figure(page) is page
    for drawn in (ax, right, page):
        path = save_figure(drawn, tmp_path / "page.png", dpi=50)
        assert imread(path).shape[:2] == (150, 200)  # 4 x 3 inches at 50 dpi
    # The figure stays drawn: it can be written again in another format.
    assert save_figure(page, tmp_path / "page.pdf").read_bytes().startswith(b"%PDF")
