"""The engine interface: each engine's contribution to a model, and the selection rules."""

import numpy as np
import pytest

from superspike_brian import engines
from superspike_brian.engines import (
    CppFactorizedEngine,
    NumpyFactorizedEngine,
    SynapticEngine,
)
from superspike_brian.engines.factorized_cpp import _support_code
from superspike_brian.model import optimizer

from .helpers import small_network, small_task


@pytest.mark.parametrize(
    "engine,learn,device,cls",
    [
        ("synaptic", None, "runtime", SynapticEngine),
        ("synaptic", "controller", "cpp_standalone", SynapticEngine),
        ("synaptic", None, "cuda_standalone", SynapticEngine),
        ("factorized", None, "runtime", NumpyFactorizedEngine),
        ("factorized", "controller", "cpp_standalone", NumpyFactorizedEngine),
        ("factorized", None, "cpp_standalone", CppFactorizedEngine),
    ],
)
def test_create_picks_the_implementation(engine, learn, device, cls):
    net = small_network(small_task(), hidden=(5,))
    e = engines.create(net, engine, learn, device)
    assert type(e) is cls
    assert e.learn in cls.learn_modes and device in cls.devices


@pytest.mark.parametrize(
    "engine,learn,device,message",
    [
        ("magic", None, "runtime", "engine must be one of synaptic, factorized"),
        ("factorized", None, "cuda_standalone", "on cuda_standalone use engine='synaptic'"),
        ("factorized", "inside", "runtime", "runs only on cpp_standalone"),
        ("synaptic", "sometimes", "runtime", "learn must be one of inside, controller"),
        ("synaptic", "controller", "cuda_standalone", "not available on cuda_standalone"),
    ],
)
def test_impossible_combinations_are_refused(engine, learn, device, message):
    with pytest.raises(ValueError, match=message):
        engines.check(engine, learn, device)


def test_synaptic_engine_equations():
    net = small_network(small_task(), hidden=(5,), feedback="random", regularizer=True)
    e = SynapticEngine(net, "inside")
    first, second = e.connection_equations(1), e.connection_equations(2)
    for eqs in (first, second):
        assert "w : volt" in eqs and "dlam_r/dt" in eqs and "dlam/dt" in eqs and "v : 1" in eqs
    # The regularizer acts on the connection into the hidden layer only.
    assert "zh_post" in first and "zh_post" not in second
    # The error reaches the hidden layer through the connection above it.
    assert "err_pre = fb * err_post" in second and "err_pre" not in first
    assert e.carried_variables(1) == ("w", "lam_r", "lam", "m")
    assert e.update_code(1) == optimizer.UPDATE_CODE


def test_symmetric_feedback_follows_the_forward_weights():
    net = small_network(small_task(), hidden=(5,), feedback="symmetric")
    assert "fb = w / mV" in SynapticEngine(net, "inside").connection_equations(2)
    net = small_network(small_task(), hidden=(5,), feedback="uniform")
    assert "fb : 1 (constant)" in SynapticEngine(net, "inside").connection_equations(2)


def test_numpy_factorized_engine_state_round_trip():
    net = small_network(small_task(), hidden=(5,))
    e = NumpyFactorizedEngine(net, "controller")
    assert e.connection_equations(1) == "w : volt\n"
    assert e.carried_variables(2) == ("w",) and e.gradients_in_controller
    rng = np.random.default_rng(0)
    state = {
        "m": [rng.random(20 * 5), rng.random(5 * 3)],
        "lam_r": [rng.random((5, 20)), rng.random((3, 5))],
        "lam": [rng.random((5, 20)), rng.random((3, 5))],
    }
    e.load_state(state)
    back = e.state()
    for key in state:
        for a, b in zip(back[key], state[key], strict=True):
            np.testing.assert_array_equal(a, b)
    assert e.accumulator(None, 2) is state["m"][1]


@pytest.mark.parametrize("feedback,symmetric", [("symmetric", 1), ("random", 0), ("uniform", 0)])
def test_cpp_engine_configuration_comes_from_the_model(feedback, symmetric):
    """The C++ engine gets the feedback matrix kind and the regularizer from Python."""

    class Group:
        def __init__(self, name):
            self.variables = {v: name + "_" + v for v in ("z", "zt", "sp", "sigma_prime", "zh")}
            self.variables.update(er=name + "_er", err=name + "_err")

    class Device:
        def get_array_name(self, var):
            return var

    import superspike_brian.engines.factorized_cpp as fx

    net = small_network(small_task(), hidden=(5,), feedback=feedback)
    real = fx.get_device
    fx.get_device = Device
    try:
        code = _support_code(net, 200, [Group("input"), Group("hidden_1"), Group("output")])
    finally:
        fx.get_device = real
    regularized = int(bool(net.regularizer))
    assert f", {symmetric}, " in code.split("e.configure(")[1].split(")")[0]
    assert f"_ssfx_regularized[] = {{0, {regularized}, 0}}" in code
    e = CppFactorizedEngine(net, "inside")
    assert "ssfx_gradient(2, i, j, t)" in e.update_code(2)
    assert "fb : 1 (constant)" in e.connection_equations(1)
