"""The Brian2 model agrees with the independent numpy oracle.

Spike steps identical and weights to 1e-9 relative, on a small network over
many update intervals, for every device and both ways of applying the update.
"""

import pytest

from superspike_brian import Trainer

from .helpers import SHORT, compare_with_oracle, run_oracle, small_network, small_task


@pytest.fixture(scope="module")
def setup():
    task = small_task()
    net = small_network(task)
    return task, net, run_oracle(net, task, SHORT)


@pytest.mark.parametrize("learn", ["inside", "controller"])
def test_runtime_matches_oracle(setup, learn):
    task, net, ref = setup
    h = Trainer(net, task, device="runtime", learn=learn, schedule=SHORT, progress=False).run()
    compare_with_oracle(h, ref, net)


@pytest.mark.parametrize("learn", ["inside", "controller"])
def test_cpp_standalone_matches_oracle(setup, learn, tmp_path):
    task, net, ref = setup
    h = Trainer(
        net,
        task,
        device="cpp_standalone",
        learn=learn,
        schedule=SHORT,
        progress=False,
    ).run()
    compare_with_oracle(h, ref, net)


def _against_oracle(tmp_path, hidden, feedback="symmetric", regularizer=None, **options):
    """Train a small network with ``options`` and compare it with the oracle."""
    task = small_task()
    net = small_network(task, hidden=hidden, feedback=feedback, regularizer=regularizer)
    ref = run_oracle(net, task, SHORT)
    trainer = Trainer(net, task, schedule=SHORT, progress=False, **options)
    compare_with_oracle(trainer.run(), ref, net)
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
