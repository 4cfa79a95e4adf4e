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
import time
from pathlib import Path

from brian2 import prefs, set_device
from brian2.devices.device import all_devices, reset_device

from superspike_brian.choices import DEVICES
from superspike_brian.training import compiler


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
def build_lock(directory, *, say=None, poll=1.0):
    """Hold an exclusive lock on a build directory (one run at a time uses it).

    The lock is the kernel's (``flock``): it dies with the process that holds
    it, so a killed run never leaves a lock behind. The lock file records the
    holder's process id; a run that has to wait says which process it waits for.

    Raises
    ------
    PermissionError
        The directory cannot be created or written (the message names it and
        the variable that moves the cache).
    """
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fh = open(directory / ".lock", "a+")
    except OSError as exc:
        raise PermissionError(
            f"cannot use the build directory {directory} ({exc.strerror}); set"
            " SUPERSPIKE_BUILD_DIR to a writable directory, or give --build-dir"
        ) from None
    with fh:
        waited = False
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited and say is not None:
                    fh.seek(0)
                    holder = fh.read().strip() or "another process"
                    say(f"waiting for {directory}, in use by {holder} ...")
                waited = True
                time.sleep(poll)
        fh.seek(0)
        fh.truncate()
        fh.write(f"process {os.getpid()}\n")
        fh.flush()
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
    prefs.devices.cpp_standalone.extra_make_args_unix = compiler.make_arguments()
    set_device(name, build_on_run=False, directory=str(directory))


def release(name):
    """Drop everything a standalone device holds of earlier builds, and collect it.

    Brian2 names objects after the names that are free in the process; a
    device (or a cycle of objects) that still holds the objects of an earlier
    build would give the next build other names, other code and a recompile.
    """
    import gc

    if name != "runtime" and name in all_devices:  # brian2cuda registers on import
        all_devices[name].reinit()
    gc.collect()


def deactivate():
    """Return to the runtime device."""
    reset_device("runtime")
