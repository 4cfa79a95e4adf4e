"""Feedback: how the output error reaches hidden layers [P §2.4].

Description
-----------
A hidden unit i has no target of its own. Its error signal is a weighted sum of
the errors of the units k of the next layer that it projects to, without the
derivative of those units (the "straight-through" feedback of the paper)::

    err_i = sum_k fb_ki * err_k

==========  ===============================================================
mode        feedback weight ``fb_ki``
==========  ===============================================================
symmetric   ``w_ki / mV``: the current forward weight, so it follows learning
random      a fixed draw from N(0, 1), seeded by the network's seed
uniform     1
==========  ===============================================================

:data:`FEEDBACK_MATRIX` says which matrix drives each mode; the engines take
it from there (the per-synapse engine as a summed variable on the forward
synapses, the factorized engines as a matrix product per step).

References
----------
.. [P] Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer
   spiking neural networks. Neural Computation 30(6):1514-1541.
"""

from superspike_brian.choices import FEEDBACK_MODES

#: Which matrix carries the error back: the forward weights ("weights"), or a
#: fixed matrix stored with the forward synapses ("fixed": the random draw, or
#: ones for uniform feedback; see SuperSpikeNetwork.feedback_matrices).
FEEDBACK_MATRIX = {"symmetric": "weights", "random": "fixed", "uniform": "fixed"}

#: The error of a hidden unit: written by the feedback of the next layer.
HIDDEN_ERROR_EQUATION = """
err : 1
"""

#: Summed over the synapses that carry error back, into ``err`` of their source.
FEEDBACK_SUM = "fb * err_post"

#: Symmetric feedback: the gain of a synapse is its forward weight, in the weight unit.
SYMMETRIC_GAIN = "w / {unit}"


def check_feedback(mode):
    """Raise a clear error for an unknown feedback mode."""
    if mode not in FEEDBACK_MODES:
        raise ValueError(f"feedback must be one of {', '.join(FEEDBACK_MODES)}; got {mode!r}")
    return mode


def uses_forward_weights(mode):
    """True when the feedback follows the current forward weights (symmetric)."""
    return FEEDBACK_MATRIX[check_feedback(mode)] == "weights"
