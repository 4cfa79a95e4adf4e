"""Spike rasters and the ``.ras`` spike file format.

A ``.ras`` file has one spike per line, two whitespace-separated columns: the
spike time in seconds and the integer id of the unit that spiked::

    0.008200 59
    0.008800 64

Blank lines and lines starting with ``#`` are ignored. The file does not store
the number of units or the length of the raster; pass them to `read_ras`.

A `SpikeRaster` holds the spikes of one period as plain floats in seconds (not
brian2 quantities): it is the exchange format between files, the Brian2 network
and the numpy oracle, which all put it on their own time grid with
`SpikeRaster.to_steps` or `SpikeRaster.dense`.
"""

import math
import os
from dataclasses import dataclass

import numpy as np
from brian2 import Hz, Quantity, ms, second

from superspike_brian.files import atomic_write
from superspike_brian.validation import (
    check_positive_int,
    check_quantity,
    check_seconds,
    steps_of_seconds,
)

__all__ = ["SpikeRaster", "read_ras", "write_ras"]

#: Grid on which `read_ras` rounds up the last spike time when no duration is
#: given: durations of experiments are whole milliseconds in practice.
DEFAULT_DURATION_GRID = 1e-3  # seconds

#: Number of decimals of the times written by `write_ras` (1 µs resolution,
#: ten times finer than the default simulation step).
WRITE_DECIMALS = 6

# Spikes that fall within this fraction of a step of a half-step boundary
# round up, so that e.g. 8.25 ms on a 0.1 ms grid gives the same step whatever
# the floating point error of the division.
_TIE_TOLERANCE = 1e-9


def _round_half_up(x):
    return np.floor(x + (0.5 + _TIE_TOLERANCE)).astype(np.int64)


@dataclass(frozen=True, eq=False)
class SpikeRaster:
    """The spikes of a population during one period.

    Parameters
    ----------
    times : array_like of float
        Spike times in seconds (plain numbers; a brian2 time quantity is also
        accepted and converted), each in ``[0, duration)``.
    ids : array_like of int
        Unit id of each spike, in ``[0, n_units)``; same length as `times`.
    n_units : int
        Number of units of the population (units may be silent).
    duration : float
        Length of the raster (its period when repeated) in seconds, > 0 (a
        brian2 time quantity is also accepted and converted).

    Notes
    -----
    The spikes are sorted by time, then by id, on construction, and the
    arrays are made read-only. Two rasters compare equal when all four fields
    are identical.

    Examples
    --------
    >>> r = SpikeRaster([0.002, 0.001], [1, 0], n_units=2, duration=0.005)
    >>> r.times, r.ids
    (array([0.001, 0.002]), array([0, 1]))
    >>> r.to_steps(0.001, shift_seconds=0.0008)
    array([2, 3])
    """

    times: np.ndarray
    ids: np.ndarray
    n_units: int
    duration: float

    def __post_init__(self):
        n_units = check_positive_int("SpikeRaster.n_units", self.n_units)
        duration = check_seconds("SpikeRaster.duration", self.duration)
        if duration <= 0:
            raise ValueError(f"SpikeRaster.duration must be positive, got {duration:g} s")
        times = _as_times(self.times)
        ids = _as_ids(self.ids)
        if times.shape != ids.shape:
            raise ValueError(
                f"SpikeRaster.times and SpikeRaster.ids must have the same "
                f"length, got {times.size} times and {ids.size} ids"
            )
        _check_range(times, ids, n_units, duration)

        # Sorting makes equal rasters compare equal and files diff cleanly.
        order = np.lexsort((ids, times))
        times = times[order]
        ids = ids[order]
        times.flags.writeable = False
        ids.flags.writeable = False
        # The dataclass is frozen; object.__setattr__ is the documented way
        # to normalise fields in __post_init__.
        object.__setattr__(self, "times", times)
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "n_units", n_units)
        object.__setattr__(self, "duration", duration)

    def __len__(self):
        return self.times.size

    def __eq__(self, other):
        if not isinstance(other, SpikeRaster):
            return NotImplemented
        return (
            self.n_units == other.n_units
            and self.duration == other.duration
            and np.array_equal(self.times, other.times)
            and np.array_equal(self.ids, other.ids)
        )

    __hash__ = None

    def __repr__(self):
        return (
            f"SpikeRaster(<{self.n_spikes} spikes>, n_units={self.n_units}, "
            f"duration={self.duration:g})"
        )

    @property
    def n_spikes(self):
        """Total number of spikes."""
        return self.times.size

    def n_steps(self, dt_seconds):
        """Number of time steps in one period.

        Parameters
        ----------
        dt_seconds : float
            Time step in seconds, > 0.

        Returns
        -------
        int
            ``duration / dt_seconds``.

        Raises
        ------
        ValueError
            If the duration is not a multiple of the step (relative tolerance
            1e-9).
        """
        dt = check_seconds("dt_seconds", dt_seconds)
        return steps_of_seconds("duration", self.duration, dt, dt_name="dt")

    def to_steps(self, dt_seconds, shift_seconds=0.0, *, wrap=False):
        """Time step index of every spike.

        Parameters
        ----------
        dt_seconds : float
            Time step in seconds, > 0.
        shift_seconds : float, optional
            Added to every spike time before rounding, e.g. an axonal delay.
            Default: 0.
        wrap : bool, optional
            Take the steps modulo the number of steps of one period, so that
            a spike shifted past the end of the period reappears at its start
            (the raster is cyclic). Requires the duration to be a multiple of
            `dt_seconds`. Default: False.

        Returns
        -------
        steps : numpy.ndarray of int64
            ``round((times + shift_seconds) / dt_seconds)``, in the order of
            `times`. Exact halves round up.
        """
        dt = check_seconds("dt_seconds", dt_seconds)
        if dt <= 0:
            raise ValueError(f"dt_seconds must be positive, got {dt:g}")
        shift = check_seconds("shift_seconds", shift_seconds)
        steps = _round_half_up((self.times + shift) / dt)
        if wrap:
            steps = np.mod(steps, self.n_steps(dt))
        return steps

    def dense(self, dt_seconds, shift_seconds=0.0):
        """The raster on a time grid, as a boolean matrix.

        Parameters
        ----------
        dt_seconds : float
            Time step in seconds, > 0; the duration must be a multiple of it.
        shift_seconds : float, optional
            Added to every spike time; spikes shifted past the end of the
            period wrap around to its start. Default: 0.

        Returns
        -------
        numpy.ndarray of bool, shape (n_steps, n_units)
            Entry ``[n, j]`` is True when unit j has a spike at step n
            (`to_steps` with ``wrap=True``). Several spikes of one unit on the
            same step give a single True.
        """
        n_steps = self.n_steps(dt_seconds)
        out = np.zeros((n_steps, self.n_units), dtype=bool)
        out[self.to_steps(dt_seconds, shift_seconds, wrap=True), self.ids] = True
        return out

    def generator(self, dt, name="input"):
        """This raster, repeated, as a Brian2 ``SpikeGeneratorGroup``.

        Each spike lies on its step of the grid (``dense``), at most one per
        unit and step, so that the group replays exactly the steps the rule's
        tables and the oracle use.

        Parameters
        ----------
        dt : Quantity
            The simulation's time step.
        name : str
            Name of the group.

        Returns
        -------
        brian2.SpikeGeneratorGroup
        """
        from brian2 import SpikeGeneratorGroup

        steps, units = np.nonzero(self.dense(float(dt / second)))
        return SpikeGeneratorGroup(
            self.n_units, units, steps * dt, period=self.duration * second, sorted=True, name=name
        )

    def on_grid(self, dt_seconds):
        """The same raster with every time moved to the nearest step.

        Writing a raster on its grid makes `write_ras` lossless, so that the
        steps read back equal those of the original.

        Parameters
        ----------
        dt_seconds : float
            Time step in seconds, > 0; the duration must be a multiple of it.

        Returns
        -------
        SpikeRaster
            Spike times ``step * dt_seconds``, where a spike that rounds to
            the end of the period wraps around to time 0.
        """
        dt = check_seconds("dt_seconds", dt_seconds)
        steps = self.to_steps(dt, wrap=True)
        # Rounding to 1e-12 s gives the double nearest to the decimal time
        # (3.7 ms, not 3.7000000000000002 ms), which is what reading the
        # written file back gives.
        times = np.round(steps * dt, 12)
        return SpikeRaster(times, self.ids.copy(), self.n_units, self.duration)

    def spike_counts(self):
        """Number of spikes of every unit, an int64 array of length
        ``n_units``."""
        return np.bincount(self.ids, minlength=self.n_units).astype(np.int64)

    def rate(self):
        """Mean firing rate per unit over the period.

        Returns
        -------
        `Quantity`
            ``n_spikes / (n_units * duration)``, in Hz.
        """
        return self.n_spikes / (self.n_units * self.duration) * Hz

    def repeat(self, n):
        """`n` periods of this raster, one after the other.

        Parameters
        ----------
        n : int
            Number of periods, >= 1.

        Returns
        -------
        SpikeRaster
            A raster of duration ``n * duration``.
        """
        n = check_positive_int("n", n)
        offsets = np.repeat(np.arange(n) * self.duration, self.n_spikes)
        total = n * self.duration
        # A spike just below the end of the period must stay below the end
        # of the last period despite the rounding of the addition.
        times = np.minimum(np.tile(self.times, n) + offsets, np.nextafter(total, 0))
        return SpikeRaster(
            times,
            np.tile(self.ids, n),
            self.n_units,
            total,
        )


def _as_times(times):
    if isinstance(times, Quantity):
        check_quantity("SpikeRaster.times", times, second)
        times = np.asarray(times / second)
    try:
        arr = np.array(times, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"SpikeRaster.times must be an array of spike times in seconds: {err}"
        ) from None
    if arr.ndim != 1:
        raise ValueError(f"SpikeRaster.times must be one-dimensional, got shape {arr.shape}")
    return arr


def _as_ids(ids):
    arr = np.array(ids)
    if arr.ndim != 1:
        raise ValueError(f"SpikeRaster.ids must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        # Integral floats (e.g. from a text loader) are fine; fractions are not.
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            bad = arr[~np.isfinite(arr) | (arr != np.round(arr))][0]
            raise ValueError(f"SpikeRaster.ids must be integers, found {float(bad):g}")
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"SpikeRaster.ids must be an array of integers, got dtype {arr.dtype}")
    return arr.astype(np.int64)


def _check_range(times, ids, n_units, duration):
    bad = np.flatnonzero(~np.isfinite(times))
    if bad.size:
        raise ValueError(
            f"SpikeRaster.times must be finite, found {times[bad[0]]} at index {bad[0]}"
        )
    bad = np.flatnonzero(times < 0)
    if bad.size:
        raise ValueError(
            f"SpikeRaster.times must be non-negative, found {times[bad[0]]:g} s at index {bad[0]}"
        )
    bad = np.flatnonzero(times >= duration)
    if bad.size:
        raise ValueError(
            f"SpikeRaster.times must be below duration ({duration:g} s), found "
            f"{times[bad[0]]:g} s at index {bad[0]}"
        )
    bad = np.flatnonzero((ids < 0) | (ids >= n_units))
    if bad.size:
        raise ValueError(
            f"SpikeRaster.ids must be in [0, n_units={n_units}), found "
            f"{ids[bad[0]]} at index {bad[0]}"
        )


def _parse_id(text):
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    # "3.0" is an integer written by a tool that only writes floats.
    if math.isfinite(value) and value == int(value):
        return int(value)
    return None


def read_ras(path, *, n_units=None, duration=None, id_offset=0, name="spike file"):
    """Read a ``.ras`` spike file.

    Parameters
    ----------
    path : str or path-like
        The file: one spike per line, ``time_in_seconds unit_id``; blank lines
        and lines starting with ``#`` are ignored.
    n_units : int, optional
        Number of units. Default: the largest id (after `id_offset`) plus 1,
        which misses silent units with the highest ids, so pass it when known.
    duration : `Quantity`, optional
        Length of the raster (time units, e.g. ``500*ms``), normally the period
        of the task; every spike must come before it. Default: the smallest
        multiple of 1 ms strictly above the last spike time.
    id_offset : int, optional
        Subtracted from every id, e.g. 1 for files whose ids start at 1.
        Default: 0.
    name : str, optional
        What the file is, for error messages (e.g. ``"target file"``).
        Default: ``"spike file"``.

    Returns
    -------
    SpikeRaster

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If a line is malformed (not two columns, a time that is not a finite
        non-negative number, an id that is not an integer, negative after
        `id_offset`, or out of range for `n_units`), a spike is not before
        `duration`, or the file is empty and `n_units` or `duration` is
        missing. The message names the file and the line.
    """
    if n_units is not None:
        n_units = check_positive_int("n_units", n_units)
    if duration is not None:
        check_quantity("duration", duration, ms, positive=True)
        duration = float(np.asarray(duration / second))
    id_offset = check_positive_int("id_offset", id_offset, minimum=0)
    where = f"{name} {os.fspath(path)}"
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except FileNotFoundError:
        raise FileNotFoundError(f"{where} does not exist") from None
    except UnicodeDecodeError:
        raise ValueError(f"{where} is not a text file") from None

    times = []
    ids = []
    for lineno, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        at = f"{where}, line {lineno}"
        fields = stripped.split()
        if len(fields) != 2:
            raise ValueError(
                f"{at}: expected two columns 'time_in_seconds unit_id', got "
                f"{len(fields)} in {stripped!r}"
            )
        try:
            t = float(fields[0])
        except ValueError:
            raise ValueError(f"{at}: spike time {fields[0]!r} is not a number") from None
        if not math.isfinite(t):
            raise ValueError(f"{at}: spike time {fields[0]!r} is not finite")
        if t < 0:
            raise ValueError(f"{at}: spike time {fields[0]} is negative")
        if duration is not None and t >= duration:
            raise ValueError(
                f"{at}: spike time {fields[0]} s is not before the end of the "
                f"raster (duration {duration:g} s)"
            )
        raw_id = _parse_id(fields[1])
        if raw_id is None:
            raise ValueError(f"{at}: unit id {fields[1]!r} is not an integer")
        unit = raw_id - id_offset
        if unit < 0:
            offset = f" after subtracting id_offset={id_offset}" if id_offset else ""
            raise ValueError(f"{at}: unit id {raw_id} is negative{offset}")
        if n_units is not None and unit >= n_units:
            offset = f" (id_offset={id_offset})" if id_offset else ""
            raise ValueError(
                f"{at}: unit id {raw_id}{offset} is out of range for n_units={n_units}"
            )
        times.append(t)
        ids.append(unit)

    if not times and (n_units is None or duration is None):
        raise ValueError(
            f"{where} contains no spikes; pass n_units= and duration= to read it as a silent raster"
        )
    if n_units is None:
        n_units = max(ids) + 1
    if duration is None:
        duration = _default_duration(max(times))
    return SpikeRaster(
        np.array(times, dtype=np.float64),
        np.array(ids, dtype=np.int64),
        n_units,
        duration,
    )


def _default_duration(last):
    per_second = round(1 / DEFAULT_DURATION_GRID)
    k = math.floor(last / DEFAULT_DURATION_GRID) + 1
    # Guard against the division rounding a spike just below a grid point.
    if k / per_second <= last:
        k += 1
    if k / per_second <= last:
        # Times so large that the grid is finer than a float's resolution
        # (found by a generated file holding "1e300 0"): the next float.
        return math.nextafter(last, math.inf)
    return k / per_second


def write_ras(path, raster):
    """Write a raster to a ``.ras`` spike file, atomically.

    Parameters
    ----------
    path : str or path-like
        Destination; replaced if it exists. The file is written to a
        temporary file in the same folder and then renamed, so that readers
        never see a partial file.
    raster : SpikeRaster
        The spikes; written one per line as ``"%.6f %d"``, sorted by time.

    Notes
    -----
    Times are written with 1 µs resolution. A time within 0.5 µs of the end
    of the raster is written rounded down instead of up, so that the file
    can be read back with the same duration. Use `SpikeRaster.on_grid` first
    for a lossless round trip of the steps.
    """
    if not isinstance(raster, SpikeRaster):
        raise TypeError(f"raster must be a SpikeRaster, got {type(raster).__name__}")
    scale = 10.0**WRITE_DECIMALS
    times = np.round(raster.times, WRITE_DECIMALS)
    past_end = times >= raster.duration
    times[past_end] = np.floor(raster.times[past_end] * scale) / scale
    text = "".join(
        f"{t:.{WRITE_DECIMALS}f} {i:d}\n"
        for t, i in zip(times.tolist(), raster.ids.tolist(), strict=True)
    )

    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write {path}: folder {folder} does not exist")
    atomic_write(path, text)
