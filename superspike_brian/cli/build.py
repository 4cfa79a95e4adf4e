"""From command-line options to a task and a trainer."""

from __future__ import annotations

import argparse
from pathlib import Path

from brian2 import ms, mV, second

from superspike_brian import logs
from superspike_brian.options import add_train_arguments, check_train, without_defaults

_log = logs.get_logger(__name__)

__all__ = ["make_task", "make_trainer", "resume_args", "refuse_with_resume", "given_options"]


def make_task(args):
    """Task from the options (built-in single-neuron task by default)."""
    from superspike_brian.tasks.single_neuron import single_neuron_task
    from superspike_brian.tasks.task import load_task

    if args.input is None and args.target is None:
        return single_neuron_task(seed=args.task_seed)
    for flag, path, n in (("--input", args.input, "--n-in"), ("--target", args.target, "--n-out")):
        if (
            not _is_image(path)
            and not _has_spikes(path)
            and getattr(args, n[2:].replace("-", "_")) is None
        ):
            raise ValueError(f"{flag} {path} contains no spikes: give {n}, the number of units")
    period = args.period * second
    if _is_image(args.target):
        # A picture as target: one output unit per pixel row, dark pixels are spikes.
        from superspike_brian.tasks.pattern import image_to_raster
        from superspike_brian.tasks.spikeio import read_ras
        from superspike_brian.tasks.task import Task

        target = image_to_raster(args.target, period, n_units=args.n_out, seed=args.task_seed)
        inp = read_ras(
            args.input, n_units=args.n_in, duration=period, id_offset=args.input_id_offset
        )
        name = f"{Path(args.input).stem} -> {Path(args.target).name}"
        return Task(name, inp, target, period, kind="image")
    return load_task(
        args.input,
        args.target,
        period,
        n_in=args.n_in,
        n_out=args.n_out,
        id_offset_input=args.input_id_offset,
        id_offset_target=args.target_id_offset,
    )


def _is_image(path):
    return str(path).lower().endswith((".png", ".jpg", ".jpeg"))


def _has_spikes(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return any(line.strip() and not line.lstrip().startswith("#") for line in fh)
    except OSError:
        return True  # the reader names the problem


def make_trainer(args, task, argv=None):
    """The trainer of the options (after :func:`superspike_brian.options.check_train`).

    Parameters
    ----------
    args : argparse.Namespace
    task : Task
    argv : list of str, optional
        The command line: with ``--init``, the options given there change the
        source's settings (default: ``args.argv``; without either, every option
        counts as given).
    """
    from superspike_brian.feedforward.network import SuperSpikeNetwork
    from superspike_brian.model.parameters import ModelParameters
    from superspike_brian.training.schedule import Schedule
    from superspike_brian.training.trainer import Trainer

    n_blocks, decay_at = check_train(args)
    if getattr(args, "init", None):
        from superspike_brian.cli.init_source import network_from_source
        from superspike_brian.training.initial import initial_network

        argv = argv if argv is not None else getattr(args, "argv", None)
        given = given_options(argv) if argv is not None else set(vars(args))
        net = network_from_source(
            args,
            task,
            initial_network(args.init),
            given,
            say=_log.info,
        )
    else:
        changes = {"r0": args.r0 * mV, "error_delay": args.error_delay * ms}
        if args.regularizer:
            changes["rho"] = args.regularizer[0] / mV
            if len(args.regularizer) == 2:
                changes["a"] = args.regularizer[1]
        regularizer = False if args.no_regularizer else (True if args.regularizer else None)
        net = SuperSpikeNetwork(
            n_in=task.n_in,
            hidden=args.hidden,
            n_out=task.n_out,
            feedback=args.feedback,
            regularizer=regularizer,
            params=ModelParameters().replace(**changes),
            seed=args.seed,
            fixed=(1,) if getattr(args, "fixed_hidden", False) else (),
            linear_hidden=bool(getattr(args, "linear_hidden", False)),
        )
    schedule = Schedule(
        burn_in=args.burn_in * second,
        block=args.block * second,
        n_blocks=n_blocks,
        decay_at=decay_at,
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


def given_options(argv):
    """Names (argparse ``dest``) of the ``superspike train`` options present in ``argv``."""
    given, _ = _train_parser(defaults=False).parse_known_args(_without_train(argv))
    return set(vars(given))


def _train_parser(defaults=True):
    """The train options (and --out, --resume); without defaults: only what is given."""
    p = argparse.ArgumentParser(prog="superspike train")
    options = add_train_arguments(p)
    options["out"] = p.add_argument("--out")
    options["resume"] = p.add_argument("--resume")
    return p if defaults else without_defaults(p, options)


def _without_train(argv):
    return list(argv[1:] if argv and argv[0] == "train" else argv)


def recorded_options(argv):
    """The options of a run's recorded command line that say what it computes.

    ``--overwrite`` (sweeps start every run with it) and ``--resume`` concern how
    the run was started, not the run: a resume never replaces it.
    """
    return [a for a in _without_train(argv) if a not in ("--resume", "--overwrite")]


def refuse_with_resume(args):
    """Refuse the options that ``--resume`` cannot honour (one line each).

    Raises
    ------
    ValueError
        ``--overwrite`` (a resume never replaces the run) or an ``--out`` other
        than the resumed directory.
    """
    if getattr(args, "overwrite", False):
        raise ValueError(
            f"--overwrite with --resume {args.resume}: a resume continues the run there;"
            " to start it afresh give its options with --out DIR --overwrite"
        )
    if args.out is not None and Path(args.out).resolve() != Path(args.resume).resolve():
        raise ValueError(
            f"--out {args.out} with --resume {args.resume}: a resumed run stays in its own"
            " directory; leave --out out"
        )


def resume_args(args):
    """The options of the run in ``args.resume``, to continue it there.

    Options given with ``--resume`` must equal the run's own, except a longer
    ``--duration``, which continues the run.

    Returns
    -------
    (argparse.Namespace, dict, list of str)
        The run's options (with the longer duration), its config, and the
        command line to record.

    Raises
    ------
    ValueError
        An option differs from the run's (each is named with both values).
    """
    from superspike_brian.rundir import is_run, read_config

    out = Path(args.resume)
    if not out.exists():
        raise FileNotFoundError(f"--resume {out}: {out} does not exist")
    if not is_run(out):
        raise FileNotFoundError(f"--resume {out}: not a run directory (no config.json)")
    config = read_config(out)
    if not isinstance(config.get("argv"), list):
        raise ValueError(f"--resume {out}: config.json has no command line (argv) to resume")
    saved = recorded_options(config["argv"])
    resumed = _train_parser().parse_args(saved)
    given, _ = _train_parser(defaults=False).parse_known_args(_without_train(args.argv))
    conflicts, argv = [], ["train", *saved]
    for name, value in sorted(vars(given).items()):
        if name in ("resume", "out") or value == getattr(resumed, name):
            continue
        if name == "duration" and value > resumed.duration:
            resumed.duration = value
            argv = _with_option(argv, "--duration", value)
            continue
        flag = "--" + name.replace("_", "-")
        conflicts.append(f"{flag} {value} (the run has {getattr(resumed, name)})")
    if conflicts:
        raise ValueError(
            f"--resume {out}: {'; '.join(conflicts)}. A resumed run keeps its own options;"
            " only a longer --duration continues it"
        )
    resumed.out = str(out)
    resumed.resume = str(out)
    return resumed, config, argv


def _with_option(argv, flag, value):
    argv = list(argv)
    if flag in argv:
        argv[argv.index(flag) + 1] = str(value)
    else:
        argv += [flag, str(value)]
    return argv
