"""Spiking XOR with windows of opportunity (Zenke & Ganguli 2018, Fig 5).

100 inputs in three groups (reference, bit a, bit b) with fixed random spike
times in a 10 ms window -> 4 hidden units -> 2 output units, one per class
(:mod:`superspike_brian.tasks.xor`). The output error is the classification signal:
-1 at once for every wrong or surplus spike, +1 at the end of a window (stimulus
+ 15 ms) in which the right unit did not spike. The stream of ``--trials``
trials (random order, gaps of 100-200 ms with 4 Hz background) is one cyclic
period that training repeats; after training each run is tested with learning
off on a fresh stream of ``--test-trials`` trials of the same patterns.

Conditions: random feedback with the heterosynaptic regularizer, symmetric,
uniform, and no hidden layer (100 -> 2); ``random8`` (not in the default list):
random feedback with 8 hidden units. The paper: random feedback reaches perfect
accuracy, symmetric is fast, uniform worse on average, no hidden layer cannot
solve the task.

Perfect accuracy is scored three ways (docs/xor.md, "Accuracy criteria"): a
block of 50 training trials all correct (A), a block of 50 held-out trials all
correct (B, the paper's learning-curve point on fresh noise), all held-out
trials correct (C). The hidden units are classified as silent, answering to
every pattern, or selective, in the first training period and on the held-out
stream.

Schedule (``superspike_brian.training.xor``, the set-up shared with the
reproduction's Fig 5 sweeps): 800 s of training, the rate r0 = 1 mV until
400 s, r0/10 from 400 s, r0/100 from 600 s (the same fractions of another
``--duration``); all other constants are the paper's defaults. docs/xor.md
explains the choice.

Run::

    python models/xor.py                     # seeds 1-20 x 4 conditions, 800 s each
    python models/xor.py --seeds 1-3 --conditions symmetric,none
    python models/xor.py --n-seeds 5 --conditions random,symmetric,random8

All runs of one condition share one compiled binary
(``superspike_brian.training.xor.run_seeds``): the cost of a run is its simulation,
about 0.03 s per simulated second.

Writes runs/xor/ (``--out``): summary.csv (one row per run: accuracies, perfect
held-out blocks, hidden-unit classes), table.md (the results table and the
command that made it), trials_<condition>.npz (correct or not, every training
and held-out trial of every seed), accuracy_<condition>.png (training
accuracy per block of 50 trials, every run and the mean), accuracy_all.png (the
means of all conditions) and rasters_<condition>.png (output spikes in the first
and last trials of the first run).

Reference: Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer
spiking neural networks. Neural Computation 30(6):1514-1541.
"""

import argparse
import csv
import shlex
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from superspike_brian.cli.script_options import (  # noqa: E402
    add_seed_options,
    chosen_seeds,
    script_parser,
)
from superspike_brian.options import non_negative, positive  # noqa: E402
from superspike_brian.tasks import xor  # noqa: E402
from superspike_brian.training import xor as xor_runs  # noqa: E402

#: Condition -> (hidden units, feedback); 0 hidden units is the 100 -> 2 network.
CONDITIONS = {
    "random": ("hidden", "random"),
    "symmetric": ("hidden", "symmetric"),
    "uniform": ("hidden", "uniform"),
    "none": (0, "symmetric"),
    # Extra (not in the default comparison): random feedback with 8 hidden units.
    "random8": (8, "random"),
}
DEFAULT_CONDITIONS = ("random", "symmetric", "uniform", "none")
BLOCK_TRIALS = xor.BLOCK_TRIALS  # trials per accuracy point (and of "trials to 100 %")
N_RASTER_TRIALS = 12  # trials shown in the before/after rasters


def condition_hidden(condition, args):
    """Hidden units of a condition (``--hidden`` for the 4-hidden conditions)."""
    hidden = CONDITIONS[condition][0]
    return args.hidden if hidden == "hidden" else hidden


def decay_after(args):
    """The rate drops (s): ``--decay-after``, or those of the experiment for ``--duration``."""
    if args.decay_after is None:
        return xor_runs.decay_times(args.duration)
    return args.decay_after


def run_condition(condition, seeds, args, build_root):
    """Train and test every seed of one condition; one binary for training, one for tests."""
    feedback = CONDITIONS[condition][1]
    hidden = condition_hidden(condition, args)
    nets = [xor_runs.make_network(hidden=hidden, feedback=feedback, seed=s) for s in seeds]
    tasks = [xor.xor_task(seed=s, n_trials=args.trials) for s in seeds]

    def said(what):
        def on_run(k, n):
            print(f"  {condition}: {what} seed {seeds[k - 1]} done ({k} of {n})", flush=True)

        return on_run

    print(f"{condition}: training {len(seeds)} runs of {args.duration:g} s", flush=True)
    trained = xor_runs.run_seeds(
        nets,
        tasks,
        args.duration,
        decay_after=decay_after(args),
        build_dir=build_root / f"{condition}-train",
        on_run=said("trained"),
    )
    test_tasks = [xor.xor_task(seed=s, n_trials=args.test_trials, stream=1) for s in seeds]
    tested = xor_runs.run_seeds(
        nets,
        test_tasks,
        learn=False,
        weights=[h.weights for h, _ in trained],
        build_dir=build_root / f"{condition}-test",
        on_run=said("tested"),
    )
    return nets, tasks, test_tasks, trained, tested


def plot_accuracy(path, curves, condition):
    fig, ax = plt.subplots(figsize=(6, 3.5))
    n = min(len(c) for c in curves)
    x = (np.arange(n) + 1) * BLOCK_TRIALS
    for c in curves:
        ax.plot(x, c[:n], color="0.75", lw=0.8)
    ax.plot(x, np.mean([c[:n] for c in curves], axis=0), color="C0", lw=2, label="mean")
    ax.axhline(0.25, color="0.5", ls=":", lw=0.8)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("training trials")
    ax.set_ylabel(f"accuracy (blocks of {BLOCK_TRIALS})")
    ax.set_title(f"spiking XOR, {condition}, {len(curves)} runs")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_means(path, all_curves):
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for k, (condition, curves) in enumerate(all_curves.items()):
        n = min(len(c) for c in curves)
        x = (np.arange(n) + 1) * BLOCK_TRIALS
        m = np.mean([c[:n] for c in curves], axis=0)
        sd = np.std([c[:n] for c in curves], axis=0)
        ax.plot(x, m, color=f"C{k}", lw=1.5, label=condition)
        ax.fill_between(x, m - sd, m + sd, color=f"C{k}", alpha=0.15, lw=0)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("training trials")
    ax.set_ylabel(f"accuracy (blocks of {BLOCK_TRIALS})")
    ax.set_title("spiking XOR: mean +/- SD over runs")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_rasters(path, history, train, condition):
    """Output spikes around the first and the last N_RASTER_TRIALS training trials."""
    t, i = history.spikes["output"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 2.8), sharey=True)
    n = len(train["time"])
    for ax, sel, title in (
        (axes[0], slice(0, N_RASTER_TRIALS), "before (first trials)"),
        (axes[1], slice(n - N_RASTER_TRIALS, n), "after (last trials)"),
    ):
        on = train["time"][sel]
        t0, t1 = on[0] - 0.02, on[-1] + 0.05
        for o, lab, ok in zip(on, train["label"][sel], train["correct"][sel], strict=True):
            ax.axvspan(
                o - t0,
                o - t0 + 0.025,
                ymin=0.5 * lab,
                ymax=0.5 * lab + 0.5,
                color="C2" if ok else "C3",
                alpha=0.25,
                lw=0,
            )
        m = (t >= t0) & (t < t1)
        ax.plot(t[m] - t0, i[m], "|k", ms=14)
        ax.set_title(title)
        ax.set_xlabel("time (s)")
    axes[0].set_yticks([0, 1])
    axes[0].set_ylim(-0.5, 1.5)
    axes[0].set_ylabel("output unit")
    fig.suptitle(f"{condition}: windows (green correct, red wrong) and output spikes")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def summary_table(rows, seconds, command):
    """The results table (markdown) with one line per condition, and the hidden units."""
    lines = [
        f"Command: `{command}`",
        "",
        f"| condition | runs | perfect {BLOCK_TRIALS}-trial block, training |"
        f" perfect {BLOCK_TRIALS}-trial block, held-out | all held-out trials correct |"
        " held-out accuracy, mean +/- SD (median) | held-out >= 0.95 / >= 0.9 |"
        " trials to 100 %, median (IQR) | wall time |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    conditions = list(dict.fromkeys(r["condition"] for r in rows))
    for condition in conditions:
        rs = [r for r in rows if r["condition"] == condition]
        n = len(rs)
        test = np.array([r["test"] for r in rs])
        ttp = np.array([r["trials_to_100"] for r in rs])
        blocks = np.array([r["test_perfect_blocks"] for r in rs])
        reached = np.isfinite(ttp)
        if reached.any():
            q1, med, q3 = np.percentile(ttp[reached], [25, 50, 75])
            ttp_s = f"{med:.0f} ({q1:.0f}-{q3:.0f})"
        else:
            ttp_s = "never"
        lines.append(
            f"| {condition} | {n} | {reached.sum()}/{n} | {np.sum(blocks > 0)}/{n} |"
            f" {np.sum(test >= 1.0)}/{n} | {test.mean():.3f} +/- {test.std():.3f}"
            f" ({np.median(test):.3f}) | {np.sum(test >= 0.95)} / {np.sum(test >= 0.9)} |"
            f" {ttp_s} | {seconds[condition] / 60:.1f} min |"
        )
    lines += [
        "",
        f"Perfect {BLOCK_TRIALS}-trial block, training: the run reaches a block of {BLOCK_TRIALS}"
        " consecutive training trials (blocks 1-50, 51-100, ...) that are all correct (the"
        " training stream repeats with frozen background). Held-out: one of the blocks of the"
        " held-out stream (fresh order and background, learning off) is all correct. All"
        " held-out trials correct: every trial of the held-out stream. Trials to 100 %:"
        " training trials until the end of the first perfect training block; median over"
        " the runs that reach it.",
        "",
        "Hidden units (held-out stream; a unit answers to a pattern when it spikes in the"
        " window of at least half of its trials):",
        "",
        "| condition | selective units at the end, mean | runs | held-out < 0.9 |"
        " of these: <= 1 selective unit | of these: a unit silent from the start |"
        " of these: a unit with negative feedback to both outputs |",
        "|---|---|---|---|---|---|---|",
    ]
    for condition in conditions:
        rs = [r for r in rows if r["condition"] == condition and "end_selective" in r]
        if not rs:
            continue
        bad = [r for r in rs if r["test"] < 0.9]
        lines.append(
            f"| {condition} | {np.mean([r['end_selective'] for r in rs]):.2f} | {len(rs)} |"
            f" {len(bad)} | {sum(r['end_selective'] <= 1 for r in bad)} |"
            f" {sum(r['start_silent'] > 0 for r in bad)} |"
            f" {sum(r['fb_negative'] > 0 for r in bad)} |"
        )
    return "\n".join(lines)


def _conditions(text):
    chosen = [c.strip() for c in text.split(",") if c.strip()]
    bad = [c for c in chosen if c not in CONDITIONS]
    if bad or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown condition {', '.join(bad) or text!r}; choose from {', '.join(CONDITIONS)}"
        )
    return chosen


def parse_args(argv):
    p = script_parser(__doc__)
    add_seed_options(p, "1-20", what="seeds (network and trial stream) per condition")
    p.add_argument(
        "--hidden",
        type=positive(int),
        default=xor_runs.HIDDEN,
        help="hidden units of the hidden conditions",
    )
    p.add_argument(
        "--duration", type=positive(float), default=xor.DURATION, help="training time, s"
    )
    p.add_argument(
        "--decay-after",
        type=non_negative(float),
        nargs="*",
        default=None,
        help="times (s) from which the learning rate drops by 10 (each once more; default:"
        " 400 and 600 of 800 s, the same fractions of another --duration)",
    )
    p.add_argument(
        "--trials", type=positive(int), default=xor.N_TRIALS, help="trials per training stream"
    )
    p.add_argument(
        "--test-trials", type=positive(int), default=xor.N_TRIALS, help="held-out trials"
    )
    p.add_argument(
        "--conditions",
        type=_conditions,
        default=",".join(DEFAULT_CONDITIONS),
        help=f"comma-separated, from {', '.join(CONDITIONS)} (random8: 8 hidden units)",
    )
    p.add_argument("--out", default="runs/xor", help="folder of the results")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    conditions = args.conditions
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    build_root = out / "build"
    seeds = chosen_seeds(args)
    command = "python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])])
    rows, seconds, all_curves = [], {}, {}
    for condition in conditions:
        t0 = time.time()
        nets, tasks, test_tasks, trained, tested = run_condition(condition, seeds, args, build_root)
        seconds[condition] = time.time() - t0
        curves, arrays = [], {"train_correct": [], "test_correct": []}
        for k, seed in enumerate(seeds):
            (history, train), (test_history, test) = trained[k], tested[k]
            scores = xor_runs.run_scores(train, test, BLOCK_TRIALS)
            curves.append(np.asarray(scores.pop("train_accuracy_blocks")))
            row = {
                "condition": condition,
                "seed": seed,
                "hidden": condition_hidden(condition, args),
            }
            row.update(scores)
            if row["trials_to_100"] is None:
                row["trials_to_100"] = float("nan")
            row.update(
                xor_runs.hidden_unit_classes(
                    nets[k], history, tasks[k], test_history, test_tasks[k]
                )
            )
            rows.append(row)
            arrays["train_correct"].append(train["correct"])
            arrays["test_correct"].append(test["correct"])
            units = (
                f", selective hidden units {row['start_selective']} -> {row['end_selective']}"
                if "end_selective" in row
                else ""
            )
            print(
                f"{condition:9s} seed {seed:2d}: last block {row['train_final']:.2f},"
                f" test {row['test']:.3f} ({row['test_perfect_blocks']} perfect blocks),"
                f" trials to 100% {row['trials_to_100']:g}{units}",
                flush=True,
            )
        np.savez_compressed(
            out / f"trials_{condition}.npz",
            seeds=np.array(seeds),
            # Streams of different seeds present slightly different numbers of
            # trials in the same time: one array per run.
            **{f"{k}_{seed}": v for k, vs in arrays.items() for seed, v in zip(seeds, vs)},
        )
        history, train = trained[0]
        plot_rasters(out / f"rasters_{condition}.png", history, train, condition)
        plot_accuracy(out / f"accuracy_{condition}.png", curves, condition)
        all_curves[condition] = curves
        print(f"{condition}: {len(seeds)} runs in {seconds[condition]:.0f} s", flush=True)
    plot_means(out / "accuracy_all.png", all_curves)
    with open(out / "summary.csv", "w", newline="") as fh:
        fields = list(dict.fromkeys(k for r in rows for k in r))
        w = csv.DictWriter(fh, fieldnames=fields, restval="")
        w.writeheader()
        w.writerows(rows)
    table = summary_table(rows, seconds, command)
    (out / "table.md").write_text(table + "\n")
    print("\n" + table)
    print(f"results in {out}")


if __name__ == "__main__":
    main()
