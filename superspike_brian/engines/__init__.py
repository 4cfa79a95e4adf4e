"""Engines: where and how the gradient accumulators of the learning rule are computed.

The user chooses ``engine`` ('synaptic' or 'factorized') and ``learn``
('inside' or 'controller'); :func:`create` picks the implementation for the
device and checks that the combination exists (see
:mod:`superspike_brian.engines.base` for the interface and the table of
implementations).
"""

from superspike_brian.choices import ENGINES, LEARN_MODES
from superspike_brian.engines.base import Engine
from superspike_brian.engines.factorized_cpp import CppFactorizedEngine
from superspike_brian.engines.factorized_numpy import NumpyFactorizedEngine
from superspike_brian.engines.synaptic import SynapticEngine

__all__ = ["ENGINES", "LEARN_MODES", "Engine", "create", "default_learn", "check"]


_IMPLEMENTATIONS = {
    ("synaptic", "inside"): SynapticEngine,
    ("synaptic", "controller"): SynapticEngine,
    ("factorized", "inside"): CppFactorizedEngine,
    ("factorized", "controller"): NumpyFactorizedEngine,
}


def default_learn(engine, device):
    """The learn mode used when none is given.

    The factorized engine trains inside one binary where it can (its C++ form);
    on runtime it computes the updates in the controller. Everything else
    learns inside the simulation.
    """
    return "controller" if engine == "factorized" and device == "runtime" else "inside"


def check(engine, learn, device):
    """Check that ``engine``, ``learn`` and ``device`` go together (ValueError naming the option).

    Returns
    -------
    str
        The learn mode (``learn``, or its default when None).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    if engine == "factorized" and device == "cuda_standalone":
        raise ValueError(
            "engine='factorized' runs on runtime or cpp_standalone; on"
            " cuda_standalone use engine='synaptic'"
        )
    if learn is None:
        learn = default_learn(engine, device)
    if engine == "factorized" and learn == "inside" and device != "cpp_standalone":
        raise ValueError(
            "engine='factorized' with learn='inside' runs only on cpp_standalone"
            f" (its C++ engine); on {device} use learn='controller'"
        )
    if learn not in LEARN_MODES:
        raise ValueError(f"learn must be one of {', '.join(LEARN_MODES)}; got {learn!r}")
    if device == "cuda_standalone" and learn == "controller":
        raise ValueError(
            "learn='controller' is not available on cuda_standalone (brian2cuda has"
            " no per-trial state exchange); use learn='inside'"
        )
    return learn


def create(rule, engine, learn, device):
    """The engine that trains the connections of ``rule`` (after :func:`check`).

    Parameters
    ----------
    rule : SuperSpike
    engine : {'synaptic', 'factorized'}
    learn : {'inside', 'controller'} or None
    device : {'runtime', 'cpp_standalone', 'cuda_standalone'}

    Returns
    -------
    Engine
    """
    learn = check(engine, learn, device)
    return _IMPLEMENTATIONS[engine, learn](rule, learn)
