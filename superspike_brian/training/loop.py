"""The two ways a training runs: one execution, or update interval after interval.

``learn='inside'``
    :func:`run_inside`: the optimizer runs inside the simulation
    (``run_regularly`` every update interval), so the whole training is one
    execution of the session: one standalone binary on CPU or GPU.
``learn='controller'``
    :func:`run_controller`: the session runs one update interval (a "trial") at
    a time; between trials the controller applies the update
    (:func:`superspike_brian.model.optimizer.apply_update`) to the accumulators
    its engine hands over. On a standalone device the binary is built once and
    re-run per trial with the whole state carried as run arguments, and a run
    directory gets a checkpoint at the end of every block. Learning inside a
    cpp_standalone binary runs the same way with chunks of whole blocks, as
    many as keep the fixed cost of an execution small (:func:`blocks_per_chunk`).
"""

from __future__ import annotations

import time

import numpy as np

from superspike_brian import rundir
from superspike_brian.model import connection
from superspike_brian.model.cost import cost_from_average
from superspike_brian.model.optimizer import apply_update
from superspike_brian.training import checkpoint, health
from superspike_brian.training.history import History, block_metrics, voltage_windows
from superspike_brian.training.progress import BlockProgress
from superspike_brian.training.state import RunState

__all__ = [
    "run_inside",
    "run_chunks",
    "chunks",
    "next_chunk",
    "blocks_per_chunk",
    "chunk_rates",
    "chunked",
    "voltage_segments",
]


def chunked(learn, device):
    """Whether a run advances chunk by chunk (else in one execution).

    The controller always does. Learning inside does on cpp_standalone, where
    one binary per model structure runs block after block with its state
    carried; runtime runs in this process, and a CUDA binary once.
    """
    return learn == "controller" or device == "cpp_standalone"


#: Learning inside: the most blocks one execution of the binary runs (it is
#: built for this many and told how many steps to run).
MAX_BLOCKS_PER_CHUNK = 16
#: Learning inside: starting the binary, moving the state in and out and
#: writing the checkpoint may cost this fraction of the simulation; executions
#: grow by whole blocks until they do.
OVERHEAD_TARGET = 0.02


def capacity(learn, timeline):
    """Most update intervals per chunk: blocks inside the simulation, one for the controller."""
    return timeline.n_per_block * MAX_BLOCKS_PER_CHUNK if learn == "inside" else 1


def blocks_per_chunk(overhead_s, sim_per_block_s, target=OVERHEAD_TARGET):
    """Whole blocks per execution that bring the fixed cost of one to ``target`` of its time.

    ``overhead_s``: the cost of one execution beyond simulating (starting the
    binary, moving the state, the checkpoint); ``sim_per_block_s``: simulation
    seconds per block. At least 1, at most :data:`MAX_BLOCKS_PER_CHUNK`.
    """
    if sim_per_block_s <= 0:
        return MAX_BLOCKS_PER_CHUNK
    wanted = int(np.ceil(overhead_s / (target * sim_per_block_s)))
    return int(min(max(wanted, 1), MAX_BLOCKS_PER_CHUNK))


def voltage_segments(duration, period):
    """Segments (seconds, record membrane?) of a training run in one execution.

    The membrane is recorded during the first and the last period only.
    """
    if duration <= 2 * period:
        return [(duration, True)]
    return [(period, True), (duration - 2 * period, False), (period, True)]


def run_inside(plan, session, model, history):
    """Train in one execution of ``session``; fills ``history``."""
    tl = plan.timeline
    session.prepare(
        model,
        voltage_segments(tl.duration, plan.task.period),
        report="text" if plan.progress else None,
        profile=plan.profile,
    )
    t0 = time.time()
    session.execute()
    if session.standalone:
        history.timing.update(session.timing)
        history.timing["run_s"] = time.time() - t0
    if plan.profile:
        history.timing["profile"] = session.profile()
    records = session.records()
    final = np.array(model.cost.sq_[:], dtype=float)
    history.sq = np.vstack([records["sq"][: tl.n_updates], final[None, :]])
    history.spikes = records["spikes"]
    if records["vt"] is not None:
        _voltage(plan, history, records["vt"], records["vU"])


def _voltage(plan, history, t, U):
    voltage_windows(
        history,
        t,
        U,
        dt=float(plan.network.params.dt),
        period=plan.task.period,
        duration=plan.timeline.duration,
    )


def recording_intervals(plan):
    """Update intervals from a chunk's start in which it records the membrane (a period)."""
    tl = plan.timeline
    return int(np.ceil(plan.task.period / tl.t_update - 1e-9))


def chunk_segments(plan):
    """Segments (seconds, record membrane?) of one chunk of a chunked run.

    The membrane is needed in the first and the last period of training only:
    a chunk records it in its first period, and chunks start at the beginning
    of the run and at :func:`last_period_start`. Recording every step of long
    executions would only move data that is thrown away.
    """
    tl = plan.timeline
    cap, rec = capacity(plan.learn, plan.timeline), recording_intervals(plan)
    if cap <= rec:
        return [(cap * tl.t_update, True)]
    return [(rec * tl.t_update, True), ((cap - rec) * tl.t_update, False)]


def last_period_start(plan):
    """The update interval at which a chunk starts to record the last period."""
    return max(0, plan.timeline.n_updates - recording_intervals(plan))


def chunks(timeline, k_done, capacity, blocks=1, split=None):
    """(first interval, intervals) of every chunk from ``k_done`` on.

    Chunks hold at most ``capacity`` update intervals and end where a block
    ends (or inside a block, when a block is longer than ``capacity``), so
    that a checkpoint can follow every chunk that ends a block. A chunk reaches
    up to the end of the ``blocks``-th block that ends after its start, and a
    chunk starts at interval ``split`` (where the last period is recorded).
    """
    out, k = [], k_done
    while k < timeline.n_updates:
        n = next_chunk(timeline, k, capacity, blocks, split)
        out.append((k, n))
        k += n
    return out


def next_chunk(timeline, k, capacity, blocks=1, split=None):
    """Intervals of the chunk that starts at interval ``k`` (see :func:`chunks`)."""
    if k < timeline.n_burn:
        end = timeline.n_burn
    else:
        first = (k - timeline.n_burn) // timeline.n_per_block + 1
        end = timeline.block_end(min(first + blocks - 1, timeline.n_blocks))
    if split is not None and k < split < end:
        end = split
    return min(capacity, end - k)


def run_chunks(plan, session, model, history, state=None, out=None):
    """Train chunk after chunk of update intervals, the state carried from one to the next.

    ``learn='controller'``: a chunk is one update interval, and the update is
    applied between chunks. ``learn='inside'`` (cpp_standalone): a chunk is at
    most one block; the update runs inside, and one binary built for a block
    runs every chunk (a shorter burn-in too).

    Parameters
    ----------
    plan : RunPlan
    session : Session
    model : BrianModel
    history : History
        Filled with spikes, cost averages, membrane windows and timing.
    state : RunState, optional
        Where to continue (a resumed or extended run); None starts at the beginning.
    out : path, optional
        Run directory: a checkpoint and the metrics so far at the end of every chunk
        that ends a block
        (standalone devices only).
    """
    tl = plan.timeline
    engine = model.engine
    cap = capacity(plan.learn, plan.timeline)
    session.prepare(model, chunk_segments(plan), stoppable=engine.inside)
    last = last_period_start(plan)
    if state is None:
        state = RunState(optimizer_v=[np.zeros(n) for n in _synapse_counts(plan.network)])
    else:
        if not session.standalone:
            raise ValueError("resume needs a standalone device (cpp_standalone)")
        engine.load_state(state.engine)
        session.state = state.network
    checkpointing = out is not None and session.standalone
    progress = BlockProgress(
        tl.n_blocks,
        enabled=plan.progress,
        first_block=max(0, (state.k_done - tl.n_burn) // tl.n_per_block + 1),
    )
    written, blocks, k, executions = 0.0, 1, state.k_done, 0
    # The block of the checkpoint the run directory holds (a fault leaves it there).
    last_good = tl.block_done(k) if checkpointing and k > 0 else None
    try:
        while k < tl.n_updates:
            n = next_chunk(tl, k, cap, blocks, split=last)
            wall, sim, sq = _chunk(plan, session, model, state, k, n, cap)
            executions += 1
            for block, rates in _report_blocks(plan, session, progress, state, k, n, sq):
                health.check_rates(block, rates, last_good)
            k += n
            if tl.block_done(k) is None:
                continue
            state.k_done = k
            state.network = session.state
            state.engine = engine.state()
            health.check_finite(tl.block_done(k), _numbers(plan, session, state), last_good)
            t0 = time.time()
            if checkpointing:
                _checkpoint(plan, out, state, history, f"{model.cost.name}.sq")
                last_good = tl.block_done(k)
            written += time.time() - t0
            if engine.inside:
                sim_per_block = sim * tl.n_per_block / n
                blocks = blocks_per_chunk(wall - sim + time.time() - t0, sim_per_block)
    finally:
        progress.close()
    history.timing.update(session.timing)
    history.timing["executions"] = executions
    if checkpointing:
        history.timing["checkpoint_s"] = written
    history.timing["run_s"] = state.run_s
    if session.standalone:
        history.timing["sim_s"] = state.sim_s
    if engine.gradients_in_controller:
        history.timing["gradient_s"] = state.gradient_s
    rec = state.recording
    history.spikes = rec.spike_arrays()
    history.sq = rec.sq(session.get(model.cost.name, "sq"))
    voltage = rec.voltage()
    if voltage is not None:
        _voltage(plan, history, *voltage)


def _numbers(plan, session, state):
    """Every number a block carries on: the network state, optimizer and engine state.

    On runtime the network state lives in the Brian2 objects: its weights stand
    for it (a membrane that overflows drives the weights there within a block).
    """
    if state.network is not None:
        numbers = dict(state.network)
    else:
        numbers = {
            f"{connection.name(l)}.w": session.get(connection.name(l), "w")
            for l in range(1, plan.network.n_connections + 1)
        }
    numbers["optimizer.v"] = state.optimizer_v
    numbers.update({f"engine.{key}": value for key, value in state.engine.items()})
    return numbers


def _synapse_counts(net):
    s = net.layer_sizes
    return [a * b for a, b in zip(s[:-1], s[1:], strict=False)]


def _chunk(plan, session, model, state, k, n, capacity):
    """Update (controller, from the second interval on), then simulate intervals k..k+n-1."""
    tl = plan.timeline
    tb = tl.t_update
    t_start, t_end = k * tb, (k + n) * tb
    if k > 0 and not model.engine.inside:
        _update(plan, session, model, state.optimizer_v, k)
    period = plan.task.period
    record = t_start < period or t_end > tl.duration - period
    t0, sim = time.time(), 0.0
    if session.standalone:
        steps = _steps_per_update(plan)
        values = _chunk_values(model, plan.learning_rates, k, capacity)
        offset = (k * steps) % model.n_period
        n_steps = n * steps if model.engine.inside else None
        session.execute(session.arguments(offset, values, n_steps), quiet=True)
        sim = session.last_run_time()
        state.sim_s += sim
        session.read_state(n * tb)
    else:
        session.execute(record=record)
    records = session.records(k * _steps_per_update(plan), keep_voltage=record)
    state.recording.add(records)
    session.clear_run_args()
    if model.engine.gradients_in_controller:
        t1 = time.time()
        model.engine.after_interval(session)
        state.gradient_s += time.time() - t1
    wall = time.time() - t0
    state.run_s += wall
    return wall, sim, records["sq"]


def chunk_rates(learning_rates, k, capacity):
    """The learning rates of the chunk that starts at interval ``k``.

    ``capacity + 1`` entries per connection (the tables of a binary built for
    chunks of ``capacity`` intervals), zero past the end of the schedule.
    """
    rates = []
    for lr in learning_rates:
        chunk = np.zeros(capacity + 1)
        part = lr[k : k + capacity + 1]
        chunk[: part.size] = part
        rates.append(chunk)
    return rates


def _chunk_values(model, learning_rates, k, capacity):
    """The model's values for the chunk that starts at interval ``k``."""
    if not model.engine.inside:
        return model.values
    return model.values.with_learning_rates(chunk_rates(learning_rates, k, capacity))


def _steps_per_update(plan):
    p = plan.network.params
    return int(round(float(p.learning.t_update / p.dt)))


def _update(plan, session, model, optimizer_v, k):
    """The RMaxProp step of every connection with the engine's accumulators."""
    lp = plan.network.params.learning
    lrs, engine = plan.learning_rates, model.engine
    for l in range(1, plan.network.n_connections + 1):
        name = connection.name(l)
        st = {"w": session.get(name, "w"), "m": engine.accumulator(session, l - 1)}
        st["v"] = optimizer_v[l - 1]
        apply_update(st, lrs[l - 1][k], lp)
        session.set(name, "w", st["w"])
        engine.accumulator_applied(session, l - 1, st["m"])


def _report_blocks(plan, session, progress, state, k, n, sq):
    """Report every block that ended in the chunk of intervals k..k+n-1.

    A block that ends inside the chunk takes its cost from the cost average
    recorded at its end (row ``end - k`` of the chunk's ``sq``); the chunk's
    last one from the state the execution ended with. Returns the (block,
    layer -> rate in Hz) of every block reported.
    """
    ended = []
    tl, net = plan.timeline, plan.network
    lp = net.params.learning
    for end in range(k + 1, k + n + 1):
        block = tl.block_done(end)
        if block is None:
            continue
        average = session.get(session.model.cost.name, "sq") if end == k + n else sq[end - k]
        t = end * tl.t_update
        c = float(cost_from_average(average, t, lp))
        t_begin = t - (tl.block if block > 0 else t)
        rates = {
            net.layer_name(l): state.recording.rate(
                net.layer_name(l), t_begin, net.layer_sizes[l], t, last_chunks=tl.n_per_block
            )
            for l in range(1, net.n_connections + 1)
        }
        progress.update(block, t, c, rates)
        ended.append((block, rates))
    return ended


def _checkpoint(plan, out, state, history, cost_key):
    """Write the metrics of the blocks done and the checkpoint, atomically.

    ``cost_key``: the carried state's entry of the cost average.
    """
    rundir.write_metrics(out, _metrics_rows(plan, state, history, cost_key))
    # After the metrics: a checkpoint is never ahead of the blocks on disk.
    checkpoint.save(out, state, plan.fingerprint, plan.timeline.n_updates)


def _metrics_rows(plan, state, history, cost_key):
    """The metrics rows of the blocks done: those before kept, the new ones added.

    The blocks since the last checkpoint have all their spikes in the records
    not yet saved, so their rows need no pass over the whole run (the first
    checkpoint of a resumed run computes every row once).
    """
    rec = state.recording
    partial = History(initial_weights=history.initial_weights)
    partial.spikes = rec.unsaved()["spikes"] if state.metrics else rec.spike_arrays()
    partial.sq = rec.sq(state.network[cost_key])
    block_metrics(partial, plan.network, plan.timeline, n_done=state.k_done)
    state.metrics = state.metrics + partial.metrics[len(state.metrics) :]
    return state.metrics
