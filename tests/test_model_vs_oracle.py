"""The Brian2 model agrees with the independent numpy oracle.

Spike steps identical and weights to 1e-9 relative, on a small network over
many update intervals, for every device and both ways of applying the update.
"""

import numpy as np
import pytest

from superspike_brian.training.trainer import Trainer

from .helpers import SHORT, run_oracle, small_network, small_task, spike_steps


def _compare(history, ref, net):
    names = [net.layer_name(l) for l in range(1, net.n_connections + 1)]
    total = 0
    for name, ref_spikes in zip(names, ref["spikes"], strict=True):
        got = spike_steps(history, name)
        np.testing.assert_array_equal(got, ref_spikes, err_msg=f"spikes of {name}")
        total += len(got)
    assert total > 20, "the test network should spike"
    for w, w_ref in zip(history.weights, ref["weights"], strict=True):
        scale = np.abs(w_ref).max()
        np.testing.assert_allclose(w, w_ref, rtol=1e-9, atol=1e-9 * scale)
    moved = max(
        np.abs(a - b).max() for a, b in zip(history.weights, history.initial_weights, strict=True)
    )
    assert moved > 1.0, "weights should have learned (mV)"
    # Cost at block ends agrees too.
    ref_cost = dict(zip(np.round(ref["cost_times"], 9), ref["cost"], strict=True))
    for row in history.metrics[1:]:
        assert row["cost"] == pytest.approx(ref_cost[round(row["time_s"], 9)], rel=1e-9)


@pytest.fixture(scope="module")
def setup():
    task = small_task()
    net = small_network(task)
    return task, net, run_oracle(net, task, SHORT)


@pytest.mark.parametrize("learn", ["inside", "controller"])
def test_runtime_matches_oracle(setup, learn):
    task, net, ref = setup
    h = Trainer(net, task, device="runtime", learn=learn, schedule=SHORT, progress=False).run()
    _compare(h, ref, net)


@pytest.mark.parametrize("learn", ["inside", "controller"])
def test_cpp_standalone_matches_oracle(setup, learn, tmp_path):
    task, net, ref = setup
    h = Trainer(
        net,
        task,
        device="cpp_standalone",
        learn=learn,
        schedule=SHORT,
        build_dir=tmp_path / "build",
        progress=False,
    ).run()
    _compare(h, ref, net)


def _against_oracle(tmp_path, hidden, feedback="symmetric", regularizer=None, **options):
    """Train a small network with ``options`` and compare it with the oracle."""
    task = small_task()
    net = small_network(task, hidden=hidden, feedback=feedback, regularizer=regularizer)
    ref = run_oracle(net, task, SHORT)
    trainer = Trainer(
        net, task, schedule=SHORT, build_dir=tmp_path / "build", progress=False, **options
    )
    _compare(trainer.run(), ref, net)
    return trainer


@pytest.mark.parametrize(
    "feedback,regularizer",
    [("symmetric", False), ("random", True), ("uniform", False), ("symmetric", True)],
)
def test_hidden_layer_matches_oracle(feedback, regularizer, tmp_path):
    _against_oracle(tmp_path, (5,), feedback, regularizer, device="runtime")


def test_two_hidden_layers_standalone_controller_matches_oracle(tmp_path):
    _against_oracle(tmp_path, (6, 4), "random", True, device="cpp_standalone", learn="controller")


@pytest.mark.parametrize(
    "hidden,feedback,regularizer,device",
    [
        ((), "symmetric", False, "runtime"),
        ((5,), "symmetric", False, "runtime"),
        ((5,), "random", True, "runtime"),
        ((5,), "uniform", False, "runtime"),
        ((6, 4), "symmetric", True, "cpp_standalone"),
    ],
)
def test_factorized_engine_matches_oracle(hidden, feedback, regularizer, device, tmp_path):
    """The numpy factorized engine in the controller against the oracle."""
    _against_oracle(
        tmp_path,
        hidden,
        feedback,
        regularizer,
        device=device,
        engine="factorized",
        learn="controller",
    )


@pytest.mark.parametrize(
    "hidden,feedback,regularizer",
    [
        ((), "symmetric", False),
        ((5,), "random", True),
        ((5,), "uniform", False),
        ((6, 4), "symmetric", True),
    ],
)
def test_factorized_engine_inside_binary_matches_oracle(hidden, feedback, regularizer, tmp_path):
    """The C++ factorized engine (one binary, learn='inside') against the oracle."""
    trainer = _against_oracle(
        tmp_path, hidden, feedback, regularizer, device="cpp_standalone", engine="factorized"
    )
    assert trainer.learn == "inside"
