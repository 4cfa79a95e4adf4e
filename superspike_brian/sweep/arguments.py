"""``superspike sweep``: its options and the command."""

from __future__ import annotations

import argparse
import sys

from superspike_brian.sweep.grid import parse_grid, parse_seeds
from superspike_brian.sweep.runner import run_sweep
from superspike_brian.sweep.summary import write_summary

# --------------------------------------------------------------------------- CLI


def add_sweep_arguments(p):
    """Options of ``superspike sweep``."""
    p.add_argument("--out", required=True, help="sweep directory (one run directory per run)")
    p.add_argument(
        "--seeds", help="seeds, e.g. 1,2,3 or 1-20 (default: the --seed of the train options, or 1)"
    )
    p.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="KEY=V1,V2",
        help="a train option and its values, e.g. feedback=symmetric,random, hidden=4,8,64x64,"
        " r0=1,0.5; repeat for more keys (every combination runs)",
    )
    p.add_argument(
        "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786 (default: local cluster)"
    )
    p.add_argument(
        "--workers",
        type=int,
        help="local cluster worker processes (default: the cores this process may use)",
    )
    p.add_argument(
        "--summary-only",
        action="store_true",
        help="rewrite summary.csv and summary.png of --out from its run directories; run nothing",
    )
    p.add_argument(
        "train_args",
        nargs=argparse.REMAINDER,
        metavar="-- TRAIN OPTIONS",
        help="options of superspike train shared by every run, after --",
    )


def cmd_sweep(args):
    """``superspike sweep``: exit status 0 if every run succeeded, 1 if any failed."""
    train_args = list(args.train_args)
    if train_args and train_args[0] == "--":
        train_args = train_args[1:]
    if args.summary_only:
        if train_args or args.grid or args.seeds:
            raise ValueError("--summary-only reads the sweep from --out: give nothing else")
        rows = write_summary(args.out)
        return 0 if all(r["status"] == "ok" for r in rows) else 1
    seeds = parse_seeds(args.seeds) if args.seeds is not None else None
    result = run_sweep(
        args.out,
        train_args,
        parse_grid(args.grid),
        seeds,
        scheduler=args.scheduler,
        workers=args.workers,
        command_line=["superspike", *sys.argv[1:]],
    )
    return 1 if result.failed else 0
