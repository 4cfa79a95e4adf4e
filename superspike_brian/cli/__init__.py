"""The ``superspike`` command line.

:mod:`~superspike_brian.cli.parser` builds the parser (without Brian2),
:mod:`~superspike_brian.cli.commands` runs the subcommands, and
:mod:`~superspike_brian.cli.build` turns options into a task and a trainer.
"""

from superspike_brian.cli.parser import main

__all__ = ["main"]
