"""Units are checked: parameters carry units, the equations reject wrong ones."""

import numpy as np
import pytest
from brian2 import (
    BrianObjectException,
    DimensionMismatchError,
    Network,
    NeuronGroup,
    ms,
    mV,
)

from superspike_brian.model import neurons
from superspike_brian.model.parameters import (
    LearningParameters,
    ModelParameters,
    NeuronParameters,
)
from superspike_brian.training.schedule import Schedule


def test_parameters_carry_units():
    p = ModelParameters()
    assert p.neuron.tau_mem == 10 * ms
    assert p.neuron.theta == -50 * mV
    assert p.learning.r0 == 1 * mV
    assert p.learning.gamma == pytest.approx(np.exp(-0.5 / 30))


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: NeuronParameters(tau_mem=10), "tau_mem.*ms"),
        (lambda: NeuronParameters(theta=-50 * ms), "theta"),
        (lambda: LearningParameters(r0=-1 * mV), "r0"),
        (lambda: NeuronParameters(delay=6 * ms), "delay.*shorter than tau_ref"),
        (lambda: LearningParameters(error_delay=-0.1 * ms), "error_delay.*non-negative"),
        (lambda: LearningParameters(error_delay=0.2 * mV), "error_delay.*ms"),
        (lambda: ModelParameters().replace(error_delay=5 * ms), "error_delay.*tau_ref"),
        (lambda: ModelParameters().replace(nonsense=1), "unknown parameter 'nonsense'"),
        (lambda: Schedule(block=10), "block must be a quantity in units of s"),
    ],
)
def test_bad_parameters_are_rejected(make, match):
    with pytest.raises((TypeError, ValueError), match=match):
        make()


def test_equations_reject_wrong_units():
    ns = neurons.neuron_namespace(NeuronParameters())
    ns["tau_mem"] = 10 * mV  # a voltage where a time is expected
    g = NeuronGroup(1, neurons.LIF_EQUATIONS, method="exact")
    with pytest.raises(BrianObjectException) as info:
        Network(g).run(0.1 * ms, namespace=ns)
    assert isinstance(info.value.__cause__, DimensionMismatchError)
    assert "Inconsistent units" in str(info.value.__cause__)


def test_equations_run_with_right_units():
    ns = neurons.neuron_namespace(NeuronParameters())
    g = NeuronGroup(1, neurons.LIF_EQUATIONS + neurons.SURROGATE_EQUATION, method="exact")
    g.U = -60 * mV
    g.I = 20 * mV
    Network(g).run(1 * ms, namespace=ns)
    assert -60 * mV < g.U[0] < -50 * mV
    # The PSP-driven potential stays below threshold: no spike, U rose from rest.
    assert g.I[0] < 20 * mV


def test_error_delay_is_whole_steps_and_the_command_line_default():
    import argparse

    from superspike_brian.model import error
    from superspike_brian.options import add_train_arguments

    assert error.delay_steps(ModelParameters()) == 2
    assert error.delay_steps(ModelParameters().replace(error_delay=0 * ms)) == 0
    with pytest.raises(ValueError, match="error_delay"):
        error.delay_steps(ModelParameters().replace(error_delay=0.15 * ms))
    parser = argparse.ArgumentParser()
    add_train_arguments(parser, reference=False)
    default = parser.parse_args([]).error_delay * ms
    assert default == ModelParameters().learning.error_delay


def test_configs_written_before_the_error_delay_mean_no_delay():
    # Run directories of earlier versions carry no error_delay: they were
    # trained with the error on the spike's own step, and a resumed run must
    # compare equal to its checkpoint's fingerprint.
    from superspike_brian import SuperSpikeNetwork
    from superspike_brian.feedforward.network import legacy_defaults

    config = SuperSpikeNetwork(n_in=3, n_out=1, seed=1).config()
    for group in ("params", "params_si"):
        del config[group]["learning"]["error_delay"]
    old = SuperSpikeNetwork.from_config(config)
    assert old.params.learning.error_delay == 0 * ms
    assert legacy_defaults(config) == old.config()
    assert "error_delay" not in config["params_si"]["learning"]  # not modified in place
    current = SuperSpikeNetwork(n_in=3, n_out=1, seed=1).config()
    assert legacy_defaults(current) is current
