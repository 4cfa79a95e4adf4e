"""The package's own feed-forward networks: the SuperSpike component's first client.

:mod:`~superspike_brian.feedforward.network`
    :class:`SuperSpikeNetwork`, a layered network's description (sizes,
    feedback, regularizer, seed, parameters) and its seeded draws of initial
    weights and feedback matrices.
:mod:`~superspike_brian.feedforward.values`
    The numbers of a model of that network on a task (:func:`model_values`).
:mod:`~superspike_brian.feedforward.builder`
    Its Brian2 objects: plain LIF groups and ``w : volt`` synapses with the
    rule (:class:`superspike_brian.SuperSpike`) attached (:func:`build_model`).
"""
