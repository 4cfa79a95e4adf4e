"""Compare run directories bit for bit: the check a redesign must pass.

Usage::

    python benchmarks/compare_runs.py RUN_A RUN_B [RUN_A2 RUN_B2 ...]

For each pair, every array of ``weights.npz``, ``spikes.npz`` and
``voltage.npz`` present in both is compared with ``numpy.array_equal``, and
``metrics.csv`` as text. Prints one line per file and exits with status 1 if
anything differs. A typical use: the same ``superspike train`` command run from
a checkout of the old and of the new code, each with its own ``--build-dir``.
"""

import sys
from pathlib import Path

import numpy as np


def compare(a, b):
    """Print the comparison of run directories ``a`` and ``b``; True when equal."""
    ok = True
    for name in ("weights.npz", "spikes.npz", "voltage.npz"):
        pa, pb = Path(a) / name, Path(b) / name
        if not (pa.exists() and pb.exists()):
            print(f"{a} {name}: missing in {'the first' if not pa.exists() else 'the second'}")
            ok = False
            continue
        with np.load(pa) as A, np.load(pb) as B:
            common = sorted(set(A.files) & set(B.files))
            differ = [k for k in common if not np.array_equal(A[k], B[k])]
            only = sorted(set(A.files) ^ set(B.files))
        print(
            f"{Path(a).name:20s} {name:12s} {len(common)} arrays,"
            f" bitwise equal: {not differ}"
            + (f"; differ: {differ}" if differ else "")
            + (f"; only in one: {only}" if only else "")
        )
        ok &= not differ
    same = (Path(a) / "metrics.csv").read_text() == (Path(b) / "metrics.csv").read_text()
    print(f"{Path(a).name:20s} metrics.csv  identical: {same}")
    return ok and same


def main(argv):
    if len(argv) < 2 or len(argv) % 2:
        print(__doc__)
        return 2
    ok = all([compare(argv[i], argv[i + 1]) for i in range(0, len(argv), 2)])
    print("ALL EQUAL" if ok else "DIFFERENCES")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
