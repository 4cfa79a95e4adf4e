"""Executions of one binary that run any number of steps up to its built duration.

A standalone binary runs the durations it was built with. A chunked training
needs chunks of different lengths (a burn-in of 0.5 s, blocks of 10 s) from
one binary, so the session adds a one-unit group that, after the last step the
execution asks for (``n_steps``, a run argument), sets Brian2's own stop flag
(``Network::_globally_stopped``, the flag a standalone binary sets on Ctrl-C):
the network loop ends after that step, and the results are written as after a
complete run.
"""

from brian2 import Function, NeuronGroup

from superspike_brian.model import steps

__all__ = ["control_group", "namespace", "CONTROL_EQUATIONS"]

CONTROL_EQUATIONS = """
n_steps : integer (shared, constant)
stopping : 1
"""

STOP_CODE = "stopping = ssrun_stop(t_in_timesteps, n_steps)"

_SUPPORT = """
#ifndef SSRUN_SUPPORT
#define SSRUN_SUPPORT
inline double ssrun_stop(int64_t step, int64_t n_steps)
{
    if (step + 1 >= n_steps) Network::_globally_stopped = true;
    return 0.0;
}
#endif
"""


def _not_available(*args):
    raise NotImplementedError("a stoppable run exists only in a cpp_standalone binary")


def namespace():
    """The stop function, for the namespace of a stoppable run."""
    f = Function(
        _not_available,
        arg_units=[1, 1],
        arg_types=["integer", "integer"],
        return_unit=1,
        return_type="float",
        stateless=False,
    )
    f.implementations.add_implementation("cpp", code=_SUPPORT, name="ssrun_stop")
    return {"ssrun_stop": f}


def control_group():
    """The one-unit group that stops an execution after ``n_steps`` steps."""
    g = NeuronGroup(1, CONTROL_EQUATIONS, name="run_control")
    g.run_regularly(STOP_CODE, name="run_control_stop", **steps.at("run_control"))
    return g
