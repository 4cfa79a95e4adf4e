"""Standalone projects for another machine: generate here, run there, collect here.

:func:`generate` writes a self-contained Brian2 project (C++ or CUDA) that
trains a model entirely inside one binary, with ``manifest.json`` naming the
result file of every recorded quantity, and the trainer's description as data:
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
from superspike_brian.devices.session import Session, set_clock
from superspike_brian.feedforward.builder import build_model
from superspike_brian.feedforward.values import model_values
from superspike_brian.files import atomic_write, write_json, write_npz
from superspike_brian.training import loop

__all__ = ["generate", "TASK_FILE", "INITIAL_WEIGHTS_FILE", "OLD_DESCRIPTION"]

#: The task's rasters (and XOR windows), as a run directory's task.npz holds them.
TASK_FILE = "task.npz"
#: The network's initial weights (mV), ``w_init_1`` ... per connection.
INITIAL_WEIGHTS_FILE = "initial_weights.npz"
#: The pickle that described a project up to version 0.1.0 (not read any more).
OLD_DESCRIPTION = "superspike.pkl"


def generate(trainer, directory, *, compile=False, compute_capability=None):
    """Write a standalone project that runs the whole training of ``trainer`` as one binary.

    Parameters
    ----------
    trainer : Trainer
        With ``learn='inside'`` on cpp_standalone or cuda_standalone.
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

    if trainer.device == "runtime":
        raise ValueError(
            "generate() writes a standalone project: use device='cpp_standalone'"
            " or 'cuda_standalone'"
        )
    if trainer.learn != "inside":
        raise ValueError("a standalone project trains with learn='inside'")
    directory = Path(directory).absolute()
    net = trainer.network
    cc = compute_capability or codegen.COMPUTE_CAPABILITY
    with Session(trainer.device, directory, float32=trainer.float32, lock=False) as session:
        if trainer.device == "cuda_standalone":
            codegen.configure_cuda(cc)
        set_clock(net)
        values = model_values(net, trainer.task, trainer.learning_rates())
        model = build_model(
            net,
            trainer.task,
            values,
            engine=trainer.engine,
            learn=trainer.learn,
            record_voltage=trainer.record_voltage,
        )
        segments = loop.voltage_segments(trainer.timeline.duration, trainer.task.period)
        session.say(f"generating {trainer.device} project in {directory} ...")
        session.prepare(model, segments, compile=False)
        manifest = {"device": trainer.device, "arrays": codegen.manifest_entries(model)}
    codegen.patch_makefile(directory)
    write_json(directory / "manifest.json", manifest)
    write_json(directory / "config.json", trainer.config())
    write_npz(directory / TASK_FILE, **rundir.task_arrays(trainer.task))
    write_npz(
        directory / INITIAL_WEIGHTS_FILE,
        **{f"w_init_{l}": w for l, w in enumerate(net.initial_weights(), start=1)},
    )
    atomic_write(directory / "README.md", _readme(trainer, directory, cc))
    if compile:
        codegen.compile_project(directory, trainer.device)
    return directory


def _readme(trainer, directory, compute_capability):
    net = trainer.network
    cuda = trainer.device == "cuda_standalone"
    return codegen.README.format(
        device=trainer.device,
        version=rundir.package_version(),
        description=f"{net.layer_sizes} network, {net.feedback} feedback,"
        f" task {trainer.task.name!r}",
        n_blocks=trainer.schedule.n_blocks,
        block=float(trainer.schedule.block),
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
