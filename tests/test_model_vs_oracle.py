"""The Brian2 model agrees with the independent numpy oracle.

Spike steps identical and weights to 1e-9 relative, on a small network over
many update intervals, for every device and both ways of applying the update.
Where the run's final learning state can be read (a standalone run's
checkpoint; the controller's RMaxProp updates), the accumulator ``m``, the
second moment ``v`` and the eligibility state are compared too: RMaxProp hides
a scale error of ``m`` from the weights.
"""

import pytest

from superspike_brian import Trainer

from .helpers import (
    SHORT,
    carried_state,
    compare_state_with_oracle,
    compare_with_oracle,
    controller_updates,
    final_v,
    run_oracle,
    small_network,
    small_task,
)


@pytest.fixture(scope="module")
def setup():
    task = small_task()
    net = small_network(task)
    return task, net, run_oracle(net, task, SHORT)


def _run_checking_state(trainer, ref, tmp_path):
    """Run ``trainer``; assert that the learning state it ends with is the oracle's.

    Standalone runs: ``m``, ``v``, ``lam_r``, ``lam`` of every connection from
    the final checkpoint. Runtime runs with the controller: ``v`` after its
    last update.
    """
    if trainer.device != "runtime":
        out = tmp_path / "run"
        history = trainer.run(out=out, figures=False)
        compare_state_with_oracle(carried_state(trainer, out), ref)
        return history
    with controller_updates() as calls:
        history = trainer.run()
    if trainer.learn == "controller":
        compare_state_with_oracle({"v": final_v(calls, trainer.network)}, ref)
    return history


@pytest.mark.parametrize("learn", ["inside", "controller"])
def test_runtime_matches_oracle(setup, learn, tmp_path):
    task, net, ref = setup
    trainer = Trainer(net, task, device="runtime", learn=learn, schedule=SHORT, progress=False)
    compare_with_oracle(_run_checking_state(trainer, ref, tmp_path), ref, net)


@pytest.mark.parametrize("learn", ["inside", "controller"])
def test_cpp_standalone_matches_oracle(setup, learn, tmp_path):
    task, net, ref = setup
    trainer = Trainer(
        net,
        task,
        device="cpp_standalone",
        learn=learn,
        schedule=SHORT,
        progress=False,
    )
    compare_with_oracle(_run_checking_state(trainer, ref, tmp_path), ref, net)


def _against_oracle(tmp_path, hidden, feedback="symmetric", regularizer=None, a=None, **options):
    """Train a small network with ``options`` and compare it with the oracle.

    ``a`` is the regularizer exponent (default: the model's, 4).
    """
    task = small_task()
    exponent = {} if a is None else {"a": a}
    net = small_network(task, hidden=hidden, feedback=feedback, regularizer=regularizer, **exponent)
    ref = run_oracle(net, task, SHORT)
    trainer = Trainer(net, task, schedule=SHORT, progress=False, **options)
    compare_with_oracle(_run_checking_state(trainer, ref, tmp_path), ref, net)
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
    "hidden,feedback,regularizer,a,device",
    [
        ((), "symmetric", False, None, "runtime"),
        ((5,), "symmetric", False, None, "runtime"),
        ((5,), "random", True, None, "runtime"),
        ((5,), "uniform", False, None, "runtime"),
        ((6, 4), "symmetric", True, 2.0, "cpp_standalone"),
    ],
)
def test_factorized_engine_matches_oracle(hidden, feedback, regularizer, a, device, tmp_path):
    """The numpy factorized engine in the controller against the oracle."""
    _against_oracle(
        tmp_path,
        hidden,
        feedback,
        regularizer,
        a,
        device=device,
        engine="factorized",
        learn="controller",
    )


@pytest.mark.parametrize(
    "hidden,feedback,regularizer,a",
    [
        ((), "symmetric", False, None),
        ((5,), "random", True, None),
        ((5,), "uniform", False, None),
        ((6, 4), "symmetric", True, 2.0),
    ],
)
def test_factorized_engine_inside_binary_matches_oracle(hidden, feedback, regularizer, a, tmp_path):
    """The C++ factorized engine (one binary, learn='inside') against the oracle.

    Besides spikes and weights, its accumulators ``m`` of the last interval,
    ``v`` and the carried eligibility state against the oracle's per-synapse
    recursion (from the run's final checkpoint).
    """
    trainer = _against_oracle(
        tmp_path, hidden, feedback, regularizer, a, device="cpp_standalone", engine="factorized"
    )
    assert trainer.learn == "inside"
