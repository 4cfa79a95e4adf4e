"""Compiling standalone projects: only what changed, with ccache where installed.

A project is rebuilt by ``make``; Brian2 rewrites only the files whose content
changed, so a project whose code is unchanged (another seed, duration or data
set of the same structure) compiles nothing. :func:`up_to_date` says so in
advance, for the progress messages and the timing of a run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from superspike_brian.cores import available_cores
from superspike_brian.files import atomic_write

__all__ = ["compiler_command", "make_arguments", "up_to_date", "keep_equivalent_sources"]

#: Lines that reset a clock at the start of a run: Brian2 writes them in the
#: order of a Python set, which changes from process to process.
_CLOCK_RESET = re.compile(r"^\s*_array_\w+_(t|timestep)\[0\] = [^;]*;\s*$")
_CANONICAL = ".superspike-canonical"


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


def up_to_date(directory):
    """True when ``make`` in ``directory`` has nothing to do."""
    directory = Path(directory)
    if not (directory / "main").exists():
        return False
    result = subprocess.run(
        ["make", "-q", "main", *[a for a in make_arguments() if a.startswith("CXX=")]],
        cwd=directory,
        capture_output=True,
    )
    return result.returncode == 0


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
