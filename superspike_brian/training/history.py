"""What a training run produced, and its metrics per block.

:class:`History` holds everything a run directory stores (spikes of every
layer, the cost average at every update, membrane windows, weights, timing);
:func:`block_metrics` turns it into one row per block (cost, ``cost_ref``,
firing rates), the rows of ``metrics.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from superspike_brian.model.cost import cost_from_average, reference_scale

__all__ = ["History", "block_metrics", "voltage_windows"]


@dataclass
class History:
    """What a training run produced (everything a run directory stores)."""

    metrics: list = field(default_factory=list)
    spikes: dict = field(default_factory=dict)  # layer name -> (times s, ids)
    update_times: np.ndarray | None = None
    sq: np.ndarray | None = None  # (n_updates+1, n_out) running averages
    cost: np.ndarray | None = None  # cost at every update time
    voltage: dict = field(default_factory=dict)  # 'before'/'after' -> (t, U mV)
    voltage_units: np.ndarray | None = None  # output units of the rows of U
    initial_weights: list = field(default_factory=list)
    weights: list = field(default_factory=list)
    timing: dict = field(default_factory=dict)

    def metric(self, name):
        """One metrics column as an array."""
        return np.array([row[name] for row in self.metrics], dtype=float)


def block_metrics(history, net, timeline, n_done=None):
    """Fill ``history.update_times``, ``history.cost`` and ``history.metrics``.

    Parameters
    ----------
    history : History
        With ``sq`` (one row per update interval done, plus the final state) and
        ``spikes``.
    net : SuperSpikeNetwork
    timeline : Timeline
    n_done : int, optional
        Update intervals done (default: the whole training); only the blocks
        that ended by then get a row.
    """
    lp = net.params.learning
    tb = timeline.t_update
    n_done = timeline.n_updates if n_done is None else n_done
    times = np.arange(n_done + 1) * tb
    history.update_times = times
    history.cost = cost_from_average(history.sq, times, lp)
    ref_scale = reference_scale(net.n_out)
    names = [net.layer_name(l) for l in range(1, net.n_connections + 1)]
    times_of = {name: _sorted_times(history.spikes.get(name)) for name in names}
    rows = []
    for b in range(timeline.n_blocks + 1):
        idx = timeline.block_end(b)
        if idx > n_done:
            break
        t_end = idx * tb
        t_begin = 0.0 if b == 0 else t_end - timeline.block
        row = {
            "block": b,
            "time_s": t_end,
            "cost": float(history.cost[idx]),
            "cost_ref": float(history.cost[idx]) * ref_scale,
        }
        for l, name in enumerate(names, start=1):
            key = "output_rate_hz" if name == "output" else f"{name}_rate_hz"
            row[key] = _rate(times_of[name], t_begin, t_end, net.layer_sizes[l])
        rows.append(row)
    history.metrics = rows


def _sorted_times(spikes):
    """A layer's spike times in increasing order (monitors record them so)."""
    t = np.asarray(spikes[0] if spikes is not None else [], dtype=float)
    return t if np.all(t[1:] >= t[:-1]) else np.sort(t)


def _rate(t, t_begin, t_end, size):
    # Counting in sorted times: a metrics row per block costs no pass over
    # the whole run's spikes (a checkpoint recomputes every row).
    lo, hi = np.searchsorted(t, [t_begin - 1e-12, t_end - 1e-12], side="left")
    return int(hi - lo) / max(t_end - t_begin, 1e-12) / size


def voltage_windows(history, t, U, *, dt, period, duration):
    """Split recorded membrane samples into the first and the last period of training.

    Parameters
    ----------
    history : History
        Receives ``voltage['before']`` and ``voltage['after']`` as (t s, U mV);
        the times of the last period start at 0.
    t : ndarray
        Sample times, s.
    U : ndarray, shape (n_units, n_samples)
        Membrane potentials, V.
    dt, period, duration : float
        Time step, task period and training duration, s.
    """
    if t.size == 0:
        return
    # Work on the step grid: float times near the window edges must not leak out.
    steps = np.round(t / dt).astype(np.int64)
    n_period = int(round(period / dt))
    n_total = int(round(duration / dt))
    before = steps < n_period
    after = steps >= n_total - n_period
    history.voltage["before"] = (steps[before] * dt, U[:, before] * 1e3)
    history.voltage["after"] = ((steps[after] - (n_total - n_period)) * dt, U[:, after] * 1e3)
