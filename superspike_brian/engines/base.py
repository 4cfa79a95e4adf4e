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

from superspike_brian.model import connection, optimizer

__all__ = ["Engine"]


class Engine:
    """Base class of the engines (see the module docstring).

    Parameters
    ----------
    net : SuperSpikeNetwork
        The network whose connections the engine trains.
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

    def __init__(self, net, learn):
        self.net = net
        self.learn = learn

    @property
    def inside(self):
        """True when the update runs inside the simulation."""
        return self.learn == "inside"

    # ---------------------------------------------------------------- build
    def connection_equations(self, l):
        """Equations of connection ``l`` (1-based): weights and learning state."""
        return connection.WEIGHT_EQUATION

    def synapse_dtypes(self, l):
        """Per-variable dtypes of connection ``l`` that differ from the model's."""
        return {}

    def configure_connection(self, model, l, synapses, values):
        """Place the connection's code in the time step and set its fixed values."""

    def update_code(self, l):
        """Code run every update interval inside the simulation (learn inside)."""
        return optimizer.UPDATE_CODE

    def add_objects(self, model):
        """Add the engine's own Brian2 objects and namespace entries to ``model``."""

    def prepare_project(self, directory):
        """Put files the generated code needs into a standalone project."""

    def carried_variables(self, l):
        """Per-synapse variables of connection ``l`` that a run hands to the next."""
        return ("w",)

    # ----------------------------------------------------------- controller
    def after_interval(self, sim):
        """Called by the controller after each simulated update interval."""

    def accumulator(self, sim, l):
        """``m`` (seconds, synapse order) of connection ``l`` for the interval just run."""
        raise NotImplementedError

    def accumulator_applied(self, sim, l, m):
        """Called after the optimizer consumed ``m`` of connection ``l`` (now zeros)."""

    def state(self):
        """The engine's own state carried between intervals, for checkpoints."""
        return {}

    def load_state(self, state):
        """Restore :meth:`state` (a resumed run)."""
