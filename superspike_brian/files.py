"""Writing files so that a reader never sees half of one.

Every file the package writes (run directories, checkpoints, sweep records,
figures, the solution cache of :mod:`superspike_brian.model.exact`) goes through
:func:`atomic_write`: the data goes to a temporary file in the same directory,
is flushed to the disk, and the temporary file is renamed over the target. A
process killed at any moment leaves either the old file or the new one. The new
file gets the ordinary mode of a newly created file (``0666`` minus the umask),
not the ``0600`` of a temporary file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from pathlib import Path

__all__ = [
    "atomic_write",
    "write_json",
    "read_json_object",
    "write_npz",
    "save_figure",
    "file_mode",
]


def file_mode():
    """Mode of a newly created file under the current umask (e.g. 0o644)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path, data):
    """Write ``data`` (str or bytes) to ``path`` atomically.

    Parameters
    ----------
    path : path-like
        Target file; its directory is created if missing.
    data : str or bytes
        Content; a str is written as UTF-8.

    Returns
    -------
    str
        The SHA-256 (hex) of what was written, for a reader to check it against.

    Raises
    ------
    OSError
        The write failed (no space, no permission); the message names ``path``.
        The previous content of ``path``, if any, is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            # Name the target, not the temporary file the error may carry.
            why = exc.strerror or str(exc)
            raise OSError(exc.errno, f"cannot write {path}: {why}", str(path)) from exc
        raise
    return hashlib.sha256(data).hexdigest()


def write_json(path, data):
    """Write ``data`` as indented JSON (atomically); returns the SHA-256 of the file."""
    return atomic_write(path, json.dumps(data, indent=2, default=str) + "\n")


def read_json_object(path):
    """The JSON object (a dict) in ``path``, or None.

    None when the file is missing or unreadable, is not UTF-8 JSON, or holds
    something other than an object: the records read this way (a run's status,
    a sweep's sweep.json) are written last, and a damaged one counts as absent.
    """
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def write_npz(path, *, compress=True, **arrays):
    """Write numpy arrays as an ``.npz`` (atomically), compressed unless told not to.

    A checkpoint, rewritten at every block, is written uncompressed: zlib
    would cost more than the block's simulation on small networks. Returns the
    SHA-256 of the file.
    """
    import numpy as np

    buf = io.BytesIO()
    (np.savez_compressed if compress else np.savez)(buf, **arrays)
    return atomic_write(path, buf.getvalue())


def save_figure(fig, path, **kwargs):
    """Save a matplotlib figure (atomically); the format follows the suffix of ``path``."""
    path = Path(path)
    buf = io.BytesIO()
    fig.savefig(buf, format=path.suffix.lstrip(".") or "png", **kwargs)
    atomic_write(path, buf.getvalue())
