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
    directory gets a checkpoint at the end of every block.
"""

from __future__ import annotations

import time

import numpy as np

from superspike_brian import rundir
from superspike_brian.model import connection
from superspike_brian.model.cost import cost_from_average
from superspike_brian.model.optimizer import apply_update
from superspike_brian.training import checkpoint
from superspike_brian.training.history import History, block_metrics, voltage_windows
from superspike_brian.training.progress import BlockProgress
from superspike_brian.training.state import RunState

__all__ = ["run_inside", "run_chunks", "chunks", "chunk_rates", "chunked", "voltage_segments"]


def chunked(learn, device):
    """Whether a run advances chunk by chunk (else in one execution).

    The controller always does. Learning inside does on cpp_standalone, where
    one binary per model structure runs block after block with its state
    carried; runtime runs in this process, and a CUDA binary once.
    """
    return learn == "controller" or device == "cpp_standalone"


def capacity(trainer):
    """Update intervals per chunk: a block inside the simulation, one for the controller."""
    return trainer.timeline.n_per_block if trainer.learn == "inside" else 1


def voltage_segments(duration, period):
    """Segments (seconds, record membrane?) of a training run in one execution.

    The membrane is recorded during the first and the last period only.
    """
    if duration <= 2 * period:
        return [(duration, True)]
    return [(period, True), (duration - 2 * period, False), (period, True)]


def run_inside(trainer, session, model, history):
    """Train in one execution of ``session``; fills ``history``."""
    tl = trainer.timeline
    session.prepare(
        model,
        voltage_segments(tl.duration, trainer.task.period),
        report="text" if trainer.progress else None,
        profile=trainer.profile,
    )
    t0 = time.time()
    session.execute()
    if session.standalone:
        history.timing.update(session.timing)
        history.timing["run_s"] = time.time() - t0
    if trainer.profile:
        history.timing["profile"] = session.profile()
    records = session.records()
    final = np.array(model.cost.sq_[:], dtype=float)
    history.sq = np.vstack([records["sq"][: tl.n_updates], final[None, :]])
    history.spikes = records["spikes"]
    if records["vt"] is not None:
        _voltage(trainer, history, records["vt"], records["vU"])


def _voltage(trainer, history, t, U):
    voltage_windows(
        history,
        t,
        U,
        dt=float(trainer.network.params.dt),
        period=trainer.task.period,
        duration=trainer.timeline.duration,
    )


def chunks(timeline, k_done, capacity):
    """(first interval, intervals) of every chunk from ``k_done`` on.

    Chunks hold at most ``capacity`` update intervals and never span a block
    end, so that a checkpoint can follow every block.
    """
    out, k = [], k_done
    for b in range(timeline.n_blocks + 1):
        end = timeline.block_end(b)
        while k < end:
            n = min(capacity, end - k)
            out.append((k, n))
            k += n
    return out


def run_chunks(trainer, session, model, history, state=None, out=None):
    """Train chunk after chunk of update intervals, the state carried from one to the next.

    ``learn='controller'``: a chunk is one update interval, and the update is
    applied between chunks. ``learn='inside'`` (cpp_standalone): a chunk is at
    most one block; the update runs inside, and one binary built for a block
    runs every chunk (a shorter burn-in too).

    Parameters
    ----------
    trainer : Trainer
    session : Session
    model : BrianModel
    history : History
        Filled with spikes, cost averages, membrane windows and timing.
    state : RunState, optional
        Where to continue (a resumed or extended run); None starts at the beginning.
    out : path, optional
        Run directory: a checkpoint and the metrics so far at every block end
        (standalone devices only).
    """
    tl = trainer.timeline
    engine = model.engine
    cap = capacity(trainer)
    session.prepare(model, [(cap * tl.t_update, True)], stoppable=engine.inside)
    if state is None:
        state = RunState(optimizer_v=[np.zeros(n) for n in _synapse_counts(trainer.network)])
    else:
        if not session.standalone:
            raise ValueError("resume needs a standalone device (cpp_standalone)")
        engine.load_state(state.engine)
        session.state = state.network
    checkpointing = out is not None and session.standalone
    progress = BlockProgress(
        tl.n_blocks,
        enabled=trainer.progress,
        first_block=max(0, (state.k_done - tl.n_burn) // tl.n_per_block + 1),
    )
    written = 0.0
    try:
        for k, n in chunks(tl, state.k_done, cap):
            _chunk(trainer, session, model, state, k, n, cap)
            block = tl.block_done(k + n)
            if block is not None:
                state.k_done = k + n
                state.network = session.state
                state.engine = engine.state()
                _report_block(trainer, session, progress, block, state)
                if checkpointing:
                    t0 = time.time()
                    _checkpoint(trainer, out, state, history)
                    written += time.time() - t0
    finally:
        progress.close()
    history.timing.update(session.timing)
    if checkpointing:
        history.timing["checkpoint_s"] = written
    history.timing["run_s"] = state.run_s
    if session.standalone:
        history.timing["sim_s"] = state.sim_s
    if engine.gradients_in_controller:
        history.timing["gradient_s"] = state.gradient_s
    rec = state.recording
    history.spikes = rec.spike_arrays()
    history.sq = rec.sq(session.get("cost", "sq"))
    voltage = rec.voltage()
    if voltage is not None:
        _voltage(trainer, history, *voltage)


def _synapse_counts(net):
    s = net.layer_sizes
    return [a * b for a, b in zip(s[:-1], s[1:], strict=False)]


def _chunk(trainer, session, model, state, k, n, capacity):
    """Update (controller, from the second interval on), then simulate intervals k..k+n-1."""
    tl = trainer.timeline
    tb = tl.t_update
    t_start, t_end = k * tb, (k + n) * tb
    if k > 0 and not model.engine.inside:
        _update(trainer, session, model, state.optimizer_v, k)
    period = trainer.task.period
    record = t_start < period or t_end > tl.duration - period
    t0 = time.time()
    if session.standalone:
        steps = _steps_per_update(trainer)
        values = _chunk_values(model, trainer.schedule_rates, k, capacity)
        offset = (k * steps) % model.n_period
        n_steps = n * steps if model.engine.inside else None
        session.execute(session.arguments(offset, values, n_steps), quiet=True)
        state.sim_s += session.last_run_time()
        session.read_state(n * tb)
    else:
        session.execute(record=record)
    state.recording.add(session.records(k * _steps_per_update(trainer), keep_voltage=record))
    session.clear_run_args()
    if model.engine.gradients_in_controller:
        t1 = time.time()
        model.engine.after_interval(session)
        state.gradient_s += time.time() - t1
    state.run_s += time.time() - t0


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


def _steps_per_update(trainer):
    p = trainer.network.params
    return int(round(float(p.learning.t_update / p.dt)))


def _update(trainer, session, model, optimizer_v, k):
    """The RMaxProp step of every connection with the engine's accumulators."""
    lp = trainer.network.params.learning
    lrs, engine = trainer.schedule_rates, model.engine
    for l in range(1, trainer.network.n_connections + 1):
        name = connection.name(l)
        st = {"w": session.get(name, "w"), "m": engine.accumulator(session, l)}
        st["v"] = optimizer_v[l - 1]
        apply_update(st, lrs[l - 1][k], lp)
        session.set(name, "w", st["w"])
        engine.accumulator_applied(session, l, st["m"])


def _report_block(trainer, session, progress, block, state):
    tl = trainer.timeline
    t = state.k_done * tl.t_update
    c = float(cost_from_average(session.get("cost", "sq"), t, trainer.network.params.learning))
    t_begin = t - (tl.block if block > 0 else t)
    net = trainer.network
    rates = {
        net.layer_name(l): state.recording.rate(
            net.layer_name(l), t_begin, net.layer_sizes[l], t, last_chunks=tl.n_per_block
        )
        for l in range(1, net.n_connections + 1)
    }
    progress.update(block, t, c, rates)


def _checkpoint(trainer, out, state, history):
    """Write the metrics of the blocks done and the checkpoint, atomically."""
    partial = History(initial_weights=history.initial_weights)
    partial.spikes = state.recording.spike_arrays()
    partial.sq = state.recording.sq(state.network["cost.sq"])
    block_metrics(partial, trainer.network, trainer.timeline, n_done=state.k_done)
    rundir.write_metrics(out, partial.metrics)
    # After the metrics: a checkpoint is never ahead of the blocks on disk.
    checkpoint.save(out, state, trainer.fingerprint(), trainer.timeline.n_updates)
