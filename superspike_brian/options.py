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

__all__ = ["add_train_arguments", "train_option_actions", "parse_hidden", "parse_regularizer"]


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
    if len(parts) not in (1, 2) or parts[0] < 0 or (len(parts) == 2 and parts[1] <= 0):
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
        if value < 0:
            raise argparse.ArgumentTypeError(f"expected a non-negative number, got {text!r}")
        return value

    return parse


def _reference_names():
    from superspike_brian.reporting.reference import CURVES

    return tuple(CURVES)


def add_task_arguments(p):
    """Where the input and target spikes come from."""
    g = p.add_argument_group("task")
    g.add_argument("--input", help="input spikes (.ras: time_s unit_id); default: built-in task")
    g.add_argument("--target", help="target spikes (.ras) of the output units, or a PNG image")
    g.add_argument("--period", type=non_negative(float), help="period of input and target (s)")
    g.add_argument("--input-id-offset", type=int, default=0, help="subtract from input ids")
    g.add_argument(
        "--target-id-offset", type=int, default=0, help="subtract from target ids (1 for ids 1..N)"
    )
    g.add_argument("--n-in", type=int, help="number of input units (default: from the file)")
    g.add_argument("--n-out", type=int, help="number of output units (default: from the file)")


def add_network_arguments(p):
    """Network structure and learning rate."""
    n = p.add_argument_group("network")
    n.add_argument(
        "--hidden", type=parse_hidden, default=(), help="0, 256 or 64,64 (hidden layer sizes)"
    )
    n.add_argument("--feedback", default="symmetric", choices=FEEDBACK_MODES, help="feedback mode")
    n.add_argument(
        "--regularizer",
        type=parse_regularizer,
        help="RHO[,A]: strength in 1/mV and exponent (default with random feedback: 1e-6,4)",
    )
    n.add_argument("--no-regularizer", action="store_true", help="switch the regularizer off")
    n.add_argument("--r0", type=non_negative(float), default=1.0, help="learning rate (mV)")
    n.add_argument("--seed", type=int, default=1, help="seed of every random draw")


def add_schedule_arguments(p):
    """Burn-in, blocks, learning-rate decay."""
    t = p.add_argument_group("schedule")
    t.add_argument(
        "--duration", type=non_negative(float), default=800.0, help="training after burn-in (s)"
    )
    t.add_argument("--block", type=non_negative(float), default=10.0, help="block length (s)")
    t.add_argument("--burn-in", type=non_negative(float), default=10.0, help="burn-in (s)")
    t.add_argument("--decay-at", type=int, default=20, help="block from which the rate is r0/10")


def add_run_arguments(p, *, reference=True):
    """Device, learn mode, engine, precision, build directory."""
    r = p.add_argument_group("run")
    r.add_argument("--device", default="cpp_standalone", choices=DEVICES, help="Brian2 target")
    r.add_argument(
        "--learn",
        default=None,
        choices=LEARN_MODES,
        help="inside (one run) or controller (per trial, resumable); default inside"
        " (controller for the factorized engine on runtime)",
    )
    r.add_argument(
        "--engine",
        default="synaptic",
        choices=ENGINES,
        help="synaptic (per-synapse equations) or factorized (exact, from per-neuron signals;"
        " C++ inside the binary on cpp_standalone)",
    )
    r.add_argument("--float32", action="store_true", help="single precision")
    r.add_argument("--build-dir", help="standalone project directory (default: a cache)")
    if reference:
        r.add_argument(
            "--reference",
            choices=_reference_names(),
            help="reference curve of the authors' implementation to draw",
        )


def add_train_arguments(p, *, reference=True):
    """All options of ``superspike train`` (and, without --reference, of codegen)."""
    add_task_arguments(p)
    add_network_arguments(p)
    add_schedule_arguments(p)
    add_run_arguments(p, reference=reference)


def train_option_actions(parser):
    """Option name (no dashes) -> argparse action, for every option of ``parser``."""
    options = {}
    for action in parser._actions:
        for flag in action.option_strings:
            if flag.startswith("--"):
                options[flag[2:]] = action
    return options
