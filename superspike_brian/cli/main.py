"""The ``superspike`` command line.

Examples
--------
Train the built-in single-neuron task (paper Fig 2)::

    superspike train --device cpp_standalone --out runs/single

Train on the authors' benchmark data::

    superspike train --input input.ras --target target.ras --period 0.5 --hidden 0 \\
        --duration 800 --block 10 --burn-in 10 --device cpp_standalone --seed 1

Sweep seeds x feedback modes on Dask (a local cluster unless --scheduler)::

    superspike sweep --out runs/sweep --seeds 1-5 --grid feedback=symmetric,random \\
        -- --hidden 4 --duration 300 --device cpp_standalone
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from brian2 import mV, second


def _hidden(text):
    text = text.strip()
    if text in ("", "0"):
        return ()
    try:
        sizes = tuple(int(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--hidden must be 0 or layer sizes like 256 or 64,64; got {text!r}"
        ) from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"--hidden sizes must be positive; got {text!r}")
    return sizes


def _regularizer(text):
    try:
        parts = [float(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--regularizer must be RHO or RHO,A (numbers; RHO in 1/mV); got {text!r}"
        ) from None
    if len(parts) not in (1, 2) or parts[0] < 0 or (len(parts) == 2 and parts[1] <= 0):
        raise argparse.ArgumentTypeError(
            f"--regularizer must be RHO>=0 or RHO,A with A>0; got {text!r}"
        )
    return parts


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if value < 0:
            raise argparse.ArgumentTypeError(f"expected a non-negative number, got {text!r}")
        return value

    return parse


def add_train_arguments(p):
    """Options shared by ``train`` and ``codegen``."""
    g = p.add_argument_group("task")
    g.add_argument("--input", help="input spikes (.ras: time_s unit_id); default: built-in")
    g.add_argument("--target", help="target spikes (.ras) of the output units")
    g.add_argument("--period", type=_positive(float), help="period of input and target (s)")
    g.add_argument("--input-id-offset", type=int, default=0, help="subtract from input ids")
    g.add_argument(
        "--target-id-offset",
        type=int,
        default=0,
        help="subtract from target ids (1 for ids 1..N)",
    )
    g.add_argument("--n-in", type=int, help="number of input units (default: from the file)")
    g.add_argument("--n-out", type=int, help="number of output units (default: from the file)")
    n = p.add_argument_group("network")
    n.add_argument("--hidden", type=_hidden, default=(), help="0, 256 or 64,64 (default 0)")
    n.add_argument("--feedback", default="symmetric", help="symmetric | random | uniform")
    n.add_argument("--regularizer", type=_regularizer, help="RHO[,A]: rho in 1/mV, exponent")
    n.add_argument("--no-regularizer", action="store_true", help="switch it off")
    n.add_argument("--r0", type=_positive(float), default=1.0, help="learning rate (mV)")
    n.add_argument("--seed", type=int, default=1, help="seed of every random draw")
    t = p.add_argument_group("schedule")
    t.add_argument(
        "--duration",
        type=_positive(float),
        default=800.0,
        help="training after burn-in (s)",
    )
    t.add_argument("--block", type=_positive(float), default=10.0, help="block length (s)")
    t.add_argument("--burn-in", type=_positive(float), default=10.0, help="burn-in (s)")
    t.add_argument("--decay-at", type=int, default=20, help="block from which r0/10")
    r = p.add_argument_group("run")
    r.add_argument(
        "--device",
        default="cpp_standalone",
        help="runtime | cpp_standalone | cuda_standalone",
    )
    r.add_argument(
        "--learn",
        default=None,
        help="inside (one run) | controller (per trial, resumable); default inside"
        " (controller for the factorized engine on runtime)",
    )
    r.add_argument(
        "--engine",
        default="synaptic",
        help="synaptic (per-synapse equations) | factorized (exact, per-neuron signals;"
        " C++ inside the binary on cpp_standalone)",
    )
    r.add_argument("--float32", action="store_true", help="single precision")
    r.add_argument("--build-dir", help="standalone project directory")
    r.add_argument("--reference", help="reference curve to draw (see superspike_brian.reference)")


def make_task(args):
    """Task from the options (built-in single-neuron task by default)."""
    from superspike_brian.tasks.task import load_task, single_neuron_task

    if args.input is None and args.target is None:
        if args.period is not None and abs(args.period - 0.5) > 1e-12:
            raise SystemExit("--period applies to --input/--target files (built-in: 0.5 s)")
        return single_neuron_task(seed=args.seed)
    if args.input is None or args.target is None or args.period is None:
        raise SystemExit("--input, --target and --period go together")
    if str(args.target).lower().endswith((".png", ".jpg", ".jpeg")):
        # A picture as target: one output unit per pixel row, dark pixels are spikes.
        from superspike_brian.tasks.pattern import image_to_raster
        from superspike_brian.tasks.spikeio import read_ras
        from superspike_brian.tasks.task import Task

        period = args.period * second
        target = image_to_raster(args.target, period, n_units=args.n_out, seed=args.seed)
        inp = read_ras(
            args.input, n_units=args.n_in, duration=period, id_offset=args.input_id_offset
        )
        return Task(f"{Path(args.input).stem} -> {Path(args.target).name}", inp, target, period)
    return load_task(
        args.input,
        args.target,
        args.period * second,
        n_in=args.n_in,
        n_out=args.n_out,
        id_offset_input=args.input_id_offset,
        id_offset_target=args.target_id_offset,
    )


def make_trainer(args, task):
    from superspike_brian.model.network import SuperSpikeNetwork
    from superspike_brian.model.parameters import ModelParameters, Schedule
    from superspike_brian.training.trainer import Trainer

    changes = {"r0": args.r0 * mV}
    if args.regularizer:
        changes["rho"] = args.regularizer[0] / mV
        if len(args.regularizer) == 2:
            changes["a"] = args.regularizer[1]
    params = ModelParameters().replace(**changes)
    regularizer = None
    if args.no_regularizer:
        regularizer = False
    elif args.regularizer:
        regularizer = True
    if args.feedback != "symmetric" and not args.hidden and args.feedback is not None:
        raise SystemExit(
            f"--feedback {args.feedback} needs a hidden layer (--hidden N); without one"
            " the output error drives the weights directly"
        )
    net = SuperSpikeNetwork(
        n_in=task.n_in,
        hidden=args.hidden,
        n_out=task.n_out,
        feedback=args.feedback,
        regularizer=regularizer,
        params=params,
        seed=args.seed,
    )
    n_blocks = args.duration / args.block
    if abs(n_blocks - round(n_blocks)) > 1e-9:
        raise SystemExit(f"--duration ({args.duration} s) must be a multiple of --block")
    schedule = Schedule(
        burn_in=args.burn_in * second,
        block=args.block * second,
        n_blocks=int(round(n_blocks)),
        decay_at=(args.decay_at,),
    )
    return Trainer(
        net,
        task,
        device=args.device,
        learn=args.learn,
        engine=args.engine,
        schedule=schedule,
        build_dir=args.build_dir,
        float32=args.float32,
    )


def _resume_args(args):
    """The options of the run in ``args.resume``, to continue it there."""
    import json

    out = Path(args.resume)
    config_path = out / "config.json"
    if not config_path.exists():
        raise FileNotFoundError(f"--resume {out}: not a run directory (no config.json)")
    config = json.loads(config_path.read_text())
    if "argv" not in config:
        raise ValueError(f"--resume {out}: config.json has no command line (argv) to resume")
    saved = [a for a in config["argv"] if a != "--resume"]
    p = argparse.ArgumentParser(prog="superspike train")
    add_train_arguments(p)
    p.add_argument("--out")
    resumed = p.parse_args(saved[1:] if saved and saved[0] == "train" else saved)
    resumed.out = str(out)
    resumed.resume = str(out)
    return resumed, config


def cmd_train(args):
    from superspike_brian.reporting import reference
    from superspike_brian.reporting.figures import make_figures

    argv = sys.argv[1:]
    if args.resume:
        args, config = _resume_args(args)
        argv = config["argv"]
        if config.get("status") == "complete":
            print(f"{args.out} is complete; nothing to resume")
            return 0
    task = make_task(args)
    trainer = make_trainer(args, task)
    out = Path(args.out or f"runs/{time.strftime('%Y%m%d-%H%M%S')}-{task.name}-s{args.seed}")
    print(f"{task.describe()}\nwriting to {out}", file=sys.stderr)
    history = trainer.run(
        out=out, resume=bool(args.resume), extra_config={"argv": argv}, figures=False
    )
    ref = reference.curve(args.reference) if args.reference else None
    make_figures(out, reference=ref)
    for row in history.metrics:
        if row["block"] % max(1, len(history.metrics) // 20) == 0 or row is history.metrics[-1]:
            print(f"block {row['block']:4d}  t = {row['time_s']:7.1f} s  cost = {row['cost']:.4g}")
    t = history.timing
    sim = trainer.n_updates * float(trainer.network.params.learning.t_update)
    print(
        f"wall time: {t.get('run_s', t['total_s']):.2f} s for {sim:.0f} s simulated"
        f" ({t.get('run_s', t['total_s']) / sim:.4f} s per simulated second);"
        f" compile {t.get('compile_s', 0.0):.1f} s"
    )
    print(f"results in {out}")
    return 0


def cmd_codegen(args):
    from superspike_brian.training import codegen

    if args.compute_capability is not None:
        codegen.check_compute_capability(args.compute_capability)
    if args.device == "runtime":
        raise SystemExit(
            "codegen writes standalone projects: --device cpp_standalone or cuda_standalone"
        )
    task = make_task(args)
    trainer = make_trainer(args, task)
    out = trainer.generate(
        args.out, compile=args.compile, compute_capability=args.compute_capability
    )
    print(f"project in {out}; see {out / 'README.md'}")
    return 0


def cmd_collect(args):
    import pickle

    from superspike_brian.rundir import write_run
    from superspike_brian.training import codegen
    from superspike_brian.training.trainer import Trainer

    arrays, manifest = codegen.read_results(args.project)
    with open(Path(args.project) / "superspike.pkl", "rb") as fh:
        saved = pickle.load(fh)
    trainer = Trainer(
        saved["network"],
        saved["task"],
        device=manifest["device"],
        schedule=saved["schedule"],
        progress=False,
    )
    history = trainer.history_from_results(arrays)
    out = Path(args.out or Path("runs") / Path(args.project).name)
    write_run(out, trainer, history, extra_config={"collected_from": str(args.project)})
    for row in history.metrics[:: max(1, len(history.metrics) // 10)]:
        print(f"block {row['block']:4d}  cost = {row['cost']:.4g}")
    print(f"results in {out}")
    return 0


def cmd_report(args):
    from superspike_brian.reporting import reference
    from superspike_brian.reporting.figures import summary_page

    out = Path(args.run)
    if not (out / "config.json").exists():
        raise FileNotFoundError(f"{out} is not a run directory (no config.json)")
    ref = reference.curve(args.reference) if args.reference else None
    page = summary_page(out, reference=ref)
    print(f"figures and {page} regenerated from the saved data")
    return 0


def cmd_sweep(args):
    from superspike_brian.sweep.sweep import cmd_sweep as sweep

    return sweep(args)


def main(argv=None):
    p = argparse.ArgumentParser(prog="superspike", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", help="train a network and write a run directory")
    add_train_arguments(tr)
    tr.add_argument("--out", help="run directory (default runs/<time>-<task>)")
    tr.add_argument(
        "--resume",
        metavar="DIR",
        help="continue the interrupted run in DIR from its last checkpoint (its own options)",
    )
    tr.set_defaults(func=cmd_train)
    cg = sub.add_parser(
        "codegen", help="write a standalone (C++ or CUDA) project that trains in one binary"
    )
    add_train_arguments(cg)
    cg.add_argument("--out", required=True, help="project directory")
    cg.add_argument("--compute-capability", help="target GPU, e.g. 9.0 (H100/H200)")
    cg.add_argument("--compile", action="store_true", help="also build it (make -j)")
    cg.set_defaults(func=cmd_codegen)
    co = sub.add_parser("collect", help="read the results of a generated project's run")
    co.add_argument("project", help="project directory (after ./main ran)")
    co.add_argument("--out", help="run directory (default runs/<project name>)")
    co.set_defaults(func=cmd_collect)
    rp = sub.add_parser("report", help="redraw every figure of a run directory and a summary")
    rp.add_argument("run", help="run directory")
    rp.add_argument("--reference", help="reference curve to draw (e.g. single_neuron)")
    rp.set_defaults(func=cmd_report)
    from superspike_brian.sweep.sweep import add_sweep_arguments

    sw = sub.add_parser(
        "sweep",
        help="train a grid of runs (seeds x train options) on Dask, with a summary",
        description="Train every combination of --grid values for every seed, each run in"
        " its own process and run directory OUT/<condition>/seed-<s>, on a local Dask"
        " cluster or the one at --scheduler; finished runs are skipped when the same"
        " command runs again. Exit status 1 if any run failed.",
    )
    add_sweep_arguments(sw)
    sw.set_defaults(func=cmd_sweep)
    args = p.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, FileNotFoundError, RuntimeError) as exc:
        print(f"superspike: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
