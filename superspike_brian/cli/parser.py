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

import logging
import sys

from superspike_brian import logs
from superspike_brian.choices import DEVICES
from superspike_brian.cli import commands
from superspike_brian.options import (
    HelpFormatter,
    Parser,
    add_train_arguments,
    one_line,
    positive,
    reference_names,
)

__all__ = ["main", "build_parser"]

DESCRIPTION = """\
Train spiking networks with SuperSpike (Zenke & Ganguli 2018, Neural Computation
30:1514) as Brian2 equations in biophysical units, on the CPU (C++) or the GPU (CUDA).

examples:
  superspike train --out runs/single                     # the built-in task of Fig 2
  superspike train --input input.ras --target target.ras --period 0.5 --seed 3
  superspike train --hidden 4 --feedback random --duration 300 --out runs/fig4
  superspike sweep --out runs/fig4-sweep --seeds 1-20 --grid feedback=symmetric,random \\
      -- --hidden 4 --duration 300
  superspike report runs/single                          # redraw the figures
  superspike evaluate runs/single --input test.ras --out runs/single/eval
  superspike export runs/single --format nir --out single.nir
  superspike train --init single.nir --duration 100 --out runs/again
  superspike reproduce --scale quick --out runs/paper    # every experiment, one report
"""

TRAIN_DESCRIPTION = """\
Train a network and write a run directory (config.json, metrics.csv, weights,
spikes, figures; see runs/README.md). The first run of a model structure
compiles it (minutes on two cores); later runs of the same structure, with other
seeds, durations, learning rates or data of the same shape, reuse the binary.

examples:
  superspike train --out runs/single
  superspike train --input ssbm/poisson/input.ras --target ssbm/poisson/target.ras \\
      --period 0.5 --seed 1 --reference single_neuron --out runs/ssbm-s1
  superspike train --resume runs/single --duration 1600    # continue a finished run
"""


EVALUATE_HELP = "run a trained network on new input, learning off"
EVALUATE_DESCRIPTION = """\
Run the trained network of a run directory (its final weights, fixed) on new
input, and write its spikes, the rate of every layer, the cost when a target is
given and the raster figure (evaluation.json, spikes.npz, raster.png). Input and
target repeat with the period; the network starts at rest, so the first tens of
ms of the first period lack the input of the period before.

examples:
  superspike evaluate runs/single --out runs/single/eval        # the training input
  superspike evaluate runs/single --input test.ras --target test_target.ras \\
      --duration 2 --out runs/single/eval-test
"""
EXPORT_HELP = "write the trained network of a run as a NIR graph"
EXPORT_DESCRIPTION = """\
Write the trained network of a run directory as a NIR file (Neuromorphic
Intermediate Representation, read by snnTorch, Norse, Lava, Rockpool, Sinabs,
...): one CubaLIF node per layer, one Linear node per connection, SI units. What
NIR cannot say (refractory period, axonal delay, time step, learning rule) is
in node metadata; docs/nir.md derives the mapping.

examples:
  superspike export runs/single --format nir --out single.nir
  superspike train --init single.nir --duration 100 --out runs/from-nir
"""


def add_evaluate_parser(p):
    """Options of ``superspike evaluate``."""
    p.add_argument("run", help="run directory")
    p.add_argument("--input", help="input spikes (.ras; default: the run's training input)")
    p.add_argument("--target", help="target spikes of the output units (.ras): gives the cost")
    p.add_argument(
        "--period", type=positive(float), help="period of input and target, s (default: the run's)"
    )
    p.add_argument("--duration", type=positive(float), help="s to simulate (default: one period)")
    p.add_argument("--input-id-offset", type=int, default=0, help="subtracted from input ids")
    p.add_argument("--target-id-offset", type=int, default=0, help="subtracted from target ids")
    p.add_argument("--device", choices=DEVICES, help="Brian2 target (default: the run's)")
    p.add_argument("--out", required=True, help="directory for the results")
    p.add_argument("--overwrite", action="store_true", help="replace an evaluation in --out")
    p.set_defaults(func=commands.cmd_evaluate)


def add_export_parser(p):
    """Options of ``superspike export``."""
    p.add_argument("run", help="run directory")
    p.add_argument("--format", choices=("nir",), default="nir", help="file format")
    p.add_argument(
        "--weights", choices=("final", "initial"), default="final", help="which weights to write"
    )
    p.add_argument("--out", required=True, help="file to write, e.g. net.nir")
    p.add_argument("--overwrite", action="store_true", help="replace the file")
    p.set_defaults(func=commands.cmd_export)


def _parser(sub, name, help, description=None):
    return sub.add_parser(
        name, help=help, description=description or help, formatter_class=HelpFormatter
    )


def _add_reproduce_parser(sub):
    """The ``reproduce`` subcommand."""
    rp = _parser(
        sub,
        "reproduce",
        "run the paper's experiments (Figs 2, 4-8) over seeds and write a report",
        "Run every experiment of the paper as sweeps on one Dask cluster (local, or the"
        " one at --scheduler), then write OUT/report.md: figures, tables over seeds and"
        " the paper's claims with what was measured. Running it again completes only the"
        " runs still missing. Scales: quick (about 30 min on 2 cores), full (the paper's"
        " seeds and durations), tiny (seconds per run, for tests).",
    )
    rp.add_argument(
        "--scale", choices=("quick", "full", "tiny"), default="quick", help="seeds and durations"
    )
    rp.add_argument("--out", required=True, help="folder of the sweeps and the report")
    rp.add_argument(
        "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786 (default: local cluster)"
    )
    rp.add_argument("--workers", type=int, help="local cluster worker processes (default: cores)")
    rp.add_argument(
        "--data-dir",
        help="folder with the authors' SSBM data: poisson/ (input.ras, target.ras: Figs 2 and 4"
        " also run on it) and oxford/ (Figs 6-8 also run on the Oxford task); each claim is"
        " then judged on both and beside the reference implementation's numbers",
    )
    rp.add_argument(
        "--only",
        metavar="SWEEPS",
        help="run only the sweeps matching these comma-separated names or patterns, e.g."
        " 'fig4*,*oxford*' (the report covers every sweep; default: all)",
    )
    rp.add_argument(
        "--results",
        metavar="FILE",
        help="a results.json of an earlier reproduction at this scale (every report writes"
        " OUT/results.json): its rows stand in for runs not on disk, and the runs in it"
        " are not run again",
    )
    rp.add_argument(
        "--report-only",
        action="store_true",
        help="redraw OUT/report.md from the runs on disk; run nothing",
    )
    rp.set_defaults(func=commands.cmd_reproduce)


def build_parser():
    """The ``superspike`` parser with all its subcommands."""
    p = Parser(prog="superspike", description=DESCRIPTION, formatter_class=HelpFormatter)
    loudness = p.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q",
        "--quiet",
        dest="log_level",
        action="store_const",
        const="WARNING",
        help="print warnings and errors only (no progress, no compile messages, no results"
        " lines); before the command: superspike -q train ...",
    )
    loudness.add_argument(
        "-v",
        "--verbose",
        dest="log_level",
        action="store_const",
        const="DEBUG",
        help="print debugging detail too (compiler arguments, build directories, locks)",
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    tr = _parser(sub, "train", "train a network and write a run directory", TRAIN_DESCRIPTION)
    add_train_arguments(tr)
    tr.add_argument("--out", help="run directory (default: runs/<date-time>-s<seed>)")
    tr.add_argument(
        "--resume",
        metavar="DIR",
        help="continue the run in DIR from its last checkpoint, with its own options"
        " (a longer --duration continues a finished run)",
    )
    tr.add_argument("--overwrite", action="store_true", help="replace the run already in --out")
    tr.set_defaults(func=commands.cmd_train)
    cg = _parser(
        sub, "codegen", "write a standalone (C++ or CUDA) project that trains in one binary"
    )
    add_train_arguments(cg, reference=False)
    cg.add_argument("--out", required=True, help="project directory")
    cg.add_argument("--compute-capability", help="target GPU, e.g. 9.0 (H100/H200)")
    cg.add_argument("--compile", action="store_true", help="also build it (make -j)")
    cg.set_defaults(func=commands.cmd_codegen)
    co = _parser(sub, "collect", "read the results of a generated project's run")
    co.add_argument("project", help="project directory (after ./main ran)")
    co.add_argument("--out", help="run directory (default: runs/<project name>)")
    co.set_defaults(func=commands.cmd_collect)
    add_evaluate_parser(_parser(sub, "evaluate", EVALUATE_HELP, EVALUATE_DESCRIPTION))
    add_export_parser(_parser(sub, "export", EXPORT_HELP, EXPORT_DESCRIPTION))
    rp = _parser(sub, "report", "redraw every figure of a run directory and its summary page")
    rp.add_argument("run", help="run directory")
    rp.add_argument(
        "--reference",
        choices=reference_names(),
        metavar="NAME",
        help=f"reference curve to draw: {', '.join(reference_names())}",
    )
    rp.set_defaults(func=commands.cmd_report)
    from superspike_brian.sweep.arguments import add_sweep_arguments

    sw = _parser(
        sub,
        "sweep",
        "train a grid of runs (seeds x train options) on Dask, with a summary",
        "Train every combination of --grid values for every seed, each run in"
        " its own process and run directory OUT/<condition>/seed-<s>, on a local Dask"
        " cluster or the one at --scheduler; finished runs are skipped when the same"
        " command runs again. Exit status 1 if any run failed.",
    )
    add_sweep_arguments(sw)
    sw.set_defaults(func=commands.cmd_sweep)
    _add_reproduce_parser(sub)
    return p


def main(argv=None):
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    # What a run records (and --resume reads back) is the command and its options.
    args.argv = argv[argv.index(args.command) :]
    root = logging.getLogger(logs.ROOT)
    level = root.level
    if args.log_level:
        logs.set_level(args.log_level)
    try:
        return args.func(args)
    except (ValueError, TypeError, OSError, RuntimeError, MemoryError) as exc:
        print(f"superspike: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        # One line, not a traceback (train says how to resume; see cmd_train).
        describe = getattr(exc, "describe", None)
        what = describe() if describe else "interrupted"
        print(f"\nsuperspike {args.command}: {what}", file=sys.stderr)
        return 130
    finally:
        root.setLevel(level)


if __name__ == "__main__":
    sys.exit(main())
