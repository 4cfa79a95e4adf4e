"""A learning task: a frozen input raster and the target raster to reproduce.

:class:`Task` holds one period of input and target spikes, repeated during
training; :func:`load_task` reads one from two spike files. The tasks of the
paper are in :mod:`~superspike_brian.tasks.single_neuron` (Fig 2),
:mod:`~superspike_brian.tasks.pattern` (Figs 6-8) and
:mod:`~superspike_brian.tasks.xor` (Fig 5).
"""

import math
import numbers
import os
from dataclasses import dataclass

import numpy as np
from brian2 import Hz, Quantity, ms, second

from superspike_brian.tasks.spikeio import SpikeRaster, read_ras
from superspike_brian.validation import check_quantity, format_quantity

__all__ = ["Task", "load_task"]

# Relative tolerance for a raster's duration to count as the task period: both
# usually come from the same quantity, but through different float paths.
_PERIOD_RTOL = 1e-9

# describe() lists at most this many target spike times per unit.
_MAX_LISTED = 10


@dataclass
class Task:
    """A learning task: an input raster and the target raster of the output
    layer, both one period long and repeated during training.

    Parameters
    ----------
    name : str
        Short description, used in logs and plots.
    input : SpikeRaster
        Spikes of the input population during one period.
    target : SpikeRaster
        Desired spikes of the output population during one period.
    period : float
        Length of one period in seconds (a brian2 time quantity is also
        accepted and converted); must equal the duration of both rasters.
    kind : str
        Where the task comes from, for records and figures: 'single_neuron'
        (the built-in task), 'files' (spike files), 'image' (a picture as
        target), 'pattern', 'xor', or 'spikes' (default: any other rasters).
    """

    name: str
    input: SpikeRaster
    target: SpikeRaster
    period: float
    kind: str = "spikes"

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise TypeError(f"Task.name must be a string, got {type(self.name).__name__}")
        for field in ("input", "target"):
            value = getattr(self, field)
            if not isinstance(value, SpikeRaster):
                raise TypeError(f"Task.{field} must be a SpikeRaster, got {type(value).__name__}")
        if isinstance(self.period, Quantity):
            check_quantity("Task.period", self.period, second, positive=True)
            self.period = float(np.asarray(self.period / second))
        elif isinstance(self.period, numbers.Real) and not isinstance(self.period, bool):
            self.period = float(self.period)
        else:
            raise TypeError(
                f"Task.period must be a time in seconds or a brian2 quantity "
                f"(e.g. 500*ms), got {type(self.period).__name__}"
            )
        if not (math.isfinite(self.period) and self.period > 0):
            raise ValueError(f"Task.period must be positive, got {self.period:g} s")
        for field in ("input", "target"):
            raster = getattr(self, field)
            if not math.isclose(raster.duration, self.period, rel_tol=_PERIOD_RTOL, abs_tol=0.0):
                raise ValueError(
                    f"Task {self.name!r}: the {field} raster lasts "
                    f"{raster.duration:g} s but the period is {self.period:g} s"
                )

    @property
    def n_in(self):
        """Number of input units."""
        return self.input.n_units

    @property
    def n_out(self):
        """Number of output units."""
        return self.target.n_units

    def match(self, times, ids, start, window=1e-3):
        """How the output spikes of one period match the target spikes.

        Parameters
        ----------
        times, ids : array_like
            Output spikes (s, unit) of the whole run.
        start : float
            Start (s) of the period to score; the spikes in
            ``[start, start + period)`` are compared with the target.
        window : float
            A target spike is matched by an output spike of its unit at most
            ``window`` (s) away (default 1 ms); each output spike matches one
            target at most.

        Returns
        -------
        dict
            ``matched`` (target spikes matched), ``missing`` (not matched),
            ``extra`` (output spikes that match no target) and ``exact``
            (``True`` when every target is matched and nothing is extra).
        """
        times = np.asarray(times, dtype=float)
        ids = np.asarray(ids)
        inside = (times >= start - 1e-12) & (times < start + self.period - 1e-12)
        phase, units = times[inside] - start, ids[inside]
        matched = extra = 0
        for unit in range(self.n_out):
            out = np.sort(phase[units == unit])
            used = np.zeros(out.size, dtype=bool)
            for target in np.sort(self.target.times[self.target.ids == unit]):
                free = np.flatnonzero(~used & (np.abs(out - target) <= window + 1e-12))
                if free.size:
                    used[free[np.argmin(np.abs(out[free] - target))]] = True
                    matched += 1
            extra += int(np.count_nonzero(~used))
        missing = self.target.n_spikes - matched
        return {
            "matched": matched,
            "missing": missing,
            "extra": extra,
            "exact": missing == 0 and extra == 0,
        }

    def describe(self):
        """A few lines describing the task, for logs.

        Returns
        -------
        str
        """
        period = format_quantity(self.period * second, ms)
        rate = float(np.asarray(self.input.rate() / Hz))
        lines = [
            f"Task {self.name!r}: period {period}",
            (
                f"  input : {_plural(self.n_in, 'unit')}, "
                f"{_plural(self.input.n_spikes, 'spike')} (mean rate {rate:.3g} Hz)"
            ),
            (f"  target: {_plural(self.n_out, 'unit')}, {_plural(self.target.n_spikes, 'spike')}"),
        ]
        for unit in range(min(self.n_out, _MAX_LISTED)):
            times_ms = self.target.times[self.target.ids == unit] * 1e3
            listed = ", ".join(f"{t:.1f}" for t in times_ms[:_MAX_LISTED])
            if times_ms.size > _MAX_LISTED:
                listed += ", ..."
            lines.append(f"    unit {unit}: [{listed}] ms")
        if self.n_out > _MAX_LISTED:
            lines.append("    ...")
        return "\n".join(lines)


def load_task(
    input_path,
    target_path,
    period,
    *,
    n_in=None,
    n_out=None,
    id_offset_input=0,
    id_offset_target=0,
    name=None,
):
    """Read a task from two ``.ras`` spike files.

    Parameters
    ----------
    input_path : str or path-like
        Spike file of the input population.
    target_path : str or path-like
        Spike file of the target spikes of the output population.
    period : `Quantity`
        Length of one period (time units, e.g. ``500*ms``); every spike of both
        files must come before it.
    n_in : int, optional
        Number of input units. Default: the largest input id plus 1.
    n_out : int, optional
        Number of output units. Default: the largest target id plus 1.
    id_offset_input : int, optional
        Subtracted from every input id (1 for ids that start at 1).
        Default: 0.
    id_offset_target : int, optional
        Subtracted from every target id. Default: 0.
    name : str, optional
        Name of the task. Default: built from the file names.

    Returns
    -------
    Task

    Raises
    ------
    FileNotFoundError
        If a file does not exist.
    ValueError
        If a file is malformed or has a spike at or after `period` (the
        message names the file and the line).
    """
    check_quantity("period", period, ms, positive=True)
    inputs = read_ras(
        input_path,
        n_units=n_in,
        duration=period,
        id_offset=id_offset_input,
        name="input file",
    )
    target = read_ras(
        target_path,
        n_units=n_out,
        duration=period,
        id_offset=id_offset_target,
        name="target file",
    )
    if name is None:
        name = f"{_stem(input_path)} -> {_stem(target_path)}"
    return Task(name=name, input=inputs, target=target, period=inputs.duration, kind="files")


def _plural(count, noun):
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _stem(path):
    return os.path.splitext(os.path.basename(os.fspath(path)))[0]
