"""Checks of plain numbers and arrays, for code that runs without Brian2.

Results read from files (costs, spike times in s, weights in mV) carry no
Brian2 units, and the figures are drawn from them without importing Brian2.
The errors are the package's own (:mod:`superspike_brian.errors`): one line
naming the parameter and the expected form. Checks of quantities with units
are in :mod:`superspike_brian.validation`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from superspike_brian.errors import ArgumentTypeError, ArgumentValueError

__all__ = [
    "is_numeric",
    "check_positive_int",
    "check_number",
    "check_array_1d",
    "check_finite",
    "check_same_length",
    "check_unit_ids",
]


def _is_quantity(value):
    """Whether ``value`` is a Brian2 quantity, without importing Brian2."""
    return type(value).__module__.startswith("brian2")


def is_numeric(value):
    """Whether ``value`` holds real numbers (not booleans, strings or ragged objects)."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):  # ragged or exotic objects are not numbers
        return False
    return arr.dtype.kind in "iuf" and arr.dtype != bool


def check_positive_int(name, value, minimum=1):
    """Check that `value` is an integer of at least `minimum`.

    Parameters
    ----------
    name : str
        Name of the parameter, used in the error message.
    value : int
        The value to check. Python and numpy integers are accepted; floats
        (even integral ones such as ``100.0``) and booleans are not, because
        they usually signal a mix-up of arguments.
    minimum : int, optional
        The smallest allowed value. Default: 1.

    Returns
    -------
    int
        `value` as a Python int.

    Raises
    ------
    TypeError
        If `value` is not an integer.
    ValueError
        If `value` is smaller than `minimum`.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(
            f"{name} must be an integer >= {minimum}, got {type(value).__name__} {value!r}"
        )
    if value < minimum:
        raise ArgumentValueError(f"{name} must be an integer >= {minimum}, got {int(value)}")
    return int(value)


def check_number(name, value, *, positive=False, nonnegative=False, unit=None):
    """Return a plain real number as a float, checked to be finite (and in range).

    Parameters
    ----------
    name : str
        Name of the parameter, used in the error message.
    value : float
        A Python or numpy real number (a brian2 quantity is refused: the
        parameter is a plain number in the unit its documentation gives).
    positive : bool, optional
        Require ``value > 0``. Default: False.
    nonnegative : bool, optional
        Require ``value >= 0``. Default: False.
    unit : str, optional
        Unit of `value` (e.g. ``"s"``), shown after the number in messages.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If `value` is not a real number.
    ValueError
        If `value` is NaN or infinite, or fails a range check, e.g.
        ``period must be positive, got -0.5 s``.
    """
    if (
        isinstance(value, bool)
        or _is_quantity(value)
        or not (isinstance(value, numbers.Real) or (np.ndim(value) == 0 and is_numeric(value)))
    ):
        raise ArgumentTypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    x = float(value)
    shown = f"{x:g}" if unit is None else f"{x:g} {unit}"
    if not math.isfinite(x):
        raise ArgumentValueError(f"{name} must be finite, got {shown}")
    if positive and not x > 0:
        raise ArgumentValueError(f"{name} must be positive, got {shown}")
    if nonnegative and not x >= 0:
        raise ArgumentValueError(f"{name} must be non-negative, got {shown}")
    return x


def check_array_1d(name, value, *, finite=False):
    """Return `value` as a one-dimensional float array (a scalar becomes one element).

    Parameters
    ----------
    name : str
        Name of the parameter, used in the error message.
    value : array_like
        Numbers.
    finite : bool, optional
        Require every element to be finite. Default: False.

    Returns
    -------
    numpy.ndarray of float, shape (n,)

    Raises
    ------
    TypeError
        If `value` does not hold numbers.
    ValueError
        If `value` has more than one dimension, or (with `finite`) holds NaN or
        infinite values.
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentTypeError(
            f"{name} must be an array of numbers, got {type(value).__name__}"
        ) from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ArgumentValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return check_finite(name, arr) if finite else arr


def check_finite(name, value):
    """Return the array `value` after checking that every element is finite.

    Parameters
    ----------
    name : str
        Name of the parameter, used in the error message.
    value : numpy.ndarray
        Numbers, any shape.

    Returns
    -------
    numpy.ndarray
        `value`, unchanged.

    Raises
    ------
    ValueError
        If an element is NaN or infinite.
    """
    if not np.all(np.isfinite(value)):
        raise ArgumentValueError(f"{name} must contain only finite values")
    return value


def check_same_length(name_a, a, name_b, b):
    """Check that two sequences have the same length.

    Parameters
    ----------
    name_a, name_b : str
        Names of the parameters, used in the error message.
    a, b : sized
        The sequences (lists, arrays, ranges).

    Raises
    ------
    ValueError
        If ``len(a) != len(b)``.
    """
    if len(a) != len(b):
        raise ArgumentValueError(
            f"{name_a} and {name_b} must have the same length, got {len(a)} and {len(b)}"
        )


def check_unit_ids(name, value, n_units):
    """Return unit ids as a one-dimensional int64 array, checked to lie in ``[0, n_units)``.

    Parameters
    ----------
    name : str
        Name of the parameter, used in the error message.
    value : array_like
        Integer ids (integral floats, as read from text files, are accepted).
    n_units : int
        Number of units.

    Returns
    -------
    numpy.ndarray of int64, shape (n,)

    Raises
    ------
    ValueError
        If `value` has more than one dimension, holds a non-integer, or an id
        outside ``[0, n_units)``.
    """
    ids = np.asarray(value)
    if ids.ndim == 0:
        ids = ids.reshape(1)
    if ids.ndim != 1:
        raise ArgumentValueError(f"{name} must be one-dimensional, got shape {ids.shape}")
    if ids.size and not np.all(np.mod(ids, 1) == 0):
        raise ArgumentValueError(f"{name} must contain integer unit ids")
    ids = ids.astype(np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= n_units):
        raise ArgumentValueError(
            f"{name} must be unit ids in [0, n_units) = [0, {n_units}), "
            f"got values in [{ids.min()}, {ids.max()}]"
        )
    return ids
