"""One spiking-XOR run (Fig 5) as a sweep run: train, test on a held-out stream, score.

The sweep machinery starts every run as a process given ``superspike train``
options and ``--out DIR --overwrite`` (:func:`superspike_brian.sweep.run_one`);
this module is such a process for the XOR task, so Fig 5 runs on the same
machinery (Dask, resumable, one cached binary per structure) as the others. It
reads the options of ``superspike train`` that apply (``--hidden``, ``--feedback``,
``--seed``, ``--duration``, ``--block``, ``--device``; ``--period T``: a shorter
trial stream of about T s, for tests) and ignores the rest; the task, its schedule and the
scoring are those of :mod:`superspike_brian.tasks.xor` and ``models/xor.py``.

Writes an ordinary run directory (config.json, metrics.csv, weights, spikes)
plus ``xor.json``: training accuracy per block of 50 trials, held-out accuracy,
perfect held-out blocks, trials to 100 %, hidden-unit classes and the number of
hidden units whose feedback weights to both outputs are negative.

Examples
--------
::

    python -m superspike_brian.reproduce.xor_run --hidden 4 --feedback random \\
        --seed 3 --duration 800 --out runs/xor-random-s3 --overwrite
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: Trials per accuracy point, as in models/xor.py and docs/xor.md.
BLOCK_TRIALS = 50
#: Mean time (s) from one trial's onset to the next: 10 ms stimulus, 100-200 ms gap.
TRIAL_SPACING = 0.16
#: Learning-rate drops, as fractions of the training time (400 s and 600 s of 800 s).
DECAY_FRACTIONS = (0.5, 0.75)


def _parser():
    from superspike_brian.options import add_train_arguments

    p = argparse.ArgumentParser(prog="python -m superspike_brian.reproduce.xor_run")
    add_train_arguments(p)
    p.add_argument("--out", required=True, help="run directory")
    p.add_argument("--overwrite", action="store_true", help="replace a run already in --out")
    return p


def hidden_classes(net, history, task, tested, test_task):
    """Hidden-unit classes at the start and the end, and negative feedback rows.

    Returns
    -------
    dict
        ``start_<class>`` and ``end_<class>`` counts (silent, every pattern,
        selective; :func:`superspike_brian.tasks.xor.classify_units`) and
        ``fb_negative``, the hidden units whose feedback weights to both
        outputs are negative (random feedback only). Empty without hidden layer.
    """
    import numpy as np

    from superspike_brian.tasks import xor

    n_hidden = net.hidden[0] if net.hidden else 0
    if not n_hidden:
        return {}
    dt = float(net.params.dt)
    first = xor.unit_responses(history.spikes["hidden_1"], task, n_hidden, task.period, dt)
    last = xor.unit_responses(tested.spikes["hidden_1"], test_task, n_hidden, test_task.period, dt)
    row = {f"start_{k}": int(v) for k, v in xor.classify_units(first).items()}
    row.update({f"end_{k}": int(v) for k, v in xor.classify_units(last).items()})
    fb = net.feedback_matrices()[0]
    row["fb_negative"] = int(np.sum(np.all(fb < 0, axis=0))) if net.feedback == "random" else 0
    return row


def run(args):
    """Train and test one XOR network; returns the contents of xor.json."""
    import math

    from superspike_brian import rundir
    from superspike_brian.files import write_json
    from superspike_brian.tasks import xor
    from superspike_brian.training.trainer import Trainer
    from superspike_brian.training.xor import evaluate, make_network, train_xor, training_schedule

    out = Path(args.out)
    rundir.prepare(out, overwrite=args.overwrite, create=True)
    hidden = args.hidden[0] if args.hidden else 0
    net = make_network(hidden=hidden, feedback=args.feedback, seed=args.seed)
    trials = xor.N_TRIALS
    if args.period is not None:
        # The task draws every pattern equally often: a multiple of 4 trials.
        n = len(xor.PATTERNS)
        trials = n * max(1, int(round(args.period / TRIAL_SPACING / n)))
    task = xor.xor_task(seed=args.seed, n_trials=trials)
    test_task = xor.xor_task(seed=args.seed, n_trials=trials, stream=1)
    decay = tuple(f * args.duration for f in DECAY_FRACTIONS)
    history, train = train_xor(
        net, task, args.duration, device=args.device, block=args.block, decay_after=decay
    )
    test_history, test = evaluate(net, history.weights, test_task, device=args.device)
    schedule = training_schedule(net, args.duration, block=args.block, decay_after=decay)
    trainer = Trainer(net, task, device=args.device, schedule=schedule, progress=False)
    trainer.write(out, history, extra_config={"argv": sys.argv[1:]}, figures=False)
    # Short streams (tests) score blocks of the whole stream instead of 50 trials.
    block = min(BLOCK_TRIALS, len(train["correct"]), len(test["correct"]))
    curve = xor.block_accuracy(train["correct"], block)
    ttp = xor.trials_to_perfect(train["correct"], block)
    result = {
        "hidden": hidden,
        "feedback": args.feedback,
        "seed": args.seed,
        "duration_s": args.duration,
        "block_trials": block,
        "train_accuracy_blocks": [float(c) for c in curve],
        "train_final": float(curve[-1]),
        "test": float(test["correct"].mean()),
        "test_perfect_blocks": int(xor.perfect_blocks(test["correct"], block)),
        "trials_to_100": None if not math.isfinite(ttp) else float(ttp),
    }
    result.update(hidden_classes(net, history, task, test_history, test_task))
    write_json(out / rundir.XOR_FILE, result)
    return result


def main(argv=None):
    """Command-line entry; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        result = run(args)
    except (ValueError, TypeError, OSError, RuntimeError) as exc:
        print(f"xor_run: error: {exc}", file=sys.stderr)
        return 2
    print(
        f"XOR {args.feedback} hidden {result['hidden']} seed {args.seed}:"
        f" last training block {result['train_final']:.2f}, held-out {result['test']:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
