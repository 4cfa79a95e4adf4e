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
import os
import platform
import tempfile
from pathlib import Path

import numpy as np


def _atomic_write(path, data, mode="w"):
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, mode) as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_npz(path, **arrays):
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    _atomic_write(path, buf.getvalue(), mode="wb")


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
    _atomic_write(out / "config.json", json.dumps(config, indent=2, default=str) + "\n")


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
    _atomic_write(Path(out) / "metrics.csv", buf.getvalue())


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
    _atomic_npz(out / "weights.npz", **weights)
    spikes = {"update_times": history.update_times, "cost": history.cost, "sq": history.sq}
    for name, (t, i) in history.spikes.items():
        spikes[f"{name}_t"] = t
        spikes[f"{name}_i"] = i
    task = trainer.task
    spikes["target_t"] = task.target.times
    spikes["target_i"] = task.target.ids
    spikes["period"] = np.array(task.period)
    _atomic_npz(out / "spikes.npz", **spikes)
    volt = {}
    for key, (t, U) in history.voltage.items():
        volt[f"{key}_t"] = t
        volt[f"{key}_U"] = U
    _atomic_npz(out / "voltage.npz", **volt)
    if figures:
        make_figures(out)
    return out


def make_figures(out, reference=None):
    """(Re)draw every figure of a run directory from its saved data."""
    from superspike_brian.reporting import plotting

    out = Path(out)
    config = json.loads((out / "config.json").read_text())
    m = read_metrics(out)
    sp = np.load(out / "spikes.npz")
    period = float(sp["period"])
    plotting.plot_learning_curve(
        out / "learning_curve.png",
        m["block"],
        m.get("cost_ref", m["cost"]),
        reference=reference,
        title=f"{config['task']}: cost per block",
    )
    n_out = config["network"]["n_out"]
    # Show the last complete period of training, not a partial one.
    whole = np.floor(float(sp["update_times"][-1]) / period + 1e-9) * period
    keep = sp["output_t"] < whole - 1e-9
    plotting.plot_raster(
        out / "raster.png",
        sp["output_t"][keep],
        sp["output_i"][keep],
        sp["target_t"],
        sp["target_i"],
        period,
        n_units=n_out,
        duration=whole,
        title=f"{config['task']}: output spikes against the target",
    )
    v = np.load(out / "voltage.npz")
    if "before_t" in v and "after_t" in v:
        plotting.plot_membrane(
            out / "membrane.png",
            (v["before_t"], v["before_U"]),
            (v["after_t"], v["after_U"]),
            target_t=sp["target_t"][sp["target_i"] == 0],
            period=period,
        )
    rates = {k[: -len("_rate_hz")]: m[k] for k in m if k.endswith("_rate_hz")}
    if "hidden_2" not in rates:
        rates.pop("hidden", None)  # with one hidden layer the mean is that layer
    if rates:
        plotting.plot_rates(out / "rates.png", m["block"], rates)
    w = np.load(out / "weights.npz")
    n = len([k for k in w if k.startswith("w_init_")])
    plotting.plot_weights(
        out / "weights.png",
        [w[f"w_init_{k}"] for k in range(1, n + 1)],
        [w[f"w_final_{k}"] for k in range(1, n + 1)],
    )


def summary_page(out, reference=None):
    """One PNG that tiles every figure of a run directory, with its headline numbers."""
    import matplotlib.image as mpimg
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = Path(out)
    make_figures(out, reference=reference)
    config = json.loads((out / "config.json").read_text())
    m = read_metrics(out)
    names = ["learning_curve", "raster", "membrane", "rates", "weights"]
    images = [(n, out / f"{n}.png") for n in names if (out / f"{n}.png").exists()]
    fig = Figure(figsize=(16, 4.5 * ((len(images) + 1) // 2) + 1.2))
    FigureCanvasAgg(fig)
    net = config["network"]
    sizes = " -> ".join(str(x) for x in [net["n_in"], *net["hidden"], net["n_out"]])
    cost = m.get("cost_ref", m["cost"])
    fig.suptitle(
        f"{config['task']}: {sizes}, {net['feedback']} feedback, seed {net['seed']},"
        f" {config['device']}\ncost block 0: {cost[0]:.3g}, last block: {cost[-1]:.3g}"
        f" ({len(cost) - 1} blocks)",
        fontsize=13,
    )
    rows = (len(images) + 1) // 2
    for k, (name, path) in enumerate(images):
        ax = fig.add_subplot(rows, 2, k + 1)
        ax.imshow(mpimg.imread(path))
        ax.set_axis_off()
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(out / "summary.png", dpi=100)
    return out / "summary.png"
