"""The spiking XOR experiment (Fig 5): its set-up, training, test and scores.

The task and its scoring are in :mod:`superspike_brian.tasks.xor`; the
experiment is here, once, for ``models/xor.py`` and for the reproduction's
Fig 5 sweeps: the network (:func:`make_network`), the schedule
(:func:`training_schedule`, its rate drops :func:`decay_times`), the held-out
test, and what a run reports (:func:`run_scores`, :func:`hidden_unit_classes`).
:func:`train_xor` and :func:`evaluate` run one network through the trainer;
:func:`run_one` is one run of a sweep, written as a run directory;
:func:`run_seeds` runs many networks of one structure (seeds, streams of the
same number of trials) with one compiled binary
(:func:`superspike_brian.training.batch.run_batch`), with exactly the results of
:func:`train_xor` and :func:`evaluate`.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
from brian2 import second

from superspike_brian.feedforward.network import SuperSpikeNetwork
from superspike_brian.tasks import xor
from superspike_brian.tasks.xor import (
    BLOCK_TRIALS,
    DECAY_AFTER,
    DECAY_FACTOR,
    DURATION,
    N_IN,
    N_OUT,
    score,
)
from superspike_brian.training.batch import run_batch
from superspike_brian.training.schedule import Schedule
from superspike_brian.training.trainer import Trainer

__all__ = [
    "make_network",
    "training_schedule",
    "decay_times",
    "stream_trials",
    "train_xor",
    "evaluate",
    "run_seeds",
    "run_one",
    "run_scores",
    "hidden_unit_classes",
]

#: Hidden units of the XOR network (Fig 5).
HIDDEN = 4
#: Mean time (s) from one trial's onset to the next: 10 ms stimulus, 100-200 ms gap.
TRIAL_SPACING = 0.16


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
    out=None,
    extra_config=None,
):
    """Train ``net`` on the repeated stream ``task`` for ``duration`` s.

    Schedule: :func:`training_schedule`. With ``out`` (a prepared, empty run
    directory) the training is written there as a finished run, its config
    holding ``extra_config`` too.

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
    if out is not None:
        trainer.write(out, history, extra_config=extra_config, figures=False)
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


def make_network(hidden=HIDDEN, feedback="symmetric", seed=1, **kw):
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


def decay_times(duration):
    """The rate drops (s) of a training of ``duration`` s: :data:`DECAY_AFTER` scaled.

    800 s (:data:`DURATION`) drops at 400 s and 600 s; a shorter or longer
    training drops at the same fractions of its length.
    """
    return tuple(t * duration / DURATION for t in DECAY_AFTER)


def stream_trials(seconds=None):
    """Trials of a stream of about ``seconds`` s (None: the task's 200 trials).

    A multiple of the four patterns, which the task draws equally often; a short
    stream is for tests.
    """
    if seconds is None:
        return xor.N_TRIALS
    n = len(xor.PATTERNS)
    return n * max(1, int(round(seconds / TRIAL_SPACING / n)))


def hidden_unit_classes(net, history, task, tested, test_task):
    """Hidden-unit classes at the start and the end, and negative feedback rows.

    Start: the first period of training (the initial weights, barely changed);
    end: the held-out stream, learning off.

    Returns
    -------
    dict
        ``start_<class>`` and ``end_<class>`` counts (silent, every pattern,
        selective; :func:`superspike_brian.tasks.xor.classify_units`) and
        ``fb_negative``, the hidden units whose feedback weights to both
        outputs are negative (random feedback only). Empty without hidden layer.
    """
    n_hidden = net.hidden[0] if net.hidden else 0
    if not n_hidden:
        return {}
    dt = float(net.params.dt)
    first = xor.unit_responses(history.spikes["hidden_1"], task, n_hidden, task.period, dt)
    last = xor.unit_responses(tested.spikes["hidden_1"], test_task, n_hidden, test_task.period, dt)
    row = {f"start_{k}": int(v) for k, v in xor.classify_units(first).items()}
    row.update({f"end_{k}": int(v) for k, v in xor.classify_units(last).items()})
    fb = net.feedback_matrices()[0]
    row["fb_negative"] = int(np.sum(np.all(fb < 0, axis=0))) if net.feedback == "random" else 0
    return row


def run_scores(train, test, block_trials=BLOCK_TRIALS):
    """What one run reports from the scores of its training and held-out trials.

    Parameters
    ----------
    train, test : dict
        :func:`superspike_brian.tasks.xor.score` of the training and of the
        held-out stream.
    block_trials : int
        Trials per accuracy point.

    Returns
    -------
    dict
        ``train_accuracy_blocks`` (per block), ``train_final`` (the last block),
        ``test`` (held-out accuracy), ``test_perfect_blocks`` and
        ``trials_to_100`` (None when never reached).
    """
    curve = xor.block_accuracy(train["correct"], block_trials)
    ttp = xor.trials_to_perfect(train["correct"], block_trials)
    return {
        "train_accuracy_blocks": [float(c) for c in curve],
        "train_final": float(curve[-1]),
        "test": float(test["correct"].mean()),
        "test_perfect_blocks": int(xor.perfect_blocks(test["correct"], block_trials)),
        "trials_to_100": None if not math.isfinite(ttp) else float(ttp),
    }


def run_one(
    out,
    *,
    hidden=HIDDEN,
    feedback="symmetric",
    seed=1,
    duration=DURATION,
    device="cpp_standalone",
    block=10.0,
    stream_s=None,
    overwrite=False,
    extra_config=None,
):
    """Train, test and score one XOR network; write it as a run directory.

    The run directory ``out`` holds the training (config.json, metrics.csv,
    weights, spikes) and ``xor.json``, the returned scores.

    Parameters
    ----------
    out : path
    hidden, feedback, seed
        The network (:func:`make_network`); ``seed`` also draws both streams.
    duration, block : float
        The training (s; :func:`training_schedule`, drops at :func:`decay_times`).
    device : str
    stream_s : float, optional
        Length (s) of each stream (:func:`stream_trials`; default: 200 trials).
    overwrite : bool
        Replace a run already in ``out``.
    extra_config : dict, optional
        Written into config.json (the sweep's command line).

    Returns
    -------
    dict
        The network, :func:`run_scores` (blocks of 50 trials, or of the whole
        stream when it is shorter) and :func:`hidden_unit_classes`.
    """
    from superspike_brian import rundir
    from superspike_brian.files import write_json

    out = Path(out)
    rundir.prepare(out, overwrite=overwrite, create=True)
    net = make_network(hidden=hidden, feedback=feedback, seed=seed)
    trials = stream_trials(stream_s)
    task = xor.xor_task(seed=seed, n_trials=trials)
    test_task = xor.xor_task(seed=seed, n_trials=trials, stream=1)
    history, train = train_xor(
        net,
        task,
        duration,
        device=device,
        block=block,
        decay_after=decay_times(duration),
        out=out,
        extra_config=extra_config,
    )
    test_history, test = evaluate(net, history.weights, test_task, device=device)
    block_trials = min(BLOCK_TRIALS, len(train["correct"]), len(test["correct"]))
    result = {
        "hidden": hidden,
        "feedback": feedback,
        "seed": seed,
        "duration_s": duration,
        "block_trials": block_trials,
        **run_scores(train, test, block_trials),
        **hidden_unit_classes(net, history, task, test_history, test_task),
    }
    write_json(out / rundir.XOR_FILE, result)
    return result
