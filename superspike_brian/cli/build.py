"""From command-line options to a task and a trainer."""

from __future__ import annotations

import argparse
from pathlib import Path

from brian2 import mV, second

from superspike_brian.options import add_train_arguments

__all__ = ["make_task", "make_trainer", "resume_args"]


def make_task(args):
    """Task from the options (built-in single-neuron task by default)."""
    from superspike_brian.tasks.single_neuron import single_neuron_task
    from superspike_brian.tasks.task import load_task

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
        name = f"{Path(args.input).stem} -> {Path(args.target).name}"
        return Task(name, inp, target, period, kind="image")
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
    from superspike_brian.model.parameters import ModelParameters
    from superspike_brian.training.schedule import Schedule
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


def resume_args(args):
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
