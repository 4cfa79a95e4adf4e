"""Impossible combinations fail at the Python API with a message, before anything runs."""

import pytest
from brian2 import second

from superspike_brian import Schedule, SuperSpikeNetwork, Trainer

from .helpers import small_task


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"feedback": "random"}, "feedback='random' needs a hidden layer"),
        ({"feedback": "uniform"}, "feedback='uniform' needs a hidden layer"),
        ({"regularizer": True}, "regularizer acts on connections into hidden layers"),
        ({"hidden": [0]}, r"hidden\[0\] must be an integer >= 1"),
        ({"feedback": "sideways", "hidden": [4]}, "feedback must be one of"),
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"initial": ([[1.0]],)}, r"initial weights must have shapes \[\(1, 20\)\]"),
        ({"fixed": (2,)}, "fixed connection indices must lie in 1..1"),
        ({"params": "defaults"}, "params must be a ModelParameters"),
    ],
)
def test_network_rejects(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        SuperSpikeNetwork(n_in=20, n_out=1, **kwargs)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"device": "gpu"}, "device must be one of runtime, cpp_standalone, cuda_standalone"),
        ({"engine": "magic"}, "engine must be one of synaptic, factorized"),
        ({"learn": "outside"}, "learn must be one of inside, controller"),
        (
            {"engine": "factorized", "learn": "inside", "device": "runtime"},
            "engine='factorized' with learn='inside' runs only on cpp_standalone",
        ),
        (
            {"engine": "factorized", "device": "cuda_standalone"},
            "on cuda_standalone use engine='synaptic'",
        ),
        (
            {"learn": "controller", "device": "cuda_standalone"},
            "not available on cuda_standalone",
        ),
        ({"schedule": "long"}, "schedule must be a Schedule"),
        ({"schedule": Schedule(burn_in=0 * second, n_blocks=0)}, "zero duration"),
        (
            {"schedule": Schedule(burn_in=0.3 * second, n_blocks=0)},
            r"burn_in \(0.3 s\) is not a multiple of t_update",
        ),
    ],
)
def test_trainer_rejects(kwargs, message):
    task = small_task(n_out=1)
    net = SuperSpikeNetwork(n_in=task.n_in, n_out=1)
    with pytest.raises((ValueError, TypeError), match=message):
        Trainer(net, task, **kwargs)


def test_trainer_needs_network_and_task():
    task = small_task(n_out=1)
    net = SuperSpikeNetwork(n_in=task.n_in, n_out=1)
    with pytest.raises(TypeError, match="network must be a SuperSpikeNetwork"):
        Trainer("net", task)
    with pytest.raises(TypeError, match="task must be a Task"):
        Trainer(net, "task")
