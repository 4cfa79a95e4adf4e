"""Checkpoints: the full state of a training run at a block boundary.

A run directory gets ``checkpoint.npz`` at the end of every chunk of blocks (a
binary's execution; with the controller, every block): the
:class:`~superspike_brian.training.state.RunState`, field by field (the carried
network state: membranes, currents, traces, error traces, weights, eligibility,
the cost average; the optimizer state; the engine's own state, such as
factorized filter state and the gradients waiting to be applied) and the list
of its record parts in ``checkpoint_records/``, each holding what was recorded
(spikes, cost rows, membrane windows) since the checkpoint before. Every file is
written to a temporary name and renamed, parts before the state that lists
them, so a run killed at any moment leaves either the previous or the new
checkpoint, never half of one. Nothing in a run draws random numbers after the
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
import shutil
from pathlib import Path

import numpy as np

from superspike_brian.feedforward.network import legacy_defaults
from superspike_brian.files import write_npz
from superspike_brian.integrity import CorruptFile, check_digest, digest_arrays, digest_json
from superspike_brian.training.state import Recording, RunState

FILENAME = "checkpoint.npz"
#: Folder of the records (spikes, cost rows, membrane) of the checkpoints, one part each.
RECORDS = "checkpoint_records"
#: Layout of the file; bumped when it changes (2: RunState with an engine section;
#: 3: records in parts beside it; 4: SHA-256 checksums of its arrays and of each part;
#: 5: the learning rule's state in the rule's own groups, ``<layer>_ss`` and
#: ``superspike_cost``, since the rule is a component of its own).
FORMAT = 5
#: Formats this version reads (2 and 3 without checksums to verify).
READABLE = (2, 3, 4, 5)
#: Before format 5 the rule's per-neuron state lived in the layers themselves.
_RULE_STATE = ("z", "zt", "zh", "er", "err", "got", "pending")

__all__ = ["save", "load", "remove", "FILENAME", "FORMAT", "RECORDS"]


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

    What was recorded since the previous checkpoint goes to a new part file in
    ``out/checkpoint_records/`` first; ``checkpoint.npz`` (the state) then
    lists the parts that belong to it. A block's checkpoint thus writes that
    block's records and the state, not the whole run so far. A part written
    by a run killed before its ``checkpoint.npz`` is not listed, and the
    resumed run writes it again.

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
    part = f"part-{len(state.record_parts):05d}.npz"
    part_digests = {
        **state.record_digests,
        part: _write_part(Path(out) / RECORDS / part, rec.unsaved()),
    }
    parts = [*state.record_parts, part]
    arrays = {f"network/{name}": value for name, value in (state.network or {}).items()}
    engine_arrays, engine_layout = _lists("engine", state.engine)
    arrays.update(engine_arrays)
    opt_arrays, _ = _lists("optimizer", {"v": state.optimizer_v})
    arrays.update(opt_arrays)
    meta = {
        "format": FORMAT,
        "k_done": int(state.k_done),
        "n_updates": int(n_updates),
        "run_s": float(state.run_s),
        "gradient_s": float(state.gradient_s),
        "sim_s": float(state.sim_s),
        "records": parts,
        "n_connections": len(state.optimizer_v),
        "engine": engine_layout,
        "config": fingerprint,
        # Parts of a format-3 checkpoint continued here have no checksum (None).
        "record_checksums": {p: part_digests.get(p) for p in parts},
    }
    meta["checksum"] = _checksum(arrays, meta)
    arrays["meta"] = np.array(json.dumps(meta))
    write_npz(Path(out) / FILENAME, compress=False, **arrays)
    state.record_parts = parts
    state.record_digests = part_digests
    rec.mark_saved()


def _checksum(arrays, meta):
    """SHA-256 of a checkpoint: its arrays and its meta data but the checksum itself."""
    rest = {k: v for k, v in meta.items() if k != "checksum"}
    return digest_json([digest_arrays(arrays), rest])


def _write_part(path, chunk):
    """Write one record part; returns the SHA-256 of its arrays."""
    arrays = {"layers": np.array(json.dumps(sorted(chunk["spikes"])))}
    for name, (t, i) in chunk["spikes"].items():
        arrays[f"spikes/{name}/t"] = t
        arrays[f"spikes/{name}/i"] = i
    if chunk["sq"] is None:
        raise ValueError(f"{path}: nothing was recorded since the last checkpoint")
    arrays["sq_rows"] = chunk["sq"]
    if "vt" in chunk:
        arrays["vt"], arrays["vU"] = chunk["vt"], chunk["vU"]
    path.parent.mkdir(exist_ok=True)
    write_npz(path, compress=False, **arrays)
    return digest_arrays(arrays)


def _read(path):
    """Every array of an ``.npz``; a ValueError that names the file if it cannot be read."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except Exception as exc:
        raise ValueError(f"cannot read the checkpoint {path}: {exc}") from exc


def load(out, fingerprint):
    """Read ``out/checkpoint.npz`` into a :class:`RunState`, or None if there is none.

    Raises
    ------
    ValueError
        The checkpoint belongs to another configuration (network, task,
        schedule, device, engine) or cannot be read.
    superspike_brian.integrity.CorruptFile
        The checkpoint or one of its record parts does not match its checksum
        (a ValueError; the message names the file).
    """
    path = Path(out) / FILENAME
    if not path.exists():
        return None
    arrays = _read(path)
    try:
        meta = json.loads(str(arrays.pop("meta")))
        if not isinstance(meta, dict):
            raise TypeError("its meta data is not a JSON object")
    except Exception as exc:
        raise ValueError(f"cannot read the checkpoint {path}: {exc}") from exc
    # The checksum first: a damaged file is named as such, whatever else it says.
    if "checksum" in meta or meta.get("format", 0) >= 4:
        check_digest(path, meta.get("checksum"), _checksum(arrays, meta))
    if meta.get("format") not in READABLE:
        raise ValueError(f"{path} has checkpoint format {meta.get('format')}, expected {FORMAT}")
    if "network" in meta["config"]:
        meta["config"]["network"] = legacy_defaults(meta["config"]["network"])
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
    try:
        return _state(arrays, meta, Path(out))
    except CorruptFile:
        raise
    except Exception as exc:
        # A file of a readable format that lacks what it should hold.
        raise ValueError(f"cannot read the checkpoint {path}: {type(exc).__name__} {exc}") from exc


def _recording(out, meta, arrays):
    """The records of a checkpoint: its parts (format 3) or its own arrays (format 2)."""
    rec = Recording()
    if meta["format"] == 2:
        sources = [(arrays, meta["spike_groups"])]
    else:
        sources = []
        digests = meta.get("record_checksums", {})
        for name in meta["records"]:
            part_path = out / RECORDS / name
            if not part_path.exists():
                raise ValueError(
                    f"the checkpoint {out / FILENAME} lists {part_path}, which is missing"
                )
            part = _read(part_path)
            if digests.get(name) is not None:
                check_digest(part_path, digests[name], digest_arrays(part), out / FILENAME)
            sources.append((part, json.loads(str(part["layers"]))))
    for data, layers in sources:
        chunk = {
            "spikes": {n: (data[f"spikes/{n}/t"], data[f"spikes/{n}/i"]) for n in layers},
            "sq": data["sq_rows"],
        }
        if "vt" in data:
            chunk["vt"], chunk["vU"] = data["vt"], data["vU"]
        rec.add(chunk)
    rec.mark_saved()
    return rec


def _state(arrays, meta, out):
    def listed(prefix, key, n):
        return None if n is None else [arrays[f"{prefix}/{key}/{l}"] for l in range(n)]

    network = {k[len("network/") :]: v for k, v in arrays.items() if k.startswith("network/")}
    if meta["format"] < 5:
        network = {_format5_key(k): v for k, v in network.items()}
    return RunState(
        k_done=meta["k_done"],
        network=network or None,
        optimizer_v=listed("optimizer", "v", meta["n_connections"]),
        engine={key: listed("engine", key, n) for key, n in meta["engine"].items()},
        recording=_recording(out, meta, arrays),
        record_parts=list(meta.get("records", [])),
        record_digests={k: v for k, v in meta.get("record_checksums", {}).items() if v is not None},
        run_s=meta["run_s"],
        gradient_s=meta["gradient_s"],
        sim_s=meta["sim_s"],
    )


def _format5_key(key):
    """The name of a carried variable of a checkpoint before format 5, today."""
    group, _, name = key.rpartition(".")
    if key == "cost.sq":
        return "superspike_cost.sq"
    return f"{group}_ss.{name}" if name in _RULE_STATE else key


def remove(out):
    """Delete the checkpoint of a run and its record parts."""
    (Path(out) / FILENAME).unlink(missing_ok=True)
    shutil.rmtree(Path(out) / RECORDS, ignore_errors=True)
