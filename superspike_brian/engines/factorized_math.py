"""Factorized per-synapse eligibility and gradient accumulation over one update interval.

Step 1 of ``docs/discrete_time.md`` advances, for every synapse (i, j) of a
connection and every step n, the recursions (old values on the right)::

    x(n)       = sp_i(n) * zt_j(n)
    lam_r(n+1) = x(n) + (lam_r(n) - x(n)) * a            a = exp(-dt/tau_rise)
    lam(n+1)   = lam_r(n) + (lam(n) - lam_r(n)) * b      b = exp(-dt/tau_decay)
    m(n+1)     = m(n) + dt * (E_i(n) * lam(n) - R_ij(n))  R_ij = rho * W_ij * zh_i**a_exp

with per-neuron signals ``sp, zt, E, zh`` taken at the start of step n. That is
O(n_post * n_pre) work per step. Within one update interval the weights are
fixed, and the recursions are linear in ``x``, whose (i, j) dependence is an
outer product per step. So, with ``H(k)`` the response of ``lam`` k steps after
a unit ``x`` and ``c1(k)``, ``c2(k)`` its free responses to unit initial
``lam_r``, ``lam``, the accumulator of an interval of T steps (local step
index k = 0..T-1) is exactly::

    m_ij / dt = A_i lam_r_ij(0) + B_i lam_ij(0) + sum_s sp_i(s) et_i(s) zt_j(s)
                - rho W_ij sum_k zh_i(k)**a_exp
    A_i = sum_k E_i(k) c1(k),    B_i = sum_k E_i(k) c2(k)
    et_i(s) = sum_{k > s} H(k - s) E_i(k)     (the error filtered backward in time)

and the state carried into the next interval is
``lam_r(T) = a**T lam_r(0) + sum_s Hr(T - s) x(s)`` and
``lam(T) = c1(T) lam_r(0) + c2(T) lam(0) + sum_s H(T - s) x(s)``, with ``Hr``
the response of ``lam_r``. Each sum over s is one matrix product
(post x steps) @ (steps x pre); the three are done as a single product. The
per-step work is only per neuron, and nothing of size (T, n_post, n_pre) is
ever formed. The result equals the step-by-step form up to the order of float
summation.
"""

import math
import time

import numpy as np

from superspike_brian.choices import FEEDBACK_MODES


def _responses(a, b, n):
    """Responses of the (lam_r, lam) recursions over ``n + 1`` steps (docs/factorized.md, F3).

    The scalar recursions are run exactly as the per-synapse update is written,
    so that the kernels carry no closed-form rounding of their own (and the
    degenerate case ``a == b`` needs no special branch).

    Parameters
    ----------
    a, b : float
        One-step decay factors of ``lam_r`` and ``lam``.
    n : int
        Number of steps.

    Returns
    -------
    dict of ndarray, each of shape (n + 1,)
        ``'h_r'``, ``'h'``: ``lam_r(k)`` and ``lam(k)`` after a unit ``x`` at
        step 0 from zero state; ``'c1'``: ``lam(k)`` from ``lam_r(0) = 1``;
        ``'c2'``: ``lam(k)`` from ``lam(0) = 1``; ``'f_r'``: ``lam_r(k)`` from
        ``lam_r(0) = 1`` (i.e. ``a**k``).
    """
    out = {key: np.zeros(n + 1) for key in ("h_r", "h", "c1", "c2", "f_r")}
    # Three independent initial conditions, advanced together: impulse, unit
    # lam_r, unit lam.
    r = np.array([0.0, 1.0, 0.0])
    l = np.array([0.0, 0.0, 1.0])
    for k in range(n + 1):
        out["h_r"][k], out["f_r"][k] = r[0], r[1]
        out["h"][k], out["c1"][k], out["c2"][k] = l
        x = np.array([1.0 if k == 0 else 0.0, 0.0, 0.0])
        r, l = x + (r - x) * a, r + (l - r) * b
    return out


def _first_order_numpy(u, c):
    """Causal first-order filter ``y[0] = 0``, ``y[n] = c*y[n-1] + (1-c)*u[n-1]`` (numpy loop).

    Parameters
    ----------
    u : ndarray, shape (T, ...)
        Input, filtered along axis 0.
    c : float
        Decay factor per step.

    Returns
    -------
    ndarray
        Output of the same shape as ``u``.
    """
    y = np.zeros_like(u)
    for k in range(1, u.shape[0]):
        y[k] = u[k - 1] + (y[k - 1] - u[k - 1]) * c
    return y


def _first_order(u, c):
    """Causal first-order filter ``y[0] = 0``, ``y[n] = c*y[n-1] + (1-c)*u[n-1]``.

    This is the lam_r (``c = a``) or lam (``c = b``) recursion with its input
    delayed by one step; ``lfilter`` evaluates the same first-order recursion
    (a stable one, so rounding does not build up) in C.

    Parameters
    ----------
    u : ndarray, shape (T, ...)
        Input, filtered along axis 0.
    c : float
        Decay factor per step.

    Returns
    -------
    ndarray
        Output of the same shape as ``u``.
    """
    try:  # scipy runs the filter in C (imported here: scipy.signal is slow to import)
        from scipy.signal import lfilter
    except ImportError:  # pragma: no cover - the numpy loop is tested on its own
        return _first_order_numpy(u, c)
    return lfilter([0.0, 1.0 - c], [1.0, -c], u, axis=0)


class FactorizedConnection:
    """Eligibility traces and gradient accumulator of one connection, per update interval.

    Parameters
    ----------
    n_pre, n_post : int
        Numbers of presynaptic (j) and postsynaptic (i) units.
    dt, tau_rise, tau_decay : float
        Time step and time constants of the eligibility kernel, in seconds.
    n_steps : int
        Steps per update interval (``N_b``); :meth:`accumulate` accepts intervals
        of 1 to ``n_steps`` steps (a shorter one for a truncated last interval).

    Attributes
    ----------
    lam_r, lam : ndarray, shape (n_post, n_pre)
        The carried per-synapse filter state (``lam_r``, ``lam`` of the spec) at
        the start of the next interval; start at 0.
    """

    def __init__(self, n_pre, n_post, *, dt, tau_rise, tau_decay, n_steps):
        self.n_pre, self.n_post, self.n_steps = int(n_pre), int(n_post), int(n_steps)
        if self.n_pre < 1 or self.n_post < 1 or self.n_steps < 1:
            raise ValueError("n_pre, n_post and n_steps must be at least 1")
        if not (dt > 0 and tau_rise > 0 and tau_decay > 0):
            raise ValueError("dt, tau_rise and tau_decay must be positive")
        self.dt = float(dt)
        self.a = math.exp(-self.dt / tau_rise)
        self.b = math.exp(-self.dt / tau_decay)
        self._kern = _responses(self.a, self.b, self.n_steps)
        self.lam_r = np.zeros((self.n_post, self.n_pre))
        self.lam = np.zeros((self.n_post, self.n_pre))

    def _signal(self, value, name, n_units, T=None):
        """Check one per-step signal and return it as float64 of shape (T, n_units)."""
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim != 2 or (T is not None and arr.shape[0] != T):
            raise ValueError(f"{name} must have shape (T, {n_units}), got {arr.shape}")
        if arr.shape[1] == 1 and n_units != 1:
            # A per-step scalar (uniform feedback) applies to every unit.
            arr = np.broadcast_to(arr, (arr.shape[0], n_units))
        if arr.shape[1] != n_units:
            raise ValueError(f"{name} must have shape (T, {n_units}), got {arr.shape}")
        return arr

    def backward_error(self, E):
        """Return ``et(s) = sum_{s < k < T} H(k - s) E(k)``: the error filtered backward (F4).

        Parameters
        ----------
        E : ndarray, shape (T, n)
            Error per step.

        Returns
        -------
        ndarray, shape (T, n)
            ``et``. ``H`` is the cascade of the lam_r and lam recursions, so the
            time-reversed error is passed through the same two first-order
            stages (the adjoint of the forward filter).
        """
        return _first_order(_first_order(E[::-1], self.a), self.b)[::-1]

    def accumulate(self, sp, zt, E, *, zh=None, W=None, rho=0.0, a_exp=4.0):
        """Accumulate the gradient of one update interval and advance the traces.

        Parameters
        ----------
        sp : array_like, shape (T, n_post)
            Surrogate derivative of the postsynaptic units at the start of each
            step of the interval, ``1 <= T <= n_steps``.
        zt : array_like, shape (T, n_pre)
            Presynaptic traces at the start of each step.
        E : array_like, shape (T, n_post) or (T, 1)
            Postsynaptic error at the start of each step (a single column is
            used for every unit, as :func:`hidden_error` returns for uniform
            feedback).
        zh : array_like, shape (T, n_post), optional
            Heterosynaptic traces at the start of each step; needed when
            ``rho != 0``.
        W : array_like, shape (n_post, n_pre), optional
            Weights (mV as plain numbers) during the interval; needed when
            ``rho != 0``.
        rho : float
            Regularizer strength (per mV); 0 switches the regularizer off.
        a_exp : float
            Regularizer exponent.

        Returns
        -------
        ndarray, shape (n_post, n_pre)
            ``m`` in seconds: what the per-synapse form accumulates over the
            interval starting from ``m = 0``. :attr:`lam_r` and :attr:`lam` are
            advanced to the end of the interval.
        """
        sp = self._signal(sp, "sp", self.n_post)
        T = sp.shape[0]
        if T > self.n_steps:
            raise ValueError(f"interval of {T} steps is longer than n_steps={self.n_steps}")
        zt = self._signal(zt, "zt", self.n_pre, T)
        E = self._signal(E, "E", self.n_post, T)
        n, kern = self.n_post, self._kern

        # F5, F6: left factors of the three step sums, stacked so that zt is streamed
        # through one BLAS product: the backward-filtered error (for m) and the
        # responses of lam_r and lam at the end of the interval to x(s)
        # (for the carried state), each weighted by sp_i(s).
        left = np.empty((T, 3 * n))
        np.multiply(sp, self.backward_error(E), out=left[:, :n])
        lag = slice(T, 0, -1)  # T - s for s = 0..T-1
        np.multiply(sp, kern["h_r"][lag, None], out=left[:, n : 2 * n])
        np.multiply(sp, kern["h"][lag, None], out=left[:, 2 * n :])
        prod = left.T @ zt

        # F5: free decay of the state carried in from the previous interval.
        A = kern["c1"][:T] @ E
        B = kern["c2"][:T] @ E
        drive = prod[:n]
        drive += A[:, None] * self.lam_r
        drive += B[:, None] * self.lam
        if rho != 0.0:
            if zh is None or W is None:
                raise ValueError("the regularizer (rho != 0) needs zh and W")
            zh = self._signal(zh, "zh", self.n_post, T)
            W = np.asarray(W, dtype=np.float64)
            if W.shape != (self.n_post, self.n_pre):
                raise ValueError(f"W must have shape {(self.n_post, self.n_pre)}, got {W.shape}")
            drive -= rho * W * (zh**a_exp).sum(axis=0)[:, None]
        m = self.dt * drive

        # F6: the state carried into the next interval.
        lam_r = kern["f_r"][T] * self.lam_r + prod[n : 2 * n]
        lam = kern["c1"][T] * self.lam_r + kern["c2"][T] * self.lam + prod[2 * n :]
        self.lam_r, self.lam = lam_r, lam
        return m


def hidden_error(mode, E_next, W_next_mV=None, B=None):
    """Error of a hidden layer from the error of the layer it projects to, per step (F2).

    Parameters
    ----------
    mode : {'symmetric', 'random', 'uniform'}
        Feedback mode.
    E_next : array_like, shape (T, n_next)
        Error of the next layer at the start of each step.
    W_next_mV : array_like, shape (n_next, n_hidden), optional
        Forward weights of the connection hidden -> next (mV as plain numbers);
        for ``'symmetric'``.
    B : array_like, shape (n_next, n_hidden), optional
        Fixed feedback matrix; for ``'random'``.

    Returns
    -------
    ndarray, shape (T, n_hidden) or (T, 1)
        ``E_next @ W_next_mV`` (symmetric), ``E_next @ B`` (random), or the
        per-step sum ``E_next.sum(axis=1, keepdims=True)`` (uniform: the same for
        every hidden unit, which :meth:`FactorizedConnection.accumulate`
        broadcasts).
    """
    E_next = np.asarray(E_next, dtype=np.float64)
    if E_next.ndim != 2:
        raise ValueError(f"E_next must have shape (T, n_next), got {E_next.shape}")
    if mode == "uniform":
        return E_next.sum(axis=1, keepdims=True)
    if mode == "symmetric":
        M, name = W_next_mV, "W_next_mV"
    elif mode == "random":
        M, name = B, "B"
    else:
        raise ValueError(f"unknown feedback mode {mode!r}; expected one of {FEEDBACK_MODES}")
    if M is None:
        raise ValueError(f"{mode} feedback needs {name}")
    M = np.asarray(M, dtype=np.float64)
    if M.ndim != 2 or M.shape[0] != E_next.shape[1]:
        raise ValueError(f"{name} must have shape ({E_next.shape[1]}, n_hidden), got {M.shape}")
    return E_next @ M


def benchmark(n_pre=200, n_post=256, N=5000, *, repeats=3, regularizer=True, seed=0):
    """Time :meth:`FactorizedConnection.accumulate` for one interval of random signals.

    Parameters
    ----------
    n_pre, n_post : int
        Connection size.
    N : int
        Steps per interval.
    repeats : int
        Number of timed calls; the fastest is returned (the least disturbed by
        other load).
    regularizer : bool
        Whether to include the regularizer term.
    seed : int
        Seed of the random signals.

    Returns
    -------
    float
        Seconds per :meth:`~FactorizedConnection.accumulate` call.
    """
    rng = np.random.default_rng(seed)
    conn = FactorizedConnection(n_pre, n_post, dt=1e-4, tau_rise=5e-3, tau_decay=10e-3, n_steps=N)
    sp = rng.random((N, n_post))
    zt = rng.random((N, n_pre))
    E = rng.standard_normal((N, n_post))
    kwargs = {}
    if regularizer:
        kwargs = dict(zh=rng.random((N, n_post)), W=rng.standard_normal((n_post, n_pre)), rho=1e-6)
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        conn.accumulate(sp, zt, E, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return best
