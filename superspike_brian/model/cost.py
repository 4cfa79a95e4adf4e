"""The cost reported during training (docs/model.md, "Reported cost").

The cost is the mean over output units of the squared error trace
``(alpha * (S_hat - S))**2``, averaged exponentially over ``tau_avg`` (10 s),
corrected for the bias of the average at the start, and normalized so that one
isolated unmatched spike per second gives 1 (five missing spikes per 500 ms give
10). Its running average is a state variable of a small group linked to the
output error (``sq``); the value is read at block boundaries.
"""

import numpy as np

COST_EQUATIONS = """
dsq/dt = (err_out**2 - sq) / tau_avg : 1
err_out : 1 (linked)
"""


def kernel_energy(tau_rise, tau_decay):
    """Integral of the squared error kernel of one spike, in seconds.

    The kernel is ``k(t) = tau_rise/(tau_decay - tau_rise) * (exp(-t/tau_decay) -
    exp(-t/tau_rise))`` (peak 0.25 for the defaults); its energy is 0.8333 ms for
    tau_rise = 5 ms, tau_decay = 10 ms.
    """
    a, b = float(tau_decay), float(tau_rise)
    amp = b / (a - b)
    return amp**2 * (a / 2 + b / 2 - 2 * a * b / (a + b))


def reference_scale(n_out):
    """Factor from our cost to the value the reference implementation prints.

    The reference implementation's error trace has 0.02 times our amplitude
    (an Euler trace that takes ``dt/tau_rise`` of each spike) while its
    normalization assumes 0.01, so its cost is 4 times ours per output unit; and
    it averages over the output vector padded to a multiple of 4 (SIMD), which
    divides a single output's cost by 4 again. Single output: factor 1 (5 missing
    spikes per 500 ms give 10 in both); 200 outputs: factor 4 (Oxford: 214 at
    block 0 where ours is 53.6).
    """
    padded = -(-int(n_out) // 4) * 4
    return 4.0 * n_out / padded


def cost_from_average(sq, t, learning):
    """Normalized, bias-corrected cost from running averages ``sq``.

    Parameters
    ----------
    sq : array, shape (..., n_out)
        Running averages of the squared error of every output unit.
    t : float or array
        Time (seconds) since the start of training at which ``sq`` was read.
    learning : LearningParameters
    """
    sq = np.asarray(sq, dtype=float)
    t = np.asarray(t, dtype=float)
    tau = float(learning.tau_avg)
    norm = kernel_energy(learning.tau_rise, learning.tau_decay) * 1.0  # 1 spike/s
    with np.errstate(divide="ignore", invalid="ignore"):
        bias = 1.0 - np.exp(-t / tau)
        return np.where(bias > 0, sq.mean(axis=-1) / norm / bias, 0.0)
