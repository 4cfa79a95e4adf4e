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
    assert e.carried_variables(1) == ("w", "lam_r", "lam", "m", "v")
    assert SynapticEngine(net, "controller").carried_variables(1) == ("w", "lam_r", "lam", "m")
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
    """The C++ engine gets the feedback matrix kind and the regularizer from Python,
    and keeps everything it carries between intervals in the synapses' arrays."""

    class Group:
        def __init__(self, name, names):
            self.variables = {v: f"{name}_{v}" for v in names}

    class Device:
        def get_array_name(self, var, access_data=True):
            return var if access_data else f"dyn{var}"

    import superspike_brian.engines.factorized_cpp as fx

    net = small_network(small_task(), hidden=(5,), feedback=feedback)
    neuron_vars = ("z", "zt", "sigma_prime", "zh", "er", "err")
    groups = [Group(n, neuron_vars) for n in ("input", "hidden_1", "output")]
    synapse_vars = ("w", "fb", "rho", "lam_r", "lam", "m")
    connections = [Group(n, synapse_vars) for n in ("conn_1", "conn_2")]
    real = fx.get_device
    fx.get_device = Device
    try:
        code = _support_code(net, 200, groups, connections)
    finally:
        fx.get_device = real
    regularized = int(bool(net.regularizer))
    assert f", {symmetric}, " in code.split("e.configure(")[1].split(")")[0]
    assert f"_ssfx_regularized[] = {{0, {regularized}, 0}}" in code
    for l in (1, 2):
        assert f"e.store({l}, brian::dynconn_{l}_lam_r.data()" in code
    assert ("brian::conn_1_rho[0]" in code) == bool(regularized)
    e = CppFactorizedEngine(net, "inside")
    assert e.update_code(2) == optimizer.UPDATE_CODE
    assert e.carried_variables(1) == ("w", "v", "lam_r", "lam", "m")
    assert "fb : 1 (constant)" in e.connection_equations(1)
    assert ("rho : volt**-1" in e.connection_equations(1)) == bool(regularized)
