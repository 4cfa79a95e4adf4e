"""The single-neuron task of Zenke & Ganguli (2018), Fig 2, and its building blocks.

One output neuron receives 100 frozen Poisson inputs (5 Hz, repeated every
500 ms) and must learn to fire 5 spikes at equidistant times, 83.3, 166.7, 250,
333.3 and 416.7 ms.

Examples
--------
>>> from superspike_brian.tasks.single_neuron import single_neuron_task
>>> task = single_neuron_task(seed=1)
>>> task.n_in, task.n_out, task.period
(100, 1, 0.5)
"""

import numpy as np
from brian2 import Hz, ms, second

from superspike_brian.tasks.spikeio import SpikeRaster
from superspike_brian.tasks.task import Task
from superspike_brian.validation import check_positive_int, check_quantity

__all__ = ["frozen_poisson", "equidistant_targets", "single_neuron_task"]

# Paper, Fig 2 [Zenke & Ganguli 2018, §3.1]
N_IN = 100
INPUT_RATE = 5 * Hz
PERIOD = 500 * ms
N_TARGET_SPIKES = 5


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
    check_quantity("rate", rate, Hz, nonnegative=True, typical=INPUT_RATE)
    check_quantity("duration", duration, ms, positive=True, typical=PERIOD)
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
    check_quantity("duration", duration, ms, positive=True, typical=PERIOD)
    n_units = check_positive_int("n_units", n_units)
    length = float(np.asarray(duration / second))
    one_unit = length * np.arange(1, n_spikes + 1) / (n_spikes + 1)
    times = np.tile(one_unit, n_units)
    ids = np.repeat(np.arange(n_units, dtype=np.int64), n_spikes)
    return SpikeRaster(times, ids, n_units, length)


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
    # Checked here under this function's own names (frozen_poisson calls them
    # rate and duration).
    check_quantity("period", period, ms, positive=True, typical=PERIOD)
    check_quantity("rate", rate, Hz, nonnegative=True, typical=INPUT_RATE)
    inputs = frozen_poisson(n_in, rate, period, seed)
    target = equidistant_targets(n_target_spikes, period, n_units=1)
    return Task(
        name=f"single_neuron(task_seed={seed})",
        input=inputs,
        target=target,
        period=inputs.duration,
        kind="single_neuron",
    )
