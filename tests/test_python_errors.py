"""Errors of this package from Python: the argument, its unit and an example of the right size,
never under Brian2's "please report" banner (which stays on Brian2's own errors)."""

import re
import subprocess
import sys
import textwrap

import pytest

BANNER = "Brian 2 encountered an unexpected error"


def _stderr_of(code):
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True
    )
    assert done.returncode == 1
    return done.stderr


def test_a_plain_number_for_a_period_names_period_and_seconds_without_the_banner():
    err = _stderr_of(
        """
        from superspike_brian import single_neuron_task
        single_neuron_task(period=0.5)
        """
    )
    assert BANNER not in err
    assert err.strip().splitlines()[-1] == (
        "superspike_brian.errors.ArgumentTypeError: period must be a quantity in units of"
        " second (e.g. 0.5*second), got the plain number 0.5"
    )


def test_an_error_raised_by_the_package_is_shown_without_the_banner():
    err = _stderr_of(
        """
        from superspike_brian import SuperSpikeNetwork
        SuperSpikeNetwork(n_in=20, n_out=1, feedback="random")
        """
    )
    assert BANNER not in err
    assert "ValueError: feedback='random' needs a hidden layer" in err


def test_brian2s_own_errors_keep_its_banner():
    err = _stderr_of(
        """
        import superspike_brian.validation  # installs the hook
        from brian2 import NeuronGroup, ms, run
        group = NeuronGroup(1, "dv/dt = -v/tau_undefined : 1")
        run(1 * ms)
        """
    )
    assert BANNER in err and "tau_undefined" in err


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            "ModelParameters().replace(tau_mem=10)",
            "tau_mem must be a quantity in units of ms (e.g. 10*ms)",
        ),
        ("Schedule(block=10)", "block must be a quantity in units of second (e.g. 10*second)"),
        ("single_neuron_task(rate=5)", "rate must be a quantity in units of Hz (e.g. 5*Hz)"),
    ],
)
def test_examples_are_of_the_right_size(call, expected):
    from superspike_brian import ModelParameters, Schedule, single_neuron_task  # noqa: F401

    with pytest.raises(TypeError, match=re.escape(expected)):
        eval(call)
