"""Argument checks shared by the public entry points of superspike-brian.

Every helper raises an exception whose message names the offending parameter
and says what form was expected, so that a user who passes ``tau_mem=10``
instead of ``tau_mem=10*ms`` learns how to fix the call without reading the
source.

Conventions
-----------
* A value of the wrong *kind* (a plain number where a quantity is needed, a
  quantity of the wrong dimensions, a string where an integer is needed) raises
  `TypeError`.
* A value of the right kind but outside the allowed range (NaN, infinite,
  negative, not a multiple of the time step, not one of the choices) raises
  `ValueError`.

Besides brian2 quantities, the checks of plain numbers and arrays
(`check_number`, `check_array_1d`, `check_unit_ids`, ...) serve the code that
works on results loaded from files, such as the figures of
`superspike_brian.reporting`: times in seconds, voltages in mV, unit ids.
"""

import math
import numbers

import numpy as np
from brian2 import (
    Quantity,
    amp,
    farad,
    get_dimensions,
    ms,
    ohm,
    second,
    siemens,
    volt,
)
from brian2.units.fundamentalunits import DIMENSIONLESS

from superspike_brian.errors import ArgumentTypeError, ArgumentValueError, install_excepthook
from superspike_brian.plain_checks import (  # noqa: F401 - re-exported: one place to import checks
    check_array_1d,
    check_finite,
    check_number,
    check_positive_int,
    check_same_length,
    check_unit_ids,
    is_numeric,
)

# Brian2 installed its excepthook when it was imported (above): this package's
# errors are shown without its "please report" banner.
install_excepthook()

__all__ = [
    "STEP_RTOL",
    "check_array_1d",
    "check_choice",
    "check_finite",
    "check_number",
    "check_positive_int",
    "check_quantity",
    "check_same_length",
    "check_seconds",
    "check_unit_ids",
    "format_quantity",
    "steps_of",
    "steps_of_seconds",
]

#: Relative tolerance with which a duration must be a multiple of the time
#: step. Durations such as ``500*ms`` are not exact binary fractions, so an exact
#: test would reject them; 1e-9 is far below any meaningful step fraction.
STEP_RTOL = 1e-9

# Readable names for the dimensions users meet most often; anything else is
# shown in SI base units as brian2 prints it.
_DIMENSION_NAMES = {
    DIMENSIONLESS: "dimensionless",
    get_dimensions(second): "time",
    get_dimensions(1 / second): "frequency",
    get_dimensions(volt): "voltage",
    get_dimensions(1 / volt): "inverse voltage",
    get_dimensions(amp): "current",
    get_dimensions(ohm): "resistance",
    get_dimensions(siemens): "conductance",
    get_dimensions(farad): "capacitance",
}


def _dimension_name(dim):
    return _DIMENSION_NAMES.get(dim, f"dimensions {dim}")


def _number_text(value):
    """Short text for a plain number (numpy 2 reprs such as ``np.float64(1.0)``
    would confuse users)."""
    if isinstance(value, numbers.Integral):
        return str(int(value))
    return f"{float(value):g}"


def _example(value, unit):
    """A Python expression that would have been correct, e.g. ``10*ms``."""
    text = str(unit)
    if text.endswith("^-1") and text[:-3].isidentifier():
        return f"{value}/{text[:-3]}"
    if text.isidentifier():
        return f"{value}*{text}"
    return f"{value}*({text})"


def format_quantity(value, unit):
    """Format a scalar quantity in a chosen unit, e.g. ``"0.1 ms"``.

    brian2 picks its own display unit (``0.1*ms`` prints as ``100. us``); error
    messages read better in the unit the user is asked for.

    Parameters
    ----------
    value : `Quantity`
        A scalar quantity with the dimensions of `unit`.
    unit : `Unit`
        The unit to express `value` in.

    Returns
    -------
    str
    """
    return f"{float(np.asarray(value / unit)):g} {unit}"


#: The SI unit a plain number stands for in Brian2, by dimensions, for examples.
_SI_UNITS = {get_dimensions(u): u for u in (second, volt, amp, ohm, siemens, farad)}
#: How those units are written in Python (Brian2 prints ``second`` as ``s``).
_SI_NAMES = {second: "second", volt: "volt", amp: "amp", ohm: "ohm", siemens: "siemens"}


def _unit_name(unit):
    return next((n for u, n in _SI_NAMES.items() if u is unit), str(unit))


def _meant_unit(value, unit, typical):
    """The unit in which a plain number ``value`` is most likely meant: ``unit`` or SI.

    A user who writes ``period=0.5`` means 0.5 s, one who writes
    ``tau_mem=10`` means 10 ms: the reading closer to the ``typical`` size of
    the argument (its default), by more than a factor of ten, is the example the
    message gives; otherwise ``unit``.
    """
    si = _SI_UNITS.get(get_dimensions(unit))
    if typical is None or si is None or float(value) == 0:
        return unit
    size = abs(float(np.asarray(typical / si)))
    if size == 0 or not math.isfinite(size):
        return unit
    as_unit = abs(float(value) * float(np.asarray(unit / si)))
    as_si = abs(float(value))
    # The unit asked for, unless the SI reading is more than ten times closer.
    closer = abs(math.log10(as_unit / size)) - abs(math.log10(as_si / size))
    return si if closer > 1 else unit


def check_quantity(
    name, value, unit, *, positive=False, nonnegative=False, allow_zero=True, typical=None
):
    """Check that `value` is a finite brian2 quantity with the dimensions of
    `unit`.

    Parameters
    ----------
    name : str
        Name of the parameter, used in the error message.
    value : `Quantity`
        The value to check; a scalar or an array (range checks apply to every
        element).
    unit : `Unit`
        A unit with the required dimensions, e.g. ``ms``, ``mV``, ``Hz``,
        ``second``, ``1/mV``. Only its dimensions matter, and it is the unit
        suggested in error messages. For a dimensionless `unit` plain numbers
        are accepted.
    positive : bool, optional
        Require ``value > 0``. Default: False.
    nonnegative : bool, optional
        Require ``value >= 0``. Default: False.
    allow_zero : bool, optional
        If False, require ``value != 0``. Default: True.
    typical : `Quantity`, optional
        A value of the usual size (the default). For a plain number the
        message's example reads it in `unit` or in the SI unit, whichever
        lies closer to this size: ``period=0.5`` gets ``0.5*second``, not
        ``0.5*ms``.

    Returns
    -------
    value : `Quantity`
        `value`, unchanged.

    Raises
    ------
    TypeError
        If `value` is not a quantity (a plain number, a string, ...) or has
        the wrong dimensions.
    ValueError
        If `value` is NaN or infinite, or fails a range check.

    Examples
    --------
    >>> from brian2 import ms
    >>> check_quantity("tau_mem", 10 * ms, ms, positive=True)
    10. * msecond
    >>> check_quantity("tau_mem", 10, ms)
    Traceback (most recent call last):
    ...
    TypeError: tau_mem must be a quantity in units of ms (e.g. 10*ms), got the plain number 10
    """
    dim = get_dimensions(unit)
    if isinstance(value, (str, bytes, bool)):
        raise ArgumentTypeError(
            f"{name} must be a quantity in units of {unit} "
            f"(e.g. {_example(1, unit)}), got {value!r}"
        )
    if not isinstance(value, Quantity):
        if dim == DIMENSIONLESS and is_numeric(value):
            pass
        elif isinstance(value, numbers.Real):
            meant = _meant_unit(value, unit, typical)
            named = meant in _SI_NAMES
            example = (
                f"{_number_text(value)}*{_unit_name(meant)}"
                if named
                else _example(_number_text(value), meant)
            )
            raise ArgumentTypeError(
                f"{name} must be a quantity in units of {_unit_name(meant)} "
                f"(e.g. {example}), got the plain number {_number_text(value)}"
            )
        elif is_numeric(value):
            raise ArgumentTypeError(
                f"{name} must be a quantity in units of {unit} "
                f"(e.g. values*{unit} for an array), got a plain array without units"
            )
        else:
            raise ArgumentTypeError(
                f"{name} must be a quantity in units of {unit} "
                f"(e.g. {_example(1, unit)}), got {type(value).__name__} {value!r}"
            )
    elif value.dim != dim:
        raise ArgumentTypeError(
            f"{name} must be a quantity in units of {unit} "
            f"({_dimension_name(dim)}), got {value} "
            f"({_dimension_name(value.dim)})"
        )

    plain = np.asarray(value, dtype=float)
    shown = _shown(value, unit)
    if not np.all(np.isfinite(plain)):
        raise ArgumentValueError(f"{name} must be finite, got {shown}")
    if positive and not np.all(plain > 0):
        raise ArgumentValueError(f"{name} must be positive, got {shown}")
    if nonnegative and not np.all(plain >= 0):
        raise ArgumentValueError(f"{name} must be non-negative, got {shown}")
    if not allow_zero and np.any(plain == 0):
        raise ArgumentValueError(f"{name} must not be zero, got {shown}")
    return value


def _shown(value, unit):
    if np.ndim(value) == 0:
        if isinstance(value, Quantity):
            return format_quantity(value, unit)
        return _number_text(float(value))
    return str(value)


def check_seconds(name, value):
    """Return a time as a plain float in seconds, from a brian2 quantity or a
    plain number already in seconds.

    For the internal, float-seconds side of the package (`SpikeRaster` and its
    methods), where a plain number is unambiguous because the parameter name
    says ``_seconds``.

    Parameters
    ----------
    name : str
        Name of the parameter, used in the error message.
    value : float or `Quantity`
        A time, in seconds if a plain number.

    Returns
    -------
    float
        The time in seconds.

    Raises
    ------
    TypeError
        If `value` is neither a real number nor a time quantity.
    ValueError
        If `value` is NaN or infinite.
    """
    if isinstance(value, Quantity):
        check_quantity(name, value, second)
        seconds = float(np.asarray(value / second))
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise ArgumentTypeError(
            f"{name} must be a time in seconds (a number) or a brian2 quantity "
            f"(e.g. 0.1*ms), got {type(value).__name__} {value!r}"
        )
    if not math.isfinite(seconds):
        raise ArgumentValueError(f"{name} must be finite, got {seconds}")
    return seconds


def check_choice(name, value, choices):
    """Check that `value` is one of `choices`.

    Parameters
    ----------
    name : str
        Name of the parameter, used in the error message.
    value : object
        The value to check.
    choices : iterable
        The allowed values.

    Returns
    -------
    object
        `value`, unchanged.

    Raises
    ------
    ValueError
        If `value` is not among `choices`.
    """
    choices = tuple(choices)
    try:
        ok = value in choices
    except TypeError:  # unhashable or incomparable values are not choices
        ok = False
    if not ok:
        listed = ", ".join(repr(c) for c in choices)
        raise ArgumentValueError(f"{name} must be one of {listed}; got {value!r}")
    return value


def steps_of_seconds(name, duration, dt, *, dt_name="dt"):
    """Number of time steps in a duration, both given as floats in seconds.

    Parameters
    ----------
    name : str
        Name of the duration parameter, used in the error message.
    duration : float
        Non-negative duration in seconds.
    dt : float
        Positive time step in seconds.
    dt_name : str, optional
        Name of the time step parameter in error messages. Default: ``"dt"``.

    Returns
    -------
    int
        ``round(duration / dt)``.

    Raises
    ------
    ValueError
        If `duration` is negative, `dt` is not positive, or `duration` is not
        a multiple of `dt` within a relative tolerance of `STEP_RTOL`.
    """
    duration = float(duration)
    dt = float(dt)
    if not (math.isfinite(dt) and dt > 0):
        raise ArgumentValueError(f"{dt_name} must be positive, got {dt:g} s")
    if not (math.isfinite(duration) and duration >= 0):
        raise ArgumentValueError(f"{name} must be non-negative, got {duration:g} s")
    ratio = duration / dt
    n = round(ratio)
    if abs(ratio - n) > STEP_RTOL * max(abs(ratio), 1.0):
        raise ArgumentValueError(
            f"{name} ({duration:g} s) is not a multiple of {dt_name} ({dt / 1e-3:g} ms)"
        )
    return int(n)


def steps_of(name, duration, dt, *, dt_name="dt"):
    """Number of time steps in a duration.

    Parameters
    ----------
    name : str
        Name of the duration parameter, used in the error message.
    duration : `Quantity`
        Non-negative duration (time units, e.g. ``500*ms``).
    dt : `Quantity`
        Positive time step (time units, e.g. ``0.1*ms``).
    dt_name : str, optional
        Name of the time step parameter in error messages. Default: ``"dt"``.

    Returns
    -------
    int
        ``round(duration / dt)``.

    Raises
    ------
    TypeError
        If `duration` or `dt` is not a time quantity.
    ValueError
        If `duration` is negative, `dt` is not positive, or `duration` is not
        a multiple of `dt` within a relative tolerance of `STEP_RTOL`, e.g.
        ``duration (1.23456 s) is not a multiple of dt (0.1 ms)``.

    Examples
    --------
    >>> from brian2 import ms
    >>> steps_of("t_b", 500 * ms, 0.1 * ms)
    5000
    """
    check_quantity(name, duration, ms, nonnegative=True)
    check_quantity(dt_name, dt, ms, positive=True)
    return steps_of_seconds(
        name,
        float(np.asarray(duration / second)),
        float(np.asarray(dt / second)),
        dt_name=dt_name,
    )
