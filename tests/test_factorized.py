"""The factorized interval accumulation equals the per-synapse step-by-step rule."""

import math

import numpy as np
import pytest

from superspike_brian import RegularizerParameters
from superspike_brian.engines import factorized_math as factorized
from superspike_brian.engines.factorized_math import FactorizedConnection, benchmark, hidden_error

from . import oracle

DT, TAU_RISE, TAU_DECAY = 1e-4, 5e-3, 10e-3
#: The model's default regularizer exponent (4 in the paper).
A_DEFAULT = RegularizerParameters().a


def assert_same(actual, desired, rtol=1e-12):
    """``actual == desired`` to ``rtol``, with an absolute floor of ``rtol/10`` of the scale.

    The two forms sum in different orders; an entry that cancels to nearly 0
    (signed errors) keeps only the absolute rounding error, so it is compared on
    the scale of the array rather than on its own.
    """
    scale = np.abs(desired).max()
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=0.1 * rtol * scale)


def per_synapse_loop(
    sp, zt, E, lam_r, lam, *, dt, tau_rise, tau_decay, zh=None, W=None, rho=0.0, a_exp=None
):
    """Step the per-synapse recursions of step 1 of the spec through one interval.

    The regularizer term ``rho * W * zh**a_exp`` needs ``zh``, ``W`` and the
    exponent ``a_exp`` when ``rho`` is not 0.

    Returns ``m`` (from 0) and the carried ``lam_r``, ``lam``; the straightforward
    form that :class:`FactorizedConnection` must reproduce.
    """
    a, b = math.exp(-dt / tau_rise), math.exp(-dt / tau_decay)
    E = np.broadcast_to(E, sp.shape)
    m = np.zeros_like(lam)
    for n in range(sp.shape[0]):
        x = np.outer(sp[n], zt[n])
        lam_r_old, lam_old = lam_r, lam
        lam_r = x + (lam_r_old - x) * a
        lam = lam_r_old + (lam_old - lam_r_old) * b
        drive = E[n][:, None] * lam_old
        if rho:
            drive = drive - rho * W * (zh[n] ** a_exp)[:, None]
        m = m + dt * drive
    return m, lam_r, lam


def random_signals(rng, T, n_post, n_pre):
    """Per-neuron signals of the ranges the model produces."""
    return {
        "sp": rng.random((T, n_post)),
        "zt": rng.random((T, n_pre)) * (rng.random(n_pre) < 0.8),  # some silent inputs
        "E": rng.standard_normal((T, n_post)),
        "zh": 2.0 * rng.random((T, n_post)),
        "W": 50.0 * rng.standard_normal((n_post, n_pre)),
    }


@pytest.mark.parametrize("rho,a", [(0.0, A_DEFAULT), (1e-3, A_DEFAULT), (1e-3, 2.0)])
def test_matches_per_synapse_loop_over_consecutive_intervals(rho, a):
    rng = np.random.default_rng(11)
    N, n_post, n_pre = 200, 7, 5
    conn = FactorizedConnection(
        n_pre, n_post, dt=DT, tau_rise=TAU_RISE, tau_decay=TAU_DECAY, n_steps=N
    )
    lam_r = np.zeros((n_post, n_pre))
    lam = np.zeros((n_post, n_pre))
    for _ in range(4):
        s = random_signals(rng, N, n_post, n_pre)
        m_ref, lam_r, lam = per_synapse_loop(
            s["sp"],
            s["zt"],
            s["E"],
            lam_r,
            lam,
            dt=DT,
            tau_rise=TAU_RISE,
            tau_decay=TAU_DECAY,
            zh=s["zh"],
            W=s["W"],
            rho=rho,
            a_exp=a,
        )
        m = conn.accumulate(s["sp"], s["zt"], s["E"], zh=s["zh"], W=s["W"], rho=rho, a_exp=a)
        assert m.shape == (n_post, n_pre)
        assert_same(m, m_ref)
        assert_same(conn.lam_r, lam_r)
        assert_same(conn.lam, lam)


def test_short_interval_uniform_error_and_equal_time_constants():
    # A truncated last interval, a one-column (uniform) error and tau_rise ==
    # tau_decay (the alpha kernel) all go through the same kernels.
    rng = np.random.default_rng(12)
    n_post, n_pre = 6, 4
    for tau_rise, tau_decay in [(TAU_RISE, TAU_DECAY), (8e-3, 8e-3)]:
        conn = FactorizedConnection(
            n_pre, n_post, dt=DT, tau_rise=tau_rise, tau_decay=tau_decay, n_steps=150
        )
        lam_r = np.zeros((n_post, n_pre))
        lam = np.zeros((n_post, n_pre))
        for T in (150, 37, 1, 150):
            s = random_signals(rng, T, n_post, n_pre)
            E = s["E"][:, :1]
            m_ref, lam_r, lam = per_synapse_loop(
                s["sp"], s["zt"], E, lam_r, lam, dt=DT, tau_rise=tau_rise, tau_decay=tau_decay
            )
            m = conn.accumulate(s["sp"], s["zt"], E)
            assert_same(m, m_ref)
            assert_same(conn.lam_r, lam_r)
            assert_same(conn.lam, lam)


def test_numpy_fallback_filter_matches_lfilter():
    # Same recursion, different rounding: compare on the scale of the signal
    # (a signed output has zero crossings, where relative errors are meaningless).
    u = np.random.default_rng(13).standard_normal((300, 3))
    y = factorized._first_order(u, 0.97)
    np.testing.assert_allclose(
        factorized._first_order_numpy(u, 0.97), y, rtol=1e-12, atol=1e-13 * np.abs(y).max()
    )


def test_hidden_error_modes_match_per_step_feedback():
    rng = np.random.default_rng(14)
    E_next = rng.standard_normal((20, 3))
    W_next = rng.standard_normal((3, 5))
    B = rng.standard_normal((3, 5))
    for n in range(20):
        np.testing.assert_allclose(
            hidden_error("symmetric", E_next, W_next)[n], W_next.T @ E_next[n], rtol=1e-14
        )
        np.testing.assert_allclose(hidden_error("random", E_next, B=B)[n], B.T @ E_next[n])
    assert hidden_error("uniform", E_next).shape == (20, 1)
    np.testing.assert_allclose(hidden_error("uniform", E_next)[:, 0], E_next.sum(axis=1))


def test_rejects_bad_input():
    conn = FactorizedConnection(3, 2, dt=DT, tau_rise=TAU_RISE, tau_decay=TAU_DECAY, n_steps=10)
    sp, zt, E = np.ones((10, 2)), np.ones((10, 3)), np.ones((10, 2))
    with pytest.raises(ValueError, match="longer than"):
        conn.accumulate(np.ones((11, 2)), np.ones((11, 3)), np.ones((11, 2)))
    with pytest.raises(ValueError, match="zt"):
        conn.accumulate(sp, np.ones((9, 3)), E)
    with pytest.raises(ValueError, match="needs zh and W"):
        conn.accumulate(sp, zt, E, rho=1e-6)
    with pytest.raises(ValueError, match="W must"):
        conn.accumulate(sp, zt, E, zh=sp, W=np.ones((3, 2)), rho=1e-6)
    with pytest.raises(ValueError):
        FactorizedConnection(3, 2, dt=0.0, tau_rise=TAU_RISE, tau_decay=TAU_DECAY, n_steps=10)
    with pytest.raises(ValueError, match="unknown feedback"):
        hidden_error("mirror", E)
    with pytest.raises(ValueError, match="needs B"):
        hidden_error("random", E)


def start_of_step(recorded, initial):
    """Values at the start of every step from those recorded at the end of every step."""
    return np.vstack([np.broadcast_to(initial, (1, recorded.shape[1])), recorded[:-1]])


@pytest.mark.parametrize(
    "feedback, regularizer",
    [
        ("symmetric", None),
        ("symmetric", (1e-5, A_DEFAULT)),
        ("random", None),
        ("uniform", (1e-5, A_DEFAULT)),
        ("random", (1e-5, 2.0)),
    ],
)
def test_end_to_end_against_oracle(feedback, regularizer):
    # 12 inputs -> 4 hidden -> 3 outputs with 20 ms update intervals: the oracle
    # steps every synapse every step; here the same per-neuron signals (read
    # back from its per-step record) go through the factorized accumulation and
    # the RMaxProp update of the spec, interval by interval.
    rng = np.random.default_rng(5)
    N_b, n_updates = 200, 5
    n_steps = N_b * n_updates
    arrive = rng.random((n_steps, 12)) < 0.01
    target = rng.random((n_steps, 3)) < 0.003
    weights = [rng.normal(15.0, 10.0, (4, 12)), rng.normal(20.0, 15.0, (3, 4))]
    B = [rng.standard_normal((3, 4))]
    lr = np.full(n_updates, 2.0)
    p = dict(oracle.DEFAULTS, t_b_s=0.02)
    res = oracle.simulate(
        n_steps,
        arrive,
        target,
        weights,
        lr,
        feedback=feedback,
        params={"t_b_s": p["t_b_s"]},
        feedback_matrices=B if feedback == "random" else None,
        regularizer=regularizer,
        record_every=1,
    )
    rec = res["record"]
    assert all(len(s) > 10 for s in res["spikes"]), "the network must be active"
    assert len(res["weights_at_updates"]) == n_updates - 1

    U_rest = p["U_rest_mV"]
    U = [start_of_step(u, U_rest) for u in rec["U"]]
    sp = [
        (u > p["U_cut_mV"]) / (1.0 + np.abs(p["beta_per_mV"] * (u - p["theta_mV"]))) ** 2 for u in U
    ]
    zt = [start_of_step(z, 0.0) for z in rec["zt"]]
    zh = start_of_step(rec["zh"][0], 0.0)
    err = start_of_step(rec["err"], 0.0)

    dt, t_b = p["dt_ms"] * 1e-3, p["t_b_s"]
    gamma = math.exp(-t_b / p["tau_rms_s"])
    conns = [
        FactorizedConnection(
            w.shape[1],
            w.shape[0],
            dt=dt,
            tau_rise=p["tau_rise_ms"] * 1e-3,
            tau_decay=p["tau_decay_ms"] * 1e-3,
            n_steps=N_b,
        )
        for w in weights
    ]
    v = [np.zeros_like(w) for w in weights]
    W = [np.array(w, dtype=np.float64) for w in weights]  # the oracle's weights in interval k
    for k in range(n_updates):
        rows = slice(k * N_b, (k + 1) * N_b)
        E_out = err[rows]
        E_hid = hidden_error(feedback, E_out, W[1], B[0])
        m = [
            conns[0].accumulate(
                sp[0][rows],
                zt[0][rows],
                E_hid,
                zh=zh[rows],
                W=W[0],
                **({"rho": regularizer[0], "a_exp": regularizer[1]} if regularizer else {}),
            ),
            conns[1].accumulate(sp[1][rows], zt[1][rows], E_out),
        ]
        assert np.abs(m[0]).max() > 0 and np.abs(m[1]).max() > 0
        if k == n_updates - 1:
            for c in range(2):
                np.testing.assert_allclose(m[c], res["state"]["m"][c], rtol=1e-9, atol=0)
                np.testing.assert_allclose(conns[c].lam_r, res["state"]["lam_r"][c], rtol=1e-9)
                np.testing.assert_allclose(conns[c].lam, res["state"]["lam"][c], rtol=1e-9)
            break
        # The RMaxProp update at the start of interval k+1, as in the spec.
        new_W = res["weights_at_updates"][k]
        for c in range(2):
            g = m[c] / t_b
            v[c] = np.maximum(g * g, gamma * v[c])
            W_upd = np.clip(
                W[c] + lr[k + 1] * g / (np.sqrt(v[c]) + p["eps"]), -p["w_max_mV"], p["w_max_mV"]
            )
            np.testing.assert_allclose(W_upd, new_W[c], rtol=1e-9, atol=0)
        W = [np.array(w) for w in new_W]
    for c in range(2):
        np.testing.assert_allclose(v[c], res["state"]["v"][c], rtol=1e-9, atol=0)


def test_benchmark_returns_seconds():
    seconds = benchmark(n_pre=20, n_post=30, N=100, repeats=1)
    assert np.isfinite(seconds) and seconds > 0.0
