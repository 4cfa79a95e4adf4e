"""Spiking XOR with windows of opportunity (Zenke & Ganguli 2018, Fig 5).

100 inputs in three groups (reference, bit a, bit b) with fixed random spike
times in a 10 ms window -> 4 hidden units -> 2 output units, one per class
(:mod:`superspike_brian.xor`). The output error is the classification signal:
-1 at once for every wrong or surplus spike, +1 at the end of a window (stimulus
+ 15 ms) in which the right unit did not spike. The stream of ``--trials``
trials (random order, gaps of 100-200 ms with 4 Hz background) is one cyclic
period that training repeats; after training each run is tested with learning
off on a fresh order of the same patterns.

Conditions: random feedback with the heterosynaptic regularizer, symmetric,
uniform, and no hidden layer (100 -> 2). The paper: random feedback reaches
perfect accuracy, symmetric is fast, uniform worse on average, no hidden layer
cannot solve the task.

Run::

    python models/xor.py                     # 20 runs x 4 conditions, 600 s each
    python models/xor.py --runs 3 --duration 300 --conditions symmetric,none

Writes runs/xor/: summary.csv (one row per run), accuracy_<condition>.png
(training accuracy per block of trials, every run and the mean) and
rasters_<condition>.png (output spikes of the first and last trials of run 1).

Reference: Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer
spiking neural networks. Neural Computation 30(6):1514-1541.
"""

import argparse
import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from superspike_brian import xor  # noqa: E402

#: Condition -> (hidden units, feedback); 0 hidden units is the 100 -> 2 network.
CONDITIONS = {
    "random": ("hidden", "random"),
    "symmetric": ("hidden", "symmetric"),
    "uniform": ("hidden", "uniform"),
    "none": (0, "symmetric"),
}
BLOCK_TRIALS = 50  # trials per accuracy point
N_RASTER_TRIALS = 12  # trials shown in the before/after rasters


def run_one(condition, seed, args, build_root):
    hidden, feedback = CONDITIONS[condition]
    hidden = args.hidden if hidden == "hidden" else 0
    net = xor.make_network(hidden=hidden, feedback=feedback, seed=seed)
    task = xor.xor_task(seed=seed, n_trials=args.trials)
    # One build directory per structure: later seeds only recompile what changed.
    history, train = xor.train_xor(
        net, task, args.duration, device=args.device, build_dir=build_root / f"{condition}-train"
    )
    test_task = xor.xor_task(seed=seed, n_trials=args.trials, stream=1)
    _, test = xor.evaluate(
        net,
        history.weights,
        test_task,
        device=args.device,
        build_dir=build_root / f"{condition}-test",
    )
    return history, train, test


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
    ax.set_title(f"spiking XOR, {condition}")
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


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--hidden", type=int, default=4)
    p.add_argument("--duration", type=float, default=600.0, help="training time (s)")
    p.add_argument("--trials", type=int, default=xor.N_TRIALS, help="trials per stream")
    p.add_argument("--conditions", default=",".join(CONDITIONS))
    p.add_argument("--device", default="cpp_standalone")
    p.add_argument("--out", default="runs/xor")
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    build_root = out / "build"
    rows = []
    for condition in args.conditions.split(","):
        if condition not in CONDITIONS:
            p.error(f"unknown condition {condition!r}; choose from {', '.join(CONDITIONS)}")
        curves = []
        for seed in range(1, args.runs + 1):
            history, train, test = run_one(condition, seed, args, build_root)
            curve = xor.block_accuracy(train["correct"], BLOCK_TRIALS)
            curves.append(curve)
            row = {
                "condition": condition,
                "seed": seed,
                "train_final": float(curve[-1]),
                "test": float(test["correct"].mean()),
                "trials_to_100": xor.trials_to_perfect(train["correct"], BLOCK_TRIALS),
            }
            rows.append(row)
            print(
                f"{condition:9s} seed {seed:2d}: last block {row['train_final']:.2f},"
                f" test {row['test']:.3f}, trials to 100% {row['trials_to_100']:g}",
                flush=True,
            )
            if seed == 1:
                plot_rasters(out / f"rasters_{condition}.png", history, train, condition)
        plot_accuracy(out / f"accuracy_{condition}.png", curves, condition)
    with open(out / "summary.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(
        f"\n{'condition':10s} {'runs':>4s} {'test acc (mean)':>16s} {'runs 100%':>10s}"
        f" {'trials to 100% (median)':>24s}"
    )
    for condition in dict.fromkeys(r["condition"] for r in rows):
        rs = [r for r in rows if r["condition"] == condition]
        test = np.array([r["test"] for r in rs])
        ttp = np.array([r["trials_to_100"] for r in rs])
        reached = np.isfinite(ttp)
        med = f"{np.median(ttp[reached]):.0f}" if reached.any() else "never"
        print(
            f"{condition:10s} {len(rs):4d} {test.mean():16.3f} {np.sum(test >= 1.0):10d} {med:>24s}"
        )
    print(f"results in {out}")


if __name__ == "__main__":
    main()
