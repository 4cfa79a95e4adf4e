"""A hidden layer learns the single-neuron task from a silent start (Zenke & Ganguli 2018, Fig 4).

100 frozen Poisson inputs -> 4 hidden units -> 1 output unit, trained to fire 5
equidistant spikes per 500 ms. Each feedback mode (symmetric, random N(0,1) with
the heterosynaptic regularizer, uniform) is trained from many seeds; the script
reports the fraction of runs that learn and draws the learning curves. The paper
reports that random feedback fails in a few runs (when all feedback weights of
the hidden units are negative) and rarely with 8 hidden units, and no striking
difference between the modes otherwise.

Run::

    python models/hidden_layer.py                       # seeds 1-20 x 3 modes, 4 hidden
    python models/hidden_layer.py --hidden 8 --n-seeds 20
    python models/hidden_layer.py --seeds 1-3 --duration 100   # a quick look

Writes runs/hidden_layer-h<N>/ (summary.csv, learning_curves_<mode>.png and one
run directory per condition and seed, <mode>-s<seed>). Running the same command
again reuses the finished runs; ``--overwrite`` trains them afresh.

Reference: Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer
spiking neural networks. Neural Computation 30(6):1514-1541.
"""

import csv
from pathlib import Path

import numpy as np

from superspike_brian import Trainer, load_run, single_neuron_task
from superspike_brian.choices import FEEDBACK_MODES
from superspike_brian.cli.script_options import add_seed_options, chosen_seeds, script_parser
from superspike_brian.options import positive
from superspike_brian.paper import FEEDBACK_MODES as modes
from superspike_brian.paper import FIG4, LEARNED_BELOW, LEARNED_BLOCKS
from superspike_brian.reporting.common import save_figure
from superspike_brian.reporting.curves import plot_learning_curve
from superspike_brian.rundir import RunUnfinished, require_finished

# Network, task and schedule: the paper's Fig 4 (superspike_brian.paper.FIG4), the
# single neuron's task and schedule (the reference implementation's: docs/data.md).
# A run "learns" when its cost, averaged over the last LEARNED_BLOCKS (5) blocks, is
# below LEARNED_BELOW (2): fewer than two unmatched spikes per second.


def train_one(feedback, seed, hidden, duration_s, device, out, overwrite=False):
    """Train one run into `out`, or reuse it when it finished earlier with this schedule."""
    task = single_neuron_task(seed=seed)
    net = FIG4.replace(hidden=(hidden,), feedback=feedback).network(seed)
    schedule = FIG4.schedule(duration_s)
    if not overwrite and _finished(out, schedule):
        print(f"  reused: {out} finished earlier (--overwrite trains it again)", flush=True)
        return load_run(out).history
    # Block by block: a bar on a terminal, a line per block in a log.
    trainer = Trainer(net, task, device=device, schedule=schedule, progress=True)
    resume = (out / "config.json").exists() and not overwrite
    return trainer.run(out, resume=resume, overwrite=overwrite, figures=False)


def _finished(out, schedule):
    if not (out / "config.json").exists():
        return False
    try:
        config = require_finished(out)
    except RunUnfinished:
        return False
    return config.get("schedule", {}).get("n_blocks") == schedule.n_blocks


def _modes(text):
    chosen = [m.strip() for m in text.split(",") if m.strip()]
    bad = [m for m in chosen if m not in FEEDBACK_MODES]
    if bad or not chosen:
        import argparse

        raise argparse.ArgumentTypeError(
            f"expected feedback modes from {', '.join(FEEDBACK_MODES)}, comma-separated;"
            f" got {text!r}"
        )
    return chosen


def parse_args(argv):
    p = script_parser(__doc__)
    add_seed_options(p, "1-20", what="network seeds (each also draws its own input)")
    p.add_argument("--hidden", type=positive(int), default=FIG4.hidden[0], help="hidden units")
    p.add_argument(
        "--duration",
        type=positive(float),
        default=FIG4.duration,
        help="training after the burn-in, s",
    )
    p.add_argument(
        "--modes", type=_modes, default=",".join(modes), help="feedback modes, comma-separated"
    )
    p.add_argument(
        "--device",
        default="cpp_standalone",
        choices=["cpp_standalone", "runtime"],
        help="Brian2 target",
    )
    p.add_argument(
        "--out", default=None, help="folder of the runs (default: runs/hidden_layer-h<N>)"
    )
    p.add_argument(
        "--overwrite", action="store_true", help="train the runs afresh (default: reuse them)"
    )
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    seeds = chosen_seeds(args)
    out = Path(args.out or f"runs/hidden_layer-h{args.hidden}")
    rows, curves = [], {}
    total, k = len(args.modes) * len(seeds), 0
    print(
        f"{total} runs of 100 -> {args.hidden} -> 1 ({', '.join(args.modes)} feedback,"
        f" seeds {seeds[0]}..{seeds[-1]}), {args.duration:g} s each"
        + (
            "; each feedback mode compiles its model once (its progress is shown)"
            if args.device == "cpp_standalone"
            else ""
        ),
        flush=True,
    )
    for mode in args.modes:
        curves[mode] = []
        for seed in seeds:
            k += 1
            print(f"[{k}/{total}] {mode} feedback, seed {seed}:", flush=True)
            h = train_one(
                mode,
                seed,
                args.hidden,
                args.duration,
                args.device,
                out / f"{mode}-s{seed}",
                args.overwrite,
            )
            cost = h.metric("cost")
            final = float(np.mean(cost[-LEARNED_BLOCKS:]))
            rows.append(
                {
                    "feedback": mode,
                    "seed": seed,
                    "final_cost": final,
                    "learned": final < LEARNED_BELOW,
                    "hidden_rate_hz": h.metrics[-1]["hidden_1_rate_hz"],
                }
            )
            curves[mode].append(cost)
            print(f"{mode:9s} seed {seed:2d}: final cost {final:.3g}", flush=True)
        frac = np.mean([r["learned"] for r in rows if r["feedback"] == mode])
        print(f"{mode}: {frac:.0%} of {len(seeds)} runs learned (cost < {LEARNED_BELOW})")
        blocks = np.arange(len(curves[mode][0]))
        ax = plot_learning_curve(
            blocks,
            np.array(curves[mode]),
            title=f"100 → {args.hidden} → 1, {mode} feedback, seeds {seeds[0]}..{seeds[-1]}",
            threshold=(
                LEARNED_BELOW,
                f"learned: mean of the last {LEARNED_BLOCKS} blocks below {LEARNED_BELOW:g}",
            ),
        )
        save_figure(ax, out / f"learning_curves_{mode}.png")
    with open(out / "summary.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"results in {out}")


if __name__ == "__main__":
    main()
