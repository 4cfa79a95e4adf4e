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
        (lambda: ModelParameters().replace(nonsense=1), "unknown parameter 'nonsense'"),
        (lambda: Schedule(block=10), "block must be a quantity in units of s"),
    ],
)
def test_bad_parameters_are_rejected(make, match):
    with pytest.raises((TypeError, ValueError), match=match):
        make()


def test_equations_reject_wrong_units():
    ns = neurons.neuron_namespace(NeuronParameters(), LearningParameters())
    ns["tau_mem"] = 10 * mV  # a voltage where a time is expected
    g = NeuronGroup(1, neurons.LIF_EQUATIONS, method="exact")
    with pytest.raises(BrianObjectException) as info:
        Network(g).run(0.1 * ms, namespace=ns)
    assert isinstance(info.value.__cause__, DimensionMismatchError)
    assert "Inconsistent units" in str(info.value.__cause__)


def test_equations_run_with_right_units():
    ns = neurons.neuron_namespace(NeuronParameters(), LearningParameters())
    g = NeuronGroup(1, neurons.LIF_EQUATIONS + neurons.SURROGATE_EQUATION, method="exact")
    g.U = -60 * mV
    g.I = 20 * mV
    Network(g).run(1 * ms, namespace=ns)
    assert -60 * mV < g.U[0] < -50 * mV
    # The PSP-driven potential stays below threshold: no spike, U rose from rest.
    assert g.I[0] < 20 * mV
