"""Tests of the numpy oracle itself against closed-form properties of the model.

These check the oracle (``tests/oracle.py``) against facts derived by hand from
``docs/discrete_time.md`` and ``docs/model.md``, independently of the Brian2 model.
"""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from oracle import DEFAULTS, cascade_coefficient, error_kernel_sq_integral, simulate

DT_MS = DEFAULTS["dt_ms"]


def _zeros(n_steps, n_units):
    """Return an all-false raster of shape (n_steps, n_units)."""
    return np.zeros((n_steps, n_units), dtype=bool)


def test_psp_peak_and_time():
    # One arrival of weight w into a silent output unit: PSP w*(e^-t/10 - e^-t/5),
    # peak w/4 at 10*ln(2) ms. w is kept subthreshold (peak 2 mV < 10 mV).
    w, n0, n_steps = 8.0, 10, 400
    arrive = _zeros(n_steps, 1)
    arrive[n0, 0] = True
    res = simulate(n_steps, arrive, _zeros(n_steps, 1), [np.array([[w]])], 0.0, record_every=1)
    assert len(res["spikes"][0]) == 0
    U = res["record"]["U"][0][:, 0]
    I = res["record"]["I"][0][:, 0]
    # The current jumps at the arrival step itself, the membrane only afterwards.
    assert I[n0 - 1] == 0.0 and I[n0] == pytest.approx(w)
    assert U[n0] == DEFAULTS["U_rest_mV"]
    psp = U - DEFAULTS["U_rest_mV"]
    peak = psp.max()
    t_peak_ms = (np.argmax(psp) - n0) * DT_MS
    assert peak == pytest.approx(0.25 * w, rel=0.01)
    assert abs(t_peak_ms - 10.0 * math.log(2.0)) <= DT_MS
    # The sampled trajectory is the exact solution, not an Euler approximation.
    t = (np.arange(n_steps) - n0) * DT_MS
    expected = np.where(t >= 0, w * (np.exp(-t / 10.0) - np.exp(-t / 5.0)), 0.0)
    np.testing.assert_allclose(psp, expected, atol=1e-12)


def test_refractoriness_under_strong_drive():
    # An input arriving at every step with a large weight drives the unit to
    # spike as soon as it may; it must then be silent and clamped to U_rest.
    n_steps = 2000
    arrive = np.ones((n_steps, 1), dtype=bool)
    res = simulate(n_steps, arrive, _zeros(n_steps, 1), [np.array([[50.0]])], 0.0, record_every=1)
    n_ref = res["constants"]["n_ref"]
    assert n_ref == round(DEFAULTS["tau_ref_ms"] / DT_MS)
    steps = res["spikes"][0][:, 0]
    assert len(steps) > 10
    isi = np.diff(steps)
    assert isi.min() >= n_ref
    # Driven this hard, the unit fires on the first non-refractory step.
    assert np.all(isi == n_ref)
    U = res["record"]["U"][0][:, 0]
    for s in steps:
        window = U[s : min(s + n_ref, n_steps)]
        assert np.all(window == DEFAULTS["U_rest_mV"])


def test_hidden_spike_arrives_after_delay():
    # input -> hidden -> output: the output current jumps exactly n_delay steps
    # after the hidden spike, by the hidden->output weight.
    n_steps, w2 = 300, 3.0
    arrive = _zeros(n_steps, 1)
    arrive[5, 0] = True
    weights = [np.array([[80.0]]), np.array([[w2]])]
    res = simulate(n_steps, arrive, _zeros(n_steps, 1), weights, 0.0, record_every=1)
    n_delay = res["constants"]["n_delay"]
    assert n_delay == round(DEFAULTS["delay_ms"] / DT_MS)
    hidden = res["spikes"][0]
    assert len(hidden) == 1
    s = hidden[0, 0]
    I_out = res["record"]["I"][1][:, 0]
    assert np.all(I_out[: s + n_delay] == 0.0)
    assert I_out[s + n_delay] == pytest.approx(w2)
    # The presynaptic trace of the hidden unit jumps at the arrival as well.
    z_hidden = res["record"]["z"][1][:, 0]
    assert z_hidden[s + n_delay - 1] == 0.0 and z_hidden[s + n_delay] == pytest.approx(1.0)


def test_error_trace_of_one_target_spike():
    # One unmatched target spike: err follows (e^-t/10 - e^-t/5), peak 0.25.
    n_steps, n0 = 600, 20
    target = _zeros(n_steps, 1)
    target[n0, 0] = True
    res = simulate(n_steps, _zeros(n_steps, 1), target, [np.zeros((1, 1))], 0.0, record_every=1)
    err = res["record"]["err"][:, 0]
    assert err.max() == pytest.approx(0.25, rel=0.01)
    assert abs((np.argmax(err) - n0) * DT_MS - 10.0 * math.log(2.0)) <= DT_MS
    assert np.all(err[: n0 + 1] == 0.0)


def test_output_spike_gives_negative_error():
    # An output spike without target enters the error with the opposite sign.
    n_steps = 400
    arrive = _zeros(n_steps, 1)
    arrive[5, 0] = True
    res = simulate(n_steps, arrive, _zeros(n_steps, 1), [np.array([[80.0]])], 0.0, record_every=1)
    assert len(res["spikes"][0]) == 1
    err = res["record"]["err"][:, 0]
    assert err.min() == pytest.approx(-0.25, rel=0.01)
    assert err.max() == 0.0


def test_cost_of_missing_target_spikes_short():
    # Five missed target spikes per 0.5 s: cost 10 already after 0.5 s thanks to
    # the bias correction (default dt).
    n_steps = 20000
    target = _zeros(n_steps, 1)
    target[::1000, 0] = True
    res = simulate(n_steps, _zeros(n_steps, 1), target, [np.zeros((1, 1))], 0.0)
    np.testing.assert_allclose(res["cost_times"], [0.5, 1.0, 1.5, 2.0])
    np.testing.assert_allclose(res["cost"], 10.0, rtol=0.02)


def test_cost_of_missing_target_spikes_after_100_s():
    # The same task over 100 s. A 1 ms step keeps this test fast; the error
    # kernel sampled at 1 ms still sums to K2 to well below 1%.
    dt_ms = 1.0
    n_steps = round(100e3 / dt_ms)
    target = _zeros(n_steps, 1)
    target[:: round(100.0 / dt_ms), 0] = True
    res = simulate(
        n_steps,
        _zeros(n_steps, 1),
        target,
        [np.zeros((1, 1))],
        0.0,
        params={"dt_ms": dt_ms},
    )
    assert res["cost_times"][-1] == pytest.approx(100.0)
    assert res["cost"][-1] == pytest.approx(10.0, rel=0.02)


def test_kernel_constants():
    # K2 of the default kernel is 0.8333 ms (spec); the cascade coefficient is
    # continuous where the two time constants coincide (degenerate case).
    assert error_kernel_sq_integral(5.0, 10.0) == pytest.approx(5.0 / 6.0)
    assert error_kernel_sq_integral(5.0, 5.0) == pytest.approx(5.0 / 4.0)
    # The spec's unsimplified formula, where it is well conditioned.
    tr, td = 3.0, 17.0
    a = tr / (td - tr)
    spec_form = a * a * (td / 2 + tr / 2 - 2 * td * tr / (td + tr))
    assert error_kernel_sq_integral(tr, td) == pytest.approx(spec_form, rel=1e-12)
    # And a direct quadrature of k(t)**2.
    t = np.linspace(0.0, 400.0, 400001)
    k = tr / (td - tr) * (np.exp(-t / td) - np.exp(-t / tr))
    assert error_kernel_sq_integral(tr, td) == pytest.approx(np.trapezoid(k * k, t), rel=1e-6)
    assert cascade_coefficient(0.1, 10.0, 5.0) == pytest.approx(
        math.exp(-0.01) - math.exp(-0.02), rel=1e-13
    )
    c_eq = cascade_coefficient(0.1, 5.0, 5.0)
    assert c_eq == pytest.approx(0.1 / 5.0 * math.exp(-0.02), rel=1e-14)
    assert cascade_coefficient(0.1, 5.0, 5.0 + 1e-9) == pytest.approx(c_eq, rel=1e-8)


def test_equal_time_constants_simulate():
    # tau_mem == tau_syn: the PSP is the alpha function w*(t/tau)*exp(-t/tau),
    # peak w/e at t = tau.
    w, n0, n_steps = 8.0, 10, 400
    arrive = _zeros(n_steps, 1)
    arrive[n0, 0] = True
    res = simulate(
        n_steps,
        arrive,
        _zeros(n_steps, 1),
        [np.array([[w]])],
        0.0,
        params={"tau_syn_ms": 10.0},
        record_every=1,
    )
    psp = res["record"]["U"][0][:, 0] - DEFAULTS["U_rest_mV"]
    t = (np.arange(n_steps) - n0) * DT_MS
    expected = np.where(t >= 0, w * (t / 10.0) * np.exp(-t / 10.0), 0.0)
    np.testing.assert_allclose(psp, expected, atol=1e-12)


def _learning_problem(n_steps, seed):
    """Build a small 2-layer problem with Poisson inputs and regular targets."""
    rng = np.random.default_rng(seed)
    arrive = rng.random((n_steps, 20)) < 0.01
    target = _zeros(n_steps, 2)
    target[50::200, 0] = True
    target[150::200, 1] = True
    weights = [rng.normal(0.0, 20.0, (4, 20)), rng.normal(0.0, 20.0, (2, 4))]
    return arrive, target, weights


def test_update_bounded_by_learning_rate_and_clipped():
    # |g| / sqrt(v) <= 1 because v >= g**2, so no weight moves by more than lr;
    # on the first update with lr > 0 (v built from g**2 alone) the step is
    # exactly +-lr for every synapse with a non-negligible gradient.
    params = {"t_b_s": 0.02}
    N_b = 200
    n_updates = 10
    n_steps = N_b * n_updates
    arrive, target, weights = _learning_problem(n_steps, seed=1)
    lr = np.full(n_updates, 0.7)
    lr[0] = 0.0
    res = simulate(n_steps, arrive, target, weights, lr, params=params)
    assert res["constants"]["N_b"] == N_b
    snaps = [weights] + res["weights_at_updates"]
    assert len(res["weights_at_updates"]) == n_updates - 1
    moved = 0.0
    for k in range(1, len(snaps)):
        for before, after in zip(snaps[k - 1], snaps[k]):
            step = np.abs(after - before)
            assert np.all(step <= lr[k] * (1 + 1e-12))
            moved = max(moved, step.max())
    assert moved == pytest.approx(0.7, rel=1e-9)
    # The weights of the final update are the returned ones.
    for a, b in zip(res["weights"], res["weights_at_updates"][-1]):
        np.testing.assert_array_equal(a, b)
    # The caller's arrays are not modified.
    _, _, weights2 = _learning_problem(n_steps, seed=1)
    for a, b in zip(weights, weights2):
        np.testing.assert_array_equal(a, b)

    # Clipping: start at the bound with a huge learning rate.
    w_max = DEFAULTS["w_max_mV"]
    near = [np.clip(w * 10.0, -w_max, w_max) for w in weights]
    res = simulate(n_steps, arrive, target, near, np.full(n_updates, 50.0), params=params)
    for snap in res["weights_at_updates"]:
        for w in snap:
            assert np.all(np.abs(w) <= w_max)
    assert any(np.any(np.abs(w) == w_max) for w in res["weights"])


def test_burn_in_keeps_weights_but_updates_v():
    # lr = 0: weights stay, but the RMaxProp variance is still accumulated.
    params = {"t_b_s": 0.02}
    n_steps = 200 * 5
    arrive, target, weights = _learning_problem(n_steps, seed=2)
    res = simulate(n_steps, arrive, target, weights, np.zeros(5), params=params)
    for a, b in zip(res["weights"], weights):
        np.testing.assert_array_equal(a, b)
    assert all(np.any(v > 0) for v in res["state"]["v"])


def test_missing_target_potentiates_active_inputs():
    # A silent output with a target shortly after the inputs: the error is
    # positive where the eligibility is, so the update raises the weights of the
    # inputs that were active (the sign of the gradient).
    params = {"t_b_s": 0.1}
    N_b = 1000
    n_steps = 2 * N_b
    arrive = _zeros(n_steps, 3)
    for start in range(0, N_b, 200):
        arrive[start + 10, 0] = True
        arrive[start + 20, 1] = True
    target = _zeros(n_steps, 1)
    target[30:N_b:200, 0] = True
    w0 = np.array([[2.0, 2.0, 2.0]])
    res = simulate(n_steps, arrive, target, [w0], np.array([0.0, 0.5]), params=params)
    assert len(res["spikes"][0]) == 0
    dw = res["weights_at_updates"][0][0] - w0
    assert dw[0, 0] == pytest.approx(0.5) and dw[0, 1] == pytest.approx(0.5)
    # Input 2 never arrived: no eligibility, no gradient, no change.
    assert dw[0, 2] == 0.0


def test_regularizer_depresses_weights_into_active_hidden_units():
    # No target and no output spikes: the error is zero, so the only drive of
    # m into the hidden layer is -rho*W*zh**a; positive weights into a hidden
    # unit that fired move down, the hidden->output weights are untouched.
    params = {"t_b_s": 0.05}
    N_b = 500
    n_steps = 2 * N_b
    arrive = _zeros(n_steps, 1)
    arrive[10:N_b:100, 0] = True
    weights = [np.array([[80.0]]), np.array([[0.0]])]
    res = simulate(
        n_steps,
        arrive,
        _zeros(n_steps, 1),
        weights,
        np.array([0.0, 0.3]),
        regularizer=(1e-2, 4),
        params=params,
    )
    assert len(res["spikes"][0]) > 0
    new = res["weights_at_updates"][0]
    assert new[0][0, 0] == pytest.approx(80.0 - 0.3)
    assert new[1][0, 0] == 0.0


def test_feedback_modes_route_the_error():
    # With one output, symmetric feedback scales the hidden error by the
    # forward weight, random by B, uniform by 1: the sign of the hidden update
    # follows that factor.
    params = {"t_b_s": 0.1}
    N_b = 1000
    n_steps = 2 * N_b
    arrive = _zeros(n_steps, 1)
    arrive[10:N_b:500, 0] = True
    target = _zeros(n_steps, 1)
    target[20:N_b:500, 0] = True
    # The hidden unit stays below threshold (peak 0.25*30 = 7.5 mV) but close
    # enough for a surrogate derivative, the output never fires.
    weights = [np.array([[30.0]]), np.array([[-5.0]])]
    lr = np.array([0.0, 0.2])
    sym = simulate(n_steps, arrive, target, weights, lr, params=params)
    rnd = simulate(
        n_steps,
        arrive,
        target,
        weights,
        lr,
        feedback="random",
        feedback_matrices=[np.array([[2.0]])],
        params=params,
    )
    uni = simulate(n_steps, arrive, target, weights, lr, feedback="uniform", params=params)
    for r in (sym, rnd, uni):
        assert len(r["spikes"][0]) == 0 and len(r["spikes"][1]) == 0
    assert sym["weights_at_updates"][0][0][0, 0] == pytest.approx(30.0 - 0.2)
    assert rnd["weights_at_updates"][0][0][0, 0] == pytest.approx(30.0 + 0.2)
    assert uni["weights_at_updates"][0][0][0, 0] == pytest.approx(30.0 + 0.2)
    # Without learning, the hidden accumulators differ only by the feedback
    # factor (-5, 2, 1).
    lr0 = np.zeros(2)
    m_sym = simulate(n_steps, arrive, target, weights, lr0, params=params)["state"]["m"][0][0, 0]
    m_uni = simulate(n_steps, arrive, target, weights, lr0, feedback="uniform", params=params)[
        "state"
    ]["m"][0][0, 0]
    m_rnd = simulate(
        n_steps,
        arrive,
        target,
        weights,
        lr0,
        feedback="random",
        feedback_matrices=[np.array([[2.0]])],
        params=params,
    )["state"]["m"][0][0, 0]
    assert m_uni > 0
    assert m_sym == pytest.approx(-5.0 * m_uni) and m_rnd == pytest.approx(2.0 * m_uni)


def test_invalid_delay_rejected():
    with pytest.raises(ValueError):
        simulate(
            10,
            _zeros(10, 1),
            _zeros(10, 1),
            [np.zeros((1, 1))],
            0.0,
            params={"delay_ms": 6.0},
        )
    with pytest.raises(ValueError):
        simulate(
            10,
            _zeros(10, 1),
            _zeros(10, 1),
            [np.zeros((1, 1))],
            0.0,
            params={"bogus": 1.0},
        )


def test_eligibility_and_accumulator_follow_the_recurrence():
    # Within one block (no update), replay the spec's step-1 recurrences in a
    # scalar loop from the recorded U, zt and err, and compare with the
    # oracle's final lam_r, lam and m. This pins the use of the *old* lam_r
    # in lam and the *old* lam in m.
    n_steps = 1500
    rng = np.random.default_rng(3)
    arrive = rng.random((n_steps, 2)) < 0.01
    target = _zeros(n_steps, 1)
    target[[300, 700, 1100], 0] = True
    w = np.array([[6.0, -4.0]])
    res = simulate(n_steps, arrive, target, [w], 0.0, record_every=1)
    rec = res["record"]
    U = np.concatenate([[DEFAULTS["U_rest_mV"]], rec["U"][0][:, 0]])
    zt = np.vstack([np.zeros((1, 2)), rec["zt"][0]])
    err = np.concatenate([[0.0], rec["err"][:, 0]])
    e_r = math.exp(-DT_MS / DEFAULTS["tau_rise_ms"])
    e_d = math.exp(-DT_MS / DEFAULTS["tau_decay_ms"])
    lam_r = np.zeros(2)
    lam = np.zeros(2)
    m = np.zeros(2)
    for n in range(n_steps):
        # Index n holds the state at the start of step n; U stays above U_cut.
        sp = 1.0 / (1.0 + abs(U[n] - DEFAULTS["theta_mV"])) ** 2
        x = sp * zt[n]
        m = m + DT_MS * 1e-3 * err[n] * lam
        lam_r, lam = x + (lam_r - x) * e_r, lam_r + (lam - lam_r) * e_d
    np.testing.assert_allclose(res["state"]["lam_r"][0][0], lam_r, rtol=1e-12)
    np.testing.assert_allclose(res["state"]["lam"][0][0], lam, rtol=1e-12)
    np.testing.assert_allclose(res["state"]["m"][0][0], m, rtol=1e-12)
    assert np.all(m != 0.0)


def test_rmaxprop_variance_and_step():
    # v = max(g**2, gamma*v) and dW = lr*g/(sqrt(v)+eps), checked from the
    # accumulators read just before the updates (runs ending at a block
    # boundary return m before that boundary's update).
    params = {"t_b_s": 0.05}
    N_b = 500
    rng = np.random.default_rng(4)
    arrive = rng.random((2 * N_b + 1, 6)) < 0.02
    # Block 2 is much quieter than block 1, so gamma*v wins for some synapses
    # and g**2 for others.
    arrive[N_b:, :3] = False
    target = _zeros(2 * N_b + 1, 1)
    target[[100, 300, 700], 0] = True
    w = rng.normal(0.0, 5.0, (1, 6))
    lr = np.array([0.0, 0.0, 0.5])
    gamma = math.exp(-0.05 / DEFAULTS["tau_rms_s"])

    def run(n):
        return simulate(n, arrive, target, [w], lr, params=params)

    g1 = run(N_b)["state"]["m"][0] / 0.05
    v1 = run(N_b + 1)["state"]["v"][0]
    np.testing.assert_allclose(v1, g1**2, rtol=1e-12)
    g2 = run(2 * N_b)["state"]["m"][0] / 0.05
    last = run(2 * N_b + 1)
    v2 = last["state"]["v"][0]
    np.testing.assert_allclose(v2, np.maximum(g2**2, gamma * v1), rtol=1e-12)
    assert np.any(g2**2 > gamma * v1) and np.any(g2**2 < gamma * v1)
    expected = w + 0.5 * g2 / (np.sqrt(v2) + DEFAULTS["eps"])
    np.testing.assert_allclose(last["weights_at_updates"][1][0], expected, rtol=1e-12)


def test_surrogate_vanishes_below_u_cut():
    # With U_cut above every potential the unit reaches, the surrogate
    # derivative, hence eligibility and gradient, is exactly zero.
    n_steps = 1000
    arrive = _zeros(n_steps, 1)
    arrive[10::100, 0] = True
    target = _zeros(n_steps, 1)
    target[20::100, 0] = True
    w = [np.array([[4.0]])]
    cut = simulate(n_steps, arrive, target, w, 0.0, params={"U_cut_mV": -55.0})
    assert np.all(cut["state"]["m"][0] == 0.0) and np.all(cut["state"]["lam"][0] == 0.0)
    free = simulate(n_steps, arrive, target, w, 0.0)
    assert free["state"]["m"][0][0, 0] > 0.0


def test_linear_hidden_uses_a_surrogate_of_one():
    # 1 -> 1 -> 1 with U_cut above every potential: the spec's surrogate is 0
    # everywhere, so the hidden connection's eligibility vanishes; with
    # linear_hidden the hidden surrogate is 1, and lam_r of that connection is
    # the rise filter of zt alone. The output layer keeps its own surrogate.
    n_steps = 1500
    arrive = _zeros(n_steps, 1)
    arrive[10::300, 0] = True
    target = _zeros(n_steps, 1)
    target[200::300, 0] = True
    # The hidden unit peaks at -52.5 mV, below U_cut = theta.
    weights = [np.array([[30.0]]), np.array([[5.0]])]
    params = {"U_cut_mV": -50.0}
    cut = simulate(n_steps, arrive, target, weights, 0.0, params=params)
    lin = simulate(
        n_steps, arrive, target, weights, 0.0, params=params, linear_hidden=True, record_every=1
    )
    assert all(len(s) == 0 for s in lin["spikes"])
    assert np.all(cut["state"]["lam"][0] == 0.0) and np.all(cut["state"]["m"][0] == 0.0)
    zt = np.concatenate([[0.0], lin["record"]["zt"][0][:, 0]])
    e_r = math.exp(-DT_MS / DEFAULTS["tau_rise_ms"])
    lam_r = 0.0
    for n in range(n_steps):
        lam_r = zt[n] + (lam_r - zt[n]) * e_r
    assert lin["state"]["lam_r"][0][0, 0] == pytest.approx(lam_r, rel=1e-12)
    assert lam_r > 0.0 and lin["state"]["m"][0][0, 0] != 0.0
    # The output connection and the hidden error are those of the plain run.
    np.testing.assert_array_equal(lin["state"]["m"][1], cut["state"]["m"][1])
    assert np.all(lin["state"]["m"][1] == 0.0)


@pytest.mark.parametrize("n_err", [0, 2])
def test_classification_error_by_hand(n_err):
    # One output unit driven to spike once after each of 4 input arrivals
    # (steps s1..s4). Windows: A covers s1 and s2 (s1 is the free right answer,
    # s2 an extra spike); B holds no spike (missed); s3 lies in no window; D
    # ends on s4 (a spike on an end step lies outside the window). Every error
    # enters er n_err steps after its spike or window end.
    n_steps = 1200
    params = {"error_delay_ms": n_err * DT_MS}
    arrive = _zeros(n_steps, 1)
    arrive[[100, 300, 600, 900], 0] = True
    w = [np.array([[80.0]])]
    no_windows = (_zeros(n_steps, 1), _zeros(n_steps, 1))
    s1, s2, s3, s4 = simulate(n_steps, arrive, None, w, 0.0, windows=no_windows)["spikes"][0][:, 0]
    window_open, window_end = _zeros(n_steps, 1), _zeros(n_steps, 1)
    for a, b in [(s1 - 5, s2 + 5), (s2 + 20, s2 + 60), (s4 - 10, s4)]:
        window_open[a:b, 0] = True
        window_end[b + n_err, 0] = True  # the end table is shifted by the error delay
    res = simulate(
        n_steps,
        arrive,
        None,
        w,
        0.0,
        windows=(window_open, window_end),
        record_every=1,
        params=params,
    )
    np.testing.assert_array_equal(res["spikes"][0][:, 0], [s1, s2, s3, s4])
    er = res["record"]["er"][:, 0]
    jump = er - np.concatenate([[0.0], er[:-1]]) * math.exp(-DT_MS / DEFAULTS["tau_rise_ms"])
    expected = np.zeros(n_steps)
    expected[s2 + n_err] = -1.0  # extra spike in window A
    expected[s2 + 60 + n_err] = 1.0  # window B ended without a spike
    expected[s3 + n_err] = -1.0  # spike outside every window
    # s1 (first in A), the end of A (it got its spike) and s4 (-1 for the spike
    # outside D, +1 for D ending without one) change nothing.
    np.testing.assert_allclose(jump, expected, rtol=0, atol=1e-12)
    got = res["record"]["got"][:, 0]
    np.testing.assert_array_equal(np.flatnonzero(got), np.arange(s1, s2 + 5 + n_err))
    # Classification ignores target spikes.
    target = np.ones((n_steps, 1), dtype=bool)
    again = simulate(
        n_steps, arrive, target, w, 0.0, windows=(window_open, window_end), params=params
    )
    np.testing.assert_array_equal(again["state"]["er"], res["state"]["er"])


def test_error_delay_shifts_the_output_error():
    # The same run with the error delayed by d steps: spikes, er and err are
    # those of the undelayed run d steps later until the first weight update
    # (learning rate 0 here, so forever), and the error of an output spike
    # enters er exactly d steps after the spike.
    n_steps = 3000
    arrive = _zeros(n_steps, 1)
    arrive[10::200, 0] = True
    target = _zeros(n_steps, 1)
    target[150::500, 0] = True
    w = [np.array([[80.0]])]
    runs = {}
    for d in (0, 3):
        shifted = np.roll(target, d, axis=0)
        runs[d] = simulate(
            n_steps,
            arrive,
            shifted,
            w,
            0.0,
            params={"error_delay_ms": d * DT_MS},
            record_every=1,
        )
    np.testing.assert_array_equal(runs[0]["spikes"][0], runs[3]["spikes"][0])
    assert len(runs[0]["spikes"][0]) > 5
    for name in ("er", "err"):
        np.testing.assert_array_equal(runs[3]["record"][name][3:], runs[0]["record"][name][:-3])
    assert not np.array_equal(runs[3]["record"]["err"], runs[0]["record"]["err"])


@pytest.mark.parametrize("a", [2.0, 4.0])
def test_regularizer_term_uses_the_exponent(a):
    # Without error (no target, the output never fires), m of the connection
    # into the hidden layer is the regularizer term alone:
    # m = -dt * rho * W * sum_n zh_n**a, zh at the start of every step.
    n_steps, rho, w = 1000, 1e-2, 80.0
    arrive = _zeros(n_steps, 1)
    arrive[10::100, 0] = True
    res = simulate(
        n_steps,
        arrive,
        _zeros(n_steps, 1),
        [np.array([[w]]), np.array([[0.0]])],
        0.0,
        regularizer=(rho, a),
        params={"t_b_s": 0.5},
        record_every=1,
    )
    zh = np.concatenate([[0.0], res["record"]["zh"][0][:-1, 0]])
    assert zh.max() > 1.0, "the hidden unit should fire in bursts, so that a matters"
    expected = -DT_MS * 1e-3 * rho * w * np.sum(zh**a)
    assert res["state"]["m"][0][0, 0] == pytest.approx(expected, rel=1e-12)
    assert res["state"]["m"][1][0, 0] == 0.0


@pytest.mark.parametrize(
    "feedback,regularizer", [("symmetric", None), ("random", (1e-3, 4.0)), ("uniform", None)]
)
def test_graph_oracle_on_a_chain_is_the_chain_oracle(feedback, regularizer):
    """``simulate_graph`` on input -> 6 -> 4 -> output gives ``simulate``'s run."""
    from oracle import simulate_graph

    rng = np.random.default_rng(21)
    sizes = [12, 6, 4, 3]
    n_steps, params = 3000, {"t_b_s": 0.02}
    arrive = rng.random((n_steps, sizes[0])) < 0.04
    target = rng.random((n_steps, sizes[-1])) < 0.004
    weights = [rng.normal(0, 60.0, (b, a)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    B = [rng.normal(0, 1, (sizes[l + 1], sizes[l])) for l in (1, 2)]
    chain = simulate(
        n_steps,
        arrive,
        target,
        weights,
        2.0,
        feedback=feedback,
        feedback_matrices=B if feedback == "random" else None,
        regularizer=regularizer,
        params=params,
    )
    names = ["in", "h1", "h2", "out"]
    populations = {"in": {"size": sizes[0], "arrive": arrive}}
    populations.update({n: {"size": s, "delay_steps": 8} for n, s in zip(names[1:], sizes[1:])})
    connections = [
        {"pre": a, "post": b, "W": w, "mask": np.ones(w.shape, dtype=bool)}
        for a, b, w in zip(names[:-1], names[1:], weights, strict=True)
    ]
    graph = simulate_graph(
        n_steps,
        populations,
        connections,
        "out",
        target,
        2.0,
        feedback=feedback,
        feedback_matrices=[None, *B] if feedback == "random" else None,
        regularizer=regularizer,
        params=params,
    )
    assert graph["carries"] == [False, True, True]
    total = 0
    for name, spikes in zip(names[1:], chain["spikes"], strict=True):
        np.testing.assert_array_equal(graph["spikes"][name], spikes)
        total += len(spikes)
    assert total > 20
    for a, b in zip(graph["weights"], chain["weights"], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * np.abs(b).max())
    np.testing.assert_allclose(graph["cost"], chain["cost"], rtol=1e-12)
