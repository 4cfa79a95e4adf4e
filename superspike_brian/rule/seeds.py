"""Many seeds of one network built by the user: one compiled binary, the seeds as run arguments.

On ``cpp_standalone`` the network is built and compiled once, for the first
seed; every seed then runs the same binary with its own initial weights and
feedback matrices as run arguments
(:meth:`superspike_brian.rule.SuperSpike.run_args`). On ``runtime`` the network
is built anew for every seed. Either way a seed gives what a fresh build with
that seed gives.

Examples
--------
>>> def build(seed):                                         # doctest: +SKIP
...     ...  # groups, synapses, monitors; then
...     rule = SuperSpike([s_in, s_out], output=out, target=raster, seed=seed)
...     return rule, [inp, hid, out, s_in, s_out, *monitors.values()], monitors
>>> results = train_seeds(build, [1, 2, 3], 100 * second)   # doctest: +SKIP
>>> results[0].cost[-1]                                      # doctest: +SKIP
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from brian2 import Network, defaultclock, device, ms, start_scope

__all__ = ["build_standalone", "SeedResult", "train_seeds"]


@dataclass
class SeedResult:
    """What one seed's run gave.

    Attributes
    ----------
    seed : int
    cost_times, cost : ndarray
        The cost (docs/model.md, "Reported cost") at every weight update.
    spikes : dict of str -> (ndarray, ndarray)
        Spike times (s) and unit indices of every monitor ``build`` returned.
    weights : list of (i, j, w)
        Final weights of every plastic synapses object, in the weight unit.
    wall_s : float
        Seconds the run took (the build and compile not included).
    """

    seed: int
    cost_times: np.ndarray = None
    cost: np.ndarray = None
    spikes: dict = field(default_factory=dict)
    weights: list = field(default_factory=list)
    wall_s: float = 0.0

    def block_costs(self, burn_in, block, n_blocks):
        """The cost at the end of the burn-in (block 0) and of each of ``n_blocks`` blocks."""
        ends = float(burn_in) + np.arange(n_blocks + 1) * float(block)
        idx = [int(np.argmin(np.abs(self.cost_times - t))) for t in ends]
        return self.cost[idx]

    def rate(self, name, start, stop, n_units):
        """Mean rate (Hz) of the units of monitor ``name`` between ``start`` and ``stop`` (s)."""
        t = self.spikes[name][0]
        return float(np.sum((t >= start) & (t < stop))) / n_units / (stop - start)


def _result(seed, rule, monitors, wall):
    t, c = rule.cost_trace()
    spikes = {
        name: (np.asarray(m.t_[:], dtype=float), np.asarray(m.i[:], dtype=int))
        for name, m in monitors.items()
    }
    return SeedResult(seed, t, c, spikes, rule.weights(), wall)


def train_seeds(
    build, seeds, duration, *, device_name="cpp_standalone", directory=None, dt=0.1 * ms, say=None
):
    """Train the network that ``build(seed)`` makes, once per seed.

    Parameters
    ----------
    build : callable
        ``build(seed) -> (rule, objects, monitors)``: the rule, every other Brian2
        object of the network, and a dict of the SpikeMonitors to report.
    seeds : sequence of int
    duration : Quantity
        Simulated time of every run.
    device_name : {'cpp_standalone', 'runtime'}
    directory : path, optional
        The standalone project (default: a folder ``superspike-seeds`` in the
        working directory); building again in the same folder with the same
        structure compiles nothing.
    dt : Quantity
        Time step.
    say : callable, optional
        Receives one line per seed (and one when the binary is built).

    Returns
    -------
    list of SeedResult
    """
    say = say or (lambda line: None)
    seeds = [int(s) for s in seeds]
    if device_name == "runtime":
        out = []
        for seed in seeds:
            start_scope()
            defaultclock.dt = dt
            rule, objects, monitors = build(seed)
            t0 = time.time()
            Network(*objects, rule).run(duration)
            out.append(_result(seed, rule, monitors, time.time() - t0))
            say(f"seed {seed}: {out[-1].wall_s:.1f} s")
        return out
    from superspike_brian import devices

    directory = Path(directory or "superspike-seeds").absolute()
    devices.activate(device_name, directory=directory)
    try:
        defaultclock.dt = dt
        rule, objects, monitors = build(seeds[0])
        Network(*objects, rule).run(duration)
        build_standalone(directory, what="the network (once for every seed)", say=say)
        out = []
        for k, seed in enumerate(seeds):
            # The first seed is the one built in; the others need the synapses'
            # indices, which the first run made.
            args = rule.run_args(seed=seed) if k else {}
            t0 = time.time()
            device.run(str(directory), with_output=False, run_args=args)
            out.append(_result(seed, rule, monitors, time.time() - t0))
            say(f"seed {seed}: {out[-1].wall_s:.1f} s")
        return out
    finally:
        devices.release(device_name)
        devices.deactivate()


def build_standalone(directory, *, what="the network", device_name="cpp_standalone", say=None):
    """Generate the standalone project of the network run so far and compile what changed.

    Brian2's ``device.build(compile=True)`` writes ``main.cpp`` with its clocks
    reset in an order that changes from one build to the next, so a rebuild of
    the same network (another seed, another target) would compile and link
    again; here a ``main.cpp`` that differs only in that order keeps its old
    timestamp, and the compile says what it does and about how long it takes
    (:func:`superspike_brian.devices.compiler.compile_project`). Call it where
    ``device.build`` would be called, with the standalone device active; run
    the binary with ``device.run(directory, run_args=rule.run_args(...))``.

    Parameters
    ----------
    directory : path
        The project folder (built again with the same structure: nothing compiles).
    what : str
        What is compiled, for the messages.
    device_name : {'cpp_standalone', 'cuda_standalone'}
    say : callable, optional
        Receives each message line (default: standard error).

    Returns
    -------
    superspike_brian.devices.compiler.CompileResult
        ``cached`` is True when nothing had to be compiled.
    """
    from superspike_brian import devices
    from superspike_brian.devices import compiler

    directory = Path(directory).absolute()
    device.build(directory=str(directory), compile=False, run=False)
    compiler.keep_equivalent_sources(directory)
    return compiler.compile_project(
        directory, what=what, device=device_name, say=say, root=devices.default_build_root()
    )
