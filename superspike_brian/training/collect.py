"""Reading back the results of a generated project's run (``superspike collect``)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from superspike_brian.model.builder import recorded_units
from superspike_brian.model.values import model_values
from superspike_brian.training import codegen
from superspike_brian.training.history import History, block_metrics, voltage_windows
from superspike_brian.training.project import DESCRIPTION
from superspike_brian.training.trainer import Trainer

__all__ = ["collect", "history_from_results"]


def collect(project, out):
    """Turn the results of a generated project's run into a run directory.

    Parameters
    ----------
    project : path
        Project directory, after its binary ran (``./main``).
    out : path
        Run directory to write.

    Returns
    -------
    History
    """
    project = Path(project)
    arrays, manifest = codegen.read_results(project)
    with open(project / DESCRIPTION, "rb") as fh:
        saved = pickle.load(fh)
    trainer = Trainer(
        saved["network"],
        saved["task"],
        device=manifest["device"],
        schedule=saved["schedule"],
        progress=False,
    )
    history = history_from_results(trainer, arrays)
    trainer.write(out, history, extra_config={"collected_from": str(project)})
    return history


def history_from_results(trainer, arrays):
    """A History from the arrays of a standalone run (see codegen.read_results)."""
    net = trainer.network
    history = History(initial_weights=[w.copy() for w in net.initial_weights()])
    sizes = net.layer_sizes
    for l in range(1, len(sizes)):
        name = net.layer_name(l)
        history.spikes[name] = (arrays[f"{name}_t"].astype(float), arrays[f"{name}_i"].astype(int))
        w = arrays[f"conn_{l}_w"].astype(float) * 1e3
        history.weights.append(w.reshape(sizes[l - 1], sizes[l]).T.copy())
    values = model_values(net, trainer.task, trainer.schedule_rates)
    history.voltage_units = recorded_units(values, net.n_out, trainer.record_voltage)
    n = trainer.timeline.n_updates
    history.sq = np.vstack([arrays["cost_sq"][:n], arrays["cost_sq_final"][None, :]])
    voltage_windows(
        history,
        arrays["voltage_t"],
        arrays["voltage_U"].T,
        dt=float(net.params.dt),
        period=trainer.task.period,
        duration=trainer.timeline.duration,
    )
    block_metrics(history, net, trainer.timeline)
    return history
