"""Checkpoints: the full state of a training run at a block boundary.

In controller mode a run directory gets ``checkpoint.npz`` at the end of every
block: the carried network state (membranes, currents, traces, error traces,
weights, eligibility or factorized filter state, the cost average), the
optimizer state, the gradients waiting to be applied, and everything recorded
so far (spikes, cost rows, membrane windows). It is written to a temporary name
and renamed, so a run killed at any moment leaves either the previous or the new
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
from pathlib import Path

import numpy as np

from superspike_brian.files import write_npz

FILENAME = "checkpoint.npz"
FORMAT = 1


def _fingerprint(trainer):
    """What must not change between a run and its resumption."""
    from superspike_brian.rundir import trainer_config

    config = trainer_config(trainer)
    config.pop("versions", None)
    config["engine"] = trainer.engine
    return json.loads(json.dumps(config, default=str))


def save(out, trainer, run):
    """Write ``out/checkpoint.npz`` from the controller's run record (atomically).

    Parameters
    ----------
    out : path
        Run directory.
    trainer : Trainer
    run : dict
        The controller's record: ``k_done``, ``state``, ``opt_v``,
        ``m_factorized``, ``lam_r``, ``lam``, ``spikes``, ``sq_rows``, ``vt``,
        ``vU``, ``run_s``, ``gradient_s``.
    """
    arrays = {}
    for name, value in run["state"].items():
        arrays[f"state/{name}"] = value
    for key in ("opt_v", "m_factorized", "lam_r", "lam"):
        for l, value in enumerate(run[key] or []):
            arrays[f"{key}/{l}"] = value
    names = sorted(run["spikes"])
    for name in names:
        t, i = run["spikes"][name]
        arrays[f"spikes/{name}/t"] = np.concatenate(t) if t else np.zeros(0)
        arrays[f"spikes/{name}/i"] = np.concatenate(i) if i else np.zeros(0, dtype=int)
    arrays["sq_rows"] = np.vstack(run["sq_rows"])
    if run["vt"]:
        arrays["vt"] = np.concatenate(run["vt"])
        arrays["vU"] = np.hstack(run["vU"])
    meta = {
        "format": FORMAT,
        "k_done": int(run["k_done"]),
        "n_updates": int(trainer.n_updates),
        "run_s": float(run["run_s"]),
        "gradient_s": float(run["gradient_s"]),
        "spike_groups": names,
        "n_connections": len(run["opt_v"]),
        "config": _fingerprint(trainer),
    }
    arrays["meta"] = np.array(json.dumps(meta))
    write_npz(Path(out) / FILENAME, **arrays)


def load(out, trainer):
    """Read ``out/checkpoint.npz`` into the controller's run record, or None if absent.

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
    mine = _fingerprint(trainer)
    if meta["config"] != mine:
        diff = sorted(
            k for k in set(mine) | set(meta["config"]) if mine.get(k) != meta["config"].get(k)
        )
        raise ValueError(
            f"the checkpoint in {out} was written by another configuration (differs in:"
            f" {', '.join(diff)}); resume with the options of that run"
        )
    n = meta["n_connections"]
    run = {
        "k_done": meta["k_done"],
        "run_s": meta["run_s"],
        "gradient_s": meta["gradient_s"],
        "state": {k[len("state/") :]: v for k, v in arrays.items() if k.startswith("state/")},
        "spikes": {},
        "sq_rows": [arrays["sq_rows"]],
        "vt": [arrays["vt"]] if "vt" in arrays else [],
        "vU": [arrays["vU"]] if "vU" in arrays else [],
    }
    for key in ("opt_v", "m_factorized", "lam_r", "lam"):
        values = [arrays.get(f"{key}/{l}") for l in range(n)]
        run[key] = values if all(v is not None for v in values) else None
    for name in meta["spike_groups"]:
        run["spikes"][name] = ([arrays[f"spikes/{name}/t"]], [arrays[f"spikes/{name}/i"]])
    return run


def remove(out):
    """Delete the checkpoint of a finished run."""
    (Path(out) / FILENAME).unlink(missing_ok=True)


__all__ = ["save", "load", "remove", "FILENAME"]
