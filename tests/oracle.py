"""Independent numpy reference implementation ("oracle") of the discrete-time rule.

This module implements, step by step, the discrete-time SuperSpike rule fixed in
``docs/discrete_time.md``. It deliberately imports nothing from the package
(only numpy), so that the Brian2 model can be checked against an implementation
written from the specification alone.

Units: membrane potentials, currents and weights are in mV; time constants and
``dt`` in ms for the dynamics; the gradient accumulator ``m`` is in seconds (it
integrates a dimensionless signal over time, so that ``g = m / t_b`` is
dimensionless), and so are the cost times. Refractoriness and delays use
integer step counters, never float comparisons of times.
"""

import math

import numpy as np

# The oracle's own values of the model's parameters: the defaults of the tables
# in docs/model.md ("Parameters") and docs/discrete_time.md ("Parameters
# (defaults)"), written here once and taken from nowhere else, so that a default
# changed by mistake in the package cannot reach the oracle too.
# tests/helpers.py checks that every value a test leaves at the package's
# default is this one; tests/test_spec_values.py checks these against the spec.

#: Default parameters, keyed by name and unit (plain floats).
DEFAULTS = {
    "dt_ms": 0.1,
    "tau_mem_ms": 10.0,
    "tau_syn_ms": 5.0,
    "U_rest_mV": -60.0,
    "theta_mV": -50.0,
    "tau_ref_ms": 5.0,
    "delay_ms": 0.8,
    "tau_rise_ms": 5.0,
    "tau_decay_ms": 10.0,
    "beta_per_mV": 1.0,
    "U_cut_mV": -80.0,
    "t_b_s": 0.5,
    "tau_rms_s": 30.0,
    "eps": 1e-12,
    "w_max_mV": 100.0,
    "tau_het_ms": 100.0,
    "tau_avg_s": 10.0,
    "error_delay_ms": 0.2,
}

#: Defaults of what :func:`simulate` takes as arguments rather than parameters
#: (docs/model.md, "Parameters"): the learning rate ``r0`` of the ``lr`` table,
#: the scale ``w0`` of the initial weights, and the regulariser's ``(rho, a)``.
INPUT_DEFAULTS = {
    "r0_mV": 1.0,
    "w0_mV": 50.0,
    "rho_per_mV": 1e-6,
    "a": 4.0,
}

# "Minus infinity" for the last spike step: far enough below any step that
# ``n - s_last`` exceeds every refractory and delay count, yet far enough from
# the int64 limit that the subtraction cannot overflow.
_NEVER = np.iinfo(np.int64).min // 4


def _phi(x):
    """Return ``expm1(x) / x``, continued by 1 at ``x = 0``.

    Parameters
    ----------
    x : float
        Argument.

    Returns
    -------
    float
        ``(exp(x) - 1) / x``; computed with ``expm1`` so that nearly equal time
        constants lose no precision, and equal ones give the exact limit.
    """
    if x == 0.0:
        return 1.0
    return math.expm1(x) / x


def cascade_coefficient(dt, tau_slow, tau_fast):
    """Exact coupling coefficient of a two-stage linear cascade over one step.

    For ``dy/dt = -y / tau_fast`` and ``tau_slow dx/dt = y - x`` the exact
    solution over ``dt`` is ``x(dt) = x0 * exp(-dt/tau_slow) + c * y0`` with

    ``c = tau_fast / (tau_fast - tau_slow) * (exp(-dt/tau_fast) - exp(-dt/tau_slow))``

    which is rewritten as ``exp(-dt/tau_slow) * dt/tau_slow * phi(dt*(1/tau_slow -
    1/tau_fast))`` with ``phi(x) = expm1(x)/x``: the same number, but continuous at
    ``tau_fast == tau_slow`` where it becomes ``dt/tau * exp(-dt/tau)`` (the
    alpha-function case), so the degenerate case needs no separate branch.

    Parameters
    ----------
    dt : float
        Time step (same unit as the time constants).
    tau_slow : float
        Time constant of the driven variable ``x`` (``tau_mem`` or ``tau_decay``).
    tau_fast : float
        Time constant of the driving variable ``y`` (``tau_syn`` or ``tau_rise``).

    Returns
    -------
    float
        The coefficient ``c``.
    """
    return math.exp(-dt / tau_slow) * (dt / tau_slow) * _phi(dt * (1.0 / tau_slow - 1.0 / tau_fast))


def error_kernel_sq_integral(tau_rise, tau_decay):
    """Integral of the squared error kernel of one spike, ``K2``.

    The kernel is ``k(t) = tau_rise/(tau_decay - tau_rise) * (exp(-t/tau_decay) -
    exp(-t/tau_rise))`` (the response of ``zt`` to a unit jump of ``z``).

    Parameters
    ----------
    tau_rise, tau_decay : float
        Time constants of the kernel (any unit; ``K2`` has the same unit).

    Returns
    -------
    float
        ``K2``. The spec's form ``a**2 * (tau_decay/2 + tau_rise/2 - 2 tau_decay
        tau_rise/(tau_decay + tau_rise))`` with ``a = tau_rise/(tau_decay -
        tau_rise)`` simplifies exactly to ``tau_rise**2 / (2 (tau_rise +
        tau_decay))``, used here because it has no cancellation near, and no
        singularity at, ``tau_rise == tau_decay`` (limit ``tau/4`` of the alpha
        kernel).
    """
    return tau_rise * tau_rise / (2.0 * (tau_rise + tau_decay))


def _steps(duration, dt, name):
    """Convert a duration into a whole number of steps (rounded).

    Parameters
    ----------
    duration, dt : float
        Duration and time step in the same unit.
    name : str
        Name used in error messages.

    Returns
    -------
    int
        ``round(duration / dt)``.
    """
    n = round(float(duration / dt))
    if n < 0:
        raise ValueError(f"{name} must not be negative")
    return n


def simulate(
    n_steps,
    arrive_in,
    target,
    weights,
    lr,
    *,
    feedback="symmetric",
    feedback_matrices=None,
    regularizer=None,
    params=None,
    record_every=None,
    linear_hidden=False,
    windows=None,
):
    """Simulate the discrete-time SuperSpike rule of ``docs/discrete_time.md``.

    Parameters
    ----------
    n_steps : int
        Number of steps to simulate (steps ``0 .. n_steps-1``).
    arrive_in : array_like of bool, shape (>= n_steps, N_0)
        ``arrive_in[n, j]``: a spike of input unit ``j`` arrives at step ``n``
        (the input raster already shifted by the axonal delay).
    target : array_like of bool, shape (>= n_steps, N_L), or None
        ``target[n, i]``: a target spike of output unit ``i`` enters the error
        at step ``n`` (the target raster already shifted by the error delay).
        Not used (may be None) with ``windows``.
    weights : list of L array_like
        ``weights[l-1]`` has shape (N_l, N_{l-1}) in mV; copied, not modified.
    lr : array_like of float or float
        Learning rate in mV; ``lr[k]`` is used by the update at step ``k*N_b``.
        Needs at least ``(n_steps - 1) // N_b + 1`` entries (a scalar is used
        for every update, including the one at step 0, which changes nothing).
    feedback : {'symmetric', 'random', 'uniform'}
        How the error reaches the hidden layers (only matters when L > 1).
    feedback_matrices : list of L-1 array_like, optional
        For ``'random'``: entry ``l-1`` (shape (N_{l+1}, N_l)) is ``B`` for the
        error into hidden layer ``l``.
    regularizer : tuple (rho_per_mV, a), optional
        Heterosynaptic regulariser on connections into hidden layers.
    params : dict, optional
        Overrides of :data:`DEFAULTS` (keys carry their units).
    record_every : int, optional
        When given, record state at the end of every step ``n`` with
        ``n % record_every == 0`` (after step 5) under the key ``'record'``.
    linear_hidden : bool
        Surrogate derivative ``sp = 1`` for every unit of the hidden layers
        (layers 1..L-1), whatever U; the output layer keeps the spec's ``sp``.
    windows : tuple (open, end) of array_like of bool, optional
        Classification error (spec section "Classification error"): both of
        shape (>= n_steps, N_L); ``open[n, i]``: step n lies in a window of
        output unit i, ``end[n, i]``: the error of a window of unit i that
        ended ``n_err`` steps before is given at step n (the end table already
        shifted by the error delay). The target spikes are then dropped and
        every output unit carries ``got``.

    Returns
    -------
    dict
        ``'spikes'``: list of L int arrays (n_spikes, 2), columns (step, unit),
        sorted by step then unit, for layers 1..L.
        ``'weights'``: list of L arrays, final weights (mV).
        ``'weights_at_updates'``: for every executed update ``k >= 1``, the
        list of weight arrays right after it.
        ``'state'``: final state; ``U``, ``I``, ``s_last``: lists over layers
        1..L; ``z``, ``zt``: lists over presynaptic populations 0..L-1 (entry 0
        the input); ``zh``: list over hidden layers 1..L-1; ``er``, ``err``,
        ``sq``, ``got`` (0 without ``windows``): arrays of the output layer;
        ``lam_r``, ``lam``, ``m`` (seconds),
        ``v``: lists over connections 1..L.
        ``'cost'``: cost at every step ``k*N_b`` (k >= 1, ``k*N_b <= n_steps``),
        from the state at the start of that step; ``'cost_steps'`` those steps
        and ``'cost_times'`` the times in seconds.
        ``'record'`` (only with ``record_every``): dict with ``'step'`` and the
        arrays ``'U'``, ``'I'`` (lists over layers), ``'z'``, ``'zt'`` (lists
        over presynaptic populations), ``'zh'`` (list over hidden layers),
        ``'er'``, ``'err'``, ``'sq'``, each of shape (n_records, n_units),
        and ``'got'``.
        ``'constants'``: the derived step counts and coefficients used.

    Raises
    ------
    ValueError
        On inconsistent shapes, unknown parameters or feedback modes, or a delay
        that is not between 1 step and the refractory period.
    """
    p = dict(DEFAULTS)
    if params:
        unknown = set(params) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown parameters: {sorted(unknown)}")
        p.update(params)

    n_steps = int(n_steps)
    W = [np.array(w, dtype=np.float64, copy=True) for w in weights]
    L = len(W)
    if L < 1:
        raise ValueError("need at least one connection")
    sizes = [W[0].shape[1]] + [w.shape[0] for w in W]
    for c in range(L):
        if W[c].shape != (sizes[c + 1], sizes[c]):
            raise ValueError(
                f"weights[{c}] has shape {W[c].shape}, expected {(sizes[c + 1], sizes[c])}"
            )
    arrive_in = np.asarray(arrive_in, dtype=bool)
    if arrive_in.ndim != 2 or arrive_in.shape[0] < n_steps or arrive_in.shape[1] != sizes[0]:
        raise ValueError(f"arrive_in must have shape ({n_steps}, {sizes[0]})")
    classification = windows is not None
    if classification:
        if len(windows) != 2:
            raise ValueError("windows must be a pair (open, end) of tables")
        tables = [np.asarray(x, dtype=bool) for x in windows]
        target = np.zeros((n_steps, sizes[L]), dtype=bool)  # step 4 drops the targets
    else:
        tables = [np.asarray(target, dtype=bool)]
        target = tables[0]
    for table in tables:
        if table.ndim != 2 or table.shape[0] < n_steps or table.shape[1] != sizes[L]:
            raise ValueError(f"target and window tables must have shape ({n_steps}, {sizes[L]})")
    if classification:
        window_open, window_end = tables
    if feedback not in ("symmetric", "random", "uniform"):
        raise ValueError(f"unknown feedback mode {feedback!r}")
    B = None
    if feedback == "random" and L > 1:
        if feedback_matrices is None or len(feedback_matrices) != L - 1:
            raise ValueError("random feedback needs L-1 feedback matrices")
        B = [np.array(b, dtype=np.float64, copy=True) for b in feedback_matrices]
        for h in range(L - 1):
            if B[h].shape != (sizes[h + 2], sizes[h + 1]):
                raise ValueError(
                    f"feedback_matrices[{h}] must have shape {(sizes[h + 2], sizes[h + 1])}"
                )

    # Time constants of the dynamics stay in ms (dt too); only the quantities
    # the spec states in seconds (m, t_b, the cost times) use seconds.
    dt = p["dt_ms"]
    dt_s = dt * 1e-3
    tau_mem, tau_syn = p["tau_mem_ms"], p["tau_syn_ms"]
    tau_rise, tau_decay = p["tau_rise_ms"], p["tau_decay_ms"]
    U_rest, theta, U_cut = p["U_rest_mV"], p["theta_mV"], p["U_cut_mV"]
    beta = p["beta_per_mV"]
    t_b = p["t_b_s"]
    eps, w_max = p["eps"], p["w_max_mV"]
    n_ref = _steps(p["tau_ref_ms"], dt, "tau_ref")
    n_delay = _steps(p["delay_ms"], dt, "delay")
    n_err = _steps(p["error_delay_ms"], dt, "error_delay")
    N_b = _steps(t_b * 1e3, dt, "t_b")
    if N_b < 1:
        raise ValueError("t_b must be at least one step")
    # A hidden arrival is detected as ``n - s_last == n_delay``; this needs the
    # spike to be recorded (step 5) before it arrives, i.e. n_delay >= 1, and
    # s_last not overwritten by a later spike before then, i.e. n_delay < n_ref.
    if not 1 <= n_delay < n_ref:
        raise ValueError(f"need 1 <= n_delay < n_ref, got n_delay={n_delay}, n_ref={n_ref}")
    if not 0 <= n_err < n_ref:
        raise ValueError(f"need 0 <= n_err < n_ref, got n_err={n_err}, n_ref={n_ref}")

    n_updates = (n_steps - 1) // N_b + 1 if n_steps > 0 else 0
    lr = np.asarray(lr, dtype=np.float64)
    if lr.ndim == 0:
        lr = np.full(max(n_updates, 1), float(lr))
    if lr.shape[0] < n_updates:
        raise ValueError(f"lr needs at least {n_updates} entries, got {lr.shape[0]}")

    # Exact one-step propagators of the linear systems of step 2.
    e_syn = math.exp(-dt / tau_syn)
    e_mem = math.exp(-dt / tau_mem)
    c_UI = cascade_coefficient(dt, tau_mem, tau_syn)
    e_rise = math.exp(-dt / tau_rise)
    e_decay = math.exp(-dt / tau_decay)
    c_zz = cascade_coefficient(dt, tau_decay, tau_rise)
    e_het = math.exp(-dt / p["tau_het_ms"])
    e_avg = math.exp(-dt_s / p["tau_avg_s"])
    gamma = math.exp(-t_b / p["tau_rms_s"])
    K2_s = error_kernel_sq_integral(tau_rise, tau_decay) * 1e-3

    # State. Index conventions: layers 1..L at list index l-1; presynaptic
    # populations 0..L-1 (input, hidden layers) at index p; connection l
    # (pop l-1 -> layer l) at index l-1; hidden layer l at index l-1.
    U = [np.full(sizes[l], U_rest) for l in range(1, L + 1)]
    I = [np.zeros(sizes[l]) for l in range(1, L + 1)]
    s_last = [np.full(sizes[l], _NEVER, dtype=np.int64) for l in range(1, L + 1)]
    z = [np.zeros(sizes[q]) for q in range(L)]
    zt = [np.zeros(sizes[q]) for q in range(L)]
    zh = [np.zeros(sizes[l]) for l in range(1, L)]
    er = np.zeros(sizes[L])
    err = np.zeros(sizes[L])
    sq = np.zeros(sizes[L])
    got = np.zeros(sizes[L])  # classification error: spiked in the current window
    # The error of the output spikes of step n enters er at step n + n_err:
    # a ring of n_err + 1 slots of pending changes of er.
    er_queue = np.zeros((n_err + 1, sizes[L]))
    lam_r = [np.zeros_like(w) for w in W]
    lam = [np.zeros_like(w) for w in W]
    m = [np.zeros_like(w) for w in W]
    v = [np.zeros_like(w) for w in W]

    spikes = [[] for _ in range(L)]
    weights_at_updates = []
    cost, cost_steps = [], []

    def record_cost(n):
        # Bias-corrected 10 s average of err**2, normalised by one isolated
        # unmatched spike per second (K2 * 1 Hz).
        t = n * dt_s
        cost.append(float(np.mean(sq)) / K2_s / (-math.expm1(-t / p["tau_avg_s"])))
        cost_steps.append(n)

    rec = None
    if record_every is not None:
        record_every = int(record_every)
        if record_every < 1:
            raise ValueError("record_every must be >= 1")
        rec = {
            "step": [],
            "U": [],
            "I": [],
            "z": [],
            "zt": [],
            "zh": [],
            "er": [],
            "err": [],
            "sq": [],
            "got": [],
        }

    for n in range(n_steps):
        # Step 0: RMaxProp update at the start of every block.
        if n % N_b == 0:
            k = n // N_b
            if k >= 1:
                # sq is untouched by the update, but follow the spec literally:
                # the cost is taken at the start of the step.
                record_cost(n)
            for c in range(L):
                g = m[c] / t_b
                v[c] = np.maximum(g * g, gamma * v[c])
                W[c] = np.clip(W[c] + lr[k] * g / (np.sqrt(v[c]) + eps), -w_max, w_max)
                m[c] = np.zeros_like(m[c])
            if k >= 1:
                weights_at_updates.append([w.copy() for w in W])

        # Step 1: learning signals, all from the old state (and W after step 0).
        sp = [(U[i] > U_cut) / (1.0 + np.abs(beta * (U[i] - theta))) ** 2 for i in range(L)]
        if linear_hidden:
            sp[: L - 1] = [np.ones(sizes[i + 1]) for i in range(L - 1)]
        E = [None] * L
        E[L - 1] = err.copy()
        for i in range(L - 2, -1, -1):
            if feedback == "symmetric":
                E[i] = W[i + 1].T @ E[i + 1]
            elif feedback == "random":
                E[i] = B[i].T @ E[i + 1]
            else:
                E[i] = np.full(sizes[i + 1], E[i + 1].sum())
        for c in range(L):
            x = np.outer(sp[c], zt[c])
            lam_r_old = lam_r[c]
            lam_old = lam[c]
            lam_r[c] = x + (lam_r_old - x) * e_rise
            lam[c] = lam_r_old + (lam_old - lam_r_old) * e_decay
            drive = E[c][:, None] * lam_old
            if regularizer is not None and c < L - 1:
                rho, a = regularizer
                drive = drive - rho * W[c] * (zh[c] ** a)[:, None]
            m[c] = m[c] + dt_s * drive
        err2 = err * err
        sq = err2 + (sq - err2) * e_avg

        # Step 2: exact propagation over dt from the old values.
        for i in range(L):
            U_free = U_rest + (U[i] - U_rest) * e_mem + I[i] * c_UI
            refractory = (n - s_last[i]) < n_ref
            U[i] = np.where(refractory, U[i], U_free)
            I[i] = I[i] * e_syn
        for q in range(L):
            zt[q] = zt[q] * e_decay + z[q] * c_zz
            z[q] = z[q] * e_rise
        err = err * e_decay + er * c_zz
        er = er * e_rise
        for h in range(L - 1):
            zh[h] = zh[h] * e_het

        # Step 3: threshold crossings of non-refractory units.
        spiked = [((n - s_last[i]) >= n_ref) & (U[i] > theta) for i in range(L)]

        # Step 4: arrivals (s_last still from before step 5) and target spikes.
        arrived = [arrive_in[n]] + [(n - s_last[h]) == n_delay for h in range(L - 1)]
        for c in range(L):
            if arrived[c].any():
                I[c] = I[c] + W[c][:, arrived[c]].sum(axis=1)
        er = er + target[n]

        # Step 5: resets and trace jumps.
        for i in range(L):
            if spiked[i].any():
                U[i] = np.where(spiked[i], U_rest, U[i])
                s_last[i] = np.where(spiked[i], n, s_last[i])
                for unit in np.flatnonzero(spiked[i]):
                    spikes[i].append((n, unit))
        fired = spiked[L - 1].astype(np.float64)
        if classification:
            # An output spike: the first in an open window is free and sets got
            # at once, every other one is one unit of negative error, n_err
            # steps later. A (shifted) window end: one unit of positive error
            # unless the unit spiked in the window.
            o = window_open[n].astype(np.float64)
            er_queue[(n + n_err) % (n_err + 1)] -= fired * (1.0 - o * (1.0 - got))
            got = got + fired * o * (1.0 - got)
        else:
            er_queue[(n + n_err) % (n_err + 1)] -= fired
        er = er + er_queue[n % (n_err + 1)]
        er_queue[n % (n_err + 1)] = 0.0
        if classification:
            e = window_end[n]
            er = er + e * (1.0 - got)
            got = np.where(e, 0.0, got)
        for h in range(L - 1):
            zh[h] = zh[h] + spiked[h]
        for q in range(L):
            z[q] = z[q] + arrived[q]

        if rec is not None and n % record_every == 0:
            rec["step"].append(n)
            rec["U"].append([u.copy() for u in U])
            rec["I"].append([x.copy() for x in I])
            rec["z"].append([x.copy() for x in z])
            rec["zt"].append([x.copy() for x in zt])
            rec["zh"].append([x.copy() for x in zh])
            rec["er"].append(er.copy())
            rec["err"].append(err.copy())
            rec["sq"].append(sq.copy())
            rec["got"].append(got.copy())

    if n_steps > 0 and n_steps % N_b == 0:
        # The block boundary at n_steps itself: its cost is the state after
        # the last simulated step (the start of step n_steps).
        record_cost(n_steps)

    out = {
        "spikes": [np.array(s, dtype=np.int64).reshape(-1, 2) for s in spikes],
        "weights": W,
        "weights_at_updates": weights_at_updates,
        "state": {
            "U": U,
            "I": I,
            "s_last": s_last,
            "z": z,
            "zt": zt,
            "zh": zh,
            "er": er,
            "err": err,
            "sq": sq,
            "got": got,
            "lam_r": lam_r,
            "lam": lam,
            "m": m,
            "v": v,
        },
        "cost": np.array(cost),
        "cost_steps": np.array(cost_steps, dtype=np.int64),
        "cost_times": np.array(cost_steps, dtype=np.float64) * dt_s,
        "constants": {
            "n_ref": n_ref,
            "n_delay": n_delay,
            "n_err": n_err,
            "N_b": N_b,
            "gamma": gamma,
            "K2_s": K2_s,
            "c_UI": c_UI,
            "c_zz": c_zz,
        },
    }
    if rec is not None:
        out["record"] = {
            "step": np.array(rec["step"], dtype=np.int64),
            "U": [np.array([r[i] for r in rec["U"]]).reshape(-1, sizes[i + 1]) for i in range(L)],
            "I": [np.array([r[i] for r in rec["I"]]).reshape(-1, sizes[i + 1]) for i in range(L)],
            "z": [np.array([r[q] for r in rec["z"]]).reshape(-1, sizes[q]) for q in range(L)],
            "zt": [np.array([r[q] for r in rec["zt"]]).reshape(-1, sizes[q]) for q in range(L)],
            "zh": [
                np.array([r[h] for r in rec["zh"]]).reshape(-1, sizes[h + 1]) for h in range(L - 1)
            ],
            "er": np.array(rec["er"]).reshape(-1, sizes[L]),
            "err": np.array(rec["err"]).reshape(-1, sizes[L]),
            "sq": np.array(rec["sq"]).reshape(-1, sizes[L]),
            "got": np.array(rec["got"]).reshape(-1, sizes[L]),
        }
    return out


# ---------------------------------------------------------------------------
# Any graph of populations (docs/discrete_time.md, "Any graph of populations")


def distances(connections, output):
    """Least number of connections from every population to ``output``.

    Parameters
    ----------
    connections : sequence of (pre, post)
        Population names of every connection.
    output : str

    Returns
    -------
    dict
        Population -> distance; populations with no path to the output are absent.
    """
    dist = {output: 0}
    changed = True
    while changed:
        changed = False
        for pre, post in connections:
            if post in dist and dist.get(pre, np.inf) > dist[post] + 1:
                dist[pre] = dist[post] + 1
                changed = True
    return dist


def simulate_graph(
    n_steps,
    populations,
    connections,
    output,
    target,
    lr,
    *,
    feedback="symmetric",
    feedback_matrices=None,
    regularizer=None,
    params=None,
):
    """Simulate the rule of ``docs/discrete_time.md`` on a graph of populations.

    Parameters
    ----------
    n_steps : int
        Steps to simulate.
    populations : dict of str -> dict
        Every population: ``{"size": N, "arrive": table}`` for an input
        population (``arrive[n, j]``: unit j's spike arrives at step n, for at
        least ``n_steps`` rows), or ``{"size": N, "delay_steps": n_d}`` for a
        population of neurons (its spikes arrive ``n_d`` steps after they are
        emitted, ``0 <= n_d < n_ref``), optionally with an adaptive threshold
        ``"adapt": (tau_a_ms, delta_a_mV)``.
    connections : list of dict
        ``{"pre": name, "post": name, "W": (N_post, N_pre) mV, "mask": bool
        array of the same shape}`` in order; only masked-in synapses exist.
    output : str
        The output population (a neuron population).
    target : array_like of bool, shape (>= n_steps, N_out)
        Target table (already shifted by the error delay).
    lr : array_like or float
        Learning rate in mV of the update at step ``k*N_b`` (all connections).
    feedback : {'symmetric', 'random', 'uniform'}
    feedback_matrices : list, optional
        Per connection, ``B`` (N_post, N_pre) for random feedback where the
        connection carries error back (None elsewhere).
    regularizer : (rho_per_mV, a), optional
        On connections that end on a hidden population.
    params : dict, optional
        Overrides of :data:`DEFAULTS`.

    Returns
    -------
    dict
        ``'spikes'``: population -> int array (n, 2) of (step, unit), sorted;
        ``'weights'``: list of final weight arrays (mV, zero outside the mask);
        ``'cost'``, ``'cost_times'`` as :func:`simulate`; ``'state'``: ``m``,
        ``v``, ``lam_r``, ``lam`` per connection.
    """
    p = dict(DEFAULTS)
    if params:
        unknown = set(params) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown parameters: {sorted(unknown)}")
        p.update(params)
    if feedback not in ("symmetric", "random", "uniform"):
        raise ValueError(f"unknown feedback mode {feedback!r}")
    dt = p["dt_ms"]
    dt_s = dt * 1e-3
    U_rest, theta, U_cut, beta = p["U_rest_mV"], p["theta_mV"], p["U_cut_mV"], p["beta_per_mV"]
    t_b, eps, w_max = p["t_b_s"], p["eps"], p["w_max_mV"]
    n_ref = _steps(p["tau_ref_ms"], dt, "tau_ref")
    n_err = _steps(p["error_delay_ms"], dt, "error_delay")
    N_b = _steps(t_b * 1e3, dt, "t_b")
    e_syn, e_mem = math.exp(-dt / p["tau_syn_ms"]), math.exp(-dt / p["tau_mem_ms"])
    c_UI = cascade_coefficient(dt, p["tau_mem_ms"], p["tau_syn_ms"])
    e_rise, e_decay = math.exp(-dt / p["tau_rise_ms"]), math.exp(-dt / p["tau_decay_ms"])
    c_zz = cascade_coefficient(dt, p["tau_decay_ms"], p["tau_rise_ms"])
    e_het, e_avg = math.exp(-dt / p["tau_het_ms"]), math.exp(-dt_s / p["tau_avg_s"])
    gamma = math.exp(-t_b / p["tau_rms_s"])
    K2_s = error_kernel_sq_integral(p["tau_rise_ms"], p["tau_decay_ms"]) * 1e-3

    names = list(populations)
    size = {q: int(populations[q]["size"]) for q in names}
    neurons = [q for q in names if "arrive" not in populations[q]]
    pairs = [(c["pre"], c["post"]) for c in connections]
    learning = []
    for _, post in pairs:
        if post not in learning:
            learning.append(post)
    dist = distances(pairs, output)
    carries = [pre in learning and pre != output and dist[post] < dist[pre] for pre, post in pairs]
    hidden = sorted((q for q in learning if q != output), key=lambda q: dist[q])
    regularized = [regularizer is not None and post != output for _, post in pairs]
    zh_pops = {post for (_, post), r in zip(pairs, regularized, strict=True) if r}
    W = [np.array(c["W"], dtype=np.float64) * c["mask"] for c in connections]
    mask = [np.asarray(c["mask"], dtype=bool) for c in connections]
    B = feedback_matrices or [None] * len(connections)
    n_updates = (n_steps - 1) // N_b + 1 if n_steps > 0 else 0
    lr = np.asarray(lr, dtype=np.float64)
    if lr.ndim == 0:
        lr = np.full(max(n_updates, 1), float(lr))

    U = {q: np.full(size[q], U_rest) for q in neurons}
    I = {q: np.zeros(size[q]) for q in neurons}
    a = {q: np.zeros(size[q]) for q in neurons}
    s_last = {q: np.full(size[q], _NEVER, dtype=np.int64) for q in neurons}
    z = {q: np.zeros(size[q]) for q in names}
    zt = {q: np.zeros(size[q]) for q in names}
    zh = {q: np.zeros(size[q]) for q in zh_pops}
    er, err, sq = (np.zeros(size[output]) for _ in range(3))
    er_queue = np.zeros((n_err + 1, size[output]))
    lam_r, lam, m, v = ([np.zeros_like(w) for w in W] for _ in range(4))
    spikes = {q: [] for q in neurons}
    cost, cost_steps = [], []

    def adapt(q):
        return populations[q].get("adapt")

    def record_cost(n):
        t = n * dt_s
        cost.append(float(np.mean(sq)) / K2_s / (-math.expm1(-t / p["tau_avg_s"])))
        cost_steps.append(n)

    for n in range(n_steps):
        # Step 0: RMaxProp update of every existing synapse.
        if n % N_b == 0:
            k = n // N_b
            if k >= 1:
                record_cost(n)
            for c in range(len(W)):
                g = m[c] / t_b
                v[c] = np.maximum(g * g, gamma * v[c])
                step = lr[k] * g / (np.sqrt(v[c]) + eps)
                W[c] = np.where(mask[c], np.clip(W[c] + step, -w_max, w_max), 0.0)
                m[c] = np.zeros_like(m[c])

        # Step 1: learning signals from the old state.
        sp = {}
        for q in learning:
            th = theta + (a[q] if adapt(q) else 0.0)
            sp[q] = (U[q] > U_cut) / (1.0 + np.abs(beta * (U[q] - th))) ** 2
        E = {output: err.copy()}
        for q in hidden:
            E[q] = np.zeros(size[q])
            for c, (pre, post) in enumerate(pairs):
                if not (carries[c] and pre == q):
                    continue
                if feedback == "symmetric":
                    F = W[c]
                elif feedback == "random":
                    F = B[c] * mask[c]
                else:
                    F = mask[c].astype(np.float64)
                E[q] = E[q] + F.T @ E[post]
        for c, (pre, post) in enumerate(pairs):
            x = np.outer(sp[post], zt[pre]) * mask[c]
            lam_r_old, lam_old = lam_r[c], lam[c]
            lam_r[c] = x + (lam_r_old - x) * e_rise
            lam[c] = lam_r_old + (lam_old - lam_r_old) * e_decay
            drive = E[post][:, None] * lam_old
            if regularized[c]:
                rho, a_exp = regularizer
                drive = drive - rho * W[c] * (zh[post] ** a_exp)[:, None]
            m[c] = m[c] + dt_s * drive * mask[c]
        err2 = err * err
        sq = err2 + (sq - err2) * e_avg

        # Step 2: exact propagation of every linear system over dt.
        for q in neurons:
            U_free = U_rest + (U[q] - U_rest) * e_mem + I[q] * c_UI
            U[q] = np.where((n - s_last[q]) < n_ref, U[q], U_free)
            I[q] = I[q] * e_syn
            if adapt(q):
                a[q] = a[q] * math.exp(-dt / adapt(q)[0])
        for q in names:
            zt[q] = zt[q] * e_decay + z[q] * c_zz
            z[q] = z[q] * e_rise
        err = err * e_decay + er * c_zz
        er = er * e_rise
        for q in zh_pops:
            zh[q] = zh[q] * e_het

        # Step 3: threshold crossings.
        spiked = {}
        for q in neurons:
            th = theta + (a[q] if adapt(q) else 0.0)
            spiked[q] = ((n - s_last[q]) >= n_ref) & (U[q] > th)

        # Step 4: arrivals and target spikes.
        arrived = {}
        for q in names:
            if q not in neurons:
                arrived[q] = np.asarray(populations[q]["arrive"][n], dtype=bool)
            elif populations[q]["delay_steps"] == 0:
                arrived[q] = spiked[q]
            else:
                arrived[q] = (n - s_last[q]) == populations[q]["delay_steps"]
        for c, (pre, post) in enumerate(pairs):
            if arrived[pre].any():
                I[post] = I[post] + W[c][:, arrived[pre]].sum(axis=1)
        er = er + np.asarray(target[n], dtype=np.float64)

        # Step 5: resets and trace jumps.
        for q in neurons:
            if spiked[q].any():
                U[q] = np.where(spiked[q], U_rest, U[q])
                s_last[q] = np.where(spiked[q], n, s_last[q])
                if adapt(q):
                    a[q] = a[q] + spiked[q] * adapt(q)[1]
                spikes[q] += [(n, unit) for unit in np.flatnonzero(spiked[q])]
        er_queue[(n + n_err) % (n_err + 1)] -= spiked[output]
        er = er + er_queue[n % (n_err + 1)]
        er_queue[n % (n_err + 1)] = 0.0
        for q in zh_pops:
            zh[q] = zh[q] + spiked[q]
        for q in names:
            z[q] = z[q] + arrived[q]

    if n_steps > 0 and n_steps % N_b == 0:
        record_cost(n_steps)
    return {
        "spikes": {q: np.array(s, dtype=np.int64).reshape(-1, 2) for q, s in spikes.items()},
        "weights": W,
        "cost": np.array(cost),
        "cost_times": np.array(cost_steps, dtype=np.float64) * dt_s,
        "state": {"m": m, "v": v, "lam_r": lam_r, "lam": lam},
        "carries": carries,
        "distance": dist,
        "masks": mask,
    }
