"""A trained network on new input, learning off.

:func:`evaluate` runs a network with fixed weights on a task's input for a
given duration and returns its spikes, the rate of every layer and, when the
task has target spikes, the cost of the output against them.
:func:`write_evaluation` writes these to a directory with the raster figure.

The network starts at rest, as a training does. Within the first period the
input spikes of the period before are therefore missing (their currents,
decaying with ``tau_syn`` and ``tau_mem``, still act at the start of every
later period), so only from the second period on are the spikes those of a
network that has been running: ``evaluate`` on the training input reproduces
the last period of a training in its second period, not its first.

Examples
--------
>>> run = load_run("runs/single")                            # doctest: +SKIP
>>> net = trained_network(run)                               # doctest: +SKIP
>>> result = evaluate(net, run.task, duration=1.0)           # doctest: +SKIP
>>> result.rates["output"], result.cost                      # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from brian2 import second

from superspike_brian.model.cost import kernel_energy
from superspike_brian.tasks.spikeio import SpikeRaster
from superspike_brian.tasks.task import Task

__all__ = [
    "Evaluation",
    "evaluate",
    "evaluation_options",
    "trained_network",
    "mean_cost",
    "write_evaluation",
]


@dataclass
class Evaluation:
    """What :func:`evaluate` measured.

    Attributes
    ----------
    duration : float
        Evaluated time, s.
    period : float
        Period with which input (and target) repeat, s.
    spikes : dict
        Layer name -> (times s, unit ids) of the spikes in ``[0, duration)``.
    rates : dict
        Layer name -> mean rate per unit over the evaluation, Hz.
    cost : float or None
        Mean over the evaluation and the output units of the squared error
        trace, normalized as the training's cost (one unmatched spike per
        second gives 1); None without target spikes.
    target : SpikeRaster or None
        Target spikes of one period.
    layer_sizes : list of int
    timing : dict
        The simulation's timing: ``cached`` (True when a compiled binary ran it
        as it was), ``compile_s``.
    """

    duration: float
    period: float
    spikes: dict
    rates: dict
    cost: float | None
    target: SpikeRaster | None
    layer_sizes: list = field(default_factory=list)
    timing: dict = field(default_factory=dict)

    def summary(self):
        """JSON-able numbers (no spike arrays)."""
        return {
            "duration_s": self.duration,
            "period_s": self.period,
            "layer_sizes": list(self.layer_sizes),
            "rates_hz": dict(self.rates),
            "spike_counts": {k: int(len(t)) for k, (t, _) in self.spikes.items()},
            "cost": self.cost,
            "target_spikes_per_period": None if self.target is None else self.target.n_spikes,
        }


def trained_network(run):
    """The network of a run with its final weights as fixed weights.

    Parameters
    ----------
    run : Run
        From :func:`superspike_brian.training.load.load_run`.
    """
    return replace(
        run.network,
        initial=tuple(np.array(w, dtype=float) for w in run.history.weights),
        initial_source=f"run:{Path(run.path).resolve()}",
    )


def evaluation_options(run):
    """Trainer options under which an evaluation of ``run`` runs the run's own binary.

    The compiled binary of a standalone run is found by its model structure
    (:meth:`Trainer.structure_key`): besides the network and the task's
    period, the engine, learn mode, precision, recorded membrane units and,
    for a run block by block, the block length, which sizes the binary's
    learning-rate tables. An evaluation with these options has the run's
    structure, so the binary in the build cache runs it as it is: the trained
    weights, the input and the learning rates (all 0: learning off) are run
    arguments, and nothing is compiled.

    Parameters
    ----------
    run : Run
        From :func:`superspike_brian.training.load.load_run`.

    Returns
    -------
    dict
        Options for :func:`evaluate`: device, engine, learn, float32,
        record_voltage and block (s).
    """
    keys = ("device", "engine", "learn", "float32", "record_voltage")
    options = {k: run.options[k] for k in keys if k in run.options}
    options["block"] = float(run.schedule.block / second)
    return options


def evaluate(network, task, duration=None, *, block=None, **options):
    """Run ``network`` with fixed weights on ``task`` for ``duration`` seconds.

    Parameters
    ----------
    network : SuperSpikeNetwork
        Its initial weights are the weights evaluated (see :func:`trained_network`).
    task : Task
        Input (and target) of one period, repeated. A task without target
        spikes gives no cost.
    duration : float, optional
        Seconds to simulate (default: one period).
    block : float, optional
        Block length (s) of the training whose compiled binary should run the
        evaluation (default 10 s, the default schedule's); see
        :func:`evaluation_options`.
    **options
        :class:`~superspike_brian.training.trainer.Trainer` options (device,
        engine, learn, build_dir, float32, record_voltage, progress).

    Returns
    -------
    Evaluation
    """
    from superspike_brian.training.schedule import Schedule
    from superspike_brian.training.trainer import Trainer

    duration = task.period if duration is None else float(duration)
    if not (math.isfinite(duration) and duration > 0):
        raise ValueError(f"duration must be a positive number of seconds, got {duration!r}")
    t_update = float(network.params.learning.t_update)
    # The learning rate is 0 during a burn-in: the weights stay as they are.
    # The simulation runs whole update intervals; spikes past `duration` are cut.
    n_intervals = max(1, math.ceil(duration / t_update - 1e-9))
    schedule = Schedule(burn_in=n_intervals * t_update * second, n_blocks=0, decay_at=())
    if block is not None:
        schedule = replace(schedule, block=float(block) * second)
    options.setdefault("progress", False)
    options.setdefault("record_voltage", 0)
    history = Trainer(network, task, schedule=schedule, **options).run(figures=False)
    spikes = {}
    for l in range(1, network.n_connections + 1):
        name = network.layer_name(l)
        t, i = history.spikes.get(name, (np.zeros(0), np.zeros(0, dtype=int)))
        keep = np.asarray(t) < duration - 1e-12
        spikes[name] = (np.asarray(t)[keep], np.asarray(i)[keep])
    sizes = network.layer_sizes
    rates = {
        name: len(t) / duration / sizes[l]
        for l, (name, (t, _)) in enumerate(spikes.items(), start=1)
    }
    target = task.target if task.target.n_spikes else None
    cost = None
    if target is not None:
        cost = mean_cost(spikes["output"], target, task.period, duration, network.params)
    timing = {k: history.timing[k] for k in ("cached", "compile_s") if k in history.timing}
    return Evaluation(duration, task.period, spikes, rates, cost, target, sizes, timing)


def mean_cost(output, target, period, duration, params):
    """Mean cost of output spikes against a periodic target over ``[0, duration)``.

    The error trace of every output unit is the target minus the output spike
    train filtered by the kernel ``k(t)`` of the training's error (rise
    ``tau_rise``, decay ``tau_decay``, sampled on the time step); its square
    is averaged over the evaluation and the units and divided by the energy
    of one spike's kernel, so that one unmatched spike per second gives 1, as
    the training's cost does (docs/model.md, "Reported cost"). The training's
    cost is an exponential average over 10 s; this is a plain mean.

    Parameters
    ----------
    output : (times, ids)
        Output spikes, s.
    target : SpikeRaster
        Target spikes of one period, repeated every ``period``.
    period, duration : float
        s.
    params : ModelParameters
    """
    dt = float(params.dt)
    lp = params.learning
    n_steps = int(round(duration / dt))
    n_out = target.n_units
    n_periods = math.ceil(duration / period - 1e-9)
    tt = (target.times[None, :] + period * np.arange(n_periods)[:, None]).ravel()
    ti = np.tile(target.ids, n_periods)
    drive = np.zeros((n_out, n_steps))
    for times, ids, sign in ((tt, ti, 1.0), (output[0], output[1], -1.0)):
        steps = np.floor(np.asarray(times) / dt + 0.5).astype(np.int64)
        keep = steps < n_steps
        np.add.at(drive, (np.asarray(ids, dtype=np.int64)[keep], steps[keep]), sign)
    rise, decay = float(lp.tau_rise), float(lp.tau_decay)
    t = np.arange(min(n_steps, int(round(12 * decay / dt)))) * dt
    kernel = rise / (decay - rise) * (np.exp(-t / decay) - np.exp(-t / rise))
    energy = 0.0
    for unit in range(n_out):
        if drive[unit].any():
            err = np.convolve(drive[unit], kernel)[:n_steps]
            energy += float(np.sum(err**2)) * dt
    return energy / n_out / duration / kernel_energy(rise, decay)


def write_evaluation(out, result, *, info=None, overwrite=False):
    """Write ``evaluation.json``, ``spikes.npz`` and ``raster.png`` to ``out``.

    Parameters
    ----------
    out : path
        Directory (created). Files already there are refused unless ``overwrite``.
    result : Evaluation
    info : dict, optional
        Stored in ``evaluation.json`` besides the numbers (run, input files).
    overwrite : bool
        Replace an earlier evaluation in ``out``.

    Returns
    -------
    list of Path
        The files written.
    """
    from superspike_brian.files import write_json, write_npz
    from superspike_brian.reporting.common import save_figure
    from superspike_brian.reporting.rasters import plot_raster

    out = Path(out)
    names = ("evaluation.json", "spikes.npz", "raster.png")
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file; give a directory")
    present = [n for n in names if (out / n).exists()]
    if present and not overwrite:
        raise ValueError(
            f"--out {out} already holds an evaluation ({', '.join(present)}); give another"
            " directory or --overwrite"
        )
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "evaluation.json", dict(info or {}, **result.summary()))
    arrays = {}
    for name, (t, i) in result.spikes.items():
        arrays[f"{name}_t"] = np.asarray(t, dtype=float)
        arrays[f"{name}_i"] = np.asarray(i, dtype=np.int64)
    if result.target is not None:
        arrays["target_t"] = result.target.times
        arrays["target_i"] = result.target.ids
    write_npz(out / "spikes.npz", **arrays)
    target = result.target
    t, i = result.spikes["output"]
    fig = plot_raster(
        t,
        i,
        target.times if target is not None else np.zeros(0),
        target.ids if target is not None else np.zeros(0, dtype=int),
        result.period,
        n_units=result.layer_sizes[-1],
        duration=result.duration,
        title="evaluation: output spikes" + (" against the target" if target is not None else ""),
    )
    # The raster is the training's; here time runs over the evaluation.
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_label_text() == "training time (s)":
                axis.set_label_text("time in the evaluation (s)")
    save_figure(fig, out / "raster.png")
    return [out / n for n in names]


def evaluation_task(run, input_raster, target_raster=None, period=None):
    """The task of an evaluation: new input (and target) with the run's sizes.

    Parameters
    ----------
    run : Run
    input_raster : SpikeRaster
        One period of input spikes.
    target_raster : SpikeRaster, optional
        One period of target spikes (default: none, no cost).
    period : float, optional
        s (default: the input raster's duration).
    """
    period = input_raster.duration if period is None else float(period)
    if target_raster is None:
        target_raster = SpikeRaster(np.zeros(0), np.zeros(0, dtype=int), run.network.n_out, period)
    return Task("evaluation", input_raster, target_raster, period, kind=run.task.kind)
