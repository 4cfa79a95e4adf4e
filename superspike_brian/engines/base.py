"""The engine interface: how a connection produces its gradient accumulator.

Every engine computes, for every synapse of every connection and every update
interval, the same accumulator ``m`` of ``docs/discrete_time.md`` (step 1); the
optimizer (:mod:`superspike_brian.model.optimizer`) turns it into a weight
change. Engines differ in where and how:

=============================  ======================  ==========================
engine                         where ``m`` comes from  learn modes, devices
=============================  ======================  ==========================
:class:`SynapticEngine`        per-synapse equations   inside or controller; all
:class:`NumpyFactorizedEngine` numpy, per interval     controller; runtime, cpp
:class:`CppFactorizedEngine`   C++ inside the binary   inside; cpp_standalone
=============================  ======================  ==========================

An engine contributes to the model build (the equations and objects of each
connection, the update code run inside the simulation), says which state a
run carries over to the next run of a standalone binary, and, in controller
mode, hands the controller ``m`` after each interval. The builders, the
session and the training loop use this interface only; nothing outside
:mod:`superspike_brian.engines` asks which engine is in use.
"""

from __future__ import annotations

from superspike_brian.model import optimizer

__all__ = ["Engine"]


class Engine:
    """Base class of the engines (see the module docstring).

    Parameters
    ----------
    rule : SuperSpike
        The rule whose connections the engine trains (its graph, parameters,
        values and groups).
    learn : {'inside', 'controller'}
        Where the weight update runs.
    """

    #: Name as the user gives it (``engine=``).
    name = ""
    #: Learn modes and devices this engine runs in.
    learn_modes = ()
    devices = ()
    #: True when :meth:`after_interval` computes the accumulators (timed as gradient_s).
    gradients_in_controller = False

    def __init__(self, rule, learn):
        self.rule = rule
        self.learn = learn

    @property
    def inside(self):
        """True when the update runs inside the simulation."""
        return self.learn == "inside"

    # ---------------------------------------------------------------- build
    def attach(self, c, synapses):
        """Add what connection ``c`` (0-based) needs to learn to the user's ``synapses``.

        Returns the Brian2 objects the engine made for it.
        """
        return []

    def update_code(self, c):
        """Code run every update interval inside the simulation (learn inside)."""
        return optimizer.UPDATE_CODE

    def add_objects(self):
        """The engine's own Brian2 objects (after every connection is attached)."""
        return []

    def prepare_project(self, directory):
        """Put files the generated code needs into a standalone project."""

    def carried_variables(self, c):
        """Per-synapse variables of connection ``c`` that a run hands to the next."""
        return ("w",)

    # ----------------------------------------------------------- controller
    def after_interval(self, sim):
        """Called by the controller after each simulated update interval."""

    def accumulator(self, sim, c):
        """``m`` (seconds, synapse order) of connection ``c`` for the interval just run."""
        raise NotImplementedError

    def accumulator_applied(self, sim, c, m):
        """Called after the optimizer consumed ``m`` of connection ``c`` (now zeros)."""

    def state(self):
        """The engine's own state carried between intervals, for checkpoints."""
        return {}

    def load_state(self, state):
        """Restore :meth:`state` (a resumed run)."""


def chain(rule, engine):
    """The rule's populations in chain order, or a one-line refusal naming the engine that can."""
    pops = rule.graph.chain()
    if pops is None:
        raise ValueError(
            f"engine={engine!r} trains chains input -> layers -> output; this network has"
            " other connections (recurrent, skip, parallel): use engine='synaptic'"
        )
    return pops
