"""The subcommands of ``superspike``: each imports what it needs when it runs."""

from __future__ import annotations

import time
from pathlib import Path

from superspike_brian import logs

__all__ = [
    "cmd_train",
    "cmd_codegen",
    "cmd_collect",
    "cmd_report",
    "cmd_sweep",
    "cmd_evaluate",
    "cmd_export",
    "cmd_reproduce",
]

_log = logs.get_logger(__name__)


def _result(message):
    """A line of the command's result: on stdout, shown at level INFO (not with -q)."""
    _log.info(message, extra=logs.STDOUT)


def _note(message):
    """A message about the command's work: on stderr, shown at level INFO (not with -q)."""
    _log.info(message)


def cmd_train(args):
    from superspike_brian import rundir
    from superspike_brian.cli.build import refuse_with_resume, resume_args
    from superspike_brian.options import check_train

    argv = args.argv
    if args.resume:
        refuse_with_resume(args)
        args, config, argv = resume_args(args)
        out = Path(args.out)
        with rundir.writer_lock(out):
            return _resume(args, config, argv, out)
    check_train(args)
    out = Path(args.out or f"runs/{time.strftime('%Y%m%d-%H%M%S')}-s{args.seed}")
    rundir.prepare(out, overwrite=args.overwrite, create=False)
    # One writer per run directory: a second training there is refused (rundir.RunBusy).
    with rundir.writer_lock(out):
        return _run_train(args, argv, out)


def _resume(args, config, argv, out):
    """Continue the run in ``out`` (its lock held), or say why there is nothing to do."""
    import shlex

    from superspike_brian.cli.build import recorded_options
    from superspike_brian.options import check_train
    from superspike_brian.training import checkpoint

    unchanged = recorded_options(argv) == recorded_options(config["argv"])
    if config.get("status") == "complete" and unchanged:
        if _figures_missing(args):
            # Stopped while drawing its figures, after its results were written.
            _figures(out, _reference(args))
            _result(f"{out} is complete; its missing figures are drawn")
            return 0
        _result(f"{out} is complete; nothing to resume")
        return 0
    check_train(args)
    if not (out / checkpoint.FILENAME).exists():
        # Killed while compiling, say: it starts again, with its own options.
        _note(
            f"{out} has no checkpoint (it stopped before its first block ended): training it"
            f" from the start as {shlex.join(['superspike', *argv])}"
        )
    return _run_train(args, argv, out)


def _run_train(args, argv, out):
    try:
        return _train(args, argv, out)
    except KeyboardInterrupt as exc:
        _log.warning(f"\n{_interrupted(out, exc)}")
        return 130


def _done_before(out):
    """(update intervals done, wall s) of the checkpoint a resumed run starts from."""
    import json

    import numpy as np

    from superspike_brian.training import checkpoint

    try:
        with np.load(Path(out) / checkpoint.FILENAME) as f:
            meta = json.loads(str(f["meta"]))
        return int(meta["k_done"]), float(meta["run_s"])
    except Exception:  # noqa: BLE001 - damaged or missing: the trainer's reader names it
        return 0, 0.0


def _interrupted(out, exc=None):
    """What a user needs after Ctrl-C: where the run stands and how to go on (one line)."""
    from superspike_brian.devices.compiler import CompileInterrupted
    from superspike_brian.rundir import read_metrics

    if isinstance(exc, CompileInterrupted):
        done = exc.describe()
    else:
        try:
            blocks = read_metrics(out)["block"]
            done = f"interrupted after block {int(blocks[-1])}"
        except (OSError, ValueError, KeyError, IndexError):
            done = "interrupted before its first block ended"
    return f"{done}; resume with: superspike train --resume {out}"


def _train(args, argv, out):
    from superspike_brian.cli.build import make_task, make_trainer

    task = make_task(args)
    trainer = make_trainer(args, task, argv)
    k0, wall0 = _done_before(out) if args.resume else (0, 0.0)
    _note(f"{task.describe()}\nwriting to {out}")
    history = trainer.run(
        out=out,
        resume=bool(args.resume),
        overwrite=bool(getattr(args, "overwrite", False)),
        extra_config={"argv": argv},
        figures=False,
    )
    _figures(out, _reference(args))
    for row in history.metrics:
        if row["block"] % max(1, len(history.metrics) // 20) == 0 or row is history.metrics[-1]:
            _result(
                f"block {row['block']:4d}  t = {row['time_s']:7.1f} s  cost = {row['cost']:.4g}"
            )
    t = history.timing
    t_update = float(trainer.network.params.learning.t_update)
    # A resumed run reports the part this process ran (run_s counts every part).
    sim = (trainer.n_updates - k0) * t_update
    wall = t.get("run_s", t["total_s"]) - wall0
    part = f" (of {trainer.n_updates * t_update:.0f} s in all)" if k0 else ""
    _result(
        f"wall time: {wall:.2f} s for {sim:.0f} s simulated by this run{part}"
        f" ({wall / max(sim, 1e-12):.4f} s per simulated second);"
        f" compile {t.get('compile_s', 0.0):.1f} s"
    )
    _result(f"results in {out}")
    return 0


def _reference(args):
    from superspike_brian.reporting import reference

    return reference.curve(args.reference) if args.reference else None


def _figures_missing(args):
    """Whether a complete run lacks some of its figures (False if its data cannot be read)."""
    from superspike_brian.reporting import figures

    try:
        return bool(figures.missing_figures(args.out, _reference(args)))
    except (OSError, ValueError, KeyError):
        return False


def _figures(out, ref):
    """Draw the figures of a complete run; a failed write says how to draw them later."""
    from superspike_brian.reporting import figures

    try:
        figures.make_figures(out, reference=ref)
    except OSError as exc:
        # The results are written; a resumed run would find it complete.
        raise OSError(
            exc.errno,
            f"{exc.strerror or exc}; the run is complete: redraw its figures with"
            f" superspike report {out}",
        ) from None


def cmd_codegen(args):
    from superspike_brian.cli.build import make_task, make_trainer
    from superspike_brian.devices import codegen

    if args.compute_capability is not None:
        if args.device != "cuda_standalone":
            raise ValueError(
                "--compute-capability chooses the GPU of a CUDA project: give --device"
                " cuda_standalone, or leave it out"
            )
        codegen.check_compute_capability(args.compute_capability)
    if args.device == "runtime":
        raise ValueError(
            "codegen writes standalone projects: --device cpp_standalone or cuda_standalone"
        )
    if args.build_dir is not None:
        raise ValueError("--build-dir: codegen writes its project to --out; leave it out")
    task = make_task(args)
    trainer = make_trainer(args, task)
    out = trainer.generate(
        args.out, compile=args.compile, compute_capability=args.compute_capability
    )
    _result(f"project in {out}; see {out / 'README.md'}")
    return 0


def cmd_collect(args):
    from superspike_brian import rundir
    from superspike_brian.training.collect import collect

    out = Path(args.out or Path("runs") / Path(args.project).name)
    with rundir.writer_lock(out):
        history = collect(args.project, out)
    for row in history.metrics[:: max(1, len(history.metrics) // 10)]:
        _result(f"block {row['block']:4d}  cost = {row['cost']:.4g}")
    _result(f"results in {out}")
    return 0


def cmd_report(args):
    from superspike_brian.reporting import reference
    from superspike_brian.reporting.figures import summary_page
    from superspike_brian.rundir import require_finished

    out = Path(args.run)
    require_finished(out)
    ref = reference.curve(args.reference) if args.reference else None
    page = summary_page(out, reference=ref)
    _result(f"figures and {page} regenerated from the saved data")
    return 0


def cmd_sweep(args):
    from superspike_brian.sweep.arguments import cmd_sweep as sweep

    return sweep(args)


def _run_directory(path):
    """The completed run in ``path`` (one-line errors for a missing or unfinished one)."""
    from superspike_brian.training.load import load_run

    return load_run(path)


def _refuse_unused_evaluate_options(args):
    """Options ``evaluate`` accepts but cannot honour without the files they concern."""
    if args.input is None:
        for flag, value, default in (
            ("--target", args.target, None),
            ("--period", args.period, None),
            ("--input-id-offset", args.input_id_offset, 0),
        ):
            if value != default:
                raise ValueError(
                    f"{flag} applies to new input: give --input (without it the run's own"
                    " task is evaluated, with its own target and period)"
                )
    if args.target is None and args.target_id_offset != 0:
        raise ValueError("--target-id-offset applies to a --target file; give --target")


def cmd_evaluate(args):
    from brian2 import second

    from superspike_brian.tasks.spikeio import read_ras
    from superspike_brian.training.evaluate import (
        evaluate,
        evaluation_options,
        evaluation_task,
        trained_network,
        write_evaluation,
    )

    _refuse_unused_evaluate_options(args)
    out = Path(args.out)
    if (out / "evaluation.json").exists() and not args.overwrite:
        raise ValueError(f"--out {out} already holds an evaluation; give --overwrite to replace it")
    run = _run_directory(args.run)
    if args.input is None:
        task = run.task
    elif run.network.error == "classification":
        raise ValueError(
            f"--input: {args.run} learned a classification task (windows of opportunity,"
            " the spiking XOR); evaluate it on its own task, without --input"
        )
    else:
        period = run.task.period if args.period is None else args.period
        net = run.network
        raster = read_ras(
            args.input,
            n_units=net.n_in,
            duration=period * second,
            id_offset=args.input_id_offset,
            name="--input file",
        )
        target = None
        if args.target is not None:
            target = read_ras(
                args.target,
                n_units=net.n_out,
                duration=period * second,
                id_offset=args.target_id_offset,
                name="--target file",
            )
        task = evaluation_task(run, raster, target, period)
    # The run's own structure: its compiled binary runs the evaluation, learning off.
    options = evaluation_options(run)
    if args.device is not None and args.device != options["device"]:
        options["device"] = args.device
        options.pop("learn")  # the default of that device
    result = evaluate(trained_network(run), task, args.duration, **options)
    info = {
        "run": str(Path(args.run).resolve()),
        "input": str(Path(args.input).resolve()) if args.input else "the run's training input",
        "target": (
            str(Path(args.target).resolve())
            if args.target
            else ("the run's target" if args.input is None else None)
        ),
        "device": options["device"],
        "argv": args.argv,
    }
    write_evaluation(out, result, info=info, overwrite=args.overwrite)
    rates = ", ".join(f"{name} {rate:.3g} Hz" for name, rate in result.rates.items())
    _result(f"{result.duration:g} s evaluated, learning off; rates: {rates}")
    if result.cost is not None:
        _result(f"cost {result.cost:.4g} (one unmatched spike per second and output unit gives 1)")
    if result.timing.get("cached"):
        _result("nothing compiled: the run's compiled binary ran it")
    _result(f"results in {out} (evaluation.json, spikes.npz, raster.png)")
    return 0


def cmd_export(args):
    from superspike_brian.interop import nir

    out = Path(args.out)
    if out.is_dir():
        raise ValueError(f"--out {out} is a directory; give a file name such as net.nir")
    if out.exists() and not args.overwrite:
        raise ValueError(f"--out {out} exists; give --overwrite to replace it")
    run = _run_directory(args.run)
    weights = run.history.weights if args.weights == "final" else run.history.initial_weights
    graph = nir.to_nir(run.network, weights)
    out.parent.mkdir(parents=True, exist_ok=True)
    nir.write(out, graph)
    sizes = " -> ".join(str(n) for n in run.network.layer_sizes)
    _result(
        f"{args.weights} weights of {run.path} ({sizes}) written to {out} ({args.format.upper()})"
    )
    return 0


def cmd_reproduce(args):
    """``superspike reproduce``: exit status 0 when every run finished, 1 otherwise."""
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be a positive integer; got {args.workers}")
    if args.workers is not None and args.scheduler is not None:
        raise ValueError("--workers sizes the local cluster; with --scheduler leave it out")
    if args.report_only:
        from superspike_brian.reproduce.runner import redraw

        if args.scheduler is not None or args.workers is not None or args.only is not None:
            raise ValueError(
                "--report-only runs nothing: leave out --scheduler, --workers and --only"
            )

        report = redraw(args.scale, args.out, data_dir=args.data_dir, results=args.results)
        _result(f"report: {report}")
        return 0
    from superspike_brian.reproduce.runner import reproduce

    t0 = time.time()
    report, failed = reproduce(
        args.scale,
        args.out,
        scheduler=args.scheduler,
        data_dir=args.data_dir,
        workers=args.workers,
        only=args.only,
        results=args.results,
    )
    _result(f"report: {report} ({time.time() - t0:.0f} s)")
    if failed:
        _log.warning(
            f"{len(failed)} run(s) failed (see their log.txt); run the same command again"
            " to re-run them"
        )
        return 1
    return 0
