"""The factorized engine in numpy, run by the controller between intervals.

Brian2 simulates neurons and traces only; the synapses just transmit. Monitors
record the per-neuron signals of the learning rule at the start of every step
of one update interval (surrogate derivative, presynaptic trace, output error,
regularizer trace), and after the interval the controller computes every
connection's accumulator from them with
:class:`~superspike_brian.engines.factorized_math.FactorizedConnection`
(docs/factorized.md, steps F1-F6): one matrix product per connection instead
of a recursion per synapse and step.
"""

import numpy as np
from brian2 import StateMonitor, second

from superspike_brian.engines.base import Engine, chain
from superspike_brian.engines.factorized_math import FactorizedConnection, hidden_error
from superspike_brian.model import regularizer, steps
from superspike_brian.validation import steps_of

__all__ = ["NumpyFactorizedEngine"]


class NumpyFactorizedEngine(Engine):
    """Factorized accumulators in numpy, in the controller (see the module docstring)."""

    name = "factorized"
    learn_modes = ("controller",)
    gradients_in_controller = True
    devices = ("runtime", "cpp_standalone")

    def __init__(self, rule, learn):
        super().__init__(rule, learn)
        self.populations = chain(rule, self.name)
        lp = rule.params.learning
        n_steps = steps_of("t_update", lp.t_update, rule.dt * second)
        self.connections = [
            FactorizedConnection(
                c.n_pre,
                c.n_post,
                dt=rule.dt,
                tau_rise=float(lp.tau_rise),
                tau_decay=float(lp.tau_decay),
                n_steps=n_steps,
            )
            for c in rule.graph.connections
        ]
        self.m = None
        self.monitors = []

    # ---------------------------------------------------------------- build
    def attach(self, c, synapses):
        """Check that the synapses are all to all, in ``connect()``'s order (runtime)."""
        conn = self.rule.graph.connections[c]
        try:
            i, j = np.asarray(synapses.i[:]), np.asarray(synapses.j[:])
        except NotImplementedError:  # a standalone device: known after its run only
            return []
        k = np.arange(conn.n_pre * conn.n_post)
        if i.shape != k.shape or np.any(i != k // conn.n_post) or np.any(j != k % conn.n_post):
            raise ValueError(
                f"engine='factorized' needs all-to-all synapses made by connect();"
                f" {synapses.name} connects otherwise: use engine='synaptic'"
            )
        return []

    def add_objects(self):
        """One monitor per population: the signals at the start of every step (F1)."""
        rule = self.rule
        L = len(rule.synapses)
        self.monitors = []
        for l, pop in enumerate(self.populations):
            g = rule.groups[pop]
            names = []
            if l > 0:
                names.append("sigma_prime")
            if l < L:
                names.append("zt")
            if l == L:
                names.append("err")
            elif l > 0 and rule.graph.connections[l - 1].regularized:
                names.append("zh")
            self.monitors.append(
                StateMonitor(
                    g, names, record=True, name=f"signals_{pop}", **steps.at("engine_start")
                )
            )
        return list(self.monitors)

    # ----------------------------------------------------------- controller
    def _signal(self, l, name):
        return np.array(getattr(self.monitors[l], name + "_")[:], dtype=float).T  # (T, n)

    def after_interval(self, sim):
        """Accumulators of the interval just simulated (F2-F6), from the signals (F1)."""
        rule = self.rule
        rp = rule.params.regularizer
        conns = rule.graph.connections
        L = len(conns)
        W = [
            sim.get(s.name, "w").reshape(c.n_pre, c.n_post).T * rule.weight.per_si
            for s, c in zip(rule.synapses, conns, strict=True)
        ]
        E = [None] * (L + 1)
        E[L] = self._signal(L, "err")  # F2, top layer first
        for l in range(L - 1, 0, -1):
            E[l] = hidden_error(rule.feedback, E[l + 1], W_next_mV=W[l], B=rule.values.feedback[l])
        self.m = []
        for l in range(1, L + 1):
            reg = conns[l - 1].regularized
            m = self.connections[l - 1].accumulate(
                self._signal(l, "sigma_prime"),
                self._signal(l - 1, "zt"),
                E[l],
                zh=self._signal(l, "zh") if reg else None,
                W=W[l - 1] if reg else None,
                rho=regularizer.rho_per_mV(rp) if reg else 0.0,
                a_exp=float(rp.a),
            )
            self.m.append(m.T.ravel())
        sim.discard(self.monitors)

    def accumulator(self, sim, c):
        return self.m[c]

    def state(self):
        return {
            "m": list(self.m) if self.m is not None else None,
            "lam_r": [c.lam_r for c in self.connections],
            "lam": [c.lam for c in self.connections],
        }

    def load_state(self, state):
        self.m = state["m"]
        for c, lam_r, lam in zip(self.connections, state["lam_r"], state["lam"], strict=True):
            c.lam_r, c.lam = lam_r, lam
