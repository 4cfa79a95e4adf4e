"""The subcommands of ``superspike``: each imports what it needs when it runs."""

from __future__ import annotations

import sys
import time
from pathlib import Path

__all__ = ["cmd_train", "cmd_codegen", "cmd_collect", "cmd_report", "cmd_sweep", "cmd_reproduce"]


def cmd_train(args):
    from superspike_brian.cli.build import resume_args
    from superspike_brian.options import check_train

    argv = args.argv
    if args.resume:
        args, config, argv = resume_args(args)
        if config.get("status") == "complete" and argv == config["argv"]:
            print(f"{args.out} is complete; nothing to resume")
            return 0
    check_train(args)
    out = Path(args.out or f"runs/{time.strftime('%Y%m%d-%H%M%S')}-s{args.seed}")
    if not args.resume:
        from superspike_brian.rundir import prepare

        prepare(out, overwrite=args.overwrite, create=False)
    try:
        return _train(args, argv, out)
    except KeyboardInterrupt:
        print(f"\n{_interrupted(out)}", file=sys.stderr)
        return 130


def _interrupted(out):
    """What a user needs after Ctrl-C: where the run stands and how to go on."""
    from superspike_brian.rundir import read_metrics

    try:
        blocks = read_metrics(out)["block"]
        done = f"after block {int(blocks[-1])}"
    except (OSError, KeyError, IndexError):
        done = "before its first block ended"
    return f"interrupted {done}; resume with: superspike train --resume {out}"


def _train(args, argv, out):
    from superspike_brian.cli.build import make_task, make_trainer
    from superspike_brian.reporting import reference
    from superspike_brian.reporting.figures import make_figures

    task = make_task(args)
    trainer = make_trainer(args, task)
    print(f"{task.describe()}\nwriting to {out}", file=sys.stderr)
    history = trainer.run(
        out=out,
        resume=bool(args.resume),
        overwrite=bool(getattr(args, "overwrite", False)),
        extra_config={"argv": argv},
        figures=False,
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
    from superspike_brian.cli.build import make_task, make_trainer
    from superspike_brian.training import codegen

    if args.compute_capability is not None:
        codegen.check_compute_capability(args.compute_capability)
    if args.device == "runtime":
        raise ValueError(
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
    from superspike_brian.training.collect import collect

    out = Path(args.out or Path("runs") / Path(args.project).name)
    history = collect(args.project, out)
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
    from superspike_brian.sweep.arguments import cmd_sweep as sweep

    return sweep(args)


def cmd_reproduce(args):
    """``superspike reproduce``: exit status 0 when every run finished, 1 otherwise."""
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be a positive integer; got {args.workers}")
    if args.workers is not None and args.scheduler is not None:
        raise ValueError("--workers sizes the local cluster; with --scheduler leave it out")
    if args.report_only:
        from superspike_brian.reproduce.runner import redraw

        print(f"report: {redraw(args.scale, args.out, data_dir=args.data_dir)}")
        return 0
    from superspike_brian.reproduce.runner import reproduce

    t0 = time.time()
    report, failed = reproduce(
        args.scale,
        args.out,
        scheduler=args.scheduler,
        data_dir=args.data_dir,
        workers=args.workers,
    )
    print(f"report: {report} ({time.time() - t0:.0f} s)")
    if failed:
        print(
            f"{len(failed)} run(s) failed (see their log.txt); run the same command again"
            " to re-run them",
            file=sys.stderr,
        )
        return 1
    return 0
