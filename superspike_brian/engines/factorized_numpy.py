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
from brian2 import StateMonitor

from superspike_brian.engines.base import Engine
from superspike_brian.engines.factorized_math import FactorizedConnection, hidden_error
from superspike_brian.model import connection, regularizer, steps
from superspike_brian.validation import steps_of

__all__ = ["NumpyFactorizedEngine"]


class NumpyFactorizedEngine(Engine):
    """Factorized accumulators in numpy, in the controller (see the module docstring)."""

    name = "factorized"
    learn_modes = ("controller",)
    gradients_in_controller = True
    devices = ("runtime", "cpp_standalone")

    def __init__(self, net, learn):
        super().__init__(net, learn)
        p = net.params
        lp = p.learning
        sizes = net.layer_sizes
        n_steps = steps_of("t_update", lp.t_update, p.dt)
        self.connections = [
            FactorizedConnection(
                sizes[l - 1],
                sizes[l],
                dt=float(p.dt),
                tau_rise=float(lp.tau_rise),
                tau_decay=float(lp.tau_decay),
                n_steps=n_steps,
            )
            for l in range(1, len(sizes))
        ]
        self.m = None
        self.monitors = []

    # ---------------------------------------------------------------- build
    def add_objects(self, model):
        """One monitor per population: the signals at the start of every step (F1)."""
        net = self.net
        self.monitors = []
        for l, g in enumerate(model.populations):
            names = []
            if l > 0:
                names.append("sigma_prime")
            if l < net.n_connections:
                names.append("zt")
            if l == net.n_connections:
                names.append("err")
            elif l > 0 and regularizer.applies(net, l):
                names.append("zh")
            self.monitors.append(
                StateMonitor(
                    g, names, record=True, name=f"signals_{g.name}", **steps.at("engine_start")
                )
            )
        model.extra_objects += self.monitors

    # ----------------------------------------------------------- controller
    def _signal(self, l, name):
        return np.array(getattr(self.monitors[l], name + "_")[:], dtype=float).T  # (T, n)

    def after_interval(self, sim):
        """Accumulators of the interval just simulated (F2-F6), from the signals (F1)."""
        net = self.net
        rp = net.params.regularizer
        sizes = net.layer_sizes
        L = net.n_connections
        W = [
            sim.get(connection.name(l), "w").reshape(sizes[l - 1], sizes[l]).T * 1e3
            for l in range(1, L + 1)
        ]
        E = [None] * (L + 1)
        E[L] = self._signal(L, "err")  # F2, top layer first
        fbs = net.feedback_matrices()
        for l in range(L - 1, 0, -1):
            E[l] = hidden_error(net.feedback, E[l + 1], W_next_mV=W[l], B=fbs[l - 1])
        self.m = []
        for l in range(1, L + 1):
            reg = regularizer.applies(net, l)
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

    def accumulator(self, sim, l):
        return self.m[l - 1]

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
