"""What one training executes, fixed before it starts: the run plan.

The training loops (:mod:`superspike_brian.training.loop`) and standalone
projects (:mod:`superspike_brian.training.project`) take a :class:`RunPlan`,
not the :class:`~superspike_brian.training.trainer.Trainer` that made it: what
they read is named here, and none of it changes while they run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["RunPlan"]


@dataclass(frozen=True)
class RunPlan:
    """A training's network, task, timeline and how it runs.

    Attributes
    ----------
    network : SuperSpikeNetwork
    task : Task
    schedule : Schedule
    timeline : Timeline
        Update intervals, blocks and burn-in of the schedule, in steps.
    learning_rates : tuple of arrays
        Per connection, the learning rate (volts) of every update.
    device : {'runtime', 'cpp_standalone', 'cuda_standalone'}
    learn : {'inside', 'controller'}
    engine : {'synaptic', 'factorized'}
    float32 : bool
    record_voltage : int
        Output units whose membrane is recorded.
    progress : bool
        Print a line per block.
    profile : bool
        Brian2's profiling of the code objects.
    fingerprint : dict
        What must not change between the run and its resumption (checked
        against a checkpoint's).
    config : dict
        The run's description as config.json holds it.
    """

    network: Any
    task: Any
    schedule: Any
    timeline: Any
    learning_rates: tuple
    device: str
    learn: str
    engine: str
    float32: bool
    record_voltage: int
    progress: bool
    profile: bool
    fingerprint: dict
    config: dict

    @property
    def model_options(self):
        """The options of :func:`~superspike_brian.feedforward.builder.build_model` it fixes."""
        return {"engine": self.engine, "learn": self.learn, "record_voltage": self.record_voltage}
