"""Brian2 devices: runtime, cpp_standalone and cuda_standalone.

The layer below the training and the rule: everything that depends on which
Brian2 device runs a model, and nothing about what the model learns.

``devices`` (this module)
    Switching Brian2's device, build directories and their locks.
:mod:`~superspike_brian.devices.session`
    A network on the active device: build, run, run arguments, results.
:mod:`~superspike_brian.devices.compiler`
    Compiling a standalone project, with progress and a precompiled header.
:mod:`~superspike_brian.devices.toolchain`
    What a compiled binary depends on (compiler, flags, CPU): the build key.
:mod:`~superspike_brian.devices.codegen`
    CUDA projects: brian2cuda's settings, the makefile, the results.
:mod:`~superspike_brian.devices.run_control`
    Stopping a standalone run after a number of steps (run arguments).
:mod:`~superspike_brian.devices.attach`
    Adding variables and code to Brian2 objects that already exist.

One option, ``device``, selects the target everywhere; model code does not change
between targets. This module switches Brian2's global device safely (a standalone
device must be re-initialised before a second network is built in the same
process) and keeps standalone builds in directories keyed by what shapes the
generated code and by the toolchain that compiles it
(:func:`~superspike_brian.devices.toolchain.toolchain_key`), so that runs of the
same model on the same kind of machine reuse compiled objects, one run at a time
(:func:`build_lock`, safe on shared file systems).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
from pathlib import Path

from brian2 import prefs, set_device
from brian2.devices.device import all_devices, reset_device

from superspike_brian import logs
from superspike_brian.cache import default_build_root
from superspike_brian.choices import DEVICES
from superspike_brian.devices import compiler
from superspike_brian.devices.toolchain import require_brian2cuda, toolchain_key

_log = logs.get_logger(__name__)

__all__ = [
    "activate",
    "build_lock",
    "check_device",
    "deactivate",
    "default_build_root",
    "release",
    "require_brian2cuda",
    "toolchain_key",
]


def check_device(name):
    """Raise a clear error for an unknown device name."""
    if name not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}; got {name!r}")
    return name


#: Seconds a build lock's holder may go without refreshing it (a heartbeat every
#: third of it) before a waiting run takes it over: the holder's node crashed or
#: lost the shared file system. Every run sharing a cache must use the same value.
LEASE_S = 120.0

#: What a lock file of versions before filelock held (a kernel lock that died
#: with its process, so such a file alone holds nothing).
_OLD_LOCK = re.compile(r"process \d+\n?")


def _holder(lease):
    """'process PID' (and 'on HOST' when not this machine) of a lock's holder."""
    owner = lease.owner
    if owner is None:
        return "another process"
    if owner.hostname != socket.gethostname():
        return f"process {owner.pid} on {owner.hostname}"
    return f"process {owner.pid}"


def _lost(directory):
    """Stop this process: another run took over its build lock (after it went
    without refreshing the lock for :data:`LEASE_S`, e.g. suspended) and uses the
    directory now. SIGINT stops the run as Ctrl-C does: the binary it runs is
    killed and its run directory resumes from the last checkpoint."""

    def stop(compromise):
        _log.error(
            f"superspike: lost the lock of {directory} ({compromise.reason}): another run"
            " builds there now; stopping (--resume continues this run)"
        )
        os.kill(os.getpid(), signal.SIGINT)

    return stop


@contextlib.contextmanager
def build_lock(directory, *, say=None, poll=1.0, lease_s=None):
    """Hold an exclusive lock on a build directory (one run at a time uses it).

    The lock is the file ``DIRECTORY/.lock``, created exclusively
    (:class:`filelock.SoftFileLease`): unlike a kernel lock (``flock``), which some
    cluster file systems (Lustre, BeeGFS) keep per node or refuse, an exclusive
    create is seen by every node sharing the directory. The file records the
    holder's process id, host and start time; a run that has to wait says which
    process it waits for. A lock whose holder died on this host is taken over
    at once; one whose holder, on any host, stopped refreshing it (every
    ``lease_s / 3`` seconds) for ``lease_s`` seconds is taken over then, and that
    holder, should it wake, stops.

    Parameters
    ----------
    directory : path
        Build directory (created).
    say : callable, optional
        Receives the one line that says whom this run waits for.
    poll : float
        Seconds between attempts while waiting.
    lease_s : float, optional
        Default :data:`LEASE_S`; all runs sharing a directory must agree on it.

    Raises
    ------
    PermissionError
        The directory cannot be created or written (the message names it and
        the variable that moves the cache).
    """
    from filelock import SoftFileLease, Timeout

    directory = Path(directory)
    path = directory / ".lock"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _drop_old_lock_file(path)
        lease = SoftFileLease(
            path, lease_duration=lease_s or LEASE_S, on_compromise=_lost(directory)
        )
        try:
            lease.acquire(blocking=False)
        except Timeout:
            if say is not None:
                say(f"waiting for {directory}, in use by {_holder(lease)} ...")
            lease.acquire(timeout=-1, poll_interval=poll)
    except OSError as exc:
        raise PermissionError(
            f"cannot use the build directory {directory} ({exc.strerror}); set"
            " SUPERSPIKE_BUILD_DIR to a writable directory, or give --build-dir"
        ) from None
    try:
        yield directory
    finally:
        lease.release()


def _drop_old_lock_file(path):
    """Remove a lock file left by a version of this package before filelock.

    Those versions locked the file with ``flock`` and left it behind with
    ``process PID`` in it; the new lock would take it for a marker being
    written and wait.
    """
    try:
        text = path.read_text()
    except (FileNotFoundError, UnicodeDecodeError):
        return
    if _OLD_LOCK.fullmatch(text):
        path.unlink(missing_ok=True)


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
        require_brian2cuda()
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
