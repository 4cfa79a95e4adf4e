"""Run directories: what a training run leaves behind, and reading it back.

A run directory holds ``config.json``, ``metrics.csv``, ``weights.npz``,
``spikes.npz``, ``voltage.npz`` and the figures (see ``runs/README.md``). Every
file is written to a temporary name and renamed, so an interrupted run never
leaves a half-written file.
"""

from __future__ import annotations

import csv
import io
import json
import platform
from pathlib import Path

import numpy as np

from superspike_brian.files import atomic_write, write_npz


def versions():
    import brian2

    out = {"python": platform.python_version(), "brian2": brian2.__version__}
    try:
        import brian2cuda

        out["brian2cuda"] = getattr(brian2cuda, "__version__", "unknown")
    except Exception:  # brian2cuda is optional at run time
        pass
    out["numpy"] = np.__version__
    return out


def write_config(out, config):
    """Write config.json (atomically)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "config.json", json.dumps(config, indent=2, default=str) + "\n")


def write_metrics(out, rows):
    """Write metrics.csv, one row per block."""
    if not rows:
        return
    keys = list(rows[0].keys())
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: (f"{float(v):.6g}" if k not in ("block",) else v) for k, v in row.items()})
    atomic_write(Path(out) / "metrics.csv", buf.getvalue())


def read_metrics(out):
    """Read metrics.csv into a dict of arrays."""
    with open(Path(out) / "metrics.csv") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return {}
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def trainer_config(trainer):
    """Everything needed to reproduce a run, as JSON-able data."""
    s = trainer.schedule
    return {
        "task": trainer.task.name,
        "period_s": trainer.task.period,
        "network": trainer.network.config(),
        "schedule": {
            "burn_in_s": float(s.burn_in),
            "block_s": float(s.block),
            "n_blocks": s.n_blocks,
            "decay_at": list(s.decay_at),
            "decay_factor": s.decay_factor,
        },
        "device": trainer.device,
        "learn": trainer.learn,
        "float32": trainer.float32,
        "versions": versions(),
    }


def write_run(out, trainer, history, extra_config=None, figures=True):
    """Write a complete run directory for a finished training."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    config = trainer_config(trainer)
    config["timing"] = history.timing
    if extra_config:
        config.update(extra_config)
    write_config(out, config)
    write_metrics(out, history.metrics)
    weights = {}
    for k, (w0, w1) in enumerate(zip(history.initial_weights, history.weights), start=1):
        weights[f"w_init_{k}"] = w0
        weights[f"w_final_{k}"] = w1
    write_npz(out / "weights.npz", **weights)
    spikes = {"update_times": history.update_times, "cost": history.cost, "sq": history.sq}
    for name, (t, i) in history.spikes.items():
        spikes[f"{name}_t"] = t
        spikes[f"{name}_i"] = i
    task = trainer.task
    spikes["target_t"] = task.target.times
    spikes["target_i"] = task.target.ids
    spikes["period"] = np.array(task.period)
    write_npz(out / "spikes.npz", **spikes)
    volt = {}
    for key, (t, U) in history.voltage.items():
        volt[f"{key}_t"] = t
        volt[f"{key}_U"] = U
    write_npz(out / "voltage.npz", **volt)
    if figures:
        from superspike_brian.reporting.figures import make_figures

        make_figures(out)
    return out
