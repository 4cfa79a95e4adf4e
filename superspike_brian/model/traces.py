"""Presynaptic traces: the PSP shape seen by the learning rule.

Each presynaptic unit j carries a double-exponential trace of its spike
*arrivals* (aligned with the axonal delay, [P §2]), the same alpha shape as the
PSP::

    dz/dt = -z / tau_rise             (z += 1 at each arrival)
    tau_decay dzt/dt = z - zt

``zt`` is ``epsilon * S_j`` of the paper; it peaks at 0.25 for the default time
constants. Input units are driven by a spike table (a cyclic raster on the time
grid, already shifted by the axonal delay, so their spikes *are* arrivals).
Hidden units increment ``z`` on their ``arrival`` event (see
:mod:`superspike_brian.model.neurons`).
"""

PRE_TRACE_EQUATIONS = """
dz/dt = -z / tau_rise : 1
dzt/dt = (z - zt) / tau_decay : 1
"""

#: A spike of the presynaptic unit arrives at its synapses.
ON_ARRIVAL = "z += 1"

#: Index of the current step in a cyclic table of ``n_steps`` steps. ``step_offset``
#: lets a standalone binary that restarts at t = 0 continue where the last trial
#: ended.
TABLE_STEP = "((t_in_timesteps + step_offset) % {n_steps}) * dt"

STEP_OFFSET_EQUATION = """
step_offset : integer (shared)
"""


def table_condition(table_name, n_steps):
    """Threshold condition of a unit driven by a boolean spike table."""
    return f"{table_name}({TABLE_STEP.format(n_steps=n_steps)}, i) > 0"
