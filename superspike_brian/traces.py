"""Presynaptic traces: the PSP shape seen by the learning rule.

Each presynaptic unit j carries a double-exponential trace of its spike
*arrivals* (aligned with the axonal delay, [P §2]), the same alpha shape as the
PSP::

    dz/dt = -z / tau_rise             (z += 1 at each arrival)
    tau_decay dzt/dt = z - zt

``zt`` is ``epsilon * S_j`` of the paper; it peaks at 0.25 for the default time
constants. Input units are driven by a spike table (a cyclic raster on the time
grid, already shifted by the axonal delay, so their spikes *are* arrivals).
Spike tables are packed 52 units to a float64 (:func:`pack_table`, one bit per
unit and step, exact in double precision), so that a standalone binary loads
and a GPU holds 1/52 of the dense table: for the Oxford task, 0.6 MB instead of
30 MB per table at every trial of a controller run.
Hidden units increment ``z`` on their ``arrival`` event (see
:mod:`superspike_brian.neurons`).
"""

import numpy as np

PRE_TRACE_EQUATIONS = """
dz/dt = -z / tau_rise : 1
dzt/dt = (z - zt) / tau_decay : 1
"""

#: Index of the current step in a cyclic table of ``n_steps`` steps. ``step_offset``
#: lets a standalone binary that restarts at t = 0 continue where the last trial
#: ended.
TABLE_STEP = "((t_in_timesteps + step_offset) % {n_steps}) * dt"

STEP_OFFSET_EQUATION = """
step_offset : integer (shared)
"""


#: Units per float64 of a packed table: every integer below 2**53 is exact.
BITS_PER_VALUE = 52


def pack_table(dense):
    """Pack a boolean table (steps, units) into float64 (steps, ceil(units / 52)).

    Unit ``i`` is bit ``i % 52`` of column ``i // 52``; :func:`table_bit` reads
    it back. Sums of distinct powers of two below 2**52 are exact in float64.
    """
    dense = np.asarray(dense, dtype=bool)
    if dense.ndim != 2:
        raise ValueError(f"a spike table must have shape (steps, units), got {dense.shape}")
    n_steps, n_units = dense.shape
    n_cols = max(1, -(-n_units // BITS_PER_VALUE))
    padded = np.zeros((n_steps, n_cols * BITS_PER_VALUE), dtype=np.float64)
    padded[:, :n_units] = dense
    weights = 2.0 ** np.arange(BITS_PER_VALUE)
    return padded.reshape(n_steps, n_cols, BITS_PER_VALUE) @ weights


def table_bit(table_name, step_expression):
    """Brian2 condition: unit ``i`` has a spike in a packed table at that step.

    Bit b of x is set when ``x mod 2**(b+1) >= 2**b``; both sides are exact in
    float64 (``floor`` is not used: Brian2's numpy target casts it to int32).
    """
    b = BITS_PER_VALUE
    value = f"{table_name}({step_expression}, i // {b})"
    return f"({value} % 2.0**(i % {b} + 1) >= 2.0**(i % {b}))"


def table_condition(table_name, n_steps):
    """Threshold condition of a unit driven by a packed spike table (:func:`pack_table`)."""
    return table_bit(table_name, TABLE_STEP.format(n_steps=n_steps))


def trace_namespace(learning):
    """Brian2 namespace entries of the trace equations."""
    return {"tau_rise": learning.tau_rise, "tau_decay": learning.tau_decay}
