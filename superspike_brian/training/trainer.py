"""The training controller: runs a network on a task, trial after trial.

Two ways to apply the SuperSpike weight update, with the same result:

``learn='inside'``
    The optimizer runs inside the simulation (``run_regularly`` every update
    interval), so the whole training is one run: one standalone binary on CPU or
    GPU. The fast path.
``learn='controller'``
    The simulation runs one update interval (a "trial") at a time; between trials
    Python applies the update to the accumulated gradients. In runtime mode each
    trial is one ``run()``; in standalone mode the binary is built once and
    re-run per trial with ``device.run(run_args=...)``, carrying the full state
    (membranes, traces, eligibility, accumulators) from trial to trial.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from brian2 import Network, Quantity, defaultclock, device, mV, second

from superspike_brian.engines import factorized_cpp as factorized_inside
from superspike_brian.engines.factorized_math import FactorizedConnection, hidden_error
from superspike_brian.model.cost import cost_from_average, reference_scale
from superspike_brian.model.network import ENGINES, SuperSpikeNetwork
from superspike_brian.model.optimizer import apply_update
from superspike_brian.model.parameters import Schedule
from superspike_brian.tasks.task import Task
from superspike_brian.training import devices
from superspike_brian.training.progress import BlockProgress
from superspike_brian.validation import steps_of

LEARN_MODES = ("inside", "controller")


@dataclass
class History:
    """What a training run produced (everything a run directory stores)."""

    metrics: list = field(default_factory=list)
    spikes: dict = field(default_factory=dict)  # layer name -> (times s, ids)
    update_times: np.ndarray | None = None
    sq: np.ndarray | None = None  # (n_updates+1, n_out) running averages
    cost: np.ndarray | None = None  # cost at every update time
    voltage: dict = field(default_factory=dict)  # 'before'/'after' -> (t, U mV)
    initial_weights: list = field(default_factory=list)
    weights: list = field(default_factory=list)
    timing: dict = field(default_factory=dict)

    def metric(self, name):
        """One metrics column as an array."""
        return np.array([row[name] for row in self.metrics], dtype=float)


class Trainer:
    """Train a :class:`SuperSpikeNetwork` on a :class:`Task`.

    Parameters
    ----------
    network : SuperSpikeNetwork
    task : Task
    device : {'runtime', 'cpp_standalone', 'cuda_standalone'}
        Brian2 target (default 'runtime').
    learn : {'inside', 'controller'}
        Where the weight update runs: 'inside' the simulation, so that a whole
        training is one run, or in the Python 'controller' between update
        intervals. Default 'inside', except for the factorized engine on
        runtime ('controller').
    engine : {'synaptic', 'factorized'}
        'synaptic' (default): per-synapse eligibility equations, the reference
        form and the GPU path. 'factorized': Brian2 simulates neurons and traces
        only; the accumulators come exactly from per-neuron signals once per
        update interval, with numpy in the controller
        (:mod:`superspike_brian.factorized`) or, with learn='inside' on
        cpp_standalone, with C++ inside the binary
        (:mod:`superspike_brian.factorized_inside`). Much faster for large
        networks.
    schedule : Schedule
        Burn-in, blocks and learning-rate decay (default: 10 s burn-in, 80 blocks
        of 10 s, r0/10 from block 20).
    build_dir : path, optional
        Standalone project directory (default: a cache directory per model
        structure, see :mod:`superspike_brian.devices`).
    codegen_target : {'numpy', 'cython'}
        Runtime code generation target (default 'numpy').
    float32 : bool
        Single precision (default False).
    record_voltage : int
        Output units whose membrane is recorded in the first and last period.
    progress : bool
        Print a line per block (default True).
    profile : bool
        Collect Brian2's per-code-object run times of a one-binary run into
        ``history.timing['profile']`` (default False).

    Examples
    --------
    >>> from brian2 import second
    >>> from superspike_brian import SuperSpikeNetwork, Trainer, single_neuron_task
    >>> task = single_neuron_task(seed=1)
    >>> net = SuperSpikeNetwork(n_in=100, n_out=1)
    >>> history = Trainer(net, task, device='cpp_standalone').run()  # doctest: +SKIP
    """

    def __init__(
        self,
        network,
        task,
        *,
        device="runtime",
        learn=None,
        engine="synaptic",
        schedule=None,
        build_dir=None,
        codegen_target="numpy",
        float32=False,
        record_voltage=4,
        progress=True,
        profile=False,
    ):
        if not isinstance(network, SuperSpikeNetwork):
            raise TypeError("network must be a SuperSpikeNetwork")
        if not isinstance(task, Task):
            raise TypeError("task must be a Task")
        self.network = network
        self.task = task
        self.device = devices.check_device(device)
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
        self.engine = engine
        if engine == "factorized" and device == "cuda_standalone":
            raise ValueError(
                "engine='factorized' runs on runtime or cpp_standalone; on"
                " cuda_standalone use engine='synaptic'"
            )
        if learn is None:
            # The factorized engine trains inside one binary where it can (its C++
            # form); on runtime it computes the updates in the controller.
            fx_controller = engine == "factorized" and device == "runtime"
            learn = "controller" if fx_controller else "inside"
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
        self.learn = learn
        self.schedule = schedule if schedule is not None else Schedule()
        if not isinstance(self.schedule, Schedule):
            raise TypeError("schedule must be a Schedule")
        self.codegen_target = codegen_target
        self.float32 = bool(float32)
        self.record_voltage = int(record_voltage)
        self.progress = progress
        self.profile = bool(profile)
        self.build_dir = build_dir
        self._out = None
        self._resume_from = None
        self._check_timing()

    def _check_timing(self):
        p = self.network.params
        dt, tb = p.dt, p.learning.t_update
        steps_of("t_update", tb, dt)
        steps_of("period", self.task.period * second, dt)
        s = self.schedule
        self.n_per_block = steps_of("block", s.block, tb, dt_name="t_update")
        self.n_burn = steps_of("burn_in", s.burn_in, tb, dt_name="t_update")
        self.n_updates = self.n_burn + s.n_blocks * self.n_per_block
        if self.n_updates < 1:
            raise ValueError("the schedule has zero duration: give burn_in or blocks")

    def learning_rates(self):
        """Per connection, the learning rate (volts) of each update."""
        lp = self.network.params.learning
        base = self.schedule.learning_rates(lp.r0, lp.t_update)
        return [
            np.zeros_like(base) if (c in self.network.fixed) else base
            for c in range(1, self.network.n_connections + 1)
        ]

    # ------------------------------------------------------------------ running
    def run(self, out=None, *, resume=False, extra_config=None, figures=True):
        """Train; returns a :class:`History` (and writes it to ``out`` if given).

        Parameters
        ----------
        out : path, optional
            Run directory. ``config.json`` is written first (``status: running``);
            in controller mode a checkpoint (``checkpoint.npz``) and the metrics
            of the blocks done so far are written atomically at every block
            boundary, so an interrupted run keeps them; the complete run
            directory is written at the end (``status: complete``).
        resume : bool
            Continue from ``out/checkpoint.npz`` when it exists (controller mode
            on cpp_standalone; the result equals an uninterrupted run bit for
            bit). A run directory without a checkpoint starts from the beginning.
        extra_config : dict, optional
            Stored in ``config.json`` besides the trainer's own configuration.
        figures : bool
            Draw the figures at the end (default True).
        """
        from superspike_brian.rundir import trainer_config, write_config
        from superspike_brian.training import checkpoint as ckpt

        resume_from = None
        if out is not None:
            out = Path(out)
            if resume:
                resume_from = ckpt.load(out, self)
                if resume_from is None:
                    self._say(f"no checkpoint in {out}: starting from the beginning")
                else:
                    self._say(
                        f"resuming {out} after {resume_from['k_done']} of"
                        f" {self.n_updates} update intervals"
                    )
            config = trainer_config(self)
            config.update(extra_config or {})
            config["status"] = "running"
            write_config(out, config)
        elif resume:
            raise ValueError("resume=True needs the run directory: run(out=DIR, resume=True)")
        self._out = out
        self._resume_from = resume_from
        if self.device == "cuda_standalone":
            from superspike_brian.training import codegen

            if not codegen.gpu_available():
                raise RuntimeError(
                    "device='cuda_standalone' needs an NVIDIA GPU to run, and none was found"
                    " (nvidia-smi). To generate and compile the CUDA project here and run"
                    " it on a GPU machine: Trainer.generate(directory, compile=True), or"
                    " `superspike codegen ... --device cuda_standalone --out DIR --compile`"
                )
            codegen.configure_cuda(detect_gpus=True)
        net = self.network
        directory = None
        if self.device != "runtime":
            directory = (
                Path(self.build_dir)
                if self.build_dir
                else (
                    devices.default_build_root()
                    / f"{self.device}-{self.learn}-{self._structure_key()}"
                )
            )
        t0 = time.time()
        lock = devices.build_lock(directory) if directory else _null()
        with lock:
            devices.activate(
                self.device,
                directory=directory,
                codegen_target=self.codegen_target,
                float32=self.float32,
            )
            try:
                defaultclock.dt = net.params.dt
                model = net.build(
                    self.task,
                    learn_inside=self.learn == "inside",
                    learning_rates=self.learning_rates(),
                    record_voltage=self.record_voltage,
                    engine=self.engine,
                )
                history = History(initial_weights=[w.copy() for w in net.initial_weights()])
                brian_net = Network(*model.objects)
                if self.learn == "inside":
                    self._run_inside(model, brian_net, history, directory)
                else:
                    self._run_controller(model, brian_net, history, directory)
                history.weights = model.weights()
            finally:
                devices.deactivate()
        history.timing["total_s"] = time.time() - t0
        self._metrics(history)
        if out is not None:
            from superspike_brian.rundir import write_run

            config = dict(extra_config or {}, status="complete")
            write_run(out, self, history, extra_config=config, figures=figures)
            ckpt.remove(out)
        return history

    def _structure_key(self):
        extra = [self.float32, self.engine] + (["profile"] if self.profile else [])
        return self.network.structure_key(self.task, extra)

    # ------------------------------------------------------ standalone projects
    def generate(self, directory, *, compile=False, compute_capability=None):
        """Write a standalone project that runs the whole training as one binary.

        Parameters
        ----------
        directory : path
            Project directory (created).
        compile : bool
            Also build it (``make -j``); needs nvcc for cuda_standalone, not a GPU.
        compute_capability : float, optional
            Target GPU (cuda_standalone; default 9.0, H100/H200).

        Returns
        -------
        Path of the project.
        """
        import pickle

        from superspike_brian.rundir import trainer_config
        from superspike_brian.training import codegen

        if self.device == "runtime":
            raise ValueError(
                "generate() writes a standalone project: use device='cpp_standalone'"
                " or 'cuda_standalone'"
            )
        if self.learn != "inside":
            raise ValueError("a standalone project trains with learn='inside'")
        directory = Path(directory).absolute()
        net = self.network
        devices.activate(self.device, directory=directory, float32=self.float32)
        try:
            if self.device == "cuda_standalone":
                codegen.configure_cuda(compute_capability or codegen.COMPUTE_CAPABILITY)
            defaultclock.dt = net.params.dt
            model = net.build(
                self.task,
                learn_inside=True,
                learning_rates=self.learning_rates(),
                record_voltage=self.record_voltage,
                engine=self.engine,
            )
            brian_net = Network(*model.objects)
            for duration, record in self._windows():
                model.voltage_monitor.active = record
                brian_net.run(duration * second, namespace=model.namespace)
            if self.engine == "factorized":
                factorized_inside.install_header(directory)
            self._say(f"generating {self.device} project in {directory} ...")
            device.build(directory=str(directory), compile=False, run=False)
            manifest = {"device": self.device, "arrays": codegen.manifest_entries(model)}
        finally:
            devices.deactivate()
        codegen.patch_makefile(directory)
        (directory / "manifest.json").write_text(json.dumps(manifest, indent=1))
        (directory / "config.json").write_text(
            json.dumps(trainer_config(self), indent=2, default=str)
        )
        with open(directory / "superspike.pkl", "wb") as fh:
            pickle.dump({"network": self.network, "task": self.task, "schedule": self.schedule}, fh)
        cuda = self.device == "cuda_standalone"
        (directory / "README.md").write_text(
            codegen.README.format(
                device=self.device,
                version="0.1.0",
                description=f"{net.layer_sizes} network, {net.feedback} feedback,"
                f" task {self.task.name!r}",
                n_blocks=self.schedule.n_blocks,
                block=float(self.schedule.block),
                t_update=float(net.params.learning.t_update),
                needs="an NVIDIA GPU, nvcc and make" if cuda else "a C++ compiler and make",
                note=f"compute capability {compute_capability or codegen.COMPUTE_CAPABILITY}"
                if cuda
                else "g++",
                dirname=directory.name,
            )
        )
        if compile:
            self._say(f"compiling {directory} (make -j) ...")
            t0 = time.time()
            codegen.compile_project(directory)
            self._say(f"compiled in {time.time() - t0:.0f} s")
        return directory

    def history_from_results(self, arrays):
        """A History from the arrays of a standalone run (see codegen.read_results)."""
        history = History(initial_weights=[w.copy() for w in self.network.initial_weights()])
        sizes = self.network.layer_sizes
        for l in range(1, len(sizes)):
            name = self.network.layer_name(l)
            history.spikes[name] = (
                arrays[f"{name}_t"].astype(float),
                arrays[f"{name}_i"].astype(int),
            )
            w = arrays[f"conn_{l}_w"].astype(float) * 1e3
            history.weights.append(w.reshape(sizes[l - 1], sizes[l]).T.copy())
        history.sq = np.vstack(
            [arrays["cost_sq"][: self.n_updates], arrays["cost_sq_final"][None, :]]
        )
        self._voltage_windows(history, arrays["voltage_t"], arrays["voltage_U"].T)
        self._metrics(history)
        return history

    def _say(self, msg):
        if self.progress:
            print(msg, file=sys.stderr, flush=True)

    def _windows(self):
        """Run segments (duration, record voltage?) for the inside mode."""
        T = self.n_updates * float(self.network.params.learning.t_update)
        P = self.task.period
        if T <= 2 * P:
            return [(T, True)]
        return [(P, True), (T - 2 * P, False), (P, True)]

    def _run_inside(self, model, brian_net, history, directory):
        ns = model.namespace
        for duration, record in self._windows():
            model.voltage_monitor.active = record
            # One run holds the whole training: Brian2's own report is the progress.
            report = "text" if self.progress and not record else None
            brian_net.run(
                duration * second,
                namespace=ns,
                report=report,
                report_period=10 * second,
                profile=self.profile,
            )
        if self.device != "runtime":
            if self.engine == "factorized":
                factorized_inside.install_header(directory)
            self._say(f"compiling {self.device} project in {directory} ...")
            t0 = time.time()
            device.build(directory=str(directory), compile=True, run=False)
            history.timing["compile_s"] = time.time() - t0
            self._say(f"compiled in {history.timing['compile_s']:.1f} s; running ...")
            t0 = time.time()
            device.run(str(directory))
            history.timing["run_s"] = time.time() - t0
        if self.profile:
            profile = {}
            for name, seconds in brian_net.profiling_info:
                profile[name] = profile.get(name, 0.0) + float(seconds)
            history.timing["profile"] = profile
        self._collect_inside(model, history)

    def _collect_inside(self, model, history):
        for mon in model.spike_monitors:
            history.spikes[mon.source.name] = (
                np.array(mon.t_[:], dtype=float),
                np.array(mon.i[:], dtype=int),
            )
        sq = np.array(model.cost_monitor.sq_[:], dtype=float).T  # (n_rec, n_out)
        final = np.array(model.cost.sq_[:], dtype=float)[None, :]
        history.sq = np.vstack([sq[: self.n_updates], final])
        self._voltage_windows(
            history,
            np.array(model.voltage_monitor.t_[:], dtype=float),
            np.array(model.voltage_monitor.U_[:], dtype=float),
        )

    def _voltage_windows(self, history, t, U):
        if t.size == 0:
            return
        # Work on the step grid: float times near the window edges must not leak out.
        dt = float(self.network.params.dt)
        steps = np.round(t / dt).astype(np.int64)
        n_period = int(round(self.task.period / dt))
        n_total = int(round(self.n_updates * float(self.network.params.learning.t_update) / dt))
        before = steps < n_period
        after = steps >= n_total - n_period
        history.voltage["before"] = (steps[before] * dt, U[:, before] * 1e3)
        history.voltage["after"] = ((steps[after] - (n_total - n_period)) * dt, U[:, after] * 1e3)

    def _run_controller(self, model, brian_net, history, directory):
        lp = self.network.params.learning
        tb = float(lp.t_update)
        lrs = self.learning_rates()
        ns = model.namespace
        standalone = self.device != "runtime"
        if standalone:
            model.voltage_monitor.active = True
            brian_net.run(tb * second, namespace=ns)
            self._say(f"compiling {self.device} project in {directory} ...")
            t0 = time.time()
            device.build(directory=str(directory), compile=True, run=False)
            history.timing["compile_s"] = time.time() - t0
            self._say(f"compiled in {history.timing['compile_s']:.1f} s; running ...")
        P = self.task.period
        T = self.n_updates * tb
        # Everything a trial hands to the next, and what the run has produced so far:
        # exactly what a checkpoint holds.
        run = {
            "k_done": 0,
            "state": None,
            "opt_v": [np.zeros(self._n_syn(l)) for l in range(1, len(model.connections) + 1)],
            "m_factorized": None,
            "lam_r": None,
            "lam": None,
            "spikes": {m.source.name: ([], []) for m in model.spike_monitors},
            "sq_rows": [],
            "vt": [],
            "vU": [],
            "run_s": 0.0,
            "gradient_s": 0.0,
        }
        factorized = self.engine == "factorized"
        fcs = []
        if factorized:
            sizes = self.network.layer_sizes
            fcs = [
                FactorizedConnection(
                    sizes[l - 1],
                    sizes[l],
                    dt=float(self.network.params.dt),
                    tau_rise=float(lp.tau_rise),
                    tau_decay=float(lp.tau_decay),
                    n_steps=int(round(tb / float(self.network.params.dt))),
                )
                for l in range(1, len(sizes))
            ]
        if self._resume_from is not None:
            if not standalone:
                raise ValueError("resume needs a standalone device (cpp_standalone)")
            run.update(self._resume_from)
            for fc, lr_, l_ in zip(fcs, run["lam_r"] or [], run["lam"] or []):
                fc.lam_r, fc.lam = lr_, l_
        checkpointing = self._out is not None and standalone
        opt = [{"v": v} for v in run["opt_v"]]
        state, m_factorized = run["state"], run["m_factorized"]
        spikes = run["spikes"]
        first_block = max(0, (run["k_done"] - self.n_burn) // self.n_per_block + 1)
        progress = BlockProgress(
            self.schedule.n_blocks, enabled=self.progress, first_block=first_block
        )
        try:
            for k in range(run["k_done"], self.n_updates):
                t_start = k * tb
                if k > 0:
                    self._controller_update(model, state, opt, lrs, k, standalone, m_factorized)
                record = t_start < P or t_start + tb > T - P
                t0 = time.time()
                if standalone:
                    args = self._run_args(model, state, k)
                    device.run(str(directory), with_output=False, run_args=args)
                    state = self._read_state(model, tb)
                    for mon in model.spike_monitors:
                        spikes[mon.source.name][0].append(np.array(mon.t_[:]) + t_start)
                        spikes[mon.source.name][1].append(np.array(mon.i[:]))
                    run["sq_rows"].append(np.array(model.cost_monitor.sq_[:], dtype=float).T[:1])
                    if record:
                        run["vt"].append(np.array(model.voltage_monitor.t_[:]) + t_start)
                        run["vU"].append(np.array(model.voltage_monitor.U_[:]))
                    device.delete(
                        code=False, data=False, directory=False, run_args=True, force=True
                    )
                else:
                    model.voltage_monitor.active = record
                    brian_net.run(tb * second, namespace=ns)
                if factorized:
                    # state is None in runtime mode: the signals come from the live monitors.
                    t1 = time.time()
                    m_factorized = self._factorized_gradients(model, fcs, state)
                    run["gradient_s"] += time.time() - t1
                run["run_s"] += time.time() - t0
                block = self._block_done(k + 1)
                if block is not None:
                    run.update(
                        k_done=k + 1,
                        state=state,
                        m_factorized=m_factorized,
                        lam_r=[fc.lam_r for fc in fcs] or None,
                        lam=[fc.lam for fc in fcs] or None,
                    )
                    self._report_block(progress, block, k + 1, model, run)
                    if checkpointing:
                        self._checkpoint(run, history)
        finally:
            progress.close()
        history.timing["run_s"] = run["run_s"]
        if factorized:
            history.timing["gradient_s"] = run["gradient_s"]
        if standalone:
            for name, (t, i) in spikes.items():
                history.spikes[name] = (np.concatenate(t), np.concatenate(i).astype(int))
            final = state["cost.sq"][None, :]
            history.sq = np.vstack([*run["sq_rows"], final])
            if run["vt"]:
                self._voltage_windows(history, np.concatenate(run["vt"]), np.hstack(run["vU"]))
        else:
            self._collect_inside(model, history)

    def _block_done(self, k_done):
        """The block that ends after update interval ``k_done``, or None."""
        if k_done < self.n_burn or (k_done - self.n_burn) % self.n_per_block:
            return None
        return (k_done - self.n_burn) // self.n_per_block

    def _report_block(self, progress, block, k_done, model, run):
        t = k_done * float(self.network.params.learning.t_update)
        state = run["state"]
        sq = state["cost.sq"] if state is not None else np.array(model.cost.sq_[:])
        c = float(cost_from_average(sq, t, self.network.params.learning))
        rates = {}
        t_begin = t - (float(self.schedule.block) if block > 0 else t)
        for mon in model.spike_monitors:
            if state is not None:
                times = run["spikes"][mon.source.name][0]
                n = sum(np.count_nonzero(x >= t_begin - 1e-12) for x in times[-self.n_per_block :])
            else:
                n = np.count_nonzero(np.asarray(mon.t_[:]) >= t_begin - 1e-12)
            rates[mon.source.name] = n / max(t - t_begin, 1e-12) / len(mon.source)
        progress.update(block, t, c, rates)

    def _checkpoint(self, run, history):
        """Write the checkpoint and the metrics of the blocks done, atomically."""
        from superspike_brian.rundir import write_metrics
        from superspike_brian.training import checkpoint as ckpt

        partial = History(initial_weights=history.initial_weights)
        partial.spikes = {
            name: (np.concatenate(t), np.concatenate(i).astype(int))
            for name, (t, i) in run["spikes"].items()
        }
        partial.sq = np.vstack([*run["sq_rows"], run["state"]["cost.sq"][None, :]])
        self._metrics(partial, n_done=run["k_done"])
        write_metrics(self._out, partial.metrics)
        # After the metrics: a checkpoint is never ahead of the blocks on disk.
        ckpt.save(self._out, self, run)

    def _n_syn(self, l):
        s = self.network.layer_sizes
        return s[l - 1] * s[l]

    def _controller_update(self, model, state, opt, lrs, k, standalone, m_factorized=None):
        lp = self.network.params.learning
        for l, s in enumerate(model.connections, start=1):
            if m_factorized is not None:
                m = m_factorized[l - 1]
            elif standalone:
                m = state[f"{s.name}.m"]
            else:
                m = np.array(s.m_[:], dtype=float)
            w = state[f"{s.name}.w"] if standalone else np.array(s.w_[:], dtype=float)
            st = {"w": w, "m": m, "v": opt[l - 1]["v"]}
            apply_update(st, lrs[l - 1][k], lp)
            if not standalone:
                s.w_[:] = st["w"]
                if m_factorized is None:
                    s.m_[:] = st["m"]
                    s.v_[:] = st["v"]

    def _factorized_gradients(self, model, fcs, state):
        """Accumulators of the interval just simulated, from per-neuron signals."""
        net = self.network
        rp = net.params.regularizer
        sizes = net.layer_sizes
        mons = model.signal_monitors

        def signal(l, name):
            return np.array(getattr(mons[l], name + "_")[:], dtype=float).T  # (T, n)

        if state is not None:
            W = [
                state[f"conn_{l}.w"].reshape(sizes[l - 1], sizes[l]).T * 1e3
                for l in range(1, len(sizes))
            ]
        else:
            W = model.weights()
        L = len(sizes) - 1
        E = [None] * (L + 1)
        E[L] = signal(L, "err")
        fbs = net.feedback_matrices()
        for l in range(L - 1, 0, -1):
            E[l] = hidden_error(net.feedback, E[l + 1], W_next_mV=W[l], B=fbs[l - 1])
        ms = []
        for l in range(1, L + 1):
            reg = bool(net.regularizer) and l < L
            m = fcs[l - 1].accumulate(
                signal(l, "sigma_prime"),
                signal(l - 1, "zt"),
                E[l],
                zh=signal(l, "zh") if reg else None,
                W=W[l - 1] if reg else None,
                rho=float(rp.rho * mV) if reg else 0.0,
                a_exp=float(rp.a),
            )
            ms.append(m.T.ravel())
        if state is None:
            for mon in mons:
                mon.resize(0)
        return ms

    def _read_state(self, model, tb):
        state = {}
        for group, name in model.carried_state():
            values = np.array(getattr(group, name + "_")[:], dtype=float)
            if name == "lastspike":
                # The next trial restarts at t = 0: keep the time since the spike.
                values = values - tb
            state[f"{group.name}.{name}"] = values
        return state

    def _run_args(self, model, state, k):
        offset = (
            k * int(round(float(self.network.params.learning.t_update / self.network.params.dt)))
        ) % model.n_period
        args = {model.input.step_offset: offset, model.output.step_offset: offset}
        if state is None:
            return args
        for group, name in model.carried_state():
            var = group.variables[name]
            args[getattr(group, name)] = Quantity(state[f"{group.name}.{name}"], dim=var.dim)
        return args

    # ------------------------------------------------------------------ metrics
    def _metrics(self, history, n_done=None):
        """Metrics rows of the blocks done (all of them unless ``n_done`` intervals)."""
        lp = self.network.params.learning
        tb = float(lp.t_update)
        n_done = self.n_updates if n_done is None else n_done
        times = np.arange(n_done + 1) * tb
        history.update_times = times
        history.cost = cost_from_average(history.sq, times, lp)
        s = self.schedule
        ref_scale = reference_scale(self.network.n_out)
        rows = []
        names = [self.network.layer_name(l) for l in range(1, self.network.n_connections + 1)]
        for b in range(s.n_blocks + 1):
            idx = self.n_burn + b * self.n_per_block
            if idx > n_done:
                break
            t_end = idx * tb
            t_begin = 0.0 if b == 0 else t_end - float(s.block)
            span = max(t_end - t_begin, 1e-12)
            row = {
                "block": b,
                "time_s": t_end,
                "cost": float(history.cost[idx]),
                "cost_ref": float(history.cost[idx]) * ref_scale,
            }
            for name in names:
                t, _ = history.spikes.get(name, (np.array([]), None))
                n = np.count_nonzero((t >= t_begin - 1e-12) & (t < t_end - 1e-12))
                size = self.network.layer_sizes[names.index(name) + 1]
                key = "output_rate_hz" if name == "output" else f"{name}_rate_hz"
                row[key] = n / span / size
            if len(names) > 1:
                row["hidden_rate_hz"] = float(np.mean([row[f"{n}_rate_hz"] for n in names[:-1]]))
            rows.append(row)
        history.metrics = rows


class _null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


__all__ = ["Trainer", "History", "LEARN_MODES"]
