"""Spike tables as Brian2 reads them: 52 units per number.

A task reaches the network as boolean tables on the time grid, one row per step
of the period and one column per unit (:mod:`superspike_brian.model.values`):
an input spike arrives, a target spike is due, a window of opportunity is open
or ends. Brian2 reads such a table through a :class:`~brian2.TimedArray`, which
stores float64: one number per unit and step is 30 MB per table for the Oxford
task (200 units, 18,900 steps), read from disk by a standalone binary at every
start, that is at every block of a run.

Any integer below 2**53 is exact in float64, so one number holds the bits of 52
units: column ``w`` of the packed table holds units ``52 w`` to ``52 w + 51``,
unit ``52 w + b`` as bit ``b``. A unit reads its bit back with operations that
are exact on such numbers (division by a power of two, ``% 2``), so
the network sees exactly the boolean table; the Oxford tables shrink to 0.6 MB.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BITS", "pack", "unpack", "bit"]

#: Units per float64 entry: the integers up to 2**53 are exact.
BITS = 52


def pack(table):
    """Pack a boolean table (n_steps, n_units) into float64 (n_steps, ceil(n_units / BITS))."""
    table = np.asarray(table, dtype=bool)
    n_steps, n_units = table.shape
    n_words = max(1, -(-n_units // BITS))
    padded = np.zeros((n_steps, n_words * BITS), dtype=bool)
    padded[:, :n_units] = table
    weights = 2.0 ** np.arange(BITS)  # exact powers of two
    # Sums of distinct powers of two below 2**52: every partial sum is exact.
    return padded.reshape(n_steps, n_words, BITS) @ weights


def unpack(packed, n_units):
    """The boolean table of :func:`pack` back (for checks)."""
    packed = np.asarray(packed, dtype=np.float64)
    bits = (np.floor(packed[..., None] / 2.0 ** np.arange(BITS)) % 2).astype(bool)
    return bits.reshape(packed.shape[0], -1)[:, :n_units]


def bit(table_name, step):
    """Brian2 condition: unit ``i`` is set in the packed table at ``step``.

    The word divided by ``2**b`` is exact and its remainder modulo 2 is at
    least 1 exactly when bit ``b`` is set. (No ``floor``: Brian2's numpy
    target casts its result to int32, too small for 52 bits.)
    """
    return f"(({table_name}({step}, i // {BITS}) / 2.0**(i % {BITS})) % 2 >= 1)"
