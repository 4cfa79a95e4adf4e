"""Many runs of one model structure with one compiled binary.

Runs that differ only in their values (seeds: initial weights and feedback
matrices; spike tables of the same shape) need no new code: the binary built
for the first run executes every other run with that run's values as run
arguments (:meth:`BrianModel.value_args`). A run gives exactly what a fresh
build of its own network and task gives.
"""

from __future__ import annotations

from pathlib import Path

from superspike_brian import devices
from superspike_brian.devices.session import Session
from superspike_brian.feedforward.builder import build_on_device
from superspike_brian.feedforward.values import model_values
from superspike_brian.training.history import History

__all__ = ["run_batch"]


def run_batch(
    nets, tasks, learning_rates, duration, *, key, build_dir=None, build_net=None, on_run=None
):
    """Train every ``nets[r]`` on ``tasks[r]`` inside one cpp_standalone binary each.

    Parameters
    ----------
    nets : sequence of SuperSpikeNetwork
        All of one structure (the caller checks).
    tasks : sequence of Task
        One per network, all of one period.
    learning_rates : list of arrays
        Per connection, the learning rate (volts) of every update; the same for
        every run.
    duration : float
        Simulated seconds of every run.
    key : str
        Name of the cached build directory (unless ``build_dir``), followed there
        by the toolchain's key (:func:`~superspike_brian.devices.toolchain.toolchain_key`).
    build_dir : path, optional
        Project directory.
    build_net : SuperSpikeNetwork, optional
        The network the binary is built for (default ``nets[0]``): keep it the
        same from call to call, so that an unchanged project is not compiled again.
    on_run : callable, optional
        Called as ``on_run(k, n)`` after run ``k`` (from 1) of ``n``: progress.

    Returns
    -------
    list of History
        Per run: spikes of every layer, initial and final weights.
    """
    if build_dir:
        directory = Path(build_dir)
    else:  # nodes of other compilers or CPUs get their own binary
        toolchain = devices.toolchain_key("cpp_standalone")
        directory = devices.default_build_root() / f"{key}-{toolchain}"
    base, task0 = build_net or nets[0], tasks[0]
    out = []
    with Session("cpp_standalone", directory, progress=False) as session:
        _, model = build_on_device(base, task0, learning_rates)
        session.prepare(model, [(duration, False)])
        for net, task in zip(nets, tasks, strict=True):
            values = model_values(net, task, learning_rates)
            session.execute(model.value_args(values), quiet=True)
            history = History(initial_weights=[w.copy() for w in values.weights])
            history.spikes = session.records(keep_voltage=False)["spikes"]
            history.weights = model.weights()
            session.clear_run_args()
            out.append(history)
            if on_run is not None:
                on_run(len(out), len(nets))
    return out
