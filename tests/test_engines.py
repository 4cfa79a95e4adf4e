"""The engine interface: each engine's contribution to a model, and the selection rules."""

from types import SimpleNamespace

import numpy as np
import pytest

from superspike_brian import engines
from superspike_brian.engines import (
    CppFactorizedEngine,
    NumpyFactorizedEngine,
    SynapticEngine,
)
from superspike_brian.engines.factorized_cpp import _support_code
from superspike_brian.feedforward.builder import build_model
from superspike_brian.feedforward.values import model_values
from superspike_brian.model import optimizer
from superspike_brian.rule.graph import LearningGraph

from . import graphs
from .helpers import small_network, small_task


def _rule(net):
    """What an engine reads of a rule, for a network of the package (no Brian2 objects)."""
    return SimpleNamespace(
        graph=net.graph(),
        params=net.params,
        dt=float(net.params.dt),
        feedback=net.feedback,
        values=SimpleNamespace(feedback=[None, *net.feedback_matrices()]),
        var=lambda c, name: name,
    )


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
    e = engines.create(_rule(net), engine, learn, device)
    assert type(e) is cls
    assert e.learn in cls.learn_modes and device in cls.devices


@pytest.mark.parametrize("cls", [NumpyFactorizedEngine, CppFactorizedEngine])
@pytest.mark.parametrize("shape", ["recurrent", "skip", "parallel"])
def test_factorized_engines_refuse_other_graphs_naming_the_engine_that_can(cls, shape):
    pops, conns = graphs.SHAPES[shape]
    sizes = {"inp": graphs.N_IN, **{name: n for name, (n, _) in pops.items()}}
    graph = LearningGraph(sizes, [(f"s{k}", a, b) for k, (a, b, _) in enumerate(conns)], "out")
    rule = SimpleNamespace(graph=graph)
    with pytest.raises(ValueError, match="use engine='synaptic'") as info:
        cls(rule, cls.learn_modes[0])
    assert "\n" not in str(info.value)


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


def _model(net, engine="synaptic", learn="inside"):
    task = small_task()
    lrs = [np.zeros(2)] * net.n_connections
    return build_model(net, task, model_values(net, task, lrs), engine=engine, learn=learn)


def test_synaptic_engine_adds_the_rule_to_the_synapses():
    net = small_network(small_task(), hidden=(5,), feedback="random", regularizer=True)
    model = _model(net)
    first, second = model.connections
    for s in (first, second):
        for name in ("lam_r", "lam", "m", "v", "sigma_prime_post", "zt_pre", "err_post"):
            assert name in s.variables, (s.name, name)
        assert any(o.name == f"{s.name}_eligibility" for o in s.contained_objects)
    # The regularizer acts on the connection into the hidden layer only.
    assert "zh_post" in first.variables and "zh_post" not in second.variables
    assert "rho" in first.variables and "rho" not in second.variables
    # The error reaches the hidden layer through the connection above it.
    assert "fb" in second.variables and "fb" not in first.variables
    summed = [o for o in second.contained_objects if o.name == "conn_2_summed_variable_err_pre"]
    assert len(summed) == 1 and str(summed[0].expression) == "fb * err_post"
    e = model.engine
    assert e.carried_variables(0) == ("w", "lam_r", "lam", "m", "v")
    assert SynapticEngine(e.rule, "controller").carried_variables(0) == ("w", "lam_r", "lam", "m")
    assert e.update_code(0) == optimizer.UPDATE_CODE


def test_symmetric_feedback_follows_the_forward_weights():
    from brian2.core.variables import Subexpression

    net = small_network(small_task(), hidden=(5,), feedback="symmetric")
    fb = _model(net).connections[1].variables["fb"]
    assert isinstance(fb, Subexpression) and fb.expr == "w / mV"
    net = small_network(small_task(), hidden=(5,), feedback="uniform")
    fb = _model(net).connections[1].variables["fb"]
    assert not isinstance(fb, Subexpression) and fb.constant


def test_numpy_factorized_engine_state_round_trip():
    net = small_network(small_task(), hidden=(5,))
    e = NumpyFactorizedEngine(_rule(net), "controller")
    assert e.carried_variables(1) == ("w",) and e.gradients_in_controller
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
    assert e.accumulator(None, 1) is state["m"][1]


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

    class Sized(Group):
        def __init__(self, group, size):
            self.variables, self.size = group.variables, size

        def __len__(self):
            return self.size

    import superspike_brian.engines.factorized_cpp as fx

    net = small_network(small_task(), hidden=(5,), feedback=feedback)
    neuron_vars = ("z", "zt", "sigma_prime", "zh", "er", "err")
    groups = [Group(n, neuron_vars) for n in ("input_ss", "hidden_1_ss", "output_ss")]
    synapse_vars = ("w", "fb", "rho", "lam_r", "lam", "m", "_synaptic_pre", "_synaptic_post")
    connections = [Group(n, synapse_vars) for n in ("conn_1", "conn_2")]
    for group, name in zip(connections, ("conn_1", "conn_2"), strict=True):
        group.name = name
    real = fx.get_device
    fx.get_device = Device
    try:
        code = _support_code(
            _rule(net),
            200,
            [Sized(g, n) for g, n in zip(groups, net.layer_sizes, strict=True)],
            connections,
        )
    finally:
        fx.get_device = real
    regularized = int(bool(net.regularizer))
    assert f", {symmetric}, " in code.split("e.configure(")[1].split(")")[0]
    assert f"_ssfx_regularized[] = {{0, {regularized}, 0}}" in code
    for l in (1, 2):
        assert f"e.store({l}, brian::dynconn_{l}_lam_r.data()" in code
    assert ("brian::conn_1_rho[0]" in code) == bool(regularized)
    # Connections other than all to all stop the binary with one line.
    assert "_ssfx_all_to_all(brian::dynconn_1__synaptic_pre" in code
    e = CppFactorizedEngine(_rule(net), "inside")
    assert e.update_code(1) == optimizer.UPDATE_CODE
    assert e.carried_variables(0) == ("w", "v", "lam_r", "lam", "m")
