"""The package's messages, through :mod:`logging`, as Brian2 sends its own.

Every module logs to ``logging.getLogger(__name__)``, below the logger named
:data:`ROOT` (``"superspike_brian"``). That logger has one handler,
:data:`HANDLER`, which writes each message as a plain line (no level, no
time: what the package printed before it logged) to the terminal at level
INFO, so that a training started from Python or a notebook says what it does,
as it does on the command line: compiles with their size and time, progress,
where the results went. A message that is a command's result (``results in
runs/x``, a sweep's lines) goes to stdout, every other one to stderr: the
streams the command line has always used. The stream is looked up for each
message, so pytest, Jupyter and ``contextlib.redirect_stderr`` see them.

Silence, filter or redirect them the way Brian2's messages are handled::

    import logging
    logging.getLogger("superspike_brian").setLevel(logging.WARNING)  # warnings only
    superspike_brian.logs.set_level("DEBUG")                           # the same, by name

    # elsewhere: a file, a Dask worker's log
    root = logging.getLogger("superspike_brian")
    root.removeHandler(superspike_brian.logs.HANDLER)
    root.addHandler(logging.FileHandler("training.log"))

The logger does not pass messages on to Python's root logger
(``propagate = False``), so that a program that configured logging for itself
does not print them twice; set ``propagate`` back to True to have them there.
On the command line ``-q`` keeps warnings and errors only and ``-v`` adds
debugging detail (the compiler's arguments, the build directory, the lock).
The progress bar (tqdm, on a terminal) is shown at level INFO and below.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["ROOT", "HANDLER", "STDOUT", "get_logger", "set_level", "shows"]

#: The logger above every module's logger.
ROOT = "superspike_brian"
#: ``extra=`` of a message that is a command's result: the handler writes it to stdout.
STDOUT = {"stdout": True}


class ConsoleHandler(logging.Handler):
    """One plain line per message, to the current ``sys.stdout`` or ``sys.stderr``.

    The stream is chosen per message (``extra=STDOUT`` for stdout) and looked up
    when the message is written, not when the handler was made.
    """

    def __init__(self, level=logging.NOTSET):
        super().__init__(level)
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record):
        try:
            stream = sys.stdout if getattr(record, "stdout", False) else sys.stderr
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:  # noqa: BLE001 - logging's own convention: report, never raise
            self.handleError(record)


#: The handler of :data:`ROOT` (remove it to send the messages elsewhere).
HANDLER = ConsoleHandler()


def _configure():
    root = logging.getLogger(ROOT)
    if HANDLER not in root.handlers:
        root.addHandler(HANDLER)
    if root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    root.propagate = False


def get_logger(name):
    """The logger of module ``name`` (``get_logger(__name__)``), below :data:`ROOT`."""
    return logging.getLogger(name)


def set_level(level):
    """Show the package's messages from ``level`` up ("DEBUG", "INFO", "WARNING", or a number).

    Raises
    ------
    ValueError
        ``level`` is not a level of :mod:`logging`.
    """
    if isinstance(level, str):
        number = logging.getLevelName(level.upper())
        if not isinstance(number, int):
            raise ValueError(
                f"level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL or a number,"
                f" not {level!r}"
            )
        level = number
    logging.getLogger(ROOT).setLevel(level)


def shows(logger, level=logging.INFO):
    """True when ``logger`` passes messages of ``level`` (for output that is not a message,
    such as a progress bar)."""
    return logger.isEnabledFor(level)


_configure()
