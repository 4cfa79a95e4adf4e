"""A connection: all-to-all weights from one population to the next.

Every connection ``l`` (1-based) goes from population ``l - 1`` (0: the input)
to population ``l``. Its weights are voltages: a presynaptic spike arriving at
the synapse adds ``w`` to the postsynaptic current (``I_post += w``), and a PSP
of weight ``w`` peaks at ``0.25 w`` with the default time constants
(:mod:`superspike_brian.model.neurons`). What a connection adds for learning
(eligibility traces, accumulators, optimizer state) comes from the engine that
trains it (:mod:`superspike_brian.engines`).
"""

#: The weight of every synapse.
WEIGHT_EQUATION = "w : volt\n"

#: Forward transmission when a presynaptic spike arrives.
ON_ARRIVAL = "I_post += w"


def name(l):
    """Brian2 name of connection ``l``."""
    return f"conn_{l}"
