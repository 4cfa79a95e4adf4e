"""The SuperSpike component as a user meets it: what it refuses, what it adds, who uses it.

Refusals are one line naming the object and what is missing; the feed-forward
trainer builds its network through the public component and nothing else.
"""

import ast
from pathlib import Path

import numpy as np
import pytest
from brian2 import NeuronGroup, SpikeGeneratorGroup, Synapses, ms, nS

from superspike_brian import SpikeRaster, SuperSpike
from superspike_brian.model.exact import BLOCK_EXACT
from superspike_brian.rule import RuleError

from . import graphs
from .helpers import small_network, small_task

LIF = graphs.LIF
NS = graphs.NEURON


def _group(name, n=3, eqs=LIF, threshold="v > v_th", **kw):
    return NeuronGroup(
        n,
        eqs,
        threshold=threshold,
        reset="v = v_rest",
        refractory=5 * ms,
        method=BLOCK_EXACT,
        namespace=NS,
        name=name,
        **kw,
    )


def _net(out_eqs=LIF, model="w : volt", on_pre="I_s += w", threshold="v > v_th", connect=True):
    inp = SpikeGeneratorGroup(4, [0, 1], [1, 2] * ms, period=10 * ms, name="inp")
    out = _group("out", eqs=out_eqs, threshold=threshold)
    s = Synapses(inp, out, model, on_pre=on_pre, name="s_in")
    if connect:
        s.connect()
    return inp, out, s


TARGET = SpikeRaster([0.002, 0.005], [0, 1], 3, 0.01)
#: A membrane in no unit: the surrogate derivative (beta = 1/mV) cannot use it.
UNITLESS_LIF = """
dv/dt = (-v + I_s / mV) / tau_m : 1 (unless refractory)
dI_s/dt = -I_s / tau_s : volt
"""


def _refusal(make, *words):
    with pytest.raises(RuleError) as info:
        make()
    message = str(info.value)
    assert "\n" not in message, message
    for w in words:
        assert w in message, message
    return message


def test_the_refusals_name_the_object_and_what_is_missing():
    _, out, s = _net()
    _refusal(lambda: SuperSpike([s], out, TARGET, feedback="sideways"), "feedback", "sideways")
    _, out, s = _net(model="w : 1", on_pre="I_s += w*mV")
    _refusal(lambda: SuperSpike([s], out, TARGET), "s_in", "w has no unit")
    _, out, s = _net(on_pre="I_s += 2*w")
    _refusal(lambda: SuperSpike([s], out, TARGET), "s_in", "does not add w")
    _, out, s = _net(connect=False)
    _refusal(lambda: SuperSpike([s], out, TARGET), "s_in", "not connected")
    _, out, s = _net()
    _refusal(lambda: SuperSpike([s], out, SpikeRaster([0.002], [0], 2, 0.01)), "2 units", "out")
    _, out, s = _net()
    _refusal(lambda: SuperSpike([s], out, None), "target", "SpikeRaster")
    _, out, s = _net(threshold="v > v_th and I_s > 0*mV")
    _refusal(lambda: SuperSpike([s], out, TARGET), "out", "membrane=")
    _, out, s = _net()
    other = _group("other")
    _refusal(lambda: SuperSpike([s], other, TARGET), "output", "other")
    _, out, s = _net(out_eqs=UNITLESS_LIF, threshold="v > 10")
    _refusal(lambda: SuperSpike([s], out, TARGET), "out", "must be a voltage")


def test_conductance_weights_need_their_own_scales():
    eqs = LIF + "g_e : siemens\n"
    inp = SpikeGeneratorGroup(4, [0], [1] * ms, period=10 * ms, name="inp")
    out = _group("out", eqs=eqs)
    s = Synapses(inp, out, "w : siemens", on_pre="g_e += w", name="s_in")
    s.connect()
    _refusal(lambda: SuperSpike([s], out, TARGET), "s_in", "weight_unit", "w_max", "w0")
    rule = SuperSpike(
        [s],
        out,
        TARGET,
        weight_unit=nS,
        w_max=10 * nS,
        w0=5 * nS,
        learning_rate=0.1 * nS,
    )
    assert rule.weight.si == pytest.approx(1e-9)
    assert np.abs(rule.values.weights[0]).max() <= 10.0


def test_a_hidden_group_without_a_path_to_the_output_is_refused():
    inp = SpikeGeneratorGroup(4, [0], [1] * ms, period=10 * ms, name="inp")
    hid, out, dead = _group("hid"), _group("out"), _group("dead")
    conns = []
    for pre, post, name in ((inp, hid, "a"), (hid, out, "b"), (inp, dead, "c")):
        s = Synapses(pre, post, "w : volt", on_pre="I_s += w", name=name)
        s.connect()
        conns.append(s)
    _refusal(lambda: SuperSpike(conns, out, TARGET), "dead", "no path to the output")


def test_names_the_users_synapses_already_use_are_left_to_them():
    """A post-synaptic variable ``v`` (the membrane) or ``m`` does not become the rule's."""
    hh = LIF + "m : 1\n"
    inp = SpikeGeneratorGroup(4, [0, 1], [1, 2] * ms, period=10 * ms, name="inp")
    out = _group("out", eqs=hh)
    s = Synapses(inp, out, "w : volt", on_pre="I_s += w", name="s_in")
    s.connect()
    rule = SuperSpike([s], out, TARGET)
    assert rule.var(0, "v") == "v_ss" and rule.var(0, "m") == "m_ss"
    assert rule.var(0, "lam") == "lam" and "v_ss" in s.variables and "m_ss" in s.variables
    # The user's names still mean what they meant.
    assert s.variables["v"].owner.name == "out" and s.variables["m"].owner.name == "out"


def test_the_rule_refuses_nothing_the_paper_network_needs():
    task = small_task()
    net = small_network(task, hidden=(5,), feedback="random", regularizer=True)
    from superspike_brian.feedforward.builder import build_model
    from superspike_brian.feedforward.values import model_values

    model = build_model(net, task, model_values(net, task, [np.zeros(2)] * 2))
    rule = model.rule
    assert isinstance(rule, SuperSpike)
    assert rule.graph.chain() == ["input", "hidden_1", "output"]
    assert [c.carries_error for c in rule.graph.connections] == [False, True]
    assert [c.regularized for c in rule.graph.connections] == [True, False]
    # The trainer's own objects hold no learning state: only what a user writes.
    for g in model.layers:
        assert not {"sigma_prime", "z", "zt", "err", "er", "zh"} & set(g.variables), g.name
    for s in model.connections:
        assert set(s.equations.names) == {"w"}, s.name


PACKAGE = Path(__file__).resolve().parent.parent / "superspike_brian"
#: The model modules whose equations belong to the rule.
RULE_MODULES = {"eligibility", "feedback", "optimizer", "regularizer", "error", "cost"}


def test_the_trainer_builds_through_the_public_component_only():
    """The feed-forward builder imports none of the rule's equations: no second path."""
    tree = ast.parse((PACKAGE / "feedforward" / "builder.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported |= {f"{node.module}.{a.name}" for a in node.names}
    rule_parts = {f"superspike_brian.model.{m}" for m in RULE_MODULES}
    assert not imported & rule_parts, imported & rule_parts
    assert "superspike_brian.rule.SuperSpike" in imported


def test_weights_drawn_by_the_rule_are_the_networks():
    """One draw: the component's seeded weights and feedback are SuperSpikeNetwork's."""
    task = small_task()
    net = small_network(task, hidden=(5,), feedback="random")
    from superspike_brian.feedforward.builder import build_model
    from superspike_brian.feedforward.values import model_values

    model = build_model(net, task, model_values(net, task, [np.zeros(2)] * 2))
    for a, b in zip(model.rule.values.weights, net.initial_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.rule.values.feedback[1], net.feedback_matrices()[0])
