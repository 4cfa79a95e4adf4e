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
import time
from pathlib import Path

import numpy as np
from brian2 import Network, Quantity, TimedArray, defaultclock, device, second

from superspike_brian import devices, logs
from superspike_brian.devices import compiler, run_control

_log = logs.get_logger(__name__)

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
        self.control = None
        self.timing = {}
        self._seen = {}

    @property
    def standalone(self):
        """True on cpp_standalone and cuda_standalone."""
        return self.device != "runtime"

    # -------------------------------------------------------------- lifetime
    def __enter__(self):
        # Objects of an earlier session in this process must be gone before this
        # one builds: Brian2 names objects after the free names, and names that
        # differ from one build to the next would make a cached project compile.
        devices.release(self.device)
        self._stack = contextlib.ExitStack()
        if self.standalone and self._lock:
            self._stack.enter_context(devices.build_lock(self.directory, say=self.say))
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
        self.model = self.network = self.control = None
        devices.release(self.device)
        return False

    def say(self, message):
        """A progress message (if progress is on), to this module's logger at level INFO."""
        if self.progress:
            _log.info(message)

    # ----------------------------------------------------------------- build
    def prepare(
        self, model, segments, *, report=None, profile=False, compile=True, stoppable=False
    ):
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
        stoppable : bool
            Standalone: every execution may run fewer steps than the segment,
            given by :meth:`arguments` (``n_steps``): one binary serves chunks of
            any length up to the segment's.
        """
        self.model = model
        self.segments = tuple((float(d), bool(r)) for d, r in segments)
        self.namespace = dict(model.namespace)
        objects = list(model.objects)
        if stoppable:
            self.control = run_control.control_group()
            self.namespace.update(run_control.namespace())
            objects.append(self.control)
        self.network = Network(*objects, name="network")
        self._report, self._profile = report, profile
        if not self.standalone:
            return
        self._run_segments()
        model.engine.prepare_project(self.directory)
        t0 = time.time()
        device.build(directory=str(self.directory), compile=False, run=False)
        self.timing["codegen_s"] = time.time() - t0
        if compile:
            self._compile()

    def _compile(self):
        """Compile what changed since the project was last built (nothing if no code changed).

        A compile is announced whatever ``progress`` says (it is the one long,
        silent wait a run can have): what, where, how many files, an estimate
        from the last compile of that size here, and the files done so far
        (:func:`superspike_brian.devices.compiler.compile_project`).
        """
        compiler.keep_equivalent_sources(self.directory)
        sizes = " -> ".join(str(n) for n in self.model.net.layer_sizes)
        result = compiler.compile_project(
            self.directory,
            what=f"the {self.device} binary of the {sizes} network",
            device=self.device,
            root=devices.default_build_root(),
        )
        self.timing["cached"] = result.cached
        self.timing["compile_s"] = result.seconds
        if result.cached:
            self.say(f"using the compiled binary in {self.directory} (nothing to compile)")

    def _run_segments(self, record=True):
        for k, (duration, rec) in enumerate(self.segments):
            self.model.voltage_monitor.active = rec and record
            if k and self.standalone:
                # An execution stopped early (n_steps, or Ctrl-C) skips the
                # segments after the one it stopped in.
                device.insert_code("main", "if (!Network::_globally_stopped) {")
            # Brian2's report shows progress through the long, unrecorded segment.
            self.network.run(
                duration * second,
                namespace=self.namespace,
                report=self._report if not rec else None,
                report_period=10 * second,
                profile=self._profile,
            )
            if k and self.standalone:
                device.insert_code("main", "}")

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

    def last_run_time(self):
        """Standalone: seconds the last execution spent in its network loop."""
        return float(device._last_run_time)

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
    def records(self, step_start=0, keep_voltage=True):
        """What the monitors recorded in the last execution, times from the run's start.

        Parameters
        ----------
        step_start : int
            Step at which the last execution started in the whole training. A
            standalone binary restarts at step 0; its times become
            ``(step + step_start) * dt``, the very numbers one long run gives.
        keep_voltage : bool
            Return the membrane samples (else None).

        Returns
        -------
        dict
            ``spikes`` (layer -> (t, i)), ``sq`` (rows, n_out), ``vt``, ``vU``.
        """
        m = self.model
        spikes = {
            mon.source.name: (self._times(mon, step_start), self._since(mon, "i").astype(int))
            for mon in m.spike_monitors
        }
        sq = self._since(m.cost_monitor, "sq_").T
        vt = vU = None
        if keep_voltage or not self.standalone:  # runtime: _since must see every sample
            vt = self._times(m.voltage_monitor, step_start)
            vU = self._since(m.voltage_monitor, "U_")
        if not keep_voltage or vt.size == 0 or vU.shape[0] == 0:
            vt = vU = None
        return {"spikes": spikes, "sq": sq, "vt": vt, "vU": vU}

    def _times(self, monitor, step_start):
        t = self._since(monitor, "t_")
        if not self.standalone or step_start == 0:
            return t
        dt = float(self.model.net.params.dt)
        return (np.round(t / dt).astype(np.int64) + step_start) * dt

    def _since(self, monitor, name):
        """A monitor's array; in runtime mode only what it recorded since the last call."""
        if self.standalone:
            return self._result(monitor, name.rstrip("_"))
        values = np.array(getattr(monitor, name)[:], dtype=int if name == "i" else float)
        key = (monitor.name, name)
        seen = self._seen.get(key, 0)
        self._seen[key] = values.shape[-1]
        return values[..., seen:]

    def _result(self, monitor, name):
        """A monitor's array from the binary's result file.

        Read directly: Brian2's own reader guesses the shape of a 2-d monitor
        array from the previous execution, which fails when executions run
        different numbers of steps.
        """
        var = monitor.variables[name]
        path = Path(device.results_dir) / device.get_array_filename(var)
        values = np.fromfile(path, dtype=var.dtype)
        if name == "i":
            return values.astype(int)
        values = values.astype(float)
        if isinstance(var.size, tuple):
            columns = len(monitor.record) if hasattr(monitor, "record") else var.size[1]
            if columns == 0:  # a monitor of no units (record_voltage=0)
                return np.zeros((0, 0))
            values = values.reshape(-1, columns).T
        return values

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

    def arguments(self, step_offset, values=None, n_steps=None):
        """Standalone run arguments of the next execution.

        Parameters
        ----------
        step_offset : int
            Step of the task period at which the execution starts.
        values : ModelValues, optional
            The run's values (weights, feedback weights, regularizer strength,
            tables, learning rates), where they may differ from those the
            binary was built with; the carried state takes precedence.
        n_steps : int, optional
            Steps to run (a stoppable session).

        Returns
        -------
        dict
            Brian2 variable or TimedArray -> values.
        """
        m = self.model
        merged = {}

        def put(key, value):
            owner = "timedarray" if isinstance(key, TimedArray) else key.group.name
            merged[owner, key.name] = (key, value)

        if values is not None:
            for key, value in m.value_args(values).items():
                put(key, value)
        for variable in m.step_offsets():
            put(variable, step_offset)
        if n_steps is not None:
            put(self.control.n_steps, n_steps)
        if self.state is not None:
            for group, name in m.carried_state():
                var = group.variables[name]
                value = Quantity(self.state[f"{group.name}.{name}"], dim=var.dim)
                put(getattr(group, name), value)
        return dict(merged.values())

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

    def weights(self):
        """The carried weights, one (n_post, n_pre) array in mV per connection."""
        sizes = self.model.net.layer_sizes
        return [
            self.get(s.name, "w").reshape(sizes[l - 1], sizes[l]).T * 1e3
            for l, s in enumerate(self.model.connections, start=1)
        ]

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
