"""Tests of the task inputs and targets."""

import numpy as np
import pytest
from brian2 import Hz, ms, mV, second

from superspike_brian.tasks.single_neuron import (
    equidistant_targets,
    frozen_poisson,
    single_neuron_task,
)
from superspike_brian.tasks.spikeio import SpikeRaster, write_ras
from superspike_brian.tasks.task import Task, load_task


def test_frozen_poisson_is_frozen():
    a = frozen_poisson(100, 5 * Hz, 500 * ms, seed=3)
    b = frozen_poisson(100, 5 * Hz, 500 * ms, seed=3)
    c = frozen_poisson(100, 5 * Hz, 500 * ms, seed=4)
    assert a == b
    assert a != c
    assert a.n_units == 100
    assert a.duration == 0.5
    assert np.all((a.times >= 0) & (a.times < 0.5))
    # Times are continuous, not on a grid.
    assert np.any(np.abs(a.times / 1e-4 - np.round(a.times / 1e-4)) > 1e-3)


def test_frozen_poisson_rate():
    n_units, rate, duration = 1000, 5 * Hz, 2 * second
    r = frozen_poisson(n_units, rate, duration, seed=0)
    expected = n_units * float(rate * duration)  # 10000 spikes
    sigma = np.sqrt(expected)  # Poisson count
    assert abs(r.n_spikes - expected) < 3 * sigma
    assert abs(float(r.rate() / Hz) - 5) < 3 * sigma / (n_units * 2)
    # Every unit fires at the rate: per-unit counts have Poisson variance 10.
    counts = r.spike_counts()
    assert abs(counts.var() - 10) < 3 * np.sqrt(2 * 10**2 / n_units + 10 / n_units)
    # Homogeneous in time: the mean spike time is the middle of the period.
    assert abs(r.times.mean() - 1.0) < 3 * (2 / np.sqrt(12)) / np.sqrt(expected)


def test_frozen_poisson_zero_rate():
    r = frozen_poisson(10, 0 * Hz, 100 * ms, seed=0)
    assert r.n_spikes == 0
    assert r.n_units == 10


def test_frozen_poisson_bad_arguments():
    with pytest.raises(TypeError, match=r"rate must be a quantity .*\(e.g. 5\*Hz\)"):
        frozen_poisson(10, 5, 500 * ms, seed=0)
    # 0.5 read in seconds is the usual period (500 ms): the example says so.
    with pytest.raises(TypeError, match=r"duration must be a quantity .*0.5\*second"):
        frozen_poisson(10, 5 * Hz, 0.5, seed=0)
    with pytest.raises(TypeError, match=r"rate .*\(frequency\).*\(voltage\)"):
        frozen_poisson(10, 5 * mV, 500 * ms, seed=0)
    with pytest.raises(ValueError, match="rate must be non-negative"):
        frozen_poisson(10, -5 * Hz, 500 * ms, seed=0)
    with pytest.raises(ValueError, match="n_units must be an integer >= 1"):
        frozen_poisson(0, 5 * Hz, 500 * ms, seed=0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        frozen_poisson(10, 5 * Hz, 500 * ms, seed=None)


def test_equidistant_targets():
    r = equidistant_targets(5, 500 * ms)
    np.testing.assert_allclose(
        r.times * 1e3, [83.333333, 166.666667, 250.0, 333.333333, 416.666667]
    )
    np.testing.assert_array_equal(r.ids, [0] * 5)
    assert (r.n_units, r.duration) == (1, 0.5)
    # On the 0.1 ms grid: steps 833, 1667, 2500, 3333, 4167.
    np.testing.assert_array_equal(r.to_steps(1e-4), [833, 1667, 2500, 3333, 4167])

    r = equidistant_targets(3, 1 * second, n_units=2)
    assert r.n_spikes == 6
    np.testing.assert_allclose(r.times, [0.25, 0.25, 0.5, 0.5, 0.75, 0.75])
    np.testing.assert_array_equal(r.spike_counts(), [3, 3])

    assert equidistant_targets(0, 500 * ms).n_spikes == 0
    with pytest.raises(TypeError, match="duration must be a quantity"):
        equidistant_targets(5, 500)


def test_single_neuron_task():
    task = single_neuron_task()
    assert (task.n_in, task.n_out, task.period) == (100, 1, 0.5)
    assert task.input == frozen_poisson(100, 5 * Hz, 500 * ms, seed=1)
    assert task.target == equidistant_targets(5, 500 * ms)
    assert task == single_neuron_task(seed=1)
    assert task.input != single_neuron_task(seed=2).input
    text = task.describe()
    assert "period 500 ms" in text
    assert "100 units" in text
    assert "83.3, 166.7, 250.0, 333.3, 416.7" in text

    small = single_neuron_task(seed=0, n_in=20, period=200 * ms, n_target_spikes=3)
    assert (small.n_in, small.period, small.target.n_spikes) == (20, 0.2, 3)


def test_task_validation():
    inputs = SpikeRaster([0.1], [0], 2, 0.5)
    target = SpikeRaster([0.2], [0], 1, 0.5)
    task = Task("t", inputs, target, 500 * ms)
    assert task.period == 0.5
    assert isinstance(task.period, float)
    with pytest.raises(ValueError, match=r"the target raster lasts 0.6 s but the"):
        Task("t", inputs, SpikeRaster([0.2], [0], 1, 0.6), 0.5)
    with pytest.raises(ValueError, match=r"the input raster lasts 0.5 s but"):
        Task("t", inputs, target, 0.6)
    with pytest.raises(TypeError, match="Task.target must be a SpikeRaster"):
        Task("t", inputs, [0.2], 0.5)
    with pytest.raises(TypeError, match=r"Task.period .*\(voltage\)"):
        Task("t", inputs, target, 5 * mV)
    with pytest.raises(ValueError, match="Task.period must be positive"):
        Task("t", inputs, target, -0.5)


def test_load_task(tmp_path):
    inputs = frozen_poisson(20, 10 * Hz, 300 * ms, seed=5).on_grid(1e-4)
    # Target ids start at 1 in the file, as in some external tools.
    (tmp_path / "target.ras").write_text("0.100 1\n0.200 1\n")
    write_ras(tmp_path / "input.ras", inputs)
    task = load_task(
        tmp_path / "input.ras",
        tmp_path / "target.ras",
        300 * ms,
        id_offset_target=1,
    )
    assert task.input == inputs
    np.testing.assert_array_equal(task.target.ids, [0, 0])
    assert (task.n_out, task.period, task.name) == (1, 0.3, "input -> target")

    named = load_task(
        tmp_path / "input.ras",
        tmp_path / "target.ras",
        0.3 * second,
        n_in=30,
        n_out=2,
        name="mine",
    )
    assert (named.n_in, named.n_out, named.name) == (30, 2, "mine")


def test_load_task_errors(tmp_path):
    write_ras(tmp_path / "input.ras", SpikeRaster([0.1], [0], 1, 0.5))
    (tmp_path / "target.ras").write_text("0.1 0\n0.4 0\n")
    with pytest.raises(ValueError, match=r"target file .*target\.ras, line 2: spike time 0.4 s"):
        load_task(tmp_path / "input.ras", tmp_path / "target.ras", 300 * ms)
    with pytest.raises(FileNotFoundError, match=r"input file .*missing\.ras"):
        load_task(tmp_path / "missing.ras", tmp_path / "target.ras", 500 * ms)
    with pytest.raises(TypeError, match=r"period must be a quantity .*500\*ms"):
        load_task(tmp_path / "input.ras", tmp_path / "target.ras", 500)


def test_match_scores_one_period_against_the_target():
    task = Task(
        "two units",
        SpikeRaster(np.array([0.01]), np.array([0]), 1, 0.5),
        SpikeRaster(np.array([0.1, 0.3, 0.2]), np.array([0, 0, 1]), 2, 0.5),
        0.5,
    )
    # Period 2 (1.0-1.5 s): unit 0 hits 0.1 within 0.8 ms, misses 0.3 by 2 ms and
    # spikes once more; unit 1 hits 0.2 exactly. Spikes of other periods do not count.
    times = [0.1, 1.1008, 1.302, 1.4, 1.2, 1.6]
    ids = [0, 0, 0, 0, 1, 0]
    got = task.match(times, ids, start=1.0)
    assert got == {"matched": 2, "missing": 1, "extra": 2, "exact": False}
    assert task.match(times, ids, start=1.0, window=3e-3)["missing"] == 0
    assert task.match([1.1, 1.3, 1.2], [0, 0, 1], start=1.0)["exact"]
    # One output spike cannot match two targets.
    close = Task(
        "close", task.input, SpikeRaster(np.array([0.1, 0.1005]), np.array([0, 0]), 1, 0.5), 0.5
    )
    assert close.match([0.1003], [0], start=0.0) == {
        "matched": 1,
        "missing": 1,
        "extra": 0,
        "exact": False,
    }
