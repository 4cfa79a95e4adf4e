"""The SuperSpike model: its equations and parameters.

One module per concept of the paper: :mod:`.neurons`, :mod:`.traces`,
:mod:`.eligibility`, :mod:`.error` (output error), :mod:`.feedback` (hidden
error), :mod:`.regularizer`, :mod:`.optimizer`, :mod:`.cost`, with every
constant in :mod:`.parameters`, the order of one time step in :mod:`.steps`
and the exact solver of the membrane in :mod:`.exact`. The rule attaches these
to Brian2 objects (:class:`superspike_brian.rule.SuperSpike`); the package's own
feed-forward networks are in :mod:`superspike_brian.feedforward`.
docs/model.md documents the model.
"""
