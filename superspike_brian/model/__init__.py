"""The SuperSpike model: its equations, parameters, and how a network is built.

One module per concept of the paper: :mod:`.neurons`, :mod:`.traces`,
:mod:`.eligibility`, :mod:`.error` (output error), :mod:`.feedback` (hidden
error), :mod:`.regularizer`, :mod:`.optimizer`, :mod:`.cost`, with every
constant in :mod:`.parameters` and the order of one time step in :mod:`.steps`.
:mod:`.network` describes a network, :mod:`.values` computes its numbers and
:mod:`.builder` creates its Brian2 objects. docs/model.md documents the model.
"""
