"""Exchange of trained networks with other tools.

:mod:`superspike_brian.interop.nir` writes a :class:`SuperSpikeNetwork` with its
weights as a NIR graph (Neuromorphic Intermediate Representation) and reads one
back; the mapping of the model onto NIR's ``CubaLIF`` and ``Linear`` nodes is
derived in ``docs/nir.md``.
"""
