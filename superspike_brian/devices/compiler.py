"""Compiling standalone projects: only what changed, with ccache where installed, and saying so.

A project is rebuilt by ``make``; Brian2 rewrites only the files whose content
changed, so a project whose code is unchanged (another seed, duration or data
set of the same structure) compiles nothing. :func:`compile_project` runs
``make`` itself rather than through Brian2, so that a compile

* says when it starts: what, where, how many files, and how long the last
  compile of that many files took on this machine (:data:`TIMES_FILE` in the
  build root keeps one record per host, device and number of files);
* shows its progress (files compiled out of the total);
* stops cleanly on Ctrl-C: ``make`` runs in its own session with its output in
  ``make.log``, so a SIGINT to the terminal's process group reaches only this
  process, which stops ``make`` and raises :class:`CompileInterrupted` (no
  compiler output on the terminal, no advice about options the command line
  does not have). The object files compiled so far stay: the next run compiles
  only the rest;
* parses the headers once: every generated C++ file starts by including
  ``objects.h`` (the declarations of all arrays, with ``<vector>``, ``<random>``
  and the rest of the standard library behind it), which costs more than the
  file's own code. With GCC, :func:`compile_project` precompiles a copy of that
  header for the compile and passes it to each code object (``-include
  .superspike-pch/objects.h``, which the file's own ``#include`` then skips
  through its include guard). The object files are byte for byte those of a
  compile without it, and a whole project compiles in about 60 % of the time.
  The precompiled header (tens of MB) is deleted after the compile, so a stale
  one is never used.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from superspike_brian import logs
from superspike_brian.cores import available_cores
from superspike_brian.files import atomic_write

__all__ = [
    "compiler_command",
    "make_arguments",
    "up_to_date",
    "keep_equivalent_sources",
    "planned_objects",
    "compile_project",
    "CompileError",
    "CompileInterrupted",
    "CompileResult",
    "estimate",
    "TIMES_FILE",
]

#: Lines that reset a clock at the start of a run: Brian2 writes them in the
#: order of a Python set, which changes from process to process.
_CLOCK_RESET = re.compile(r"^\s*_array_\w+_(t|timestep)\[0\] = [^;]*;\s*$")
_CANONICAL = ".superspike-canonical"
#: An object file in a command of ``make -n`` (g++ and nvcc: ``-o name.o``).
_OBJECT = re.compile(r"\s-o\s*(\S+\.o)(?=\s|$)")
#: Compile times per host, device and number of files, in the build root.
TIMES_FILE = "compile_times.json"
#: Where make's own output goes, in the project directory.
MAKE_LOG = "make.log"
#: The header every file of a cpp_standalone project includes first.
_SHARED_HEADER = "objects.h"
#: Fewer files than this compile faster without precompiling the header (it
#: costs about as much as compiling three files).
_PCH_MIN_FILES = 6
#: Where the precompiled header is made, in the project directory (removed after).
_PCH_DIR = ".superspike-pch"
_INCLUDES_SHARED = re.compile(r'^\s*#\s*include\s*"objects\.h"', re.MULTILINE)


class CompileError(RuntimeError):
    """``make`` failed; the message names the project, the last error line and ``make.log``."""


class CompileInterrupted(KeyboardInterrupt):
    """Ctrl-C while compiling; ``make`` was stopped.

    Attributes
    ----------
    directory : Path
    done, total : int
        Object files compiled by this compile before it stopped, and planned.
    """

    def __init__(self, directory, done, total):
        super().__init__(f"interrupted while compiling {directory}")
        self.directory = Path(directory)
        self.done = done
        self.total = total

    def describe(self):
        """One line: where the compile stood (the files done stay for the next run)."""
        kept = "; they are kept, and the next run compiles only the rest" if self.done else ""
        return f"interrupted while compiling ({self.done} of {self.total} files done{kept})"


@dataclass
class CompileResult:
    """What :func:`compile_project` did.

    Attributes
    ----------
    cached : bool
        Nothing needed compiling.
    seconds : float
        Wall time of the compile (0 when cached).
    n_files : int
        Object files compiled.
    """

    cached: bool
    seconds: float
    n_files: int


def compiler_command():
    """The C++ compiler ``make`` runs for a standalone project, as a list of words.

    The generated makefile compiles with ``$(CXX)``: the ``CXX`` environment
    variable where set, else make's default ``g++``.
    """
    return shlex.split(os.environ.get("CXX", "").strip() or "g++")


def make_arguments():
    """``make`` arguments: one job per core this process may use, and ccache in
    front of the compiler if installed (the same compiler as without it)."""
    args = [f"-j{available_cores()}"]
    if shutil.which("ccache"):
        args.append(f"CXX=ccache {shlex.join(compiler_command())}")
    return args


def _variables():
    return [a for a in make_arguments() if "=" in a]


@functools.lru_cache(maxsize=8)
def _is_gcc(command):
    """True when ``command`` is GCC (whose ``.gch`` files ``-include`` picks up)."""
    try:
        result = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0 and "Free Software Foundation" in result.stdout


def _precompiled_header(directory, n_files):
    """Precompile ``objects.h`` for a compile of ``n_files`` files in ``directory``.

    Returns the ``make`` arguments that have each file that includes it take it
    precompiled, or None where it does not apply: not a cpp_standalone project,
    few files, a compiler other than GCC, or ccache in front of the compiler
    (ccache does not cache files compiled with a precompiled header unless told
    to be sloppy). A failure to precompile leaves the compile as it would be
    without.
    """
    directory = Path(directory)
    command = compiler_command()
    if (
        n_files < _PCH_MIN_FILES
        or not (directory / _SHARED_HEADER).is_file()
        or any(directory.glob("*.cu"))
        or shutil.which("ccache")
        or not _is_gcc(tuple(command))
    ):
        return None
    # Only the code objects get it (the files of code_objects/, nearly all of a
    # project): they include the header through -I., as "./objects.h", so the
    # headers behind it are found as "./network.h" and so on, as they are from
    # the copy in _PCH_DIR. The paths compiled into an object (assert messages)
    # are therefore the same and the objects are byte for byte those compiled
    # without. The copy sits in a folder of its own: a precompiled header beside
    # objects.h would be taken by the files at the top too, which find the
    # headers by other names.
    targets = [
        str(source.relative_to(directory).with_suffix(".o"))
        for source in sorted(directory.glob("*/*.cpp"))
        if _INCLUDES_SHARED.search(source.read_text(errors="replace"))
    ]
    if not targets:
        return None
    header = f"{_PCH_DIR}/{_SHARED_HEADER}"
    _remove_precompiled_header(directory)
    (directory / _PCH_DIR).mkdir()
    shutil.copyfile(directory / _SHARED_HEADER, directory / header)
    # The makefile's own flags: a header precompiled with other flags is not used.
    rule = f"_superspike_pch: ; $(CXX) $(CXXFLAGS) -x c++-header {header} -o {header}.gch"
    result = subprocess.run(
        ["make", f"--eval={rule}", "_superspike_pch"],
        cwd=directory,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    if result.returncode != 0:
        _remove_precompiled_header(directory)
        return None
    return [f"--eval={' '.join(targets)}: CXXFLAGS += -include {header}"]


def _remove_precompiled_header(directory):
    shutil.rmtree(Path(directory) / _PCH_DIR, ignore_errors=True)


def up_to_date(directory):
    """True when ``make`` in ``directory`` has nothing to do."""
    directory = Path(directory)
    if not (directory / "main").exists():
        return False
    result = subprocess.run(
        ["make", "-q", "main", *_variables()],
        cwd=directory,
        capture_output=True,
    )
    return result.returncode == 0


def planned_objects(directory):
    """The object files ``make`` would compile in ``directory``, and whether it would link.

    From ``make -n`` (which prints the commands without running them; it does
    update the dependency file ``make.deps`` first, as the real build would).

    Returns
    -------
    (list of str, bool)
        Object files (relative paths) and whether any command would run at all.
    """
    result = subprocess.run(
        ["make", "-n", *_variables()],
        cwd=directory,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    objects, commands = [], False
    for line in result.stdout.splitlines():
        if not line.strip() or line.startswith("make"):
            continue
        commands = True
        if " -MM " in line:  # the dependency list, not an object
            continue
        found = _OBJECT.search(line)
        if found and found.group(1) not in objects:
            objects.append(found.group(1))
    return objects, commands or result.returncode != 0


# ------------------------------------------------------------------ timing record
def _times_path(root):
    return Path(root) / TIMES_FILE


def _read_times(root):
    if root is None:  # no record kept
        return {}
    try:
        data = json.loads(_times_path(root).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _host():
    return socket.gethostname() or "this machine"


def estimate(device, n_files, *, root=None):
    """Seconds the last compile of ``n_files`` files for ``device`` took on this machine.

    Returns
    -------
    (float, int, float or None) or None
        (seconds scaled to ``n_files``, files of the compile it comes from, the
        load average then); None when this machine has no record for ``device``.
    """
    records = _read_times(root).get(_host(), {}).get(device, {})
    sizes = [int(k) for k in records if str(k).isdigit() and int(k) > 0]
    if not sizes or n_files <= 0:
        return None
    nearest = min(sizes, key=lambda k: (abs(k - n_files), -k))
    rec = records[str(nearest)]
    try:
        seconds = float(rec["seconds"]) * n_files / nearest
    except (KeyError, TypeError, ValueError):
        return None
    return seconds, nearest, rec.get("load")


def _remember(device, n_files, seconds, load, root=None):
    """Record this compile's time (best effort: a cache that cannot be written is skipped)."""
    data = _read_times(root)
    host = data.setdefault(_host(), {})
    host.setdefault(device, {})[str(n_files)] = {
        "seconds": round(seconds, 1),
        "load": None if load is None else round(load, 1),
        "jobs": available_cores(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    if root is None:
        return
    try:
        atomic_write(_times_path(root), json.dumps(data, indent=1, sort_keys=True))
    except OSError:
        pass


def _load():
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover - no load average on this system
        return None


def _estimate_text(device, n_files, root):
    found = estimate(device, n_files, root=root)
    if found is None:
        return "no earlier compile on this machine to estimate the time from"
    seconds, nearest, load = found
    then = f", load {load:g}" if load is not None else ""
    if nearest == n_files:
        return f"the last compile of {n_files} files here took {seconds:.0f} s{then}"
    return f"about {seconds:.0f} s, scaled from a compile of {nearest} files here{then}"


# ------------------------------------------------------------------ compiling
_log = logs.get_logger(__name__)


def _stderr(message):
    _log.info(message)


def _die_with_parent():
    """``preexec_fn``: make gets SIGTERM when this process dies (Linux; None elsewhere).

    A run killed with SIGKILL cannot stop its ``make``; left running, it would
    compile into a build directory whose lock has been released.
    """
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG


def _stop(proc):
    """Stop ``make`` and its compilers (their own process group), and wait for them."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _done(directory, objects, since_ns):
    n = 0
    for name in objects:
        try:
            if (directory / name).stat().st_mtime_ns >= since_ns:
                n += 1
        except OSError:
            pass
    return n


def _last_error(log):
    """The most telling line of make's output: the first error, else the last line."""
    try:
        lines = [line.strip() for line in log.read_text(errors="replace").splitlines()]
    except OSError:
        return ""
    lines = [line for line in lines if line]
    for line in lines:
        if "error" in line.lower():
            return line[:300]
    return lines[-1][:300] if lines else ""


class _Flag:
    """Set by SIGINT while a compile runs (see :func:`_sigint_as_flag`)."""

    def __init__(self):
        self.set = False

    def __bool__(self):
        return self.set


@contextlib.contextmanager
def _sigint_as_flag():
    """SIGINT sets a flag instead of raising KeyboardInterrupt at whatever line runs.

    A KeyboardInterrupt raised inside ``subprocess.Popen`` can leave ``make``
    running unnoticed; with the flag, the watch loop stops ``make`` and raises
    :class:`CompileInterrupted` itself. Outside the main thread (where signal
    handlers cannot be set) SIGINT keeps its ordinary handler.
    """
    flag = _Flag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum, frame):
        flag.set = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def _start_make(directory, extra=()):
    """``make`` in its own session (a terminal's Ctrl-C reaches only this process)."""
    with open(Path(directory) / MAKE_LOG, "w") as out:
        return subprocess.Popen(
            ["make", *make_arguments(), *extra],
            cwd=directory,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent(),
        )


def _watch(proc, interrupted, directory, objects, start_ns, t0, say, tty, interval, poll):
    """Report the files done until ``make`` ends or SIGINT comes (then stop ``make``)."""
    total, shown, last_line = len(objects), -1, t0
    while proc.poll() is None:
        if interrupted:
            _stop(proc)
            return
        time.sleep(poll)
        done = _done(directory, objects, start_ns)
        now = time.monotonic()
        if tty:  # one line, rewritten in place: the count and the seconds so far
            sys.stderr.write(f"\r  compiled {done} of {total} files, {now - t0:.0f} s")
            sys.stderr.flush()
        elif now - last_line >= (interval if done != shown else max(interval, 60.0)):
            # A line when the count moved, and at least one a minute while it does not.
            say(f"  compiled {done} of {total} files after {now - t0:.0f} s")
            shown, last_line = done, now


def compile_project(
    directory, *, what, device, say=None, root=None, interval=15.0, poll=0.5, tty=None
):
    """Compile what changed in ``directory`` with ``make``, saying what and how long.

    Parameters
    ----------
    directory : path
        A generated Brian2 project (its makefile).
    what : str
        What is compiled, for the messages ("the cpp_standalone binary of the
        100 -> 1 network").
    device : str
        Brian2 device: the compile times are recorded per device.
    say : callable, optional
        Receives each message line (default: this module's logger, level INFO).
    root : path, optional
        Folder of the compile-time record (the build cache's root,
        :func:`~superspike_brian.devices.default_build_root`); None
        keeps no record and gives no estimate.
    interval : float
        Seconds between progress lines (not on a terminal).
    poll : float
        Seconds between looks at the object files.
    tty : bool, optional
        Progress as one line rewritten in place (default: when stderr is a
        terminal and ``say`` is the default).

    Returns
    -------
    CompileResult

    Raises
    ------
    CompileError
        ``make`` failed (the message names ``make.log``).
    CompileInterrupted
        Ctrl-C (or SIGINT) while compiling; ``make`` was stopped.
    """
    directory = Path(directory)
    if tty is None:
        tty = say is None and sys.stderr.isatty() and logs.shows(_log)
    say = say or _stderr
    with _sigint_as_flag() as interrupted:
        objects, work = planned_objects(directory)
        if not work and (directory / "main").exists():
            if interrupted:
                raise KeyboardInterrupt
            return CompileResult(True, 0.0, 0)
        total = len(objects)
        load = _load()
        say(
            f"compiling {what}: {total} files with make -j{available_cores()} in {directory}"
            f" ({_estimate_text(device, total, root)})"
        )
        start_ns, t0 = time.time_ns(), time.monotonic()
        try:
            header = _precompiled_header(directory, total)
            _log.debug(
                "make %s in %s (precompiled objects.h: %s)",
                shlex.join([*make_arguments(), *(header or [])]),
                directory,
                "yes" if header else "no",
            )
            proc = _start_make(directory, header or [])
            try:
                _watch(
                    proc, interrupted, directory, objects, start_ns, t0, say, tty, interval, poll
                )
            except BaseException:
                _stop(proc)
                raise
        finally:
            _remove_precompiled_header(directory)
            if tty:
                sys.stderr.write("\n")
        if interrupted:
            raise CompileInterrupted(directory, _done(directory, objects, start_ns), total)
    log = directory / MAKE_LOG
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        raise CompileError(
            f"compiling {directory} failed (make exit status {proc.returncode}):"
            f" {_last_error(log)}; the compiler's output is in {log}"
        )
    if total:
        _remember(device, total, seconds, load, root)
    say(f"compiled {total} files in {seconds:.1f} s")
    return CompileResult(False, seconds, total)


# ------------------------------------------------------------------ equal sources
def _canonical(text):
    """``text`` with every run of clock-reset lines in sorted order."""
    lines, out, run = text.splitlines(), [], []
    for line in lines:
        if _CLOCK_RESET.match(line):
            run.append(line)
            continue
        out += sorted(run)
        run = []
        out.append(line)
    return "\n".join(out + sorted(run))


def keep_equivalent_sources(directory):
    """Give ``main.cpp`` its old timestamp when it differs only in the order of clock resets.

    The order of those independent assignments comes from a Python set, so two
    builds of the same model write different ``main.cpp`` files; without this,
    every run would compile ``main.cpp`` and link the binary again.
    """
    directory = Path(directory)
    source = directory / "main.cpp"
    record = directory / _CANONICAL
    if not source.exists():
        return
    canonical = _canonical(source.read_text())
    try:
        saved = json.loads(record.read_text())
    except (OSError, ValueError):
        saved = {}
    if saved.get("main.cpp") == canonical and "mtime_ns" in saved:
        os.utime(source, ns=(saved["mtime_ns"], saved["mtime_ns"]))
    else:
        mtime = source.stat().st_mtime_ns
        atomic_write(record, json.dumps({"main.cpp": canonical, "mtime_ns": mtime}))
