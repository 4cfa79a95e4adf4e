"""The per-synapse engine: eligibility traces and accumulators as Brian2 equations.

Every synapse integrates its eligibility trace and accumulator
(:mod:`superspike_brian.model.eligibility`) at every step, and the hidden error
reaches each hidden layer as a summed variable of the forward synapses
(:mod:`superspike_brian.model.feedback`). This is the reference form of the
rule, the one that runs on every device (the GPU path), with the weight update
inside the simulation or in the controller. Its cost grows with the number of
synapses: about 4.5 ns per synapse and step on one core.
"""

from superspike_brian.engines.base import Engine
from superspike_brian.model import connection, eligibility, feedback, optimizer, regularizer, steps

__all__ = ["SynapticEngine"]


class SynapticEngine(Engine):
    """Per-synapse equations (see the module docstring)."""

    name = "synaptic"
    learn_modes = ("inside", "controller")
    devices = ("runtime", "cpp_standalone", "cuda_standalone")

    def connection_equations(self, l):
        eqs = (
            connection.WEIGHT_EQUATION
            + eligibility.eligibility_equations(regularizer.applies(self.net, l))
            + optimizer.STATE_EQUATION
        )
        if l > 1:
            # This connection carries the error of layer l back into hidden layer l-1.
            eqs += feedback.feedback_equations(self.net.feedback) + "\n"
        if regularizer.applies(self.net, l):
            eqs += regularizer.STRENGTH_EQUATION
        return eqs

    def configure_connection(self, model, l, synapses, values):
        steps.place(synapses.state_updater, "readers")
        if l > 1:
            steps.place(synapses.summed_updaters["err_pre"], "hidden_error", layer=l - 1)
            fixed = values.feedback[l - 1]
            if fixed is not None:
                synapses.fb = fixed.T.ravel()

    def carried_variables(self, l):
        # Inside the simulation the optimizer's second moment is state too.
        return ("w", "lam_r", "lam", "m", *(("v",) if self.inside else ()))

    def accumulator(self, sim, l):
        return sim.get(connection.name(l), "m")

    def accumulator_applied(self, sim, l, m):
        sim.set(connection.name(l), "m", m)
