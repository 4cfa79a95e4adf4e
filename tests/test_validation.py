"""Tests of the argument checks in superspike_brian.validation."""

import re

import numpy as np
import pytest
from brian2 import Hz, ms, mV, second

from superspike_brian.validation import (
    check_array_1d,
    check_choice,
    check_finite,
    check_number,
    check_positive_int,
    check_quantity,
    check_same_length,
    check_seconds,
    check_unit_ids,
    format_quantity,
    steps_of,
    steps_of_seconds,
)


def test_check_quantity_returns_value():
    value = 10 * ms
    assert check_quantity("tau_mem", value, ms, positive=True) is value
    # Only the dimensions of the unit matter.
    assert check_quantity("duration", 2 * second, ms) == 2 * second


def test_check_quantity_plain_number_message():
    message = re.escape(
        "tau_mem must be a quantity in units of ms (e.g. 10*ms), got the plain number 10"
    )
    with pytest.raises(TypeError, match=message):
        check_quantity("tau_mem", 10, ms)
    with pytest.raises(TypeError, match=re.escape("(e.g. 2.5*Hz)")):
        check_quantity("rate", 2.5, Hz)
    with pytest.raises(TypeError, match=re.escape("(e.g. 2/mV)")):
        check_quantity("beta", 2, 1 / mV)
    # numpy scalars read like Python numbers, not np.float64(...)
    with pytest.raises(TypeError, match=re.escape("plain number 10")):
        check_quantity("tau_mem", np.float64(10), ms)


def test_check_quantity_wrong_dimensions_names_both():
    with pytest.raises(TypeError, match=r"tau_mem .*ms \(time\).*mV \(voltage\)"):
        check_quantity("tau_mem", 10 * mV, ms)
    with pytest.raises(TypeError, match=r"rate .*Hz \(frequency\).*\(time\)"):
        check_quantity("rate", 5 * ms, Hz)


def test_check_quantity_other_types():
    with pytest.raises(TypeError, match="tau_mem must be a quantity.*'10 ms'"):
        check_quantity("tau_mem", "10 ms", ms)
    with pytest.raises(TypeError, match="tau_mem must be a quantity"):
        check_quantity("tau_mem", True, ms)
    with pytest.raises(TypeError, match="w must be a quantity.*plain array"):
        check_quantity("w", np.ones(3), mV)
    with pytest.raises(TypeError, match="tau_mem must be a quantity.*NoneType"):
        check_quantity("tau_mem", None, ms)


def test_check_quantity_not_finite():
    with pytest.raises(ValueError, match="tau_mem must be finite, got nan ms"):
        check_quantity("tau_mem", np.nan * ms, ms)
    with pytest.raises(ValueError, match="tau_mem must be finite"):
        check_quantity("tau_mem", np.inf * ms, ms)
    with pytest.raises(ValueError, match="w must be finite"):
        check_quantity("w", np.array([1.0, np.nan]) * mV, mV)


def test_check_quantity_ranges():
    with pytest.raises(ValueError, match="tau_mem must be positive, got -1 ms"):
        check_quantity("tau_mem", -1 * ms, ms, positive=True)
    with pytest.raises(ValueError, match="tau_mem must be positive, got 0 ms"):
        check_quantity("tau_mem", 0 * ms, ms, positive=True)
    with pytest.raises(ValueError, match="delay must be non-negative"):
        check_quantity("delay", -0.1 * ms, ms, nonnegative=True)
    check_quantity("delay", 0 * ms, ms, nonnegative=True)
    with pytest.raises(ValueError, match="beta must not be zero"):
        check_quantity("beta", 0 / mV, 1 / mV, allow_zero=False)
    check_quantity("U_rest", -60 * mV, mV)
    check_quantity("w", np.array([-1.0, 2.0]) * mV, mV)


def test_check_quantity_message_uses_requested_unit():
    # brian2 would print 0.1*ms as "100. us"; the message uses the asked unit.
    with pytest.raises(ValueError, match="got -0.1 ms"):
        check_quantity("dt", -0.1 * ms, ms, positive=True)
    assert format_quantity(0.1 * ms, ms) == "0.1 ms"


def test_check_quantity_dimensionless_accepts_numbers():
    assert check_quantity("a", 4, 1) == 4
    with pytest.raises(ValueError, match="a must be positive"):
        check_quantity("a", -4, 1, positive=True)


def test_check_seconds():
    assert check_seconds("dt_seconds", 1e-4) == 1e-4
    assert check_seconds("dt_seconds", 0.1 * ms) == pytest.approx(1e-4)
    with pytest.raises(TypeError, match="dt_seconds .*mV"):
        check_seconds("dt_seconds", 1 * mV)
    with pytest.raises(TypeError, match="dt_seconds must be a time"):
        check_seconds("dt_seconds", "0.1")
    with pytest.raises(ValueError, match="dt_seconds must be finite"):
        check_seconds("dt_seconds", float("nan"))


def test_check_positive_int():
    assert check_positive_int("n_in", 100) == 100
    assert check_positive_int("n_in", np.int64(3)) == 3
    assert type(check_positive_int("n_in", np.int32(3))) is int
    assert check_positive_int("seed", 0, minimum=0) == 0
    with pytest.raises(ValueError, match=r"n_in must be an integer >= 1, got 0"):
        check_positive_int("n_in", 0)
    with pytest.raises(TypeError, match=r"n_in must be an integer >= 1, got float"):
        check_positive_int("n_in", 100.0)
    with pytest.raises(TypeError, match="n_in must be an integer"):
        check_positive_int("n_in", True)
    with pytest.raises(TypeError, match="n_in must be an integer"):
        check_positive_int("n_in", "100")


def test_check_choice():
    assert check_choice("feedback", "random", ("symmetric", "random")) == "random"
    with pytest.raises(
        ValueError,
        match=r"feedback must be one of 'symmetric', 'random'; got 'sym'",
    ):
        check_choice("feedback", "sym", ("symmetric", "random"))
    with pytest.raises(ValueError, match="feedback must be one of"):
        check_choice("feedback", ["random"], ("symmetric", "random"))


def test_steps_of():
    assert steps_of("t_b", 500 * ms, 0.1 * ms) == 5000
    assert steps_of("delay", 0.8 * ms, 0.1 * ms) == 8
    assert steps_of("duration", 0.3 * second, 0.1 * ms) == 3000
    assert steps_of("duration", 0 * ms, 0.1 * ms) == 0
    assert isinstance(steps_of("t_b", 500 * ms, 0.1 * ms), int)


def test_steps_of_not_a_multiple():
    message = re.escape("duration (1.23456 s) is not a multiple of dt (0.1 ms)")
    with pytest.raises(ValueError, match=message):
        steps_of("duration", 1.23456 * second, 0.1 * ms)
    with pytest.raises(ValueError, match=r"tau_ref \(0.00505 s\) is not a multiple"):
        steps_of("tau_ref", 5.05 * ms, 0.1 * ms)


def test_steps_of_bad_arguments():
    with pytest.raises(TypeError, match=r"duration must be a quantity.*500\*ms"):
        steps_of("duration", 500, 0.1 * ms)
    with pytest.raises(TypeError, match="dt must be a quantity"):
        steps_of("duration", 500 * ms, 0.1)
    with pytest.raises(TypeError, match=r"duration must be a quantity.*\(voltage\)"):
        steps_of("duration", 500 * mV, 0.1 * ms)
    with pytest.raises(ValueError, match="duration must be non-negative"):
        steps_of("duration", -1 * ms, 0.1 * ms)
    with pytest.raises(ValueError, match="dt must be positive"):
        steps_of("duration", 1 * ms, 0 * ms)


def test_steps_of_seconds():
    assert steps_of_seconds("duration", 0.5, 1e-4) == 5000
    with pytest.raises(ValueError, match=r"period \(0.50005 s\) is not a multiple"):
        steps_of_seconds("period", 0.50005, 1e-3)
    with pytest.raises(ValueError, match="dt must be positive"):
        steps_of_seconds("period", 0.5, -1e-4)


# Plain numbers and arrays


def test_check_number():
    assert check_number("period", np.float32(0.5), positive=True) == 0.5
    assert check_number("rate", np.array(0), nonnegative=True) == 0.0
    with pytest.raises(ValueError, match=re.escape("period must be positive, got -0.5 s")):
        check_number("period", -0.5, positive=True, unit="s")
    with pytest.raises(ValueError, match=re.escape("target_rate must be non-negative, got -1 Hz")):
        check_number("target_rate", -1, nonnegative=True, unit="Hz")
    with pytest.raises(ValueError, match="duration must be finite, got inf s"):
        check_number("duration", float("inf"), unit="s")
    for bad in ("0.5", True, [0.5], 0.5 * second):
        with pytest.raises(TypeError, match="period must be a number, got"):
            check_number("period", bad)


def test_check_array_1d():
    np.testing.assert_array_equal(check_array_1d("block", 3), [3.0])
    assert check_array_1d("block", [1, 2]).dtype == float
    with pytest.raises(
        ValueError, match=re.escape("block must be one-dimensional, got shape (2, 2)")
    ):
        check_array_1d("block", np.ones((2, 2)))
    with pytest.raises(ValueError, match="block must contain only finite values"):
        check_array_1d("block", [0.0, np.nan], finite=True)
    check_array_1d("block", [0.0, np.nan])  # finite only when asked
    with pytest.raises(TypeError, match="block must be an array of numbers, got list"):
        check_array_1d("block", ["a", "b"])


def test_check_finite_and_same_length():
    w = np.zeros((2, 3))
    assert check_finite("initial[0]", w) is w
    with pytest.raises(ValueError, match=re.escape("final[1] must contain only finite values")):
        check_finite("final[1]", np.full((2, 3), -np.inf))
    check_same_length("a", [1, 2], "b", range(2))
    message = "names and initial must have the same length, got 1 and 2"
    with pytest.raises(ValueError, match=message):
        check_same_length("names", ["x"], "initial", [w, w])


def test_check_unit_ids():
    ids = check_unit_ids("spikes_i", [0.0, 2.0, 1], 3)
    assert ids.dtype == np.int64 and list(ids) == [0, 2, 1]
    assert check_unit_ids("spikes_i", [], 3).size == 0
    message = re.escape("spikes_i must be unit ids in [0, n_units) = [0, 3), got values in [0, 3]")
    with pytest.raises(ValueError, match=message):
        check_unit_ids("spikes_i", [0, 3], 3)
    with pytest.raises(ValueError, match="target_i must contain integer unit ids"):
        check_unit_ids("target_i", [0.5], 3)
    with pytest.raises(ValueError, match="spikes_i must be one-dimensional"):
        check_unit_ids("spikes_i", [[0]], 3)
