"""Learning tasks: a frozen input raster and the target raster to reproduce.

The task of Zenke & Ganguli (2018), Fig 2: one output neuron receives 100
frozen Poisson inputs (5 Hz, repeated every 500 ms) and must learn to fire 5
spikes at equidistant times, 83.3, 166.7, 250, 333.3 and 416.7 ms.

Examples
--------
>>> from superspike_brian.tasks import single_neuron_task
>>> task = single_neuron_task(seed=1)
>>> task.n_in, task.n_out, task.period
(100, 1, 0.5)
"""

import math
import numbers
import os
from dataclasses import dataclass

import numpy as np
from brian2 import Hz, Quantity, ms, second

from superspike_brian.tasks.spikeio import SpikeRaster, read_ras
from superspike_brian.validation import check_positive_int, check_quantity, format_quantity

__all__ = [
    "Task",
    "equidistant_targets",
    "frozen_poisson",
    "load_task",
    "single_neuron_task",
]

# Paper, Fig 2 [Zenke & Ganguli 2018, §3.1]
N_IN = 100
INPUT_RATE = 5 * Hz
PERIOD = 500 * ms
N_TARGET_SPIKES = 5

# Relative tolerance for a raster's duration to count as the task period: both
# usually come from the same quantity, but through different float paths.
_PERIOD_RTOL = 1e-9

# describe() lists at most this many target spike times per unit.
_MAX_LISTED = 10


def frozen_poisson(n_units, rate, duration, seed):
    """A frozen Poisson spike raster, the same for the same seed.

    Each unit fires a homogeneous Poisson process: its spike count is drawn
    from a Poisson distribution of mean ``rate * duration``, and the spike
    times are uniform in ``[0, duration)``. Times are continuous (not on a
    time grid); consumers put them on their grid.

    Parameters
    ----------
    n_units : int
        Number of units, >= 1.
    rate : `Quantity`
        Firing rate of every unit (frequency units, e.g. ``5*Hz``), >= 0.
    duration : `Quantity`
        Length of the raster (time units, e.g. ``500*ms``), > 0.
    seed : int
        Seed of `numpy.random.default_rng`, >= 0.

    Returns
    -------
    SpikeRaster
        A raster of `n_units` units and the given duration.
    """
    n_units = check_positive_int("n_units", n_units)
    check_quantity("rate", rate, Hz, nonnegative=True)
    check_quantity("duration", duration, ms, positive=True)
    seed = check_positive_int("seed", seed, minimum=0)
    length = float(np.asarray(duration / second))
    mean_count = float(np.asarray(rate * duration))

    rng = np.random.default_rng(seed)
    counts = rng.poisson(mean_count, size=n_units)
    ids = np.repeat(np.arange(n_units, dtype=np.int64), counts)
    times = rng.uniform(0.0, length, size=ids.size)
    # uniform() may round up to its upper bound for some lengths.
    times = np.minimum(times, np.nextafter(length, 0.0))
    return SpikeRaster(times, ids, n_units, length)


def equidistant_targets(n_spikes, duration, n_units=1):
    """Target raster with equidistant spikes, the same for every unit.

    Spike k (k = 1 .. `n_spikes`) is at ``duration * k / (n_spikes + 1)``, so
    the spikes and the two ends of the period are evenly spaced: 5 spikes in
    500 ms are at 83.3, 166.7, 250, 333.3 and 416.7 ms (Fig 2 of the paper).

    Parameters
    ----------
    n_spikes : int
        Number of spikes per unit, >= 0.
    duration : `Quantity`
        Length of the raster (time units, e.g. ``500*ms``), > 0.
    n_units : int, optional
        Number of units. Default: 1.

    Returns
    -------
    SpikeRaster
    """
    n_spikes = check_positive_int("n_spikes", n_spikes, minimum=0)
    check_quantity("duration", duration, ms, positive=True)
    n_units = check_positive_int("n_units", n_units)
    length = float(np.asarray(duration / second))
    one_unit = length * np.arange(1, n_spikes + 1) / (n_spikes + 1)
    times = np.tile(one_unit, n_units)
    ids = np.repeat(np.arange(n_units, dtype=np.int64), n_spikes)
    return SpikeRaster(times, ids, n_units, length)


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
    """

    name: str
    input: SpikeRaster
    target: SpikeRaster
    period: float

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


def single_neuron_task(
    seed=1, n_in=N_IN, rate=INPUT_RATE, period=PERIOD, n_target_spikes=N_TARGET_SPIKES
):
    """The single-neuron task of Fig 2 of the paper, on our own frozen
    Poisson input.

    Parameters
    ----------
    seed : int, optional
        Seed of the input raster. Default: 1.
    n_in : int, optional
        Number of input units. Default: 100.
    rate : `Quantity`, optional
        Rate of every input unit (frequency units). Default: 5 Hz.
    period : `Quantity`, optional
        Length of one period (time units). Default: 500 ms.
    n_target_spikes : int, optional
        Number of equidistant target spikes of the single output unit.
        Default: 5.

    Returns
    -------
    Task
    """
    inputs = frozen_poisson(n_in, rate, period, seed)
    target = equidistant_targets(n_target_spikes, period, n_units=1)
    return Task(
        name=f"single_neuron(seed={seed})",
        input=inputs,
        target=target,
        period=inputs.duration,
    )


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
    return Task(name=name, input=inputs, target=target, period=inputs.duration)


def _plural(count, noun):
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _stem(path):
    return os.path.splitext(os.path.basename(os.fspath(path)))[0]
