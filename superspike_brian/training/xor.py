"""Training and testing the spiking XOR (Fig 5): many runs, one binary.

The task and its scoring are in :mod:`superspike_brian.tasks.xor`; the XOR
experiment's set-up is here: its network (:func:`make_network`) and schedule
(:func:`training_schedule`). :func:`train_xor` and :func:`evaluate` run one
network through the trainer;
:func:`run_seeds` runs many networks of one structure (seeds, streams of the
same number of trials) with one compiled binary
(:func:`superspike_brian.training.batch.run_batch`), with exactly the results of
:func:`train_xor` and :func:`evaluate`.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from brian2 import second

from superspike_brian.feedforward.network import SuperSpikeNetwork
from superspike_brian.tasks.xor import DECAY_AFTER, DECAY_FACTOR, N_IN, N_OUT, score
from superspike_brian.training.batch import run_batch
from superspike_brian.training.schedule import Schedule
from superspike_brian.training.trainer import Trainer

__all__ = ["make_network", "training_schedule", "train_xor", "evaluate", "run_seeds"]


def train_xor(
    net,
    task,
    duration,
    *,
    device="cpp_standalone",
    build_dir=None,
    block=10.0,
    decay_after=DECAY_AFTER,
    decay_factor=DECAY_FACTOR,
):
    """Train ``net`` on the repeated stream ``task`` for ``duration`` s.

    Schedule: :func:`training_schedule`.

    Returns
    -------
    (History, dict)
        The training history and :func:`score` of the training trials.
    """
    schedule = training_schedule(
        net, duration, block=block, decay_after=decay_after, decay_factor=decay_factor
    )
    trainer = Trainer(
        net, task, device=device, schedule=schedule, build_dir=build_dir, progress=False
    )
    history = trainer.run()
    total = float(schedule.duration / second)
    return history, score(history.spikes["output"], task, total, float(net.params.dt))


def evaluate(net, weights, task, *, device="cpp_standalone", build_dir=None):
    """Run ``net`` with ``weights`` (mV) once through ``task`` with learning off.

    Returns
    -------
    (History, dict)
        The history and :func:`score` of every trial of the stream.
    """
    tb = float(net.params.learning.t_update)
    # Zero learning rate throughout: the whole run is burn-in.
    duration = math.ceil(task.period / tb) * tb
    schedule = Schedule(burn_in=duration * second, n_blocks=0, decay_at=())
    tested = dataclasses.replace(net, initial=tuple(weights))
    trainer = Trainer(
        tested, task, device=device, schedule=schedule, build_dir=build_dir, progress=False
    )
    history = trainer.run()
    return history, score(history.spikes["output"], task, task.period, float(net.params.dt))


def run_seeds(
    nets,
    tasks,
    duration=None,
    *,
    learn=True,
    weights=None,
    build_dir=None,
    block=10.0,
    decay_after=DECAY_AFTER,
    decay_factor=DECAY_FACTOR,
    on_run=None,
):
    """Train (or test) several XOR runs of one structure with one compiled binary.

    The cpp_standalone project is built and compiled once, for the first network
    and task; every run then re-runs the binary with its own initial weights,
    feedback matrix and spike tables as run arguments (no code generation, no
    compilation). A run gives exactly what :func:`train_xor` (``learn=True``) or
    :func:`evaluate` (``learn=False``) gives for the same network and task.

    Parameters
    ----------
    nets : sequence of SuperSpikeNetwork
        One per run; all of the same structure and parameters (seeds differ).
    tasks : sequence of XorTask
        One per run, all with the same period (true of every stream of the same
        number of trials, see :func:`gap_grid`).
    duration : float
        Training time (s), with the schedule of :func:`train_xor`; ignored when
        ``learn`` is False (one period with learning off, as :func:`evaluate`).
    learn : bool
        Train (True) or test with the weights ``weights`` (False).
    weights : sequence of lists of arrays, optional
        With ``learn=False``: per run, the weights (mV) to test.
    build_dir : path, optional
        Project directory (default: a cache directory per structure).
    block, decay_after, decay_factor
        The training schedule (:func:`training_schedule`).
    on_run : callable, optional
        Called as ``on_run(k, n)`` after run ``k`` (from 1) of ``n``.

    Returns
    -------
    list of (History, dict)
        Per run, the history (spikes of every layer, initial and final weights)
        and :func:`score` of its trials.
    """
    nets, tasks = list(nets), list(tasks)
    if not nets or len(nets) != len(tasks):
        raise ValueError("give one task per network, and at least one")
    if len({n.structure_key(t) for n, t in zip(nets, tasks, strict=True)}) != 1:
        raise ValueError(
            "all runs must share one structure: layer sizes, feedback, parameters and"
            " the task period (streams of the same number of trials)"
        )
    base, task0 = nets[0], tasks[0]
    if not learn:
        if weights is None or len(weights) != len(nets):
            raise ValueError("learn=False tests given weights: one list of arrays per network")
        nets = [
            dataclasses.replace(n, initial=tuple(w)) for n, w in zip(nets, weights, strict=True)
        ]
    lp = base.params.learning
    tb = float(lp.t_update)
    if learn:
        schedule = training_schedule(
            base, duration, block=block, decay_after=decay_after, decay_factor=decay_factor
        )
    else:
        schedule = Schedule(
            burn_in=math.ceil(task0.period / tb) * tb * second, n_blocks=0, decay_at=()
        )
    total = float(schedule.duration / second)
    lr = schedule.learning_rates(lp.r0, lp.t_update)
    lrs = [np.zeros_like(lr) if c in base.fixed else lr for c in range(1, base.n_connections + 1)]
    kind = "train" if learn else "test"
    key = f"xor-{kind}-{base.structure_key(task0, [kind, total])}"
    histories = run_batch(
        nets, tasks, lrs, total, key=key, build_dir=build_dir, build_net=base, on_run=on_run
    )
    dt = float(base.params.dt)
    # A test scores the one period it presents, as evaluate() does.
    return [
        (h, score(h.spikes["output"], task, total if learn else task.period, dt))
        for h, task in zip(histories, tasks, strict=True)
    ]


def make_network(hidden=4, feedback="symmetric", seed=1, **kw):
    """The XOR network: 100 -> hidden -> 2 with the classification error.

    ``hidden=0`` gives the network without hidden layer (100 -> 2). Random
    feedback gets the heterosynaptic regularizer (the network's default).
    """
    return SuperSpikeNetwork(
        n_in=N_IN,
        hidden=(hidden,) if hidden else (),
        n_out=N_OUT,
        feedback=feedback,
        seed=seed,
        error="classification",
        **kw,
    )


def training_schedule(
    net, duration, *, block=10.0, decay_after=DECAY_AFTER, decay_factor=DECAY_FACTOR
):
    """The XOR training schedule, about ``duration`` s in all.

    A burn-in of one update interval (the first update sees nothing), then
    ``round((duration - t_update) / block)`` blocks of ``block`` s at the rate r0
    (800 s: 0.5 s + 80 blocks = 800.5 s). ``decay_after``: a time (s) or a
    sequence of times from which on the rate is multiplied by ``decay_factor``
    (each time once more; None: never); each takes effect at the nearest block
    boundary (400 s: from the block that starts at 400.5 s).
    """
    tb = float(net.params.learning.t_update)
    n_blocks = max(1, int(round((duration - tb) / block)))
    if decay_after is None:
        decay_after = ()
    elif np.ndim(decay_after) == 0:
        decay_after = (decay_after,)
    decay_at = tuple(int(round((t - tb) / block)) for t in decay_after)
    if any(not 0 <= k < n_blocks for k in decay_at):
        raise ValueError(f"decay_after must lie within the training, got {decay_after!r}")
    return Schedule(
        burn_in=tb * second,
        block=block * second,
        n_blocks=n_blocks,
        decay_at=decay_at,
        decay_factor=decay_factor,
    )
