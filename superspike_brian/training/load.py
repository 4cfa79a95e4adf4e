"""Reading a run directory back into Python objects.

:func:`load_run` re-creates the network, the task (from the rasters stored in
``task.npz``), the schedule and the trainer's options of a run, and reads its
history (metrics, spikes, weights, membrane windows). The trainer it returns
trains the same run again: same options, same seeds, same results.

Examples
--------
>>> run = load_run("runs/single_neuron-s1")          # doctest: +SKIP
>>> run.history.metric("cost")[-1]                   # doctest: +SKIP
>>> again = run.trainer(progress=False).run()        # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from superspike_brian import rundir
from superspike_brian.feedforward.network import SuperSpikeNetwork
from superspike_brian.tasks.spikeio import SpikeRaster
from superspike_brian.tasks.task import Task
from superspike_brian.training.history import History
from superspike_brian.training.schedule import Schedule

__all__ = ["Run", "load_run", "task_from_arrays"]


@dataclass
class Run:
    """A run directory read back (see :func:`load_run`)."""

    path: Path
    config: dict
    network: SuperSpikeNetwork
    task: Task
    schedule: Schedule
    history: History

    def __repr__(self):
        # One screen: what the run is, not its arrays (the dataclass repr printed
        # every weight, spike and parameter: tens of thousands of characters).
        net = self.network
        sizes = " -> ".join(str(n) for n in net.layer_sizes)
        s = self.schedule
        cost = self.history.metric("cost") if self.history.metrics else None
        last = f", final cost {cost[-1]:.4g}" if cost is not None and cost.size else ""
        return (
            f"Run({str(self.path)!r}: {sizes}, {net.feedback} feedback,"
            f" regularizer {'on' if net.regularizer else 'off'}, seed {net.seed};"
            f" task {self.task.name!r}; {float(s.burn_in):g} s burn-in + {s.n_blocks} blocks"
            f" of {float(s.block):g} s on {self.config.get('device', '?')}"
            f"{last}; fields: path, config, network, task, schedule, history)"
        )

    @property
    def options(self):
        """The trainer's options of this run (device, learn, engine, ...)."""
        keys = ("device", "learn", "engine", "float32", "codegen_target", "record_voltage")
        return {k: self.config[k] for k in keys if k in self.config}

    def trainer(self, **changes):
        """A :class:`Trainer` with this run's network, task, schedule and options.

        Parameters
        ----------
        **changes
            Trainer options to change (``progress=False``, ``build_dir=...``).
        """
        from superspike_brian.training.trainer import Trainer

        return Trainer(
            self.network, self.task, schedule=self.schedule, **{**self.options, **changes}
        )


def load_run(path):
    """Read the run directory ``path``.

    Returns
    -------
    Run

    Raises
    ------
    superspike_brian.rundir.RunMissing
        ``path`` does not exist or is not a run directory (a FileNotFoundError).
    superspike_brian.rundir.RunUnfinished
        The run has not completed (running, interrupted or failed; a
        ValueError whose one line says how far it got and how to resume it).
    ValueError
        A file is damaged, or config.json was written by a version of the
        package that lacks what is needed (the message says which).
    """
    path = Path(path)
    # A missing or unfinished run is one line ("D does not exist", "D is unfinished
    # (last checkpoint at block k): resume with ..."), not a missing file.
    config = rundir.require_finished(path)
    if config.get("format") not in rundir.READABLE_CONFIG_FORMATS:
        raise ValueError(
            f"{path}/config.json has format {config.get('format')!r}; this version reads"
            f" formats {', '.join(map(str, rundir.READABLE_CONFIG_FORMATS))}"
        )
    weights = rundir.read_arrays(path, "weights")
    n = len(config["network"]["hidden"]) + 1
    initial = [weights[f"w_init_{l}"] for l in range(1, n + 1)]
    network = SuperSpikeNetwork.from_config(config["network"], initial=initial)
    task = task_from_arrays(config["task"], rundir.read_arrays(path, "task"))
    schedule = Schedule.from_config(config["schedule"])
    return Run(path, config, network, task, schedule, _history(path, config, weights, n))


def task_from_arrays(description, arrays):
    """The :class:`Task` (or XOR task) stored by :func:`superspike_brian.rundir.task_arrays`."""
    rasters = {}
    for kind in ("input", "target"):
        rasters[kind] = SpikeRaster(
            arrays[f"{kind}_t"],
            arrays[f"{kind}_i"],
            int(arrays[f"{kind}_n"]),
            float(arrays[f"{kind}_duration"]),
        )
    common = dict(
        name=description["name"],
        input=rasters["input"],
        target=rasters["target"],
        period=float(arrays["period"]),
        kind=description.get("kind", "spikes"),
    )
    if "xor_onsets" in arrays:
        from superspike_brian.tasks.xor import XorTask

        return XorTask(
            **common,
            onsets=arrays["xor_onsets"],
            patterns=arrays["xor_patterns"],
            labels=arrays["xor_labels"],
            window=float(arrays["xor_window"]),
        )
    return Task(**common)


def _history(path, config, weights, n):
    history = History(
        initial_weights=[weights[f"w_init_{l}"] for l in range(1, n + 1)],
        weights=[weights[f"w_final_{l}"] for l in range(1, n + 1)],
        timing=config.get("timing", {}),
    )
    metrics = rundir.read_metrics(path)
    if metrics:
        keys = list(metrics)
        history.metrics = [
            {k: (int(metrics[k][r]) if k == "block" else float(metrics[k][r])) for k in keys}
            for r in range(len(metrics["block"]))
        ]
    spikes = rundir.read_arrays(path, "spikes")
    history.update_times = spikes.get("update_times")
    history.cost = spikes.get("cost")
    history.sq = spikes.get("sq")
    layers = [k[: -len("_t")] for k in spikes if k.endswith("_t") and k != "target_t"]
    history.spikes = {name: (spikes[f"{name}_t"], spikes[f"{name}_i"]) for name in layers}
    voltage = rundir.read_arrays(path, "voltage")
    history.voltage_units = voltage.get("units")
    history.voltage = {
        key: (voltage[f"{key}_t"], voltage[f"{key}_U"])
        for key in ("before", "after")
        if f"{key}_t" in voltage
    }
    return history
