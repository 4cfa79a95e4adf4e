"""Error signals of the output layer: the van Rossum error trace and the classification error.

Output error [P eq 2.6]: a double-exponential trace of the difference between
target and output spike trains, ``e_i = alpha * (S_hat_i - S_i)``::

    der/dt = -er / tau_rise    er += 1 per target spike, er -= 1 per output spike
    tau_decay derr/dt = er - err

The error lives in the rule's group beside the output group (``<output>_ss``,
:mod:`superspike_brian.rule.populations`). Target spikes come from a cyclic
spike table, evaluated as its custom event ``target``.

Every change of ``er`` happens ``error_delay`` (``n_err`` steps) after the
spike, target spike or window end that causes it (docs/model.md, "When the
error arrives"). The target and window-end tables are shifted by ``n_err``
steps, as the input table is by the axonal delay; an output spike reaches the
error as the custom event ``error_arrival``, ``n_err`` steps after it was
emitted, read from the output unit's time of its last spike (the delay is
shorter than the refractory period, so at most one spike is in flight, and no
spike waits in a queue between two executions of a standalone binary). With
``n_err = 0`` it changes ``er`` on the spike's own step, with the resets
(:func:`error_events`).

Hidden layers receive this error through feedback (:mod:`superspike_brian.model.feedback`).
"""

from superspike_brian.choices import ERROR_MODES

OUTPUT_ERROR_EQUATIONS = """
der/dt = -er / tau_rise : 1
derr/dt = (er - err) / tau_decay : 1
"""

#: Output spike: one unit of error of negative sign.
OUTPUT_RESET = "er -= 1"
#: An output spike reaches the error ``n_err`` steps after it was emitted.
ERROR_ARRIVAL_CONDITION = "timestep(t - lastspike, dt) == error_delay_steps"
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
#: spike, in or out of a window, is one unit of negative error: at once
#: (``{store}`` is ``er -=``) or, with a delayed error, held in ``pending``
#: (``pending =``) until it arrives.
CLASSIFICATION_RESET = """
open_now = int(window_table({step}, i) > 0)
{store} 1 - open_now * (1 - got)
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

#: With a delayed error, the spike decides its error at once (``got`` must be
#: right for the next spike) and holds it in ``pending`` until it arrives.
CLASSIFICATION_DELAYED_EQUATIONS = """
pending : 1
"""
ON_DELAYED_ERROR_ARRIVAL = "er -= pending"


#: Output spike, read from the time of the unit's last spike: on its own step
#: ("spiked") and ``n_err`` steps later, when its error arrives.
SPIKED_CONDITION = "timestep(t - lastspike, dt) == 0"
#: Events that read the time of the output unit's last spike.
SPIKE_EVENTS = ("spiked", "error_arrival")


def classification_equations(mode, n_err):
    """Per-unit state of the classification error (none for the van Rossum error)."""
    if mode != "classification":
        return ""
    return CLASSIFICATION_EQUATIONS + (CLASSIFICATION_DELAYED_EQUATIONS if n_err > 0 else "")


def error_events(mode, n_err, n_period):
    """Events of the rule's output group that drive the error trace ``er``.

    Parameters
    ----------
    mode : {'van_rossum', 'classification'}
    n_err : int
        Steps between a spike (target spike, window end) and its error.
    n_period : int
        Steps of the cyclic tables.

    Returns
    -------
    dict
        Event name -> (condition, code, when the code runs). ``target`` and
        ``window_end`` read the cyclic tables; ``spiked`` and
        ``error_arrival`` (:data:`SPIKE_EVENTS`) the time of the output unit's
        last spike: the spike's own step, and ``n_err`` steps later. An
        error on the spike's own step runs with the resets, a delayed one after
        them, as target spikes and window ends do.
    """
    from superspike_brian.model import traces

    arrival_when = "resets" if n_err == 0 else "after_resets"
    if mode == "classification":
        step = traces.TABLE_STEP.format(n_steps=n_period)
        store = "er -=" if n_err == 0 else "pending ="
        events = {
            "window_end": (
                traces.table_condition("window_end_table", n_period),
                ON_WINDOW_END,
                "after_resets",
            ),
            "spiked": (
                SPIKED_CONDITION,
                CLASSIFICATION_RESET.format(step=step, store=store),
                "resets",
            ),
        }
        if n_err > 0:
            events["error_arrival"] = (
                ERROR_ARRIVAL_CONDITION,
                ON_DELAYED_ERROR_ARRIVAL,
                arrival_when,
            )
        return events
    return {
        "target": (traces.table_condition("target_table", n_period), ON_TARGET, "after_resets"),
        "error_arrival": (ERROR_ARRIVAL_CONDITION, OUTPUT_RESET, arrival_when),
    }


def delay_steps(params):
    """``n_err``: the error delay of ``params`` (ModelParameters) in whole steps."""
    from superspike_brian.validation import steps_of

    return steps_of("error_delay", params.learning.error_delay, params.dt)


def check_error_mode(mode):
    """Raise a clear error for an unknown error signal."""
    if mode not in ERROR_MODES:
        raise ValueError(f"error must be one of {', '.join(ERROR_MODES)}; got {mode!r}")
    return mode


def classification_tables(windows, n_out, n_steps, dt_seconds, n_err=0):
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
    n_err : int
        Error delay in steps: the missing-spike error of a window is given
        ``n_err`` steps after it closes.

    Returns
    -------
    open_table, end_table : numpy.ndarray of bool, shape (n_steps, n_out)
        ``open_table[n, i]``: step n lies in a window of unit i (steps
        ``round(start/dt)`` to ``round(end/dt) - 1``). ``end_table[n, i]``: the
        missing-spike error of a window of unit i is given at step n
        (``round(end/dt) + n_err``, wrapped into the period).

    Raises
    ------
    ValueError
        If windows of one unit overlap, or one opens less than ``n_err + 1``
        steps after the previous one closed (its error, given ``n_err`` steps
        after the close, must see only its own window's spike), or a unit index
        is out of range.
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
        if open_table[a:b, u].any():
            raise ValueError(f"windows of output unit {u} overlap or touch")
        open_table[a:b, u] = True
    for b, u in zip(s1, unit, strict=True):
        # The close (step b) and the n_err steps after it lie outside every
        # window of the unit; b wraps to step 0 for a window ending with the period.
        after = (b + np.arange(n_err + 1)) % n_steps
        if open_table[after, u].any() or end_table[after[-1], u]:
            what = "overlap or touch" if n_err == 0 else f"lie closer than {n_err + 1} steps"
            raise ValueError(f"windows of output unit {u} {what} (a close and the next opening)")
        end_table[after[-1], u] = True
    return open_table, end_table
