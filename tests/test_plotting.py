"""Tests of the figures: each writes a readable PNG, bad input is refused."""

import numpy as np
import pytest

from superspike_brian.reporting.plotting import (
    plot_learning_curve,
    plot_membrane,
    plot_raster,
    plot_rates,
    plot_weights,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PERIOD = 0.5  # seconds


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    # A blank canvas compresses to a few kB; a figure with axes, text and data
    # is well above that.
    assert len(data) > 5000


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
    out = plot_learning_curve(path, block, cost, reference=reference if with_reference else None)
    assert out == path
    assert_png(path)


def test_learning_curve_2d_with_reference_arrays(tmp_path):
    rng = np.random.default_rng(1)
    block = np.arange(40)
    cost = 10 * np.exp(-block / 10)[None] * rng.uniform(0.5, 1.5, (5, 1)) + 0.05
    path = tmp_path / "sub" / "curve2d.png"  # the folder is created
    ref = (np.arange(0, 40, 5), 10 * np.exp(-np.arange(0, 40, 5) / 10) + 0.05)
    plot_learning_curve(path, block, cost, reference=ref, label="5 seeds", title="Seeds")
    assert_png(path)


def test_learning_curve_rejects_mismatched_cost(tmp_path):
    with pytest.raises(ValueError, match="cost"):
        plot_learning_curve(tmp_path / "x.png", np.arange(5), np.ones(4))
    with pytest.raises(ValueError, match="cost"):
        plot_learning_curve(tmp_path / "x.png", np.arange(5), np.ones((2, 2, 5)))
    with pytest.raises(ValueError, match="reference"):
        plot_learning_curve(tmp_path / "x.png", np.arange(5), np.ones(5), reference=([0, 1], [1.0]))


# Raster


def test_raster_single_unit(tmp_path):
    target_t = np.array([0.1, 0.2, 0.3, 0.4])
    target_i = np.zeros(4, dtype=int)
    spikes_t, spikes_i = learning_spikes(1, 200, target_t, target_i)
    path = tmp_path / "raster1.png"
    assert plot_raster(path, spikes_t, spikes_i, target_t, target_i, PERIOD, n_units=1) == path
    assert_png(path)


def test_raster_many_units(tmp_path):
    rng = np.random.default_rng(2)
    n_units = 50
    target_i = np.repeat(np.arange(n_units), 2)
    target_t = rng.uniform(0, PERIOD, target_i.size)
    spikes_t, spikes_i = learning_spikes(n_units, 30, target_t, target_i)
    path = tmp_path / "raster_many.png"
    plot_raster(
        path,
        spikes_t,
        spikes_i,
        target_t,
        target_i,
        PERIOD,
        n_units=n_units,
        duration=30 * PERIOD,
    )
    assert_png(path)


def test_raster_windows_and_silent_output(tmp_path):
    target_t, target_i = np.array([0.25]), np.array([1])
    path = tmp_path / "raster_w.png"
    # No output spike at all: the figure still shows the target.
    plot_raster(path, [], [], target_t, target_i, PERIOD, n_units=3, duration=2.0)
    assert_png(path)
    spikes_t, spikes_i = learning_spikes(3, 10, target_t, target_i)
    plot_raster(path, spikes_t, spikes_i, target_t, target_i, PERIOD, n_units=3, windows=[0, 4, 9])
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
def test_raster_rejects_bad_input(tmp_path, kwargs, name):
    args = {
        "spikes_t": [0.1],
        "spikes_i": [0],
        "target_t": [0.1],
        "target_i": [0],
        "period": PERIOD,
        "n_units": 2,
    }
    args.update(kwargs)
    path = tmp_path / "bad.png"
    with pytest.raises(ValueError, match=name):
        plot_raster(
            path,
            args.pop("spikes_t"),
            args.pop("spikes_i"),
            args.pop("target_t"),
            args.pop("target_i"),
            args.pop("period"),
            **args,
        )
    assert not path.exists()


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
    out = plot_membrane(
        path,
        membrane(n_units, 0),
        membrane(n_units, 1),
        target_t=np.array([0.1, 0.2, 0.3, 0.4]),
        period=PERIOD,
    )
    assert out == path
    assert_png(path)


def test_membrane_per_unit_targets_and_one_dimensional_trace(tmp_path):
    t, u = membrane(2, 0)
    path = tmp_path / "membrane_per_unit.png"
    plot_membrane(path, (t, u), (t, u), target_t=[[0.1, 0.2], [0.35]], period=PERIOD)
    assert_png(path)
    plot_membrane(path, (t, u[0]), (t, u[1]), theta=-55.0)
    assert_png(path)


def test_membrane_rejects_bad_input(tmp_path):
    t, u = membrane(2, 0)
    with pytest.raises(ValueError, match="before"):
        plot_membrane(tmp_path / "x.png", (t[:-1], u), (t, u))
    with pytest.raises(ValueError, match="period"):
        plot_membrane(tmp_path / "x.png", (t, u), (t, u), period=-1.0)
    with pytest.raises(ValueError, match="target_t"):
        plot_membrane(tmp_path / "x.png", (t, u), (t, u), target_t=[[0.1]] * 3)


# Rates and weights


def test_rates(tmp_path):
    block = np.arange(20)
    rates = {"hidden 1": 5 + block * 0.2, "output": 8 - block * 0.1}
    path = tmp_path / "rates.png"
    assert plot_rates(path, block, rates) == path
    assert_png(path)
    with pytest.raises(ValueError, match="output"):
        plot_rates(path, block, {"output": np.ones(3)})


def test_weights(tmp_path):
    rng = np.random.default_rng(3)
    initial = [rng.normal(0, 2, (100, 4)), rng.normal(0, 1, (4, 1))]
    final = [w + rng.normal(0.5, 1, w.shape) for w in initial]
    path = tmp_path / "weights.png"
    assert plot_weights(path, initial, final) == path
    assert_png(path)
    # A constant matrix (e.g. zero initial weights) still gets a visible bar.
    plot_weights(path, [np.zeros((3, 3))], [np.zeros((3, 3))], names=["input -> output"])
    assert_png(path)
    with pytest.raises(ValueError, match="final"):
        plot_weights(path, initial, final[:1])
    with pytest.raises(ValueError, match="shape"):
        plot_weights(path, initial[:1], [np.zeros((2, 2))])
