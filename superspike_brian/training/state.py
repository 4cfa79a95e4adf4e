"""The state of a training run between two runs of the simulation.

A run that advances in chunks (the controller: one update interval per chunk)
hands :class:`RunState` from chunk to chunk: the network's carried state, the
optimizer's second moment, the engine's own state, and everything recorded so
far. A checkpoint (:mod:`superspike_brian.training.checkpoint`) saves it field
by field; nothing else is needed to continue the run bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Recording", "RunState"]


def _join(chunks, dtype):
    return np.concatenate(chunks).astype(dtype, copy=False) if chunks else np.zeros(0, dtype)


@dataclass
class Recording:
    """What the monitors produced so far, chunk by chunk (times in s from the start).

    :meth:`unsaved` gives what was recorded since the last :meth:`mark_saved`:
    a checkpoint writes only that, so checkpoints cost what a block records,
    not what the whole run has.
    """

    spikes: dict = field(default_factory=dict)  # layer -> ([times chunks], [ids chunks])
    sq_rows: list = field(default_factory=list)  # (rows, n_out) per chunk
    vt: list = field(default_factory=list)  # membrane sample times per chunk
    vU: list = field(default_factory=list)  # (n_units, samples) per chunk
    saved: dict = field(default_factory=dict)  # what mark_saved() saw: counts

    def add(self, chunk):
        """Append one chunk's records (see :meth:`Session.records`)."""
        for name, (t, i) in chunk["spikes"].items():
            times, ids = self.spikes.setdefault(name, ([], []))
            times.append(t)
            ids.append(i)
        self.sq_rows.append(chunk["sq"])
        if chunk.get("vt") is not None:
            self.vt.append(chunk["vt"])
            self.vU.append(chunk["vU"])

    def spike_arrays(self):
        """Layer name -> (times, ids) arrays of everything recorded."""
        return {name: (_join(t, float), _join(i, int)) for name, (t, i) in self.spikes.items()}

    def sq(self, final):
        """Cost averages at every update time, then ``final`` (the state at the end)."""
        return np.vstack([*self.sq_rows, np.asarray(final, dtype=float)[None, :]])

    def unsaved(self):
        """What was recorded since :meth:`mark_saved`, as one chunk of :meth:`add`.

        Every chunk adds one entry to each layer's lists and to ``sq_rows``, so
        the chunks since the last checkpoint are the entries past its count.
        """
        saved = self.saved or {"chunks": 0, "v": 0}
        c = saved["chunks"]
        spikes = {
            name: (_join(t[c:], float), _join(i[c:], int)) for name, (t, i) in self.spikes.items()
        }
        rows = self.sq_rows[c:]
        chunk = {"spikes": spikes, "sq": np.vstack(rows) if rows else None}
        if len(self.vt) > saved["v"]:
            chunk["vt"] = np.concatenate(self.vt[saved["v"] :])
            chunk["vU"] = np.hstack(self.vU[saved["v"] :])
        return chunk

    def mark_saved(self):
        """Everything recorded so far is in a checkpoint."""
        self.saved = {"chunks": len(self.sq_rows), "v": len(self.vt)}

    def voltage(self):
        """(times, U) of every membrane sample kept, or None."""
        if not self.vt:
            return None
        return np.concatenate(self.vt), np.hstack(self.vU)

    def rate(self, name, t_begin, n_units, t_end, last_chunks=None):
        """Mean rate (Hz) of layer ``name`` in [t_begin, t_end), looking at the last chunks."""
        times = self.spikes.get(name, ([], []))[0]
        if last_chunks is not None:
            times = times[-last_chunks:]
        n = sum(np.count_nonzero((x >= t_begin - 1e-12) & (x < t_end - 1e-12)) for x in times)
        return n / max(t_end - t_begin, 1e-12) / n_units


@dataclass
class RunState:
    """Everything a run hands from one chunk to the next.

    Attributes
    ----------
    k_done : int
        Update intervals simulated.
    network : dict or None
        The carried Brian2 state of a standalone binary, ``"group.variable"``
        -> array (SI units; ``lastspike`` relative to the start of the next run).
        None before the first run and in runtime mode (the state lives in the
        Brian2 objects).
    optimizer_v : list of ndarray
        RMaxProp second moment per connection (controller mode).
    engine : dict
        The engine's own state (:meth:`Engine.state`).
    recording : Recording
    record_parts : list of str
        The checkpoint's record files so far (:mod:`superspike_brian.training.checkpoint`).
    record_digests : dict
        Record file -> SHA-256 of its arrays (parts written before checksums: absent).
    metrics : list of dict
        Metrics rows of the blocks done (rebuilt from the records on resumption).
    run_s, gradient_s : float
        Wall time spent simulating, and computing accumulators in the controller.
    sim_s : float
        Of ``run_s``, the time standalone binaries spent in their network loops
        (the rest is starting them and moving the state in and out).
    """

    k_done: int = 0
    network: dict | None = None
    optimizer_v: list = field(default_factory=list)
    engine: dict = field(default_factory=dict)
    recording: Recording = field(default_factory=Recording)
    record_parts: list = field(default_factory=list)
    record_digests: dict = field(default_factory=dict)
    metrics: list = field(default_factory=list)
    run_s: float = 0.0
    gradient_s: float = 0.0
    sim_s: float = 0.0
