"""The ``superspike`` command line."""

from superspike_brian.cli.main import main

__all__ = ["main"]
