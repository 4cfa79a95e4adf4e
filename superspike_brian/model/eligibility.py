"""Per-synapse eligibility traces and the gradient accumulator.

The eligibility trace of synapse (i, j) is the alpha-filtered product of the
postsynaptic surrogate derivative and the presynaptic trace [P eq 2.8]::

    tau_rise  dlam_r/dt = sigma'(U_i) * zt_j - lam_r
    tau_decay dlam/dt   = lam_r - lam
    dm/dt = E_i * lam - R_ij

Both filters have unit gain, so ``lam`` is dimensionless like ``zt`` and the
surrogate derivative. ``E_i`` is the error signal of the postsynaptic unit (the
output error of :mod:`superspike_brian.model.error`, or the hidden error of
:mod:`superspike_brian.model.feedback`), ``R_ij`` the heterosynaptic regularizer
(zero unless enabled, :mod:`superspike_brian.model.regularizer`). ``m``
integrates the gradient over one update interval (unit: second); the optimizer
divides it by the interval. These are the equations of the per-synapse engine
(:mod:`superspike_brian.engines.synaptic`); the factorized engines compute the
same ``m`` from per-neuron signals. The synapses' state update runs before the
neurons' in every step, so that it sees the state at the start of the step
(``docs/discrete_time.md``; :mod:`superspike_brian.model.steps`).
"""

from superspike_brian.model import regularizer

ELIGIBILITY_EQUATIONS = """
dlam_r/dt = (sigma_prime_post * zt_pre - lam_r) / tau_rise : 1 (clock-driven)
dlam/dt = (lam_r - lam) / tau_decay : 1 (clock-driven)
dm/dt = err_post * lam - {regularizer} : second (clock-driven)
"""


def eligibility_equations(regularized=False):
    """Per-synapse equations of the eligibility trace and the accumulator ``m``.

    Parameters
    ----------
    regularized : bool
        Subtract the heterosynaptic term (:data:`superspike_brian.model.regularizer.TERM`).
    """
    return ELIGIBILITY_EQUATIONS.format(regularizer=regularizer.TERM if regularized else "0")
