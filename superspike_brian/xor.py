"""The spiking XOR task of Zenke & Ganguli (2018), Fig 5, and its scoring.

Task
----
100 input units in three groups (:func:`input_groups`): a reference group
present in every pattern, and two groups that code the bits a and b. Each unit
has one fixed random spike time in a 10 ms window (drawn once per ``seed``).
Pattern p (0..3, bits ``a = p >> 1``, ``b = p & 1``) is the reference group
plus group a when a = 1 plus group b when b = 1, so 00 is the reference group
alone; its class is ``a XOR b``. Two output units, one per class: unit c must
spike in the window of opportunity of a class-c trial (stimulus onset to onset
+ 10 ms + 15 ms) and the other unit must stay silent.

Trials come in a random, balanced order (each pattern n_trials/4 times), each
stimulus followed by a random gap uniform in 100-200 ms (whole ms) before the
next onset; the stream also starts with such a gap. In the gaps every input
unit fires 4 Hz background Poisson spikes.

The network's inputs are cyclic tables, so the whole stream of ``n_trials``
trials (about 32 s for 200 trials) is one period, and training repeats it:
after one period the network sees the same trials, in the same order, with the
same background spikes. A held-out test uses another stream (``stream=1``: a
fresh order, fresh gaps and background, the same 4 patterns) with learning off.

Scoring
-------
A trial is correct when its target unit spikes at least once in the window and
the other unit does not (:func:`score`). Accuracy per block of trials follows
the training stream across its repetitions.

References
----------
Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer spiking
neural networks. Neural Computation 30(6):1514-1541.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from brian2 import second

from .parameters import Schedule
from .spikeio import SpikeRaster
from .tasks import Task

__all__ = [
    "XorTask",
    "input_groups",
    "xor_task",
    "score",
    "block_accuracy",
    "trials_to_perfect",
    "train_xor",
    "evaluate",
]

N_IN = 100
N_OUT = 2
STIMULUS = 0.010  # s, window of the fixed spike times
SLACK = 0.015  # s, the window of opportunity extends past the stimulus by this
GAP = (0.100, 0.200)  # s, uniform range of the gap between a stimulus and the next onset
BACKGROUND_HZ = 4.0
N_TRIALS = 200

#: The four patterns: (bit a, bit b) and the class a XOR b.
PATTERNS = ((0, 0), (0, 1), (1, 0), (1, 1))


@dataclass
class XorTask(Task):
    """A :class:`Task` with windows of opportunity in place of target spikes.

    ``target`` is an empty raster of the two output units. Additional fields:

    Parameters
    ----------
    onsets : numpy.ndarray
        Stimulus onset of every trial (s, within the period).
    patterns : numpy.ndarray of int
        Pattern 0..3 of every trial (bits ``p >> 1`` and ``p & 1``).
    labels : numpy.ndarray of int
        Class (= target output unit) of every trial.
    window : float
        Length of the window of opportunity (s).
    """

    onsets: np.ndarray = None
    patterns: np.ndarray = None
    labels: np.ndarray = None
    window: float = STIMULUS + SLACK

    @property
    def windows(self):
        """(start, end, unit) arrays, as the classification error reads them."""
        return (self.onsets, self.onsets + self.window, self.labels)

    @property
    def trials(self):
        """List of (onset s, pattern, class) tuples, in time order."""
        return [
            (float(o), int(p), int(c))
            for o, p, c in zip(self.onsets, self.patterns, self.labels, strict=True)
        ]


def input_groups(n_in=N_IN):
    """Unit indices of the reference, bit-a and bit-b groups (near-equal thirds)."""
    return np.array_split(np.arange(n_in), 3)


def xor_task(
    seed=1,
    n_trials=N_TRIALS,
    stream=0,
    n_in=N_IN,
    gap=GAP,
    background_hz=BACKGROUND_HZ,
):
    """A stream of spiking XOR trials as one cyclic period.

    Parameters
    ----------
    seed : int
        Seeds the fixed spike times of the input units (the patterns).
    n_trials : int
        Trials in the stream, a multiple of 4 (balanced patterns).
    stream : int
        Seeds, together with ``seed``, the trial order, gaps and background: 0
        for training, another value for a held-out test on the same patterns.
    n_in : int
        Number of input units (split into three groups).
    gap : (float, float)
        Range (s) of the uniform gap between a stimulus end and the next onset.
    background_hz : float
        Background Poisson rate of every input unit in the gaps.

    Returns
    -------
    XorTask
    """
    if n_trials < 4 or n_trials % 4:
        raise ValueError(f"n_trials must be a positive multiple of 4, got {n_trials!r}")
    rng_pattern = np.random.default_rng([seed, 0])
    # Fixed spike times, rounded to 0.1 ms so every time grid up to dt = 0.1 ms
    # sees the same spikes.
    spike_time = np.round(rng_pattern.uniform(0.0, STIMULUS, size=n_in), 4)
    spike_time = np.minimum(spike_time, STIMULUS - 1e-4)
    ref, grp_a, grp_b = input_groups(n_in)
    members = []
    for a, b in PATTERNS:
        units = [ref] + ([grp_a] if a else []) + ([grp_b] if b else [])
        members.append(np.concatenate(units))

    rng = np.random.default_rng([seed, 1, stream])
    patterns = rng.permutation(np.tile(np.arange(4), n_trials // 4))
    labels = np.array([PATTERNS[p][0] ^ PATTERNS[p][1] for p in patterns], dtype=np.int64)
    # Gaps in whole ms keep every onset on the grid of any dt dividing 1 ms.
    gaps = np.round(rng.uniform(gap[0], gap[1], size=n_trials + 1), 3)
    onsets = np.empty(n_trials)
    t = gaps[0]
    for k in range(n_trials):
        onsets[k] = t
        t = round(t + STIMULUS + gaps[k + 1], 6)
    period = t

    times, ids = [], []
    for onset, p in zip(onsets, patterns, strict=True):
        u = members[p]
        times.append(onset + spike_time[u])
        ids.append(u)
    # Background in every gap: before the first onset, between trials, after the last.
    gap_start = np.concatenate([[0.0], onsets + STIMULUS])
    gap_end = np.concatenate([onsets, [period]])
    for a, b in zip(gap_start, gap_end, strict=True):
        counts = rng.poisson(background_hz * (b - a), size=n_in)
        ids.append(np.repeat(np.arange(n_in), counts))
        times.append(rng.uniform(a, b, size=counts.sum()))
    times = np.minimum(np.concatenate(times), np.nextafter(period, 0.0))
    inputs = SpikeRaster(times, np.concatenate(ids), n_in, period)
    target = SpikeRaster(np.array([]), np.array([], dtype=np.int64), N_OUT, period)
    return XorTask(
        name=f"xor(seed={seed}, stream={stream}, trials={n_trials})",
        input=inputs,
        target=target,
        period=period,
        onsets=onsets,
        patterns=patterns,
        labels=labels,
    )


def score(spikes, task, duration, dt=1e-4):
    """Correctness of every trial presented during ``duration``.

    Parameters
    ----------
    spikes : (times, ids)
        Output spikes (``History.spikes['output']``), times in s from the start.
    task : XorTask
        The stream that was repeated.
    duration : float
        Simulated time (s); trials whose window ends after it are left out.
    dt : float
        Time step (s): windows and spikes are compared on the step grid.

    Returns
    -------
    dict of arrays, one entry per presented trial in time order
        ``time`` (onset, s), ``pattern``, ``label``, ``correct`` (bool),
        ``n_target``, ``n_other`` (spikes in the window).
    """
    t, i = (np.asarray(a) for a in spikes)
    steps = np.round(t / dt).astype(np.int64)
    n_period = int(round(task.period / dt))
    n_reps = math.ceil(duration / task.period)
    on = np.round(task.onsets / dt).astype(np.int64)
    w = int(round(task.window / dt))
    start = (np.arange(n_reps)[:, None] * n_period + on[None, :]).ravel()
    keep = start + w <= int(round(duration / dt))
    start = start[keep]
    labels = np.tile(task.labels, n_reps)[keep]
    counts = np.zeros((start.size, N_OUT), dtype=np.int64)
    for u in range(N_OUT):
        s = np.sort(steps[i == u])
        counts[:, u] = np.searchsorted(s, start + w) - np.searchsorted(s, start)
    idx = np.arange(start.size)
    n_target = counts[idx, labels]
    n_other = counts[idx, 1 - labels]
    return {
        "time": start * dt,
        "pattern": np.tile(task.patterns, n_reps)[keep],
        "label": labels,
        "correct": (n_target > 0) & (n_other == 0),
        "n_target": n_target,
        "n_other": n_other,
    }


def block_accuracy(correct, block_trials=50):
    """Fraction correct per block of ``block_trials`` consecutive trials."""
    correct = np.asarray(correct, dtype=float)
    n = correct.size // block_trials
    return correct[: n * block_trials].reshape(n, block_trials).mean(axis=1)


def trials_to_perfect(correct, block_trials=50):
    """Trials presented until the end of the first block with 100 % accuracy (NaN if none)."""
    acc = block_accuracy(correct, block_trials)
    hit = np.flatnonzero(acc >= 1.0)
    return float((hit[0] + 1) * block_trials) if hit.size else float("nan")


def make_network(hidden=4, feedback="symmetric", seed=1, **kw):
    """The XOR network: 100 -> hidden -> 2 with the classification error.

    ``hidden=0`` gives the network without hidden layer (100 -> 2). Random
    feedback gets the heterosynaptic regularizer (the network's default).
    """
    from .network import SuperSpikeNetwork

    return SuperSpikeNetwork(
        n_in=N_IN,
        hidden=(hidden,) if hidden else (),
        n_out=N_OUT,
        feedback=feedback,
        seed=seed,
        error="classification",
        **kw,
    )


def train_xor(net, task, duration, *, device="cpp_standalone", build_dir=None, block=10.0):
    """Train ``net`` on the repeated stream ``task`` for ``duration`` s.

    Schedule: a burn-in of one update interval (the first update sees nothing),
    then blocks of ``block`` s at the constant rate r0 (no decay).

    Returns
    -------
    (History, dict)
        The training history and :func:`score` of the training trials.
    """
    from .trainer import Trainer

    tb = float(net.params.learning.t_update)
    n_blocks = max(1, int(round((duration - tb) / block)))
    schedule = Schedule(burn_in=tb * second, block=block * second, n_blocks=n_blocks, decay_at=())
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
    import dataclasses

    from .trainer import Trainer

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
