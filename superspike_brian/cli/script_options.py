"""Options the model scripts (``models/*.py``) share, with one meaning each.

``--seeds`` is always a list or range of seeds (``1-3,5``), as in
``superspike sweep``; ``--n-seeds N`` is the count form, seeds 1..N. The help
of every script shows each option's description and default.
"""

from __future__ import annotations

import argparse

from superspike_brian.options import HelpFormatter

__all__ = ["script_parser", "add_seed_options", "chosen_seeds", "seed_list"]


def seed_list(text):
    """``--seeds``: '1-5', '1,3,7', '2' or '1-3,5' -> list of ints (an argparse type)."""
    from superspike_brian.sweep.grid import parse_seeds

    try:
        return parse_seeds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count(text):
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a number of seeds >= 1, got {text!r}")
    return n


def script_parser(doc):
    """A parser whose description is the script's docstring and whose help shows defaults."""
    return argparse.ArgumentParser(description=doc, formatter_class=HelpFormatter)


def add_seed_options(p, default, what="network seeds"):
    """``--seeds`` (list or range, default ``default``) and ``--n-seeds`` (count), exclusive."""
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--seeds",
        type=seed_list,
        default=None,
        help=f"{what}: a list or range, e.g. 1-3,5 (default: {default})",
    )
    g.add_argument("--n-seeds", type=_count, default=None, help=f"{what} 1..N instead of --seeds")
    p.set_defaults(default_seeds=default)


def chosen_seeds(args):
    """The seeds of ``--seeds``, ``--n-seeds`` or the default."""
    if args.seeds is not None:
        return list(args.seeds)
    if args.n_seeds is not None:
        return list(range(1, args.n_seeds + 1))
    return seed_list(args.default_seeds)
