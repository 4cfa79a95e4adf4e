"""Unit tests of the optimizer update and of the reported cost."""

import math

import numpy as np
import pytest
from brian2 import Network, NeuronGroup, Synapses, defaultclock, ms, mV

from superspike_brian import devices
from superspike_brian.model import cost, optimizer
from superspike_brian.model.parameters import LearningParameters

LP = LearningParameters()


def _by_hand(w, m, v, lr, lp=LP):
    """RMaxProp as docs/discrete_time.md writes it (step 0), in volts and seconds."""
    tb = float(lp.t_update)
    g = m / tb
    v = np.maximum(g**2, lp.gamma * v)
    w = np.clip(w + lr * g / (np.sqrt(v) + lp.eps_rms), -float(lp.w_max), float(lp.w_max))
    return w, np.zeros_like(m), v


def test_apply_update_is_rmaxprop():
    rng = np.random.default_rng(0)
    w = rng.normal(0, 0.05, 50)
    m = rng.normal(0, 1e-3, 50)
    v = np.abs(rng.normal(0, 1e-5, 50))
    v[:10] = 0.0  # first update: v = g**2, the step is lr exactly
    m[10:20] *= 1e-6  # small gradients: v decays, the step is below lr
    w = np.clip(w, -0.09, 0.09)
    w[-3:] = 0.0999  # clipped at w_max
    m[-3:] = 1.0
    expected = _by_hand(w.copy(), m.copy(), v.copy(), 1e-3)
    state = {"w": w.copy(), "m": m.copy(), "v": v.copy()}
    optimizer.apply_update(state, 1e-3, LP)
    for key, value in zip(("w", "m", "v"), expected, strict=True):
        np.testing.assert_array_equal(state[key], value)
    step = state["w"][:10] - w[:10]
    # The step is lr * |g| / (|g| + eps): lr up to eps / |g|.
    np.testing.assert_allclose(np.abs(step), 1e-3, rtol=1e-6)
    assert np.all(np.abs(state["w"][10:20] - w[10:20]) < 1e-3)
    assert np.all(state["w"][-3:] == pytest.approx(float(LP.w_max)))


def test_burn_in_updates_v_but_not_w():
    state = {"w": np.array([0.01]), "m": np.array([2e-3]), "v": np.array([0.0])}
    optimizer.apply_update(state, 0.0, LP)
    assert state["w"][0] == 0.01
    assert state["v"][0] == pytest.approx((2e-3 / 0.5) ** 2)
    assert state["m"][0] == 0.0


def test_brian2_runs_the_same_update_code():
    """UPDATE_CODE run by Brian2 (runtime) gives the numpy controller's numbers."""
    rng = np.random.default_rng(1)
    n = 20
    w0, m0 = rng.normal(0, 0.05, n), rng.normal(0, 1e-3, n)
    v0 = np.abs(rng.normal(0, 1e-5, n))
    devices.activate("runtime")
    try:
        defaultclock.dt = 0.1 * ms
        src = NeuronGroup(n, "")
        tgt = NeuronGroup(1, "")
        s = Synapses(src, tgt, "w : volt\nm : second\n" + optimizer.STATE_EQUATION)
        s.connect()
        s.w_ = w0
        s.m_ = m0
        s.v_ = v0
        namespace = {**optimizer.optimizer_namespace(LP), "lr": 1 * mV}
        s.run_regularly(optimizer.UPDATE_CODE, dt=0.1 * ms, when="start")
        Network(src, tgt, s).run(0.1 * ms, namespace=namespace)
        got = (np.array(s.w_[:]), np.array(s.m_[:]), np.array(s.v_[:]))
    finally:
        devices.deactivate()
    expected = _by_hand(w0, m0, v0, 1e-3)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-18)


def test_kernel_energy_is_the_integral_of_the_squared_kernel():
    tr, td = 5e-3, 10e-3
    t = np.arange(0, 0.3, 1e-6)
    k = tr / (td - tr) * (np.exp(-t / td) - np.exp(-t / tr))
    assert k.max() == pytest.approx(0.25, rel=1e-4)
    assert cost.kernel_energy(tr, td) == pytest.approx(np.sum(k**2) * 1e-6, rel=1e-4)
    assert cost.kernel_energy(tr, td) == pytest.approx(0.8333e-3, rel=1e-3)


@pytest.mark.parametrize(
    "n_out,factor", [(1, 1.0), (3, 3.0), (4, 4.0), (200, 4.0), (201, 201 * 4 / 204)]
)
def test_reference_scale_pads_outputs_to_four(n_out, factor):
    assert cost.reference_scale(n_out) == pytest.approx(factor)


def test_one_unmatched_spike_per_second_costs_one():
    """The error trace of a 1 Hz spike train, averaged as the model does, gives cost 1."""
    lp = LP
    dt = 1e-4
    a, b = math.exp(-dt / float(lp.tau_rise)), math.exp(-dt / float(lp.tau_decay))
    d = float(lp.tau_rise) / (float(lp.tau_rise) - float(lp.tau_decay)) * (a - b)
    decay = math.exp(-dt / float(lp.tau_avg))
    er = err = sq = 0.0
    n = int(60.0 / dt)
    last_second = []
    for step in range(n):
        sq = err**2 + (sq - err**2) * decay
        er, err = a * er, b * err + d * er
        if step % 10000 == 0:
            er += 1.0
        if step >= n - 10000:
            last_second.append(sq)
    # The average ripples by about 5 % around its mean within each second.
    c = cost.cost_from_average(np.array(last_second)[:, None], n * dt, lp)
    assert c.mean() == pytest.approx(1.0, rel=0.01)
    assert c.min() > 0.9 and c.max() < 1.1
