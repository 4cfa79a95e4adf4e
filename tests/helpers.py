"""Shared builders for the tests: small tasks and networks, oracle inputs."""

import numpy as np
from brian2 import Hz, ms, mV

from superspike_brian.model.network import SuperSpikeNetwork
from superspike_brian.model.parameters import LearningParameters, ModelParameters
from superspike_brian.tasks.single_neuron import equidistant_targets, frozen_poisson
from superspike_brian.tasks.task import Task
from superspike_brian.training.schedule import Schedule

from . import oracle


def small_task(n_in=20, n_out=3, period=100 * ms, rate=40 * Hz, seed=3):
    """A short cyclic task with dense input, so that every unit spikes."""
    return Task(
        "small",
        frozen_poisson(n_in, rate, period, seed=seed),
        equidistant_targets(3, period, n_units=n_out),
        period,
    )


def small_network(task, hidden=(), feedback="symmetric", regularizer=None, seed=5):
    """A network with short update intervals and strong weights (units spike)."""
    params = ModelParameters(learning=LearningParameters(t_update=20 * ms, w0=300 * mV, r0=2 * mV))
    if regularizer:
        params = params.replace(rho=1e-3 / mV)
    return SuperSpikeNetwork(
        n_in=task.n_in,
        hidden=hidden,
        n_out=task.n_out,
        feedback=feedback,
        regularizer=regularizer,
        params=params,
        seed=seed,
    )


SHORT = Schedule(burn_in=40 * ms, block=40 * ms, n_blocks=9, decay_at=(5,))


def run_oracle(net, task, schedule):
    """Run the numpy oracle on the same network, task and schedule."""
    p = net.params
    dt = float(p.dt)
    n_updates = int(round(float(schedule.duration / p.learning.t_update)))
    n_steps = int(round(n_updates * float(p.learning.t_update) / dt))
    n_period = int(round(task.period / dt))
    reps = -(-n_steps // n_period)
    arrive = np.tile(task.input.dense(dt, shift_seconds=float(p.neuron.delay)), (reps, 1))
    target = np.tile(task.target.dense(dt), (reps, 1))
    lr = schedule.learning_rates(p.learning.r0, p.learning.t_update) * 1e3  # mV
    fb = net.feedback_matrices() if net.feedback != "symmetric" else None
    reg = None
    if net.regularizer and net.hidden:
        reg = (float(p.regularizer.rho * mV), float(p.regularizer.a))
    params = {
        "t_b_s": float(p.learning.t_update),
        "tau_rms_s": float(p.learning.tau_rms),
        "w_max_mV": float(p.learning.w_max / mV),
    }
    return oracle.simulate(
        n_steps,
        arrive[:n_steps],
        target[:n_steps],
        net.initial_weights(),
        lr,
        feedback=net.feedback,
        feedback_matrices=fb,
        regularizer=reg,
        params=params,
    )


def spike_steps(history, layer, dt=0.1e-3):
    """(step, unit) pairs of a layer's spikes, sorted like the oracle's."""
    t, i = history.spikes[layer]
    steps = np.round(np.asarray(t) / dt).astype(int)
    order = np.lexsort((i, steps))
    return np.column_stack([steps[order], np.asarray(i)[order]])


__all__ = ["small_task", "small_network", "run_oracle", "spike_steps", "SHORT"]
