"""Error signals of the output layer: the van Rossum error trace and the classification error.

Output error [P eq 2.6]: a double-exponential trace of the difference between
target and output spike trains, ``e_i = alpha * (S_hat_i - S_i)``::

    der/dt = -er / tau_rise    er += 1 per target spike, er -= 1 per output spike
    tau_decay derr/dt = er - err

Target spikes come from a cyclic spike table, evaluated as the custom event
``target`` of the output neurons.

Hidden layers receive this error through feedback (:mod:`superspike_brian.model.feedback`).
"""

from superspike_brian.choices import ERROR_MODES

OUTPUT_ERROR_EQUATIONS = """
der/dt = -er / tau_rise : 1
derr/dt = (er - err) / tau_decay : 1
"""

#: Output spike: one unit of error of negative sign.
OUTPUT_RESET = "er -= 1"
#: Target spike: one unit of positive error.
ON_TARGET = "er += 1"

# --------------------------------------------------------------------------
# Classification error [P §3, Fig 5]: windows of opportunity instead of target
# spike trains.


#: Per-output-unit flag: the unit has already spiked in its current window.
CLASSIFICATION_EQUATIONS = """
got : 1
"""

#: Output spike. ``open`` (1 while the unit is the target of an open window) is
#: read from the window table at the step of the spike. The first spike in an
#: open window is the right answer (no error, and it sets ``got``); every other
#: spike, in or out of a window, is one unit of negative error at once.
CLASSIFICATION_RESET = """
open_now = int(window_table({step}, i) > 0)
er -= 1 - open_now * (1 - got)
got += open_now * (1 - got)
"""

#: End of a window (the first step after it): a target unit that did not spike
#: in it gets one unit of positive error now; the flag is cleared for the next
#: window. A spike on this same step lies outside the window, so the order of
#: this code and the spike reset does not matter.
ON_WINDOW_END = """
er += 1 - got
got = 0
"""


def check_error_mode(mode):
    """Raise a clear error for an unknown error signal."""
    if mode not in ERROR_MODES:
        raise ValueError(f"error must be one of {', '.join(ERROR_MODES)}; got {mode!r}")
    return mode


def classification_tables(windows, n_out, n_steps, dt_seconds):
    """Cyclic tables of the windows of opportunity on the time grid.

    Parameters
    ----------
    windows : tuple of arrays (start, end, unit)
        Window k opens at ``start[k]`` and closes at ``end[k]`` (seconds, within
        one period, ``start < end``) for output unit ``unit[k]``, its target.
    n_out : int
        Number of output units.
    n_steps : int
        Steps per period.
    dt_seconds : float
        Time step in seconds.

    Returns
    -------
    open_table, end_table : numpy.ndarray of bool, shape (n_steps, n_out)
        ``open_table[n, i]``: step n lies in a window of unit i (steps
        ``round(start/dt)`` to ``round(end/dt) - 1``). ``end_table[n, i]``: a
        window of unit i closes at step n (``round(end/dt)``, wrapped into the
        period), where the missing-spike error is given.

    Raises
    ------
    ValueError
        If windows of one unit overlap or touch (the flag could not tell them
        apart) or a unit index is out of range.
    """
    import numpy as np

    start, end, unit = (np.asarray(a) for a in windows)
    s0 = np.round(start / dt_seconds).astype(np.int64)
    s1 = np.round(end / dt_seconds).astype(np.int64)
    if np.any(s1 <= s0) or np.any(s0 < 0) or np.any(s1 > n_steps):
        raise ValueError("every window must lie in the period and have a positive length")
    if np.any((unit < 0) | (unit >= n_out)):
        raise ValueError(f"window units must lie in 0..{n_out - 1}")
    open_table = np.zeros((n_steps, n_out), dtype=bool)
    end_table = np.zeros((n_steps, n_out), dtype=bool)
    for a, b, u in zip(s0, s1, unit, strict=True):
        if open_table[a:b, u].any() or end_table[a, u] or (b < n_steps and open_table[b, u]):
            raise ValueError(f"windows of output unit {u} overlap or touch")
        open_table[a:b, u] = True
        end_table[b % n_steps, u] = True
    # A window that ends exactly at the period end closes at step 0 of the next
    # period; it must not coincide with a window opening there.
    if np.any(open_table[0] & end_table[0]):
        raise ValueError("a window opening at t = 0 touches one closing at the period end")
    return open_table, end_table
