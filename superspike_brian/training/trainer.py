"""The trainer: a network, a task, a schedule and where to run them.

:class:`Trainer` checks a combination of options once, then trains: it computes
the model's values (:mod:`superspike_brian.feedforward.values`), builds the model in
a :class:`~superspike_brian.devices.session.Session` with the chosen engine
(:mod:`superspike_brian.engines`), runs it inside one execution or interval by
interval (:mod:`superspike_brian.training.loop`), and writes the run directory.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
from brian2 import second

from superspike_brian import devices, engines, logs, rundir
from superspike_brian.devices.session import Session
from superspike_brian.feedforward.builder import build_on_device
from superspike_brian.feedforward.network import SuperSpikeNetwork
from superspike_brian.tasks.task import Task
from superspike_brian.training import checkpoint, health, loop, memory
from superspike_brian.training.history import History, block_metrics
from superspike_brian.training.plan import RunPlan
from superspike_brian.training.schedule import Schedule, timeline
from superspike_brian.validation import steps_of

_log = logs.get_logger(__name__)

__all__ = ["Trainer", "History", "LEARN_MODES"]

LEARN_MODES = engines.LEARN_MODES


class Trainer:
    """Train a :class:`SuperSpikeNetwork` on a :class:`Task`.

    Parameters
    ----------
    network : SuperSpikeNetwork
    task : Task
    device : {'runtime', 'cpp_standalone', 'cuda_standalone'}
        Brian2 target (default 'cpp_standalone', as on the command line: the
        fast path, one binary per model structure; 'runtime' needs no compiler).
    learn : {'inside', 'controller'}
        Where the weight update runs: 'inside' the simulation, so that a whole
        training is one run, or in the Python 'controller' between update
        intervals. Default 'inside', except for the factorized engine on
        runtime ('controller').
    engine : {'synaptic', 'factorized'}
        'synaptic' (default): per-synapse eligibility equations, the reference
        form and the GPU path. 'factorized': Brian2 simulates neurons and traces
        only; the accumulators come exactly from per-neuron signals once per
        update interval, with numpy in the controller or, with learn='inside' on
        cpp_standalone, with C++ inside the binary (:mod:`superspike_brian.engines`).
        Much faster for large networks.
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
        device="cpp_standalone",
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
        self.learn = engines.check(engine, learn, device)
        self.engine = engine
        self.schedule = schedule if schedule is not None else Schedule()
        if not isinstance(self.schedule, Schedule):
            raise TypeError("schedule must be a Schedule")
        self.codegen_target = codegen_target
        self.float32 = bool(float32)
        self.record_voltage = int(record_voltage)
        self.progress = progress
        self.profile = bool(profile)
        self.build_dir = build_dir
        p = network.params
        steps_of("t_update", p.learning.t_update, p.dt)
        memory.check(network, steps_of("period", task.period * second, p.dt))
        self.timeline = timeline(self.schedule, p.learning.t_update, p.dt)
        #: Per connection, the learning rate (volts) of every update of the schedule.
        self.schedule_rates = self.learning_rates()

    @property
    def n_updates(self):
        """Update intervals of the whole training."""
        return self.timeline.n_updates

    def learning_rates(self):
        """Per connection, the learning rate (volts) of each update."""
        lp = self.network.params.learning
        base = self.schedule.learning_rates(lp.r0, lp.t_update)
        return [
            np.zeros_like(base) if (c in self.network.fixed) else base
            for c in range(1, self.network.n_connections + 1)
        ]

    # ----------------------------------------------------------- description
    def config(self):
        """Everything needed to re-create this trainer, as JSON-able data."""
        return {
            "format": rundir.CONFIG_FORMAT,
            "task": {
                "name": self.task.name,
                "kind": self.task.kind,
                "n_in": self.task.n_in,
                "n_out": self.task.n_out,
            },
            "period_s": self.task.period,
            "network": self.network.config(),
            "schedule": self.schedule.to_config(),
            "device": self.device,
            "learn": self.learn,
            "engine": self.engine,
            "float32": self.float32,
            "codegen_target": self.codegen_target,
            "record_voltage": self.record_voltage,
            "package": rundir.package_info(),
            "versions": rundir.versions(),
        }

    def fingerprint(self):
        """What must not change between a run and its resumption.

        Everything but the number of blocks: a run may be resumed with more
        blocks than it had, to continue it.
        """
        config = self.config()
        for key in ("versions", "package", "codegen_target"):
            config.pop(key, None)
        config["schedule"].pop("n_blocks")
        return json.loads(json.dumps(config, default=str))

    def structure_key(self):
        """Hash of what shapes the generated code (the build directory's name).

        Besides the network's structure: precision, engine, learn mode, the
        membrane monitor, profiling and, for a run chunk by chunk, the length
        of a chunk (a block inside the simulation, an interval in the controller).
        """
        extra = [self.float32, self.engine, self.learn, self.record_voltage]
        if loop.chunked(self.learn, self.device):
            cap = loop.capacity(self.learn, self.timeline)
            extra.append(["chunk", cap, float(self.timeline.t_update)])
        if self.profile:
            extra.append("profile")
        return self.network.structure_key(self.task, extra)

    def build_directory(self):
        """The standalone project directory of this trainer (None on runtime)."""
        if self.device == "runtime":
            return None
        if self.build_dir:
            return Path(self.build_dir)
        key = f"{self.structure_key()}-{devices.toolchain_key(self.device)}"  # compiler and CPU
        return devices.default_build_root() / f"{self.device}-{self.learn}-{key}"

    # ------------------------------------------------------------------ runs
    def run(self, out=None, *, resume=False, overwrite=False, extra_config=None, figures=True):
        """Train; returns a :class:`History` (and writes it to ``out`` if given).

        Parameters
        ----------
        out : path, optional
            Run directory. ``config.json`` is written first (``status: running``);
            on a standalone device a checkpoint (``checkpoint.npz``) and the
            metrics of the blocks done so far are written atomically at block
            ends (every block with the controller; after each execution of the
            binary, one or several blocks, when learning inside), so an
            interrupted run keeps them; the complete run directory is written
            at the end (``status: complete``). A numerical fault
            (:class:`~superspike_brian.training.health.NumericalFault`) leaves
            ``status: failed`` and the fault's message (``fault``).
        resume : bool
            Continue from ``out/checkpoint.npz`` (standalone devices; the result
            equals an uninterrupted run bit for bit). A schedule with more blocks
            continues a finished run. A run directory without a checkpoint starts
            from the beginning.
        overwrite : bool
            Replace the run in ``out``; without it (or ``resume``) a directory
            that holds a run is refused, so that no result is lost silently.
        extra_config : dict, optional
            Stored in ``config.json`` besides the trainer's own configuration.
        figures : bool
            Draw the figures at the end (default True).
        """
        if out is None:
            return self._run(out, resume, overwrite, extra_config, figures)
        # One writer per run directory: a second one is refused (rundir.RunBusy).
        with rundir.writer_lock(out):
            return self._run(out, resume, overwrite, extra_config, figures)

    def _run(self, out, resume, overwrite, extra_config, figures):
        if self.device == "cuda_standalone":
            from superspike_brian.devices import codegen

            codegen.require_gpu()
        state = self._start(out, resume, overwrite, extra_config)
        t0 = time.time()
        try:
            with Session(
                self.device,
                self.build_directory(),
                float32=self.float32,
                codegen_target=self.codegen_target,
                progress=self.progress,
            ) as session:
                history = self._train(session, state, out)
            history.timing["total_s"] = time.time() - t0
            block_metrics(history, self.network, self.timeline)
            if not loop.chunked(self.learn, self.device):
                # One execution: the blocks are checked once it ended.
                health.check_history(history)
        except health.NumericalFault as fault:
            if out is not None:
                # Read by whoever lists the runs; resume still starts from the
                # last good checkpoint (with a smaller learning rate, say).
                config = dict(self.config(), **(extra_config or {}))
                rundir.write_config(out, dict(config, status="failed", fault=str(fault)))
            raise
        if out is not None:
            # The checkpoint stays: it is the final state, from which a longer
            # schedule continues the run (resume=True with more blocks).
            self.write(out, history, extra_config=extra_config, figures=figures)
        return history

    def _start(self, out, resume, overwrite, extra_config):
        """Write the config of a starting run; the checkpoint to resume from, or None."""
        if out is None:
            if resume:
                raise ValueError("resume=True needs the run directory: run(out=DIR, resume=True)")
            return None
        rundir.prepare(out, resume=resume, overwrite=overwrite)
        state = None
        if resume:
            state = checkpoint.load(out, self.fingerprint())
            if state is None:
                self._say(f"no checkpoint in {out}: starting from the beginning")
            elif state.k_done > self.n_updates:
                raise ValueError(
                    f"the run in {out} has done {state.k_done} update intervals, more than"
                    f" the {self.n_updates} of this schedule: give at least as many blocks"
                )
            else:
                self._say(
                    f"resuming {out} after {state.k_done} of {self.n_updates} update intervals"
                )
        config = dict(self.config(), **(extra_config or {}), status="running")
        rundir.write_config(out, config)
        return state

    def plan(self):
        """What a training of this trainer executes (:class:`RunPlan`)."""
        return RunPlan(
            network=self.network,
            task=self.task,
            schedule=self.schedule,
            timeline=self.timeline,
            learning_rates=tuple(self.schedule_rates),
            device=self.device,
            learn=self.learn,
            engine=self.engine,
            float32=self.float32,
            record_voltage=self.record_voltage,
            progress=self.progress,
            profile=self.profile,
            fingerprint=self.fingerprint(),
            config=self.config(),
        )

    def _train(self, session, state, out):
        plan = self.plan()
        chunked = loop.chunked(plan.learn, plan.device)
        table = None
        if chunked and plan.learn == "inside":
            # The binary's learning-rate tables hold one chunk of the schedule.
            cap = loop.capacity(plan.learn, plan.timeline)
            table = loop.chunk_rates(plan.learning_rates, 0, cap)
        values, model = build_on_device(
            plan.network,
            plan.task,
            plan.learning_rates,
            table=table,
            scalars_as_arguments=chunked and session.standalone,
            **plan.model_options,
        )
        history = History(initial_weights=[w.copy() for w in values.weights])
        history.voltage_units = model.voltage_units
        if chunked:
            loop.run_chunks(plan, session, model, history, state=state, out=out)
            history.weights = session.weights()
        else:
            loop.run_inside(plan, session, model, history)
            history.weights = model.weights()
        return history

    def write(self, out, history, *, extra_config=None, figures=True):
        """Write the complete run directory of a finished training."""
        config = dict(self.config(), timing=history.timing, **(extra_config or {}))
        config["status"] = "complete"
        files = {"metrics.csv": rundir.write_metrics(out, history.metrics)}
        files.update(rundir.write_results(out, history, self.task))
        # Last, with the checksums of the files above: a run killed before this
        # line is still "running" and resumes, never "complete" with stale files.
        rundir.write_config(out, config, files={k: v for k, v in files.items() if v})
        if figures:
            from superspike_brian.reporting.figures import make_figures

            make_figures(out)

    # ------------------------------------------------------ standalone projects
    def generate(self, directory, *, compile=False, compute_capability=None):
        """Write a standalone project that runs the whole training as one binary.

        See :func:`superspike_brian.training.project.generate`.
        """
        from superspike_brian.training import project

        return project.generate(
            self.plan(), directory, compile=compile, compute_capability=compute_capability
        )

    def _say(self, msg):
        if self.progress:
            _log.info(msg)
