"""Brian2 code generation for standalone projects: CUDA settings, compiling, result files.

The projects themselves are written and read back by
:mod:`superspike_brian.training.project`; this module holds what depends on
the code generator: brian2cuda's preferences on machines with or without a GPU,
the makefile patch, ``make``, and the manifest of result files.

What brian2cuda 1.0b1 needs on machines without a GPU (found by trying it): GPU
detection off, with ``gpu_id`` and ``compute_capability`` given; cuRAND headers and
``libcurand.so`` from the ``nvidia-curand`` wheel when the CUDA toolkit lacks them;
and ``-std=c++17`` instead of the template's ``-std=c++11`` (CUDA 13's thrust needs
C++17), patched into the generated makefile.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
from brian2 import prefs

from superspike_brian.files import atomic_write

COMPUTE_CAPABILITY = 9.0  # H100 / H200


def check_compute_capability(value):
    """A compute capability like 9.0 or '8.6'."""
    text = str(value)
    if not re.fullmatch(r"\d{1,2}\.\d", text):
        raise ValueError(
            f"compute capability must look like 9.0 (major.minor, e.g. 8.0 for A100,"
            f" 9.0 for H100/H200); got {value!r}"
        )
    return float(text)


def gpu_available():
    """True when an NVIDIA GPU answers nvidia-smi."""
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    try:
        return subprocess.run([smi, "-L"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def require_gpu():
    """Raise a RuntimeError saying how to proceed when no GPU can run cuda_standalone."""
    if not gpu_available():
        raise RuntimeError(
            "device='cuda_standalone' needs an NVIDIA GPU to run, and none was found"
            " (nvidia-smi). To generate and compile the CUDA project here and run"
            " it on a GPU machine: Trainer.generate(directory, compile=True), or"
            " `superspike codegen ... --device cuda_standalone --out DIR --compile`"
        )
    configure_cuda(detect_gpus=True)


def curand_paths():
    """(include, lib) directories of the nvidia-curand wheel, or None.

    The wheel installs under ``nvidia/cu13`` (CUDA 13) or ``nvidia/curand``
    (older releases); the linker needs a ``libcurand.so`` link it does not ship.
    """
    import importlib.util

    spec = importlib.util.find_spec("nvidia")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        for header in sorted(Path(root).glob("*/include/curand.h")):
            inc = header.parent
            lib = inc.parent / "lib"
            link = lib / "libcurand.so"
            if not link.exists():
                versions = sorted(lib.glob("libcurand.so.*"))
                if not versions:
                    continue
                try:
                    link.symlink_to(versions[0].name)
                except OSError:
                    continue
            return inc, lib
    return None


def configure_cuda(compute_capability=COMPUTE_CAPABILITY, gpu_id=0, detect_gpus=None):
    """Set brian2cuda's preferences for this machine (GPU or not)."""
    from superspike_brian.devices import require_brian2cuda

    require_brian2cuda()
    cc = check_compute_capability(compute_capability)
    if detect_gpus is None:
        detect_gpus = gpu_available()
    backend = prefs.devices.cuda_standalone.cuda_backend
    backend.detect_gpus = bool(detect_gpus)
    if not detect_gpus:
        backend.gpu_id = int(gpu_id)
        backend.compute_capability = cc
    paths = curand_paths()
    if paths:
        inc, lib = (str(p) for p in paths)
        if inc not in prefs.codegen.cpp.include_dirs:
            prefs.codegen.cpp.include_dirs = [*prefs.codegen.cpp.include_dirs, inc]
        if lib not in prefs.codegen.cpp.library_dirs:
            prefs.codegen.cpp.library_dirs = [*prefs.codegen.cpp.library_dirs, lib]
            prefs.codegen.cpp.runtime_library_dirs = [
                *prefs.codegen.cpp.runtime_library_dirs,
                lib,
            ]


def patch_makefile(directory):
    """Make a generated makefile build on another machine.

    C++17 where brian2cuda's template asks for C++11, and the cuRAND paths of
    this machine (from the ``nvidia-curand`` wheel) turned into the make
    variables ``CURAND_INC`` and ``CURAND_LIB``, with this machine's paths as
    defaults: ``make CURAND_INC=... CURAND_LIB=...`` points them elsewhere, and
    empty values use the CUDA toolkit's own cuRAND.
    """
    paths = curand_paths()
    for name in ("makefile", "Makefile"):
        path = Path(directory) / name
        if not path.exists():
            continue
        text = path.read_text().replace("-std=c++11", "-std=c++17")
        if paths:
            inc, lib = (str(p) for p in paths)
            text = text.replace(f"-I{inc}", "$(addprefix -I,$(CURAND_INC))")
            text = text.replace(
                f"-Xlinker -rpath,{lib}", "$(addprefix -Xlinker -rpath$(comma),$(CURAND_LIB))"
            )
            text = text.replace(f"-L{lib}", "$(addprefix -L,$(CURAND_LIB))")
            header = (
                "comma := ,\n"
                f"# cuRAND of the machine that generated this project; override on the\n"
                f"# command line (make CURAND_INC=... CURAND_LIB=...), empty for the toolkit's.\n"
                f"CURAND_INC ?= {inc}\nCURAND_LIB ?= {lib}\n"
            )
            text = header + text
        atomic_write(path, text)


def compile_project(directory, device="cuda_standalone"):
    """Build a generated project with ``make``, saying what, how long and how far it is.

    See :func:`superspike_brian.devices.compiler.compile_project`; raises its
    ``CompileError`` (make failed, ``make.log`` named) and ``CompileInterrupted``.
    """
    from superspike_brian import devices
    from superspike_brian.devices import compiler

    directory = Path(directory)
    return compiler.compile_project(
        directory,
        what=f"the generated {device} project {directory.name}",
        device=device,
        root=devices.default_build_root(),
    )


# ---------------------------------------------------------------- results back
def manifest_entries(model):
    """Result files of a built standalone model: name -> (file, dtype, shape hint)."""
    from brian2 import device

    entries = {}

    def add(key, var, columns=None):
        entries[key] = {
            "file": device.get_array_filename(var),
            "dtype": np.dtype(var.dtype).str,
            "columns": columns,
        }

    for mon in model.spike_monitors:
        add(f"{mon.source.name}_t", mon.variables["t"])
        add(f"{mon.source.name}_i", mon.variables["i"])
    add("cost_sq", model.cost_monitor.variables["sq"], columns=model.net.n_out)
    add("cost_sq_final", model.cost.variables["sq"])
    vm = model.voltage_monitor
    add("voltage_t", vm.variables["t"])
    add("voltage_U", vm.variables["U"], columns=len(vm.record))
    for s in model.connections:
        add(f"{s.name}_w", s.variables["w"])
    return entries


def read_results(directory):
    """Arrays of a standalone run, read with the manifest (no Brian2 needed)."""
    directory = Path(directory)
    manifest = json.loads((directory / "manifest.json").read_text())
    out = {}
    for key, e in manifest["arrays"].items():
        path = directory / "results" / e["file"]
        if not path.exists():
            raise FileNotFoundError(
                f"{path} is missing: run the binary in {directory} first (./main)"
            )
        a = np.fromfile(path, dtype=np.dtype(e["dtype"]))
        if e["columns"]:
            a = a.reshape(-1, e["columns"])
        out[key] = a
    return out, manifest


README = """# Standalone SuperSpike project ({device})

Generated by superspike-brian {version}: {description}.
The whole training (burn-in, {n_blocks} blocks of {block} s, weight updates every
{t_update} s) runs inside one binary; nothing else is needed at run time.

Build and run on a machine with {needs}:

    make -j          # builds ./main ({note})
    ./main           # writes results/

{curand}
Read the results back into a run directory (metrics.csv, weights, figures) on any
machine with superspike-brian installed:

    superspike collect {dirname} --out runs/{dirname}

`manifest.json` names the result file of every recorded quantity; `config.json`
is the configuration of the model.
"""
