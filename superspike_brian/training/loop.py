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

__all__ = ["run_inside", "run_controller", "voltage_segments"]


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
    records = session.records(0.0)
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


def run_controller(trainer, session, model, history, state=None, out=None):
    """Train interval after interval, the update applied between intervals.

    Parameters
    ----------
    trainer : Trainer
    session : Session
    model : BrianModel
    history : History
        Filled with spikes, cost averages, membrane windows and timing.
    state : RunState, optional
        Where to continue (a resumed run); None starts at the beginning.
    out : path, optional
        Run directory: a checkpoint and the metrics so far at every block end
        (standalone devices only).
    """
    tl = trainer.timeline
    engine = model.engine
    session.prepare(model, [(tl.t_update, True)])
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
    try:
        for k in range(state.k_done, tl.n_updates):
            _interval(trainer, session, model, state, k)
            block = tl.block_done(k + 1)
            if block is not None:
                state.k_done = k + 1
                state.network = session.state
                state.engine = engine.state()
                _report_block(trainer, session, progress, block, state)
                if checkpointing:
                    _checkpoint(trainer, out, state, history)
    finally:
        progress.close()
    history.timing.update(session.timing)
    history.timing["run_s"] = state.run_s
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


def _interval(trainer, session, model, state, k):
    """Update (from the second interval on), then simulate update interval ``k``."""
    tl = trainer.timeline
    tb = tl.t_update
    t_start = k * tb
    if k > 0:
        _update(trainer, session, model, state.optimizer_v, k)
    period = trainer.task.period
    record = t_start < period or t_start + tb > tl.duration - period
    t0 = time.time()
    if session.standalone:
        offset = (k * _steps_per_update(trainer)) % model.n_period
        session.execute(session.state_args(offset), quiet=True)
        session.read_state(tb)
    else:
        session.execute(record=record)
    state.recording.add(session.records(t_start, keep_voltage=record))
    session.clear_run_args()
    if model.engine.gradients_in_controller:
        t1 = time.time()
        model.engine.after_interval(session)
        state.gradient_s += time.time() - t1
    state.run_s += time.time() - t0


def _steps_per_update(trainer):
    p = trainer.network.params
    return int(round(float(p.learning.t_update / p.dt)))


def _update(trainer, session, model, optimizer_v, k):
    """The RMaxProp step of every connection with the engine's accumulators."""
    lp = trainer.network.params.learning
    lrs, engine = model.values.learning_rates, model.engine
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
