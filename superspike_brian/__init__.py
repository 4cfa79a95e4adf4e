"""SuperSpike (Zenke & Ganguli 2018) in Brian2: equations in biophysical units,
trained by a Python controller or inside one standalone binary (CPU or GPU).

The package by concept, in layers: a module imports only from its own layer
and the layers above it in this list (``tests/test_layout.py`` enforces it).

Top-level modules
    The foundation: errors, logging, files, the build cache, argument checks,
    run directories and their locks.
``tasks/``
    Single-neuron task, patterns and images, spiking XOR, spike files.
``model/``
    The model: neurons, traces, eligibility, error and feedback, regularizer,
    optimizer, cost, the order of a time step, the exact solver.
``devices/``
    Brian2 devices: switching them, sessions, compiling standalone projects,
    CUDA projects, build directories and their locks.
``engines/``
    Where and how the gradient accumulators are computed (per synapse, or
    factorized in numpy or C++).
``rule/``
    SuperSpike as a Brian2 component (:class:`SuperSpike`): attaches the
    rule to NeuronGroups and Synapses of any graph.
``feedforward/``
    The package's own feed-forward networks (:class:`SuperSpikeNetwork`),
    their values and their builder: the rule's first client.
``interop/``
    NIR export and import.
``reporting/``
    Figures, reference curves of the authors' implementation.
``training/``
    Trainer, schedule, training loops, checkpoints, progress, history,
    standalone projects, reading runs back, the XOR experiment.
``paper.py``
    The paper's experiments, each stated once: networks, tasks, schedules and
    conditions of Figs 2-8, for the model scripts and the reproduction.
``options.py``
    The ``superspike train`` options, shared by the command line and sweeps.
``sweep/``
    Grids of runs on Dask.
``reproduce/``
    The paper's experiments over seeds and their report.
``cli/``
    The ``superspike`` command line.

Examples
--------
>>> from brian2 import second
>>> from superspike_brian import SuperSpikeNetwork, Trainer, single_neuron_task
>>> net = SuperSpikeNetwork(n_in=100, hidden=[4], n_out=1, feedback="random")
>>> trainer = Trainer(net, single_neuron_task(seed=1), device="cpp_standalone")
>>> history = trainer.run()  # doctest: +SKIP
"""

import importlib

# The package's logger and its handler (messages at level INFO, as Brian2's).
from superspike_brian import logs  # noqa: F401

#: The package's version: the one place it is written (setup.cfg reads it with
#: ``version = attr:``, without importing the package; CITATION.cff and
#: CHANGELOG.md are checked against it by tests/test_docs.py).
__version__ = "0.1.0"

#: Public name -> module that defines it. Imported on first use, so that
#: ``import superspike_brian`` (and the command line's ``--help``) does not
#: import Brian2.
_EXPORTS = {
    "SuperSpike": "superspike_brian.rule.component",
    "SuperSpikeNetwork": "superspike_brian.feedforward.network",
    "ModelParameters": "superspike_brian.model.parameters",
    "NeuronParameters": "superspike_brian.model.parameters",
    "LearningParameters": "superspike_brian.model.parameters",
    "RegularizerParameters": "superspike_brian.model.parameters",
    "Trainer": "superspike_brian.training.trainer",
    "History": "superspike_brian.training.history",
    "Schedule": "superspike_brian.training.schedule",
    "load_run": "superspike_brian.training.load",
    "SpikeRaster": "superspike_brian.tasks.spikeio",
    "read_ras": "superspike_brian.tasks.spikeio",
    "write_ras": "superspike_brian.tasks.spikeio",
    "Task": "superspike_brian.tasks.task",
    "load_task": "superspike_brian.tasks.task",
    "frozen_poisson": "superspike_brian.tasks.single_neuron",
    "equidistant_targets": "superspike_brian.tasks.single_neuron",
    "single_neuron_task": "superspike_brian.tasks.single_neuron",
}

__all__ = list(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'superspike_brian' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
