"""One spiking-XOR run (Fig 5) as a sweep run: the command around :func:`run_one`.

The sweep machinery starts every run as a process given ``superspike train``
options and ``--out DIR --overwrite`` (:func:`superspike_brian.sweep.run_one`);
this module is such a process for the XOR task, so Fig 5 runs on the same
machinery (Dask, resumable, one cached binary per structure) as the others. It
reads the options of ``superspike train`` that apply (``--hidden``, ``--feedback``,
``--seed``, ``--duration``, ``--block``, ``--device``; ``--period T``: streams of
about T s, for tests) and ignores the rest. The experiment itself (network,
schedule, test, scores) is :mod:`superspike_brian.training.xor`, the same as
``models/xor.py``'s.

Writes an ordinary run directory (config.json, metrics.csv, weights, spikes)
plus ``xor.json``: training accuracy per block of 50 trials, held-out accuracy,
perfect held-out blocks, trials to 100 %, hidden-unit classes and the number of
hidden units whose feedback weights to both outputs are negative.

Examples
--------
::

    python -m superspike_brian.reproduce.xor_run --hidden 4 --feedback random \\
        --seed 3 --duration 800 --out runs/xor-random-s3 --overwrite
"""

from __future__ import annotations

import argparse
import sys


def _parser():
    from superspike_brian.options import add_train_arguments

    p = argparse.ArgumentParser(prog="python -m superspike_brian.reproduce.xor_run")
    add_train_arguments(p)
    p.add_argument("--out", required=True, help="run directory")
    p.add_argument("--overwrite", action="store_true", help="replace a run already in --out")
    return p


def run(args):
    """Train and test one XOR network; returns the contents of xor.json."""
    from superspike_brian.training.xor import run_one

    return run_one(
        args.out,
        hidden=args.hidden[0] if args.hidden else 0,
        feedback=args.feedback,
        seed=args.seed,
        duration=args.duration,
        device=args.device,
        block=args.block,
        stream_s=args.period,
        overwrite=args.overwrite,
        extra_config={"argv": sys.argv[1:]},
    )


def main(argv=None):
    """Command-line entry; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        result = run(args)
    except (ValueError, TypeError, OSError, RuntimeError) as exc:
        print(f"xor_run: error: {exc}", file=sys.stderr)
        return 2
    print(
        f"XOR {args.feedback} hidden {result['hidden']} seed {args.seed}:"
        f" last training block {result['train_final']:.2f}, held-out {result['test']:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
