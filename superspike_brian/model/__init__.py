"""The SuperSpike model: its equations, parameters, and how a network is built.

One module per concept of the paper: :mod:`.neurons`, :mod:`.traces`,
:mod:`.eligibility`, :mod:`.error` (output error), :mod:`.feedback` (hidden
error), :mod:`.regularizer`, :mod:`.optimizer`, :mod:`.cost`, with every
constant in :mod:`.parameters` and the order of one time step in :mod:`.steps`.
:mod:`.network` describes a feed-forward network, :mod:`.values` computes its
numbers and :mod:`.builder` creates its Brian2 objects and attaches the rule
to them with :class:`superspike_brian.rule.SuperSpike`, which holds the rule's
own state. docs/model.md documents the model.
"""
