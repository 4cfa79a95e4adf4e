"""Standalone projects for another machine: generate here, run there, collect here.

:func:`generate` writes a self-contained Brian2 project (C++ or CUDA) that
trains a model entirely inside one binary, with ``manifest.json`` naming the
result file of every recorded quantity, and the training's description as data:
``config.json`` (network, task, schedule and options, as a run directory holds
them), ``task.npz`` (the task's rasters) and ``initial_weights.npz``. No pickles:
a later version of the package reads the description, and reading it runs no
code from the project. :func:`superspike_brian.training.collect.collect` turns
the results of a run on another machine (a GPU node) into an ordinary run
directory, without Brian2's in-process device state.
"""

from __future__ import annotations

from pathlib import Path

from superspike_brian import rundir
from superspike_brian.devices import codegen
from superspike_brian.devices.session import Session
from superspike_brian.feedforward.builder import build_on_device
from superspike_brian.files import atomic_write, write_json, write_npz
from superspike_brian.training import loop

__all__ = ["generate", "TASK_FILE", "INITIAL_WEIGHTS_FILE", "OLD_DESCRIPTION"]

#: The task's rasters (and XOR windows), as a run directory's task.npz holds them.
TASK_FILE = "task.npz"
#: The network's initial weights (mV), ``w_init_1`` ... per connection.
INITIAL_WEIGHTS_FILE = "initial_weights.npz"
#: The pickle that described a project up to version 0.1.0 (not read any more).
OLD_DESCRIPTION = "superspike.pkl"


def generate(plan, directory, *, compile=False, compute_capability=None):
    """Write a standalone project that runs the whole training of ``plan`` as one binary.

    Parameters
    ----------
    plan : RunPlan
        A trainer's plan (:meth:`~superspike_brian.training.trainer.Trainer.plan`),
        with ``learn='inside'`` on cpp_standalone or cuda_standalone.
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

    if plan.device == "runtime":
        raise ValueError(
            "generate() writes a standalone project: use device='cpp_standalone'"
            " or 'cuda_standalone'"
        )
    if plan.learn != "inside":
        raise ValueError("a standalone project trains with learn='inside'")
    directory = Path(directory).absolute()
    net = plan.network
    cc = compute_capability or codegen.COMPUTE_CAPABILITY
    with Session(plan.device, directory, float32=plan.float32, lock=False) as session:
        if plan.device == "cuda_standalone":
            codegen.configure_cuda(cc)
        _, model = build_on_device(net, plan.task, plan.learning_rates, **plan.model_options)
        segments = loop.voltage_segments(plan.timeline.duration, plan.task.period)
        session.say(f"generating {plan.device} project in {directory} ...")
        session.prepare(model, segments, compile=False)
        manifest = {"device": plan.device, "arrays": codegen.manifest_entries(model)}
    codegen.patch_makefile(directory)
    write_json(directory / "manifest.json", manifest)
    write_json(directory / "config.json", plan.config)
    write_npz(directory / TASK_FILE, **rundir.task_arrays(plan.task))
    write_npz(
        directory / INITIAL_WEIGHTS_FILE,
        **{f"w_init_{l}": w for l, w in enumerate(net.initial_weights(), start=1)},
    )
    atomic_write(directory / "README.md", _readme(plan, directory, cc))
    if compile:
        codegen.compile_project(directory, plan.device)
    return directory


def _readme(plan, directory, compute_capability):
    net = plan.network
    cuda = plan.device == "cuda_standalone"
    return codegen.README.format(
        device=plan.device,
        version=rundir.package_version(),
        description=f"{net.layer_sizes} network, {net.feedback} feedback, task {plan.task.name!r}",
        n_blocks=plan.schedule.n_blocks,
        block=float(plan.schedule.block),
        t_update=float(net.params.learning.t_update),
        needs="an NVIDIA GPU, nvcc and make" if cuda else "a C++ compiler and make",
        note=f"compute capability {compute_capability}" if cuda else "g++",
        dirname=directory.name,
        curand=CURAND_NOTE if cuda else "",
    )


CURAND_NOTE = """The CUDA build links cuRAND. The makefile looks for its headers and library
where they were on the machine that generated the project (`CURAND_INC`,
`CURAND_LIB` at its top). Elsewhere, point them to yours, or leave them empty
to use the CUDA toolkit's own cuRAND:

    make -j CURAND_INC= CURAND_LIB=                                   # toolkit's cuRAND
    make -j CURAND_INC=$HOME/venv/lib/python3.12/site-packages/nvidia/cu13/include \\
            CURAND_LIB=$HOME/venv/lib/python3.12/site-packages/nvidia/cu13/lib
"""
