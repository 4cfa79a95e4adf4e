"""This package's errors, and how Python shows them when nobody catches them.

Importing Brian2 replaces ``sys.excepthook`` with Brian2's own hook, which
shows *every* uncaught exception under the banner "Brian 2 encountered an
unexpected error. If you think this is a bug in Brian 2, please report this
issue ...". Brian2 exempts only ``KeyboardInterrupt``; its one switch,
``prefs.logging.display_brian_error_message``, is global and would also hide
the banner where it belongs, on Brian2's own errors. So this module chains a
hook in front of Brian2's (:func:`install_excepthook`, run when
:mod:`superspike_brian.validation` has imported Brian2): an exception that
this package raised, an instance of :class:`SuperSpikeError` or one raised by
a statement of this package (the innermost frame of its traceback is in
``superspike_brian``), gets Python's own traceback with its message; every
other exception goes on to Brian2's hook and its banner.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = [
    "SuperSpikeError",
    "ArgumentTypeError",
    "ArgumentValueError",
    "RuleError",
    "install_excepthook",
    "raised_by_package",
]

_PACKAGE = str(Path(__file__).resolve().parent)


class SuperSpikeError(Exception):
    """Base of this package's own errors (a user's mistake, a run's state), never Brian2's."""


class ArgumentTypeError(SuperSpikeError, TypeError):
    """An argument of the wrong kind: the message names it, the unit and an example."""


class ArgumentValueError(SuperSpikeError, ValueError):
    """An argument of the right kind out of its range: the message names it and the range."""


class RuleError(ValueError):
    """A model that SuperSpike cannot train as given; the message says which part and why."""


def raised_by_package(exc_type, tb):
    """Whether an uncaught exception is this package's (see the module docstring)."""
    if isinstance(exc_type, type) and issubclass(exc_type, SuperSpikeError):
        return True
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    filename = tb.tb_frame.f_code.co_filename
    try:
        return str(Path(filename).resolve()).startswith(_PACKAGE)
    except (OSError, ValueError):
        return False


def install_excepthook():
    """Put this package's hook in front of the current ``sys.excepthook`` (once).

    Call it after Brian2 is imported (Brian2 installs its hook on import).
    """
    current = sys.excepthook
    if getattr(current, "superspike", False):
        return

    def hook(exc_type, exc, tb):
        if raised_by_package(exc_type, tb):
            return sys.__excepthook__(exc_type, exc, tb)
        return current(exc_type, exc, tb)

    hook.superspike = True
    hook.brian = current
    sys.excepthook = hook
