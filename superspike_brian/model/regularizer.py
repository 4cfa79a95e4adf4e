"""Heterosynaptic regularizer of connections into hidden layers [P eq 3.4-3.5].

Description
-----------
With random feedback, hidden units can fire at high rates without a signal
that would stop them. The regularizer adds a term to the gradient accumulator
of every connection into a hidden layer that shrinks the weights onto a unit in
proportion to a steep power of that unit's recent activity::

    dm_ij/dt = e_i lambda_ij - rho * w_ij * zh_i**a

``zh_i`` is a postsynaptic trace of the hidden unit's own spikes::

    dzh/dt = -zh / tau_het          zh += 1 per spike of unit i

Parameters: :class:`superspike_brian.model.parameters.RegularizerParameters`
(``rho``, ``a``, ``tau_het``; the docstring there maps ``rho`` onto the
reference implementation's value). The per-synapse engine adds :data:`TERM` to
its accumulator equation; the factorized engines compute the same term from
``zh`` (docs/factorized.md, step F5).

References
----------
.. [P] Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer
   spiking neural networks. Neural Computation 30(6):1514-1541.
"""

from brian2 import mV

#: Postsynaptic activity trace of every hidden unit.
TRACE_EQUATION = "dzh/dt = -zh / tau_het : 1\n"

#: Reset statement of a hidden unit: one spike adds 1 to its trace.
ON_SPIKE = "zh += 1"

#: The term subtracted from the accumulator of synapse (i <- j); zh of the
#: postsynaptic unit i.
TERM = "rho * w * zh_post**rho_a"


def namespace(regularizer):
    """Brian2 namespace entries of the regularizer (its strength is a variable)."""
    return {"rho_a": float(regularizer.a), "tau_het": regularizer.tau_het}


def rho_per_mV(regularizer):
    """``rho`` as a plain number per mV, for the factorized engines (weights in mV)."""
    return float(regularizer.rho * mV)
