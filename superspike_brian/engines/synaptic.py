"""The per-synapse engine: eligibility traces and accumulators as Brian2 equations.

Every synapse integrates its eligibility trace and accumulator
(:mod:`superspike_brian.model.eligibility`) at every step, and the error of a
hidden population reaches it as a summed variable of the synapses that carry
it back (:mod:`superspike_brian.model.feedback`). This is the reference form
of the rule, the one that runs on every device (the GPU path) and on any graph
of populations, with the weight update inside the simulation or in the
controller. Its cost grows with the number of synapses: about 4.5 ns per
synapse and step on one core.
"""

from brian2 import second

from superspike_brian.devices import attach
from superspike_brian.engines.base import Engine
from superspike_brian.model import eligibility, steps

__all__ = ["SynapticEngine"]


class SynapticEngine(Engine):
    """Per-synapse equations (see the module docstring)."""

    name = "synaptic"
    learn_modes = ("inside", "controller")
    devices = ("runtime", "cpp_standalone", "cuda_standalone")

    def attach(self, c, synapses):
        rule, conn = self.rule, self.rule.graph.connections[c]
        for name in ("lam_r", "lam"):
            attach.add_synaptic_array(synapses, rule.var(c, name))
        attach.add_synaptic_array(synapses, rule.var(c, "m"), second.dim)
        attach.add_synaptic_array(synapses, rule.var(c, "v"))
        rule.signal(synapses, "sigma_prime", "post")
        rule.signal(synapses, "zt", "pre")
        rule.signal(synapses, "err", "post")
        if conn.regularized:
            rule.signal(synapses, "zh", "post")
            attach.add_shared(synapses, rule.var(c, "rho"), rule.weight.rho_unit.dim)
        out = []
        if conn.carries_error:
            rule.feedback_gains(c, synapses)
            out.append(rule.feedback_sum(c, synapses))
        out.append(
            attach.EquationsUpdater(
                synapses,
                rule.code(c, eligibility.eligibility_equations(conn.regularized)),
                "exponential_euler",
                name=f"{synapses.name}_eligibility",
                **steps.at("readers"),
            )
        )
        return out

    def carried_variables(self, c):
        # Inside the simulation the optimizer's second moment is state too.
        names = ("lam_r", "lam", "m", *(("v",) if self.inside else ()))
        return ("w", *(self.rule.var(c, n) for n in names))

    def accumulator(self, sim, c):
        return sim.get(self.rule.synapses[c].name, self.rule.var(c, "m"))

    def accumulator_applied(self, sim, c, m):
        sim.set(self.rule.synapses[c].name, self.rule.var(c, "m"), m)
