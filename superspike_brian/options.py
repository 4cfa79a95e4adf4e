"""The options of ``superspike train``, shared by the command line and sweeps.

Every option is declared once here, with its type, its default, its unit and,
for enumerated options, its choices (:mod:`superspike_brian.choices`). The
module imports neither Brian2 nor numpy: the command line answers ``--help``
and argument errors before importing them, and a sweep checks the options of
all its runs before it starts one.
"""

from __future__ import annotations

import argparse

from superspike_brian.choices import DEVICES, ENGINES, FEEDBACK_MODES, LEARN_MODES

__all__ = [
    "add_train_arguments",
    "check_train",
    "without_defaults",
    "parse_hidden",
    "parse_regularizer",
    "HelpFormatter",
    "Parser",
    "one_line",
    "reference_names",
]


def parse_hidden(text):
    """``--hidden``: 0 (no hidden layer), 256, or 64,64 (two layers)."""
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


def parse_regularizer(text):
    """``--regularizer``: RHO (1/mV) or RHO,A."""
    try:
        parts = [float(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--regularizer must be RHO or RHO,A (numbers; RHO in 1/mV); got {text!r}"
        ) from None
    finite = all(x == x and abs(x) != float("inf") for x in parts)
    if (
        not finite
        or len(parts) not in (1, 2)
        or parts[0] < 0
        or (len(parts) == 2 and parts[1] <= 0)
    ):
        raise argparse.ArgumentTypeError(
            f"--regularizer must be RHO>=0 or RHO,A with A>0; got {text!r}"
        )
    return parts


def non_negative(kind):
    """A parser of non-negative numbers of ``kind`` (float or int)."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
        if value < 0:
            raise argparse.ArgumentTypeError(f"expected a non-negative number, got {text!r}")
        return value

    return parse


def positive(kind):
    """A parser of positive numbers of ``kind``."""

    def parse(text):
        value = non_negative(kind)(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
        return value

    return parse


def reference_names():
    from superspike_brian.reporting.reference import CURVES

    return tuple(CURVES)


def one_line(text):
    """``text`` with every character that would break or garble a terminal line escaped.

    Error messages quote what the user gave, which may hold a newline or a
    control character; the message stays one line.
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, not a usage dump."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see: {self.prog} --help)\n")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help that shows every default and keeps the examples of a description as written."""

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if "default" in text or default in (None, False, (), argparse.SUPPRESS):
            return text
        return f"{text} (default: {default})"


def _recorder(group):
    """An ``add_argument`` of ``group`` that also keeps the actions it adds (in the list)."""
    added = []

    def add(*flags, **kw):
        added.append(group.add_argument(*flags, **kw))

    return add, added


def add_task_arguments(p):
    """Where the input and target spikes come from."""
    g = p.add_argument_group("task (default: the built-in single-neuron task of Fig 2)")
    add, added = _recorder(g)
    add("--input", help="input spikes: a .ras file, one 'time_s unit_id' per line")
    add("--target", help="target spikes of the output units (.ras), or a PNG image")
    add("--period", type=positive(float), help="period of input and target, s")
    add("--input-id-offset", type=int, default=0, help="subtracted from input ids")
    add("--target-id-offset", type=int, default=0, help="subtracted from target ids (1 for 1..N)")
    add("--n-in", type=positive(int), help="input units (default: from the file)")
    add("--n-out", type=positive(int), help="output units (default: from the file)")
    add(
        "--task-seed",
        type=non_negative(int),
        default=1,
        help="seed of the built-in task's input draw (and of image targets' jitter)",
    )
    return added


def add_network_arguments(p):
    """Network structure and learning rate."""
    n = p.add_argument_group("network")
    add, added = _recorder(n)
    add(
        "--hidden",
        type=parse_hidden,
        default=(),
        help="hidden layer sizes: 0, 256 or 64,64 (default: 0, no hidden layer)",
    )
    add("--feedback", default="symmetric", choices=FEEDBACK_MODES, help="feedback mode")
    add(
        "--regularizer",
        type=parse_regularizer,
        help="RHO[,A]: strength in 1/mV and exponent (on by default with random feedback: 1e-6,4)",
    )
    add("--no-regularizer", action="store_true", help="switch the regularizer off")
    add(
        "--init",
        metavar="RUN_OR_NIR",
        help="start from trained weights: a run directory (its final weights) or a NIR file"
        " (superspike export); the layers are taken from there (default: seeded draw)",
    )
    add(
        "--fixed-hidden",
        action="store_true",
        help="ablation: the input -> first hidden layer weights do not learn",
    )
    add(
        "--linear-hidden",
        action="store_true",
        help="ablation (\"symmetric linear\"): sigma' = 1 in the hidden layers' learning rule",
    )
    add("--r0", type=non_negative(float), default=1.0, help="learning rate, mV")
    add(
        "--error-delay",
        type=non_negative(float),
        default=0.2,
        help="ms from an output or target spike to its error (0.2: the reference"
        " implementation's timing; 0: on the spike's own step)",
    )
    add(
        "--seed",
        type=non_negative(int),
        default=1,
        help="seed of the network: initial weights and random feedback matrices",
    )
    return added


def add_schedule_arguments(p):
    """Burn-in, blocks, learning-rate decay."""
    t = p.add_argument_group("schedule")
    add, added = _recorder(t)
    add("--duration", type=positive(float), default=800.0, help="training after the burn-in, s")
    add("--block", type=positive(float), default=10.0, help="block length, s")
    add("--burn-in", type=non_negative(float), default=10.0, help="burn-in (weights fixed), s")
    add(
        "--decay-at",
        type=non_negative(int),
        default=None,
        help="block from which the learning rate is r0/10 (default 20, as in the reference"
        " implementation; no drop when the training is shorter)",
    )
    return added


def add_run_arguments(p, *, reference=True):
    """Device, learn mode, engine, precision, build directory."""
    r = p.add_argument_group("run")
    add, added = _recorder(r)
    add("--device", default="cpp_standalone", choices=DEVICES, help="Brian2 target")
    add(
        "--learn",
        default=None,
        choices=LEARN_MODES,
        help="where the weight update runs: inside the simulation, or in the Python controller"
        " between update intervals (default: inside; controller for the factorized engine"
        " on runtime)",
    )
    add(
        "--engine",
        default="synaptic",
        choices=ENGINES,
        help="synaptic (per-synapse equations) or factorized (the same accumulators from"
        " per-neuron signals; C++ inside the binary on cpp_standalone, much faster)",
    )
    add("--float32", action="store_true", help="single precision")
    add("--build-dir", help="standalone project directory (default: a cache per model structure)")
    if reference:
        add(
            "--reference",
            choices=reference_names(),
            metavar="NAME",
            help="draw this curve of the authors' implementation in the figures, when it was"
            f" measured on the same task: {', '.join(reference_names())}",
        )
    return added


def add_train_arguments(p, *, reference=True):
    """Add all options of ``superspike train`` (without --reference: of codegen) to ``p``.

    Returns
    -------
    dict
        Option name without dashes (``burn-in``) -> the argparse action that
        :meth:`argparse.ArgumentParser.add_argument` returned for it: what a
        sweep asks of an option (a switch or a value) and what a resume needs
        to tell given options from defaults.
    """
    added = add_task_arguments(p) + add_network_arguments(p) + add_schedule_arguments(p)
    added += add_run_arguments(p, reference=reference)
    return {flag[2:]: a for a in added for flag in a.option_strings if flag.startswith("--")}


def without_defaults(parser, options):
    """``parser`` with no defaults for ``options``: it parses only what a command line gives.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    options : dict
        What :func:`add_train_arguments` returned for ``parser``.
    """
    # Not parser.set_defaults: it would pass the SUPPRESS marker through each type.
    for action in options.values():
        action.default = argparse.SUPPRESS
    return parser


DEFAULT_DECAY_AT = 20


def check_train(args):
    """Check the options of a training before anything is imported or written.

    Returns the schedule's number of blocks and decay blocks.

    Raises
    ------
    ValueError
        An option is out of range or contradicts another; the message names it
        and the expected form.
    """
    import os

    n_blocks = args.duration / args.block
    if abs(n_blocks - round(n_blocks)) > 1e-9:
        raise ValueError(
            f"--duration {args.duration:g} s must be a whole number of --block {args.block:g} s"
        )
    n_blocks = int(round(n_blocks))
    if args.decay_at is not None and args.decay_at >= n_blocks:
        raise ValueError(
            f"--decay-at {args.decay_at} lies beyond the last block: the training has"
            f" {n_blocks} blocks (0 to {n_blocks - 1})"
        )
    files = [args.input, args.target]
    if any(files) and not all(files + [args.period]):
        raise ValueError("--input, --target and --period go together")
    if not any(files) and args.period is not None and abs(args.period - 0.5) > 1e-12:
        raise ValueError("--period applies to --input/--target files (the built-in task: 0.5 s)")
    _refuse_unused(args, any(files))
    for flag, path in (("--input", args.input), ("--target", args.target)):
        if path is not None and os.path.isdir(path):
            raise ValueError(f"{flag} {path} is a directory; give a spike file")
        if path is not None and not os.path.exists(path):
            raise ValueError(f"{flag} file {path} does not exist")
    init = getattr(args, "init", None)
    if init is not None and not os.path.exists(init):
        raise ValueError(f"--init {init} does not exist; give a run directory or a NIR file")
    if args.feedback != "symmetric" and not args.hidden and init is None:
        raise ValueError(
            f"--feedback {args.feedback} needs a hidden layer (--hidden N); without one"
            " the output error drives the weights directly"
        )
    for flag in ("fixed_hidden", "linear_hidden"):
        if getattr(args, flag, False) and not args.hidden:
            raise ValueError(f"--{flag.replace('_', '-')} needs a hidden layer (--hidden N)")
    decay_at = DEFAULT_DECAY_AT if args.decay_at is None else args.decay_at
    return n_blocks, (decay_at,)


def _refuse_unused(args, files):
    """Refuse options that the training accepts but could not honour (one line each)."""
    if not files:
        for flag, value, default in (
            ("--n-in", args.n_in, None),
            ("--n-out", args.n_out, None),
            ("--input-id-offset", args.input_id_offset, 0),
            ("--target-id-offset", args.target_id_offset, 0),
        ):
            if value != default:
                raise ValueError(
                    f"{flag} applies to --input/--target files; the built-in task has 100"
                    " inputs and 1 output"
                )
    elif args.task_seed != 1 and not str(args.target).lower().endswith((".png", ".jpg", ".jpeg")):
        raise ValueError(
            "--task-seed draws the built-in task's input (and a picture target's jitter);"
            " with spike files it would change nothing: leave it out"
        )
    if args.regularizer and getattr(args, "no_regularizer", False):
        raise ValueError("--regularizer and --no-regularizer contradict each other: give one")
    if args.build_dir is not None and args.device == "runtime":
        raise ValueError(
            "--build-dir is the project of a standalone device; --device runtime has none"
        )
