"""The ``superspike`` command line: parser and dispatch.

Building the parser imports neither Brian2 nor numpy, so ``--help`` and every
argument error answer at once; each subcommand (:mod:`superspike_brian.cli.commands`)
imports what it needs when it runs.

Examples
--------
Train the built-in single-neuron task (paper Fig 2)::

    superspike train --out runs/single

Train on the authors' benchmark data::

    superspike train --input input.ras --target target.ras --period 0.5 --hidden 0 \\
        --duration 800 --block 10 --burn-in 10 --seed 1

Sweep seeds x feedback modes on Dask (a local cluster unless --scheduler)::

    superspike sweep --out runs/sweep --seeds 1-5 --grid feedback=symmetric,random \\
        -- --hidden 4 --duration 300
"""

from __future__ import annotations

import argparse
import sys

from superspike_brian.cli import commands
from superspike_brian.options import add_train_arguments

__all__ = ["main", "build_parser"]

DESCRIPTION = "Train spiking networks with SuperSpike (Zenke & Ganguli 2018) in Brian2."


def build_parser():
    """The ``superspike`` parser with all its subcommands."""
    p = argparse.ArgumentParser(prog="superspike", description=DESCRIPTION)
    sub = p.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", help="train a network and write a run directory")
    add_train_arguments(tr)
    tr.add_argument("--out", help="run directory (default runs/<time>-<task>)")
    tr.add_argument(
        "--resume",
        metavar="DIR",
        help="continue the interrupted run in DIR from its last checkpoint (its own options)",
    )
    tr.set_defaults(func=commands.cmd_train)
    cg = sub.add_parser(
        "codegen", help="write a standalone (C++ or CUDA) project that trains in one binary"
    )
    add_train_arguments(cg, reference=False)
    cg.add_argument("--out", required=True, help="project directory")
    cg.add_argument("--compute-capability", help="target GPU, e.g. 9.0 (H100/H200)")
    cg.add_argument("--compile", action="store_true", help="also build it (make -j)")
    cg.set_defaults(func=commands.cmd_codegen)
    co = sub.add_parser("collect", help="read the results of a generated project's run")
    co.add_argument("project", help="project directory (after ./main ran)")
    co.add_argument("--out", help="run directory (default runs/<project name>)")
    co.set_defaults(func=commands.cmd_collect)
    rp = sub.add_parser("report", help="redraw every figure of a run directory and a summary")
    rp.add_argument("run", help="run directory")
    rp.add_argument("--reference", help="reference curve to draw (e.g. single_neuron)")
    rp.set_defaults(func=commands.cmd_report)
    from superspike_brian.sweep.arguments import add_sweep_arguments

    sw = sub.add_parser(
        "sweep",
        help="train a grid of runs (seeds x train options) on Dask, with a summary",
        description="Train every combination of --grid values for every seed, each run in"
        " its own process and run directory OUT/<condition>/seed-<s>, on a local Dask"
        " cluster or the one at --scheduler; finished runs are skipped when the same"
        " command runs again. Exit status 1 if any run failed.",
    )
    add_sweep_arguments(sw)
    sw.set_defaults(func=commands.cmd_sweep)
    return p


def main(argv=None):
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, FileNotFoundError, RuntimeError) as exc:
        print(f"superspike: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
