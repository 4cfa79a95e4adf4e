"""RMaxProp: the per-parameter learning rate of SuperSpike [P §3.3; C].

Every ``t_update`` the gradient accumulated by each synapse (``m``, see
:mod:`superspike_brian.engines`) becomes a weight change::

    g = m / t_update
    v = max(g**2, gamma * v)            gamma = exp(-t_update / tau_rms)
    w = clip(w + lr * g / (sqrt(v) + eps), -w_max, w_max)
    m = 0

The largest step is ``lr``. The update is written once, as the Brian2 code string
:data:`UPDATE_CODE`; it runs either inside the simulation (``run_regularly``, the
learning rate read from a :class:`~brian2.input.timedarray.TimedArray`) or in the
Python controller between trials, where :func:`apply_update` evaluates the *same*
statements with numpy.
"""

import numpy as np

#: Per-synapse optimizer state: the RMaxProp second moment (dimensionless).
STATE_EQUATION = "v : 1\n"

UPDATE_CODE = """
g = m / t_update
v = clip(g**2, gamma_rms * v, inf)
w = clip(w + lr * g / (sqrt(v) + eps_rms), -w_max, w_max)
m = 0 * second
"""

#: Inside the simulation the learning rate follows the schedule table. It is a
#: temporary of the update code, read once per update: as a subexpression of
#: the synapses ("constant over dt") Brian2 would evaluate it for every synapse
#: at every step, which cost more than the rest of the factorized engine.
SCHEDULE_CODE = "lr = {table}(t)\n"


def inside_update_code(table, update=UPDATE_CODE):
    """The update code run inside the simulation, its learning rate read from ``table``."""
    return SCHEDULE_CODE.format(table=table) + update


def optimizer_namespace(learning):
    """Brian2 namespace entries of the update code."""
    return {
        "t_update": learning.t_update,
        "gamma_rms": learning.gamma,
        "eps_rms": learning.eps_rms,
        "w_max": learning.w_max,
    }


def apply_update(state, lr, learning):
    """Run :data:`UPDATE_CODE` on numpy arrays, as the controller does.

    Parameters
    ----------
    state : dict
        ``w`` (volts), ``m`` (seconds) and ``v`` as plain float arrays; updated in
        place.
    lr : float
        Learning rate in volts.
    learning : LearningParameters
        Supplies ``t_update``, ``gamma``, ``eps_rms`` and ``w_max``.
    """
    namespace = {
        "clip": np.clip,
        "sqrt": np.sqrt,
        "inf": np.inf,
        "second": 1.0,
        "lr": float(lr),
        "t_update": float(learning.t_update),
        "gamma_rms": learning.gamma,
        "eps_rms": learning.eps_rms,
        "w_max": float(learning.w_max),
    }
    local = {k: state[k] for k in ("w", "m", "v")}
    exec(UPDATE_CODE, namespace, local)  # noqa: S102 - our own constant code
    for k in ("w", "m", "v"):
        state[k][...] = local[k]
    return state
