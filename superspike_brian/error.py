"""Error signals: the output error trace and the feedback to hidden layers.

Output error [P eq 2.6]: a double-exponential trace of the difference between
target and output spike trains, ``e_i = alpha * (S_hat_i - S_i)``::

    der/dt = -er / tau_rise    er += 1 per target spike, er -= 1 per output spike
    tau_decay derr/dt = er - err

Target spikes come from a cyclic spike table, evaluated as the custom event
``target`` of the output neurons.

Hidden error [P §2.4]: each hidden unit receives ``err_i = sum_k fb_ki err_k``
from the units k it projects to, computed by a summed variable on the forward
synapses with the feedback weight ``fb``:

==========  =================================================================
mode        feedback weight ``fb`` of synapse (k <- i)
==========  =================================================================
symmetric   ``w / mV``: the current forward weight, so it follows learning
random      a fixed draw from N(0, 1) (seeded)
uniform     1
==========  =================================================================
"""

FEEDBACK_MODES = ("symmetric", "random", "uniform")

OUTPUT_ERROR_EQUATIONS = """
der/dt = -er / tau_rise : 1
derr/dt = (er - err) / tau_decay : 1
"""

#: Output spike: one unit of error of negative sign.
OUTPUT_RESET = "er -= 1"
#: Target spike: one unit of positive error.
ON_TARGET = "er += 1"

HIDDEN_ERROR_EQUATION = """
err : 1
"""

#: Summed variable on the forward synapses into the next layer.
FEEDBACK_SUMMED = "err_pre = fb * err_post : 1 (summed)"

FEEDBACK_WEIGHT = {
    "symmetric": "fb = w / mV : 1",
    "random": "fb : 1 (constant)",
    "uniform": "fb : 1 (constant)",
}


def check_feedback(mode):
    """Raise a clear error for an unknown feedback mode."""
    if mode not in FEEDBACK_MODES:
        raise ValueError(f"feedback must be one of {', '.join(FEEDBACK_MODES)}; got {mode!r}")
    return mode


def feedback_equations(mode):
    """Equations that a forward connection into a layer with feedback gains."""
    check_feedback(mode)
    return FEEDBACK_WEIGHT[mode] + "\n" + FEEDBACK_SUMMED
