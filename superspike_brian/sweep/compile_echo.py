"""A sweep says when one of its runs compiles: the lines a run's compile writes to its log.

Each run of a sweep writes its output to its own ``log.txt``; a compile there
(minutes on two cores) would leave the sweep's own output silent. While the
runs go on, :class:`CompileEcho` reads the logs of the runs not finished yet and
passes on the compile lines (start with its estimate, progress, end), each
prefixed with ``[compile]``, the condition and the seed.
"""

from __future__ import annotations

import time

__all__ = ["CompileEcho", "POLL_S"]

#: Seconds between looks at the logs of the running runs.
POLL_S = 5.0
_PREFIXES = ("compiling ", "  compiled ", "compiled ", "interrupted while compiling")


class CompileEcho:
    """Pass on the compile lines of the runs' logs (see the module docstring).

    Parameters
    ----------
    specs : iterable of RunSpec
        The runs submitted.
    out : Path
        The sweep directory.
    echo : callable
        Receives each line.
    """

    def __init__(self, specs, out, echo):
        self.echo = echo
        self.since = time.time()
        self.read = {}
        for spec in specs:
            log = spec.run_dir(out) / "log.txt"
            # A resumed run appends to its log, a new one starts it afresh.
            resumed = (spec.run_dir(out) / "checkpoint.npz").exists()
            self.read[log] = [spec, _count(log) if resumed else 0]

    def look(self, specs, out):
        """Echo the new compile lines of the logs of ``specs`` (the runs not finished)."""
        for spec in specs:
            log = spec.run_dir(out) / "log.txt"
            entry = self.read.get(log)
            try:
                if entry is None or log.stat().st_mtime < self.since:
                    continue  # not written by this sweep yet
                lines = log.read_text(errors="replace").splitlines()
            except OSError:
                continue
            for line in lines[entry[1] :]:
                if line.startswith(_PREFIXES):
                    self.echo(f"[compile] {spec.condition} seed {spec.seed}: {line.strip()}")
            entry[1] = max(entry[1], len(lines))


def _count(path):
    try:
        return len(path.read_text(errors="replace").splitlines())
    except OSError:
        return 0
