"""SuperSpike (Zenke & Ganguli 2018) in Brian2: equations in biophysical units,
trained by a Python controller or inside one standalone binary (CPU or GPU).

Examples
--------
>>> from brian2 import second
>>> from superspike_brian import SuperSpikeNetwork, Trainer, single_neuron_task
>>> net = SuperSpikeNetwork(n_in=100, hidden=[4], n_out=1, feedback="random")
>>> trainer = Trainer(net, single_neuron_task(seed=1), device="cpp_standalone")
>>> history = trainer.run()  # doctest: +SKIP
"""

from superspike_brian.model.network import SuperSpikeNetwork
from superspike_brian.model.parameters import (
    LearningParameters,
    ModelParameters,
    NeuronParameters,
    RegularizerParameters,
    Schedule,
)
from superspike_brian.tasks.spikeio import SpikeRaster, read_ras, write_ras
from superspike_brian.tasks.task import (
    Task,
    equidistant_targets,
    frozen_poisson,
    load_task,
    single_neuron_task,
)
from superspike_brian.training.trainer import History, Trainer

__all__ = [
    "SuperSpikeNetwork",
    "Trainer",
    "History",
    "Schedule",
    "ModelParameters",
    "NeuronParameters",
    "LearningParameters",
    "RegularizerParameters",
    "SpikeRaster",
    "read_ras",
    "write_ras",
    "Task",
    "load_task",
    "frozen_poisson",
    "equidistant_targets",
    "single_neuron_task",
]
