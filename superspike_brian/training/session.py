"""A session: one model on one Brian2 device, run once or chunk after chunk.

Brian2's devices are process-wide, and a standalone device turns ``run()``
calls into a project that is compiled once and then executed as a binary. A
:class:`Session` hides the difference from the training loop:

runtime
    :meth:`Session.execute` runs the model's segments in this process; its
    state lives in the Brian2 objects.
cpp_standalone, cuda_standalone
    :meth:`Session.prepare` declares the segments and builds the project (in
    a cached directory per model structure, held with a file lock while in
    use); :meth:`Session.execute` runs the binary with run arguments: the
    state carried from the previous chunk, and any values (weights, spike
    tables, learning rates) that differ from those it was built with.

Either way, :meth:`Session.records` returns what the monitors recorded in the
last chunk, and :meth:`Session.get`/:meth:`Session.set` read and change the
carried state between chunks. Used by the trainer, by project generation and by
many runs of one structure (:mod:`superspike_brian.training.batch`).
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

import numpy as np
from brian2 import Network, Quantity, defaultclock, device, second

from superspike_brian.training import devices

__all__ = ["Session"]


class Session:
    """One model on one device (see the module docstring).

    Parameters
    ----------
    device : {'runtime', 'cpp_standalone', 'cuda_standalone'}
    directory : path, optional
        Project directory of a standalone device (locked while the session is open).
    float32 : bool
        Single precision.
    codegen_target : {'numpy', 'cython'}
        Code generation target of the runtime device.
    progress : bool
        Say what is being compiled and for how long.
    lock : bool
        Hold the build lock (False for a project generated for another machine).
    """

    def __init__(
        self,
        device,
        directory=None,
        *,
        float32=False,
        codegen_target="numpy",
        progress=True,
        lock=True,
    ):
        self.device = devices.check_device(device)
        self.directory = Path(directory) if directory is not None else None
        if self.standalone and self.directory is None:
            raise ValueError(f"device={device!r} needs a project directory")
        self.float32 = bool(float32)
        self.codegen_target = codegen_target
        self.progress = progress
        self._lock = lock
        self._stack = None
        self.model = None
        self.network = None
        self.segments = ()
        self.state = None
        self.timing = {}
        self._seen = {}

    @property
    def standalone(self):
        """True on cpp_standalone and cuda_standalone."""
        return self.device != "runtime"

    # -------------------------------------------------------------- lifetime
    def __enter__(self):
        self._stack = contextlib.ExitStack()
        if self.standalone and self._lock:
            self._stack.enter_context(devices.build_lock(self.directory))
        devices.activate(
            self.device,
            directory=self.directory,
            codegen_target=self.codegen_target,
            float32=self.float32,
        )
        self._stack.callback(devices.deactivate)
        return self

    def __exit__(self, *exc):
        self._stack.close()
        return False

    def say(self, message):
        """Print a progress message (if progress is on)."""
        if self.progress:
            print(message, file=sys.stderr, flush=True)

    # ----------------------------------------------------------------- build
    def prepare(self, model, segments, *, report=None, profile=False, compile=True):
        """Take ``model`` and the segments that one execution runs.

        Parameters
        ----------
        model : BrianModel
            Built on this session's device (inside the ``with`` block).
        segments : sequence of (seconds, bool)
            Durations run one after the other by every :meth:`execute`, and
            whether the membrane monitor records during each.
        report : str, optional
            Brian2's progress report during a run ('text').
        profile : bool
            Collect Brian2's per-code-object run times.
        compile : bool
            Standalone: compile the project (False only writes it).
        """
        self.model = model
        self.segments = tuple((float(d), bool(r)) for d, r in segments)
        self.network = Network(*model.objects)
        self._report, self._profile = report, profile
        if not self.standalone:
            return
        self._run_segments()
        model.engine.prepare_project(self.directory)
        if compile:
            self.say(f"compiling {self.device} project in {self.directory} ...")
        t0 = time.time()
        device.build(directory=str(self.directory), compile=compile, run=False)
        if compile:
            self.timing["compile_s"] = time.time() - t0
            self.say(f"compiled in {self.timing['compile_s']:.1f} s; running ...")

    def _run_segments(self, record=True):
        for duration, rec in self.segments:
            self.model.voltage_monitor.active = rec and record
            self.network.run(
                duration * second,
                namespace=self.model.namespace,
                report=self._report,
                report_period=10 * second,
                profile=self._profile,
            )

    # ------------------------------------------------------------------- run
    def execute(self, args=None, *, record=True, quiet=False):
        """Run the segments once.

        Parameters
        ----------
        args : dict, optional
            Standalone: run arguments (Brian2 variable or TimedArray -> values).
        record : bool
            Runtime: record the membrane in the segments that record (a
            standalone binary always records them).
        quiet : bool
            Standalone: do not show the binary's output.
        """
        if not self.standalone:
            self._run_segments(record)
            return
        device.run(str(self.directory), with_output=not quiet, run_args=args or {})

    def clear_run_args(self):
        """Standalone: delete the run-argument files of the last execution."""
        if self.standalone:
            device.delete(code=False, data=False, directory=False, run_args=True, force=True)

    def profile(self):
        """Seconds per Brian2 code object of the last run (``profile=True``)."""
        out = {}
        for name, seconds in self.network.profiling_info:
            out[name] = out.get(name, 0.0) + float(seconds)
        return out

    # ---------------------------------------------------------------- records
    def records(self, t_start, keep_voltage=True):
        """What the monitors recorded in the last execution, times from the run's start.

        Parameters
        ----------
        t_start : float
            Time (s) at which the last execution started in the whole training:
            added to the times of a standalone binary, which restarts at 0.
        keep_voltage : bool
            Return the membrane samples (else None).

        Returns
        -------
        dict
            ``spikes`` (layer -> (t, i)), ``sq`` (rows, n_out), ``vt``, ``vU``.
        """
        m = self.model
        shift = t_start if self.standalone else 0.0
        spikes = {
            mon.source.name: (self._since(mon, "t_") + shift, self._since(mon, "i").astype(int))
            for mon in m.spike_monitors
        }
        sq = self._since(m.cost_monitor, "sq_").T
        vt = self._since(m.voltage_monitor, "t_") + shift
        vU = self._since(m.voltage_monitor, "U_")
        if not keep_voltage or vt.size == 0:
            vt = vU = None
        return {"spikes": spikes, "sq": sq, "vt": vt, "vU": vU}

    def _since(self, monitor, name):
        """A monitor's array; in runtime mode only what it recorded since the last call."""
        values = np.array(getattr(monitor, name)[:], dtype=int if name == "i" else float)
        if self.standalone:
            return values
        key = (monitor.name, name)
        seen = self._seen.get(key, 0)
        self._seen[key] = values.shape[-1]
        return values[..., seen:]

    # ----------------------------------------------------------------- state
    def read_state(self, duration):
        """Standalone: read the carried state after an execution of ``duration`` s.

        ``lastspike`` is made relative to the start of the next execution (which
        restarts at t = 0): the time since the last spike is what matters.
        """
        state = {}
        for group, name in self.model.carried_state():
            values = np.array(getattr(group, name + "_")[:], dtype=float)
            if name == "lastspike":
                values = values - duration
            state[f"{group.name}.{name}"] = values
        self.state = state
        return state

    def state_args(self, step_offset):
        """Standalone run arguments: the carried state and the tables' step offset."""
        m = self.model
        args = {m.input.step_offset: step_offset, m.output.step_offset: step_offset}
        if self.state is None:
            return args
        for group, name in m.carried_state():
            var = group.variables[name]
            args[getattr(group, name)] = Quantity(self.state[f"{group.name}.{name}"], dim=var.dim)
        return args

    def get(self, group, name):
        """A carried variable (``"conn_1"``, ``"w"``): the state between chunks, as floats.

        Standalone: the array of the carried state itself (changes to it are
        handed to the next execution). Runtime: a copy of the live values.
        """
        if self.standalone:
            return self.state[f"{group}.{name}"]
        return np.array(getattr(self._object(group), name + "_")[:], dtype=float)

    def set(self, group, name, values):
        """Change a carried variable before the next execution."""
        if self.standalone:
            self.state[f"{group}.{name}"][...] = values
        else:
            getattr(self._object(group), name + "_")[:] = values

    def _object(self, name):
        return next(o for o in self.model.objects if o.name == name)

    def discard(self, monitors):
        """Runtime: empty monitors whose records were consumed (a binary starts empty)."""
        if not self.standalone:
            for mon in monitors:
                mon.resize(0)


def set_clock(net):
    """Set Brian2's default clock to the network's time step."""
    defaultclock.dt = net.params.dt
