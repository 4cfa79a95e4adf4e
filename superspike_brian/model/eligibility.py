"""Per-synapse eligibility traces and the gradient accumulator.

The eligibility trace of synapse (i, j) is the alpha-filtered product of the
postsynaptic surrogate derivative and the presynaptic trace [P eq 2.8]::

    tau_rise  dlam_r/dt = sigma'(U_i) * zt_j - lam_r
    tau_decay dlam/dt   = lam_r - lam
    dm/dt = E_i * lam - R_ij

Both filters have unit gain, so ``lam`` is dimensionless like ``zt`` and the
surrogate derivative. ``E_i`` is the error signal of the postsynaptic unit
(output error or fed-back hidden error, :mod:`superspike_brian.error`), ``R_ij``
the heterosynaptic regularizer (zero unless enabled). ``m`` integrates the
gradient over one update interval (unit: second); the optimizer divides it by the
interval. The synapses' state update runs before the neurons' in every step, so
that it sees the state at the start of the step (``docs/discrete_time.md``).
"""

ELIGIBILITY_EQUATIONS = """
w : volt
dlam_r/dt = (sigma_prime_post * zt_pre - lam_r) / tau_rise : 1 (clock-driven)
dlam/dt = (lam_r - lam) / tau_decay : 1 (clock-driven)
dm/dt = err_post * lam - {regularizer} : second (clock-driven)
v : 1
"""

#: The heterosynaptic regularizer term [P eq 3.5]: zh is the postsynaptic trace.
REGULARIZER_TERM = "rho * w * zh_post**rho_a"

#: Forward transmission when a presynaptic spike arrives.
ON_ARRIVAL = "I_post += w"


def eligibility_equations(regularized=False):
    """Equations of a plastic SuperSpike connection."""
    return ELIGIBILITY_EQUATIONS.format(regularizer=REGULARIZER_TERM if regularized else "0")
