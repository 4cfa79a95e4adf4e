"""Brian2 devices: runtime, cpp_standalone and cuda_standalone.

One option, ``device``, selects the target everywhere; model code does not change
between targets. This module switches Brian2's global device safely (a standalone
device must be re-initialised before a second network is built in the same
process) and keeps standalone builds in directories keyed by what shapes the
generated code, so that runs of the same model reuse compiled objects.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from brian2 import prefs, set_device
from brian2.devices.device import all_devices, reset_device

from superspike_brian.choices import DEVICES


def check_device(name):
    """Raise a clear error for an unknown device name."""
    if name not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}; got {name!r}")
    return name


def default_build_root():
    """Where standalone builds are cached (SUPERSPIKE_BUILD_DIR overrides)."""
    root = os.environ.get("SUPERSPIKE_BUILD_DIR")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / ("superspike-brian")


@contextlib.contextmanager
def build_lock(directory):
    """Hold an exclusive lock on a build directory (one run at a time uses it)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield directory
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def activate(name, *, directory=None, codegen_target="numpy", float32=False):
    """Make ``name`` Brian2's current device.

    Parameters
    ----------
    name : {'runtime', 'cpp_standalone', 'cuda_standalone'}
    directory : path, optional
        Project directory of a standalone device.
    codegen_target : {'numpy', 'cython'}
        Code generation target of the runtime device.
    float32 : bool
        Simulate in single precision (default float64).
    """
    import numpy as np

    check_device(name)
    prefs.core.default_float_dtype = np.float32 if float32 else np.float64
    if name == "runtime":
        reset_device("runtime")
        prefs.codegen.target = codegen_target
        return
    if name == "cuda_standalone":
        import brian2cuda  # noqa: F401 - registers the device
    dev = all_devices[name]
    dev.reinit()
    # Spin-waiting OpenMP threads on shared cores were 200x slower here.
    prefs.devices.cpp_standalone.openmp_threads = 0
    # Brian2's default "make -j" starts every compile job at once: dozens of
    # compilers on two cores. One job per core compiles as fast without that.
    prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{os.cpu_count() or 1}"]
    set_device(name, build_on_run=False, directory=str(directory))


def deactivate():
    """Return to the runtime device."""
    reset_device("runtime")
