"""Checksums that tell a damaged file from a good one.

A file cut short or with a flipped bit may still parse: a digit changed in a
CSV or JSON file is a different number, not an error. The package stores the
SHA-256 of what it wrote beside it, and refuses a file whose content no longer
matches, with a message that names the file:

* ``checkpoint.npz`` holds the digest of its own arrays and of each record part
  it lists (:mod:`superspike_brian.training.checkpoint`);
* ``config.json`` holds the digest of its own content and, once the run is
  complete, of ``metrics.csv`` and the ``.npz`` files of the results
  (:mod:`superspike_brian.rundir`).

:class:`CorruptFile` is a ``ValueError``, so the command line reports it as one
line, like every other error of a file or an option.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

__all__ = ["CorruptFile", "digest_bytes", "digest_arrays", "digest_json", "check_digest"]


class CorruptFile(ValueError):
    """A file of a run is damaged (cut short, changed on the disk); the message names it."""


def digest_bytes(data):
    """SHA-256 (hex) of ``data`` (bytes, or str as UTF-8)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def digest_arrays(arrays):
    """SHA-256 (hex) of named arrays: names, dtypes, shapes and values, in name order.

    The digest does not depend on how the arrays are stored (the ``.npz``
    container, compression), only on what a reader gets back.
    """
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(json.dumps([name, a.dtype.str, list(a.shape)]).encode("utf-8"))
        if a.dtype.hasobject:
            raise TypeError(f"array {name!r} holds Python objects; it cannot be checksummed")
        h.update(a.tobytes())
    return h.hexdigest()


def digest_json(data):
    """SHA-256 (hex) of JSON data, independent of key order and indentation.

    ``data`` is taken as it reads back from a JSON file (values that JSON cannot
    hold written as their ``str``), so a digest computed before writing equals
    the one computed after reading.
    """
    plain = json.loads(json.dumps(data, default=str))
    return digest_bytes(json.dumps(plain, sort_keys=True, separators=(",", ":")))


def check_digest(path, expected, actual, recorded_in=None):
    """Raise :class:`CorruptFile` naming ``path`` when ``actual`` differs from ``expected``.

    Parameters
    ----------
    path : path-like
        The file checked.
    expected, actual : str
        The digest recorded when the file was written, and that of its content now.
    recorded_in : path-like, optional
        Where ``expected`` was recorded, if not in ``path`` itself.
    """
    if expected == actual:
        return
    where = f" recorded in {recorded_in}" if recorded_in is not None else ""
    raise CorruptFile(
        f"{path} is damaged: its content does not match the SHA-256 checksum{where}"
        " (cut short or changed on the disk); restore it from a copy or start the run again"
    )
