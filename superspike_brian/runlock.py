"""One writer per run directory: the lock a run holds while it writes.

A training (command line or :meth:`Trainer.run`), a resume, a collect and a
sweep's run hold an exclusive lock on their run directory while they write
it; a second writer is refused at once with :class:`RunBusy`, whose message
names the holder's process and command. The lock is the kernel's
(``fcntl.flock`` on ``DIR/.writer.lock``), as the build lock is: it dies with
its process, so a killed run never blocks the next one; the file keeps the
holder's description, so the next writer can say whose lock it took over.

A sweep's worker holds the lock of a run for the whole life of the training
it starts; it hands it to that child through :data:`HANDED_DOWN`
(``"<pid>:<directory>"``), which the child accepts only from its own parent
for that directory.

:mod:`superspike_brian.rundir` re-exports these names; it owns run directories.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import socket
import sys
import time
from pathlib import Path

from superspike_brian import logs

_log = logs.get_logger(__name__)

__all__ = [
    "RunBusy",
    "writer_lock",
    "lock_holder",
    "other_writer",
    "busy_message",
    "LOCK_FILE",
    "HANDED_DOWN",
    "handed_down",
]

#: The lock file inside a run directory (not one of the run's files: --overwrite keeps it).
LOCK_FILE = ".writer.lock"
#: Environment variable by which a parent that holds a run's lock hands it to its child.
HANDED_DOWN = "SUPERSPIKE_RUN_LOCK"

#: Locks this process holds: resolved directory -> [open lock file, depth].
_held = {}


class RunBusy(RuntimeError):
    """A run directory is being written by another process (named in the message)."""


def _describe():
    command = shlex.join(["superspike", *sys.argv[1:]] if _is_cli() else sys.argv)
    if len(command) > 160:
        command = command[:157] + "..."
    return (
        f"process {os.getpid()} on {socket.gethostname()} ({command}),"
        f" since {time.strftime('%Y-%m-%d %H:%M:%S')}"
    )


def _is_cli():
    return bool(sys.argv) and Path(sys.argv[0]).name in ("superspike", "__main__.py")


def _pid(text):
    """The process id and host in a holder description, or (None, None)."""
    parts = text.split()
    if len(parts) >= 4 and parts[0] == "process" and parts[1].isdigit() and parts[2] == "on":
        return int(parts[1]), parts[3]
    return None, None


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def lock_holder(out):
    """The description of the process writing ``out`` now, or None.

    Read without taking the lock (a reader must never make a writer fail): the
    holder recorded in the lock file, if its process still runs on this host.
    """
    try:
        text = (Path(out) / LOCK_FILE).read_text().strip()
    except OSError:
        return None
    pid, host = _pid(text)
    if pid is None:
        return None
    if host == socket.gethostname() and not _alive(pid):
        return None
    return text


def other_writer(out):
    """Who writes ``out`` now, when it is neither this process nor its lock-handing parent."""
    text = lock_holder(out)
    if text is None:
        return None
    pid, host = _pid(text)
    if host == socket.gethostname() and pid in (os.getpid(), _handing_parent(out)):
        return None
    return text


def _handing_parent(out):
    value = os.environ.get(HANDED_DOWN, "")
    pid, _, path = value.partition(":")
    return int(pid) if pid.isdigit() and path == str(Path(out).resolve()) else None


def busy_message(out, holder):
    """The one line that refuses a second writer of ``out``."""
    return (
        f"{out} is being written by {holder}; wait for it to end (or stop it) before writing there"
    )


def handed_down(out):
    """Environment for a child process that writes ``out`` under this process's lock."""
    return {HANDED_DOWN: f"{os.getpid()}:{Path(out).resolve()}"}


def _is_handed_down(resolved):
    return os.environ.get(HANDED_DOWN) == f"{os.getppid()}:{resolved}"


@contextlib.contextmanager
def writer_lock(out, *, say=None):
    """Hold the writer lock of run directory ``out`` (created if missing).

    Re-entrant within a process (the command line locks, then the trainer it
    calls locks again). Released at the end of the block; a lock left by a
    killed process is taken over, and ``say`` (default: stderr) tells so.

    Parameters
    ----------
    out : path
        Run directory.
    say : callable, optional
        Receives the one-line notice of a lock taken over.

    Raises
    ------
    RunBusy
        Another process holds the lock; the message names it.
    PermissionError
        ``out`` cannot be created or written.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"the run directory {out} is a file; give a directory")
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PermissionError(f"cannot create the run directory {out}: {exc.strerror}") from None
    resolved = out.resolve()
    if resolved in _held:
        _held[resolved][1] += 1
        try:
            yield out
        finally:
            _held[resolved][1] -= 1
        return
    if _is_handed_down(resolved):
        yield out  # the parent holds it for this process
        return
    try:
        fh = open(resolved / LOCK_FILE, "a+")
    except OSError as exc:
        raise PermissionError(
            f"cannot write into the run directory {out}: {exc.strerror}"
        ) from None
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        raise RunBusy(busy_message(out, holder)) from None
    fh.seek(0)
    left = fh.read().strip()
    if left:
        # A holder that ended normally empties the file: this one was killed.
        notice = f"{out}: taking over the lock left by {_short(left)}, which no longer runs"
        (say or _stderr)(notice)
    fh.seek(0)
    fh.truncate()
    fh.write(_describe() + "\n")
    fh.flush()
    _held[resolved] = [fh, 1]
    try:
        yield out
    finally:
        del _held[resolved]
        try:
            fh.seek(0)
            fh.truncate()
            fh.flush()
        except OSError:
            pass
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()
        if created and os.listdir(resolved) == [LOCK_FILE]:
            # Nothing was written (the run was refused before it began): leave no trace.
            with contextlib.suppress(OSError):
                (resolved / LOCK_FILE).unlink()
                resolved.rmdir()


def _short(text):
    pid, _ = _pid(text)
    return f"process {pid}" if pid is not None else text


def _stderr(message):
    _log.warning(message)
