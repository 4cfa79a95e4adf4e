"""Where the package keeps what it compiles, for every layer that compiles.

Standalone builds (:mod:`superspike_brian.devices`) and the exact solver's
extension (:mod:`superspike_brian.model.exact`) share one root, so that one
setting moves them together (a cluster's shared file system, a scratch disk).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_build_root"]


def default_build_root():
    """Where compiled code is cached: ``$SUPERSPIKE_BUILD_DIR``, else the user's cache.

    Returns
    -------
    Path
        ``$SUPERSPIKE_BUILD_DIR`` when set, else ``$XDG_CACHE_HOME/superspike-brian``
        (``~/.cache/superspike-brian``).
    """
    root = os.environ.get("SUPERSPIKE_BUILD_DIR")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "superspike-brian"
