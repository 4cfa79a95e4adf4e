"""Tests of SpikeRaster and the .ras file format."""

import os
import re

import numpy as np
import pytest
from brian2 import Hz, ms, mV, second

from superspike_brian.tasks.spikeio import SpikeRaster, read_ras, write_ras

DT = 1e-4  # the default simulation step, in seconds


def write_text(tmp_path, text, name="spikes.ras"):
    path = tmp_path / name
    path.write_text(text)
    return path


# SpikeRaster


def test_raster_is_sorted_and_typed():
    r = SpikeRaster([0.3, 0.1, 0.1], [0, 2, 1], n_units=3, duration=0.5)
    np.testing.assert_array_equal(r.times, [0.1, 0.1, 0.3])
    np.testing.assert_array_equal(r.ids, [1, 2, 0])
    assert r.times.dtype == np.float64
    assert r.ids.dtype == np.int64
    assert isinstance(r.n_units, int)
    assert isinstance(r.duration, float)
    assert len(r) == r.n_spikes == 3
    with pytest.raises(ValueError):
        r.times[0] = 0.2  # read-only
    with pytest.raises(AttributeError):
        r.n_units = 4  # frozen


def test_raster_accepts_quantities_and_integral_float_ids():
    r = SpikeRaster(np.array([1.0, 2.0]) * ms, np.array([0.0, 1.0]), 2, 5 * ms)
    np.testing.assert_allclose(r.times, [1e-3, 2e-3])
    assert r.ids.dtype == np.int64
    assert r.duration == pytest.approx(5e-3)


def test_raster_empty():
    r = SpikeRaster([], [], n_units=4, duration=0.1)
    assert r.n_spikes == 0
    assert r.dense(DT).shape == (1000, 4)
    assert not r.dense(DT).any()
    assert r.rate() == 0 * Hz


def test_raster_equality():
    a = SpikeRaster([0.2, 0.1], [0, 1], 2, 0.5)
    b = SpikeRaster([0.1, 0.2], [1, 0], 2, 0.5)
    assert a == b
    assert a != SpikeRaster([0.1, 0.2], [1, 0], 3, 0.5)
    assert a != SpikeRaster([0.1, 0.2], [1, 0], 2, 0.6)
    assert "2 spikes" in repr(a)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"times": [0.1, 0.2], "ids": [0]},
            ValueError,
            "SpikeRaster.times and SpikeRaster.ids must have the same length",
        ),
        (
            {"times": [[0.1]], "ids": [[0]]},
            ValueError,
            "SpikeRaster.times must be one-dimensional",
        ),
        (
            {"times": [0.1], "ids": [[0]]},
            ValueError,
            "SpikeRaster.ids must be one-dimensional",
        ),
        (
            {"times": [np.nan], "ids": [0]},
            ValueError,
            "SpikeRaster.times must be finite",
        ),
        (
            {"times": [np.inf], "ids": [0]},
            ValueError,
            "SpikeRaster.times must be finite",
        ),
        (
            {"times": [0.1, -0.1], "ids": [0, 0]},
            ValueError,
            r"SpikeRaster.times must be non-negative, found -0.1 s at index 1",
        ),
        (
            {"times": [0.5], "ids": [0]},
            ValueError,
            r"SpikeRaster.times must be below duration \(0.5 s\)",
        ),
        (
            {"times": [0.1], "ids": [3]},
            ValueError,
            r"SpikeRaster.ids must be in \[0, n_units=3\), found 3",
        ),
        (
            {"times": [0.1], "ids": [-1]},
            ValueError,
            r"SpikeRaster.ids must be in \[0, n_units=3\), found -1",
        ),
        (
            {"times": [0.1], "ids": [1.5]},
            ValueError,
            "SpikeRaster.ids must be integers, found 1.5",
        ),
        ({"times": [0.1], "ids": ["a"]}, TypeError, "SpikeRaster.ids must be an array"),
        ({"times": ["a"], "ids": [0]}, TypeError, "SpikeRaster.times must be an array"),
        ({"n_units": 0}, ValueError, "SpikeRaster.n_units must be an integer >= 1"),
        ({"n_units": 2.0}, TypeError, "SpikeRaster.n_units must be an integer"),
        ({"duration": 0.0}, ValueError, "SpikeRaster.duration must be positive"),
        ({"duration": np.nan}, ValueError, "SpikeRaster.duration must be finite"),
        ({"duration": 5 * mV}, TypeError, r"SpikeRaster.duration .*\(voltage\)"),
        (
            {"times": [1] * mV, "ids": [0]},
            TypeError,
            r"SpikeRaster.times .*\(voltage\)",
        ),
    ],
)
def test_raster_validation(kwargs, error, message):
    args = {"times": [0.1], "ids": [0], "n_units": 3, "duration": 0.5}
    args.update(kwargs)
    with pytest.raises(error, match=message):
        SpikeRaster(**args)


def test_to_steps_rounds_and_shifts():
    r = SpikeRaster([0.0, 0.00004, 0.00006, 0.00825, 0.4999], [0] * 5, 1, 0.5)
    np.testing.assert_array_equal(r.to_steps(DT), [0, 0, 1, 83, 4999])
    # The axonal delay of 0.8 ms is 8 steps; 0.4999 + 0.0008 passes the end.
    np.testing.assert_array_equal(r.to_steps(DT, shift_seconds=0.0008), [8, 8, 9, 91, 5007])
    np.testing.assert_array_equal(r.to_steps(DT, shift_seconds=0.0008, wrap=True), [8, 8, 9, 91, 7])
    assert r.to_steps(DT).dtype == np.int64
    # Quantities are accepted too.
    np.testing.assert_array_equal(r.to_steps(0.1 * ms, 0.8 * ms), [8, 8, 9, 91, 5007])


def test_to_steps_bad_arguments():
    r = SpikeRaster([0.1], [0], 1, 0.5)
    with pytest.raises(ValueError, match="dt_seconds must be positive"):
        r.to_steps(0.0)
    with pytest.raises(TypeError, match="shift_seconds must be a time"):
        r.to_steps(DT, "0.8")
    with pytest.raises(TypeError, match=r"dt_seconds .*\(voltage\)"):
        r.to_steps(0.1 * mV)


def test_dense_places_spikes_with_shift_and_wrap():
    r = SpikeRaster([0.0, 0.0012, 0.0049, 0.0031], [1, 0, 2, 0], 3, 0.005)
    d = r.dense(1e-3)
    assert d.shape == (5, 3)
    assert d.dtype == bool
    expected = np.zeros((5, 3), dtype=bool)
    expected[0, 1] = expected[1, 0] = expected[3, 0] = True
    # 4.9 ms rounds to step 5 == the period: wraps to step 0.
    expected[0, 2] = True
    np.testing.assert_array_equal(d, expected)

    shifted = r.dense(1e-3, shift_seconds=0.002)
    expected = np.zeros((5, 3), dtype=bool)
    expected[2, 1] = expected[3, 0] = True
    expected[0, 0] = True  # 3.1 + 2 ms = 5.1 ms -> step 5 -> wraps to 0
    expected[2, 2] = True  # 4.9 + 2 ms = 6.9 ms -> step 7 -> wraps to 2
    np.testing.assert_array_equal(shifted, expected)
    # A shift of a whole period changes nothing.
    np.testing.assert_array_equal(r.dense(1e-3, shift_seconds=0.005), d)


def test_dense_counts_on_the_default_grid():
    times = np.arange(1, 100) * 0.005  # on the 0.1 ms grid
    r = SpikeRaster(times, np.arange(99) % 7, 7, 0.5)
    d = r.dense(DT, shift_seconds=0.0008)
    assert d.shape == (5000, 7)
    assert d.sum() == 99
    steps, units = np.nonzero(d)
    np.testing.assert_array_equal(np.sort(steps), np.sort((np.arange(1, 100) * 50 + 8) % 5000))
    assert set(units) == set(range(7))


def test_dense_duration_not_a_multiple_of_dt():
    r = SpikeRaster([0.1], [0], 1, 0.50005)
    with pytest.raises(
        ValueError,
        match=re.escape("duration (0.50005 s) is not a multiple of dt (1 ms)"),
    ):
        r.dense(1e-3)
    with pytest.raises(ValueError, match="not a multiple"):
        r.to_steps(1e-3, wrap=True)
    # Without wrapping the period does not matter.
    np.testing.assert_array_equal(r.to_steps(1e-3), [100])


def test_rate_counts_repeat_on_grid():
    r = SpikeRaster([0.1, 0.2, 0.3, 0.45], [0, 0, 1, 3], 4, 0.5)
    assert r.rate() == 2 * Hz
    np.testing.assert_array_equal(r.spike_counts(), [2, 1, 0, 1])

    r3 = r.repeat(3)
    assert r3.duration == pytest.approx(1.5)
    assert r3.n_spikes == 12
    np.testing.assert_allclose(r3.times[:4], r.times)
    np.testing.assert_allclose(r3.times[8:], r.times + 1.0)
    np.testing.assert_array_equal(r3.ids[4:8], r.ids)
    assert r3.rate() == r.rate()
    assert r.repeat(1) == r
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        r.repeat(0)

    # A spike just below the end stays inside the repeated raster.
    end = SpikeRaster([np.nextafter(0.1, 0)], [0], 1, 0.1).repeat(7)
    assert end.times[-1] < end.duration

    g = SpikeRaster([0.00012, 0.49996], [0, 1], 2, 0.5).on_grid(DT)
    np.testing.assert_allclose(g.times, [0.0, 0.0001])
    np.testing.assert_array_equal(g.ids, [1, 0])


# .ras files


def test_round_trip(tmp_path):
    r = SpikeRaster([0.0082, 0.0088, 0.4977, 0.0], [59, 64, 22, 3], 100, 0.5)
    path = tmp_path / "input.ras"
    write_ras(path, r)
    assert path.read_text().splitlines()[:2] == ["0.000000 3", "0.008200 59"]
    back = read_ras(path, n_units=100, duration=500 * ms)
    assert back == r
    # Re-writing gives the same bytes.
    again = tmp_path / "again.ras"
    write_ras(again, back)
    assert again.read_bytes() == path.read_bytes()


def test_round_trip_continuous_times(tmp_path):
    rng = np.random.default_rng(0)
    r = SpikeRaster(rng.uniform(0, 0.5, 200), rng.integers(0, 10, 200), 10, 0.5)
    path = tmp_path / "continuous.ras"
    write_ras(path, r)
    back = read_ras(path, n_units=10, duration=0.5 * second)
    np.testing.assert_allclose(back.times, r.times, rtol=0, atol=5e-7)
    np.testing.assert_array_equal(back.ids, r.ids)
    # On the grid the round trip is exact.
    g = r.on_grid(DT)
    write_ras(path, g)
    back = read_ras(path, n_units=10, duration=0.5 * second)
    np.testing.assert_array_equal(back.dense(DT), g.dense(DT))


def test_write_time_just_below_end(tmp_path):
    r = SpikeRaster([0.4999998], [0], 1, 0.5)
    path = tmp_path / "end.ras"
    write_ras(path, r)
    assert path.read_text() == "0.499999 0\n"
    assert read_ras(path, duration=500 * ms).n_spikes == 1


def test_write_is_atomic_and_overwrites(tmp_path):
    path = tmp_path / "out.ras"
    path.write_text("garbage\n")
    write_ras(str(path), SpikeRaster([0.25], [1], 2, 0.5))
    assert path.read_text() == "0.250000 1\n"
    assert os.listdir(tmp_path) == ["out.ras"]  # no temporary file left
    with pytest.raises(TypeError, match="raster must be a SpikeRaster"):
        write_ras(path, [(0.1, 0)])
    assert path.read_text() == "0.250000 1\n"
    with pytest.raises(FileNotFoundError, match=r"cannot write .*x\.ras: folder"):
        write_ras(tmp_path / "no" / "x.ras", SpikeRaster([0.25], [1], 2, 0.5))


def test_read_ignores_comments_and_blank_lines(tmp_path):
    path = write_text(tmp_path, "# time id\n\n0.1 1\n   \n  # x\n0.05\t0\n")
    r = read_ras(path)
    np.testing.assert_array_equal(r.times, [0.05, 0.1])
    np.testing.assert_array_equal(r.ids, [0, 1])


def test_read_defaults(tmp_path):
    path = write_text(tmp_path, "0.4977 22\n0.0082 59\n")
    r = read_ras(path)
    assert r.n_units == 60
    assert r.duration == 0.498  # the next whole millisecond above 497.7 ms
    # A spike exactly on a millisecond: the duration is strictly above it.
    assert read_ras(write_text(tmp_path, "0.499 0\n")).duration == 0.5
    assert read_ras(write_text(tmp_path, "0 0\n")).duration == 0.001
    r = read_ras(path, n_units=100, duration=1 * second)
    assert (r.n_units, r.duration) == (100, 1.0)


def test_read_integral_float_ids_and_offset(tmp_path):
    path = write_text(tmp_path, "0.1 1\n0.2 2.0\n")
    np.testing.assert_array_equal(read_ras(path).ids, [1, 2])
    r = read_ras(path, id_offset=1)
    np.testing.assert_array_equal(r.ids, [0, 1])
    assert r.n_units == 2


def test_read_empty_file(tmp_path):
    path = write_text(tmp_path, "# nothing\n")
    r = read_ras(path, n_units=2, duration=500 * ms)
    assert r.n_spikes == 0
    with pytest.raises(ValueError, match=r"spikes.ras contains no spikes; pass n_units"):
        read_ras(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0.1 0\n0.2 1 7\n", r"line 2: expected two columns .*got 3"),
        ("0.1 0\n\n0.2\n", r"line 3: expected two columns .*got 1"),
        ("0.1 0\nabc 1\n", r"line 2: spike time 'abc' is not a number"),
        ("0.1,0\n", r"line 1: expected two columns"),
        ("-0.1 0\n", r"line 1: spike time -0.1 is negative"),
        ("0.1 0\nnan 0\n", r"line 2: spike time 'nan' is not finite"),
        ("inf 0\n", r"line 1: spike time 'inf' is not finite"),
        ("0.1 2.5\n", r"line 1: unit id '2.5' is not an integer"),
        ("0.1 x\n", r"line 1: unit id 'x' is not an integer"),
        ("0.1 -1\n", r"line 1: unit id -1 is negative"),
    ],
)
def test_read_malformed(tmp_path, text, message):
    path = write_text(tmp_path, text, name="bad.ras")
    with pytest.raises(ValueError, match=r"spike file .*bad\.ras, " + message):
        read_ras(path)


def test_read_out_of_range(tmp_path):
    path = write_text(tmp_path, "0.1 0\n0.2 5\n", name="in.ras")
    with pytest.raises(
        ValueError,
        match=r"input file .*in\.ras, line 2: unit id 5 is out of range for n_units=5",
    ):
        read_ras(path, n_units=5, name="input file")
    with pytest.raises(ValueError, match=r"line 2: spike time 0.2 s is not before"):
        read_ras(path, duration=200 * ms)
    with pytest.raises(ValueError, match=r"line 1: unit id 0 is negative after .*1"):
        read_ras(path, id_offset=1)
    path = write_text(tmp_path, "0.1 1\n0.2 5\n", name="in.ras")
    with pytest.raises(ValueError, match=r"line 2: unit id 5 \(id_offset=1\) is out"):
        read_ras(path, id_offset=1, n_units=4)


def test_read_missing_file(tmp_path):
    missing = tmp_path / "nope.ras"
    with pytest.raises(FileNotFoundError, match=r"target file .*nope\.ras does not"):
        read_ras(missing, name="target file")


def test_read_bad_arguments(tmp_path):
    path = write_text(tmp_path, "0.1 0\n")
    with pytest.raises(TypeError, match=r"duration must be a quantity .*0.5\*ms"):
        read_ras(path, duration=0.5)
    with pytest.raises(TypeError, match=r"duration .*\(voltage\)"):
        read_ras(path, duration=0.5 * mV)
    with pytest.raises(ValueError, match="n_units must be an integer >= 1"):
        read_ras(path, n_units=0)
    with pytest.raises(ValueError, match="id_offset must be an integer >= 0"):
        read_ras(path, id_offset=-1)
