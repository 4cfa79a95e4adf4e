"""Checkpoints: the full state of a training run at a block boundary.

In controller mode a run directory gets ``checkpoint.npz`` at the end of every
block: the :class:`~superspike_brian.training.state.RunState`, field by field
(the carried network state: membranes, currents, traces, error traces, weights,
eligibility, the cost average; the optimizer state; the engine's own state,
such as factorized filter state and the gradients waiting to be applied; and
everything recorded so far: spikes, cost rows, membrane windows). It is written
to a temporary name and renamed, so a run killed at any moment leaves either the
previous or the new checkpoint, never half of one. Nothing in a run draws random numbers after the
network is built from its seed, so the state and the seed determine the rest:
a resumed run equals an uninterrupted one bit for bit.

Examples
--------
>>> trainer.run(out="runs/oxford")                 # doctest: +SKIP
>>> # ... killed; later, the same trainer configuration:
>>> trainer.run(out="runs/oxford", resume=True)    # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from superspike_brian.files import write_npz
from superspike_brian.training.state import Recording, RunState

FILENAME = "checkpoint.npz"
#: Layout of the file; bumped when it changes (2: RunState with an engine section).
FORMAT = 2

__all__ = ["save", "load", "remove", "FILENAME", "FORMAT"]


def _lists(prefix, named_lists):
    """Arrays of a dict of lists (None entries skipped), and the layout for meta."""
    arrays, layout = {}, {}
    for key, values in named_lists.items():
        layout[key] = None if values is None else len(values)
        for l, value in enumerate(values or []):
            arrays[f"{prefix}/{key}/{l}"] = value
    return arrays, layout


def save(out, state, fingerprint, n_updates):
    """Write ``out/checkpoint.npz`` from ``state`` (atomically).

    Parameters
    ----------
    out : path
        Run directory.
    state : RunState
    fingerprint : dict
        The options that must not change between a run and its resumption.
    n_updates : int
        Update intervals of the whole run.
    """
    rec = state.recording
    arrays = {f"network/{name}": value for name, value in (state.network or {}).items()}
    engine_arrays, engine_layout = _lists("engine", state.engine)
    arrays.update(engine_arrays)
    opt_arrays, _ = _lists("optimizer", {"v": state.optimizer_v})
    arrays.update(opt_arrays)
    spikes = rec.spike_arrays()
    for name, (t, i) in spikes.items():
        arrays[f"spikes/{name}/t"] = t
        arrays[f"spikes/{name}/i"] = i
    arrays["sq_rows"] = np.vstack(rec.sq_rows)
    voltage = rec.voltage()
    if voltage is not None:
        arrays["vt"], arrays["vU"] = voltage
    meta = {
        "format": FORMAT,
        "k_done": int(state.k_done),
        "n_updates": int(n_updates),
        "run_s": float(state.run_s),
        "gradient_s": float(state.gradient_s),
        "sim_s": float(state.sim_s),
        "spike_groups": sorted(spikes),
        "n_connections": len(state.optimizer_v),
        "engine": engine_layout,
        "config": fingerprint,
    }
    arrays["meta"] = np.array(json.dumps(meta))
    write_npz(Path(out) / FILENAME, compress=False, **arrays)


def load(out, fingerprint):
    """Read ``out/checkpoint.npz`` into a :class:`RunState`, or None if there is none.

    Raises
    ------
    ValueError
        The checkpoint belongs to another configuration (network, task,
        schedule, device, engine) or cannot be read.
    """
    path = Path(out) / FILENAME
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        meta = json.loads(str(arrays.pop("meta")))
    except Exception as exc:
        raise ValueError(f"cannot read the checkpoint {path}: {exc}") from exc
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path} has checkpoint format {meta.get('format')}, expected {FORMAT}")
    if meta["config"] != fingerprint:
        diff = sorted(
            k
            for k in set(fingerprint) | set(meta["config"])
            if fingerprint.get(k) != meta["config"].get(k)
        )
        raise ValueError(
            f"the checkpoint in {out} was written by another configuration (differs in:"
            f" {', '.join(diff)}); resume with the options of that run"
        )
    return _state(arrays, meta)


def _state(arrays, meta):
    def listed(prefix, key, n):
        return None if n is None else [arrays[f"{prefix}/{key}/{l}"] for l in range(n)]

    recording = Recording(
        spikes={
            name: ([arrays[f"spikes/{name}/t"]], [arrays[f"spikes/{name}/i"]])
            for name in meta["spike_groups"]
        },
        sq_rows=[arrays["sq_rows"]],
        vt=[arrays["vt"]] if "vt" in arrays else [],
        vU=[arrays["vU"]] if "vU" in arrays else [],
    )
    network = {k[len("network/") :]: v for k, v in arrays.items() if k.startswith("network/")}
    return RunState(
        k_done=meta["k_done"],
        network=network or None,
        optimizer_v=listed("optimizer", "v", meta["n_connections"]),
        engine={key: listed("engine", key, n) for key, n in meta["engine"].items()},
        recording=recording,
        run_s=meta["run_s"],
        gradient_s=meta["gradient_s"],
        sim_s=meta["sim_s"],
    )


def remove(out):
    """Delete the checkpoint of a finished run."""
    (Path(out) / FILENAME).unlink(missing_ok=True)
