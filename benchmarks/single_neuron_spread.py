"""How the single-neuron task (Fig 2) is learned over seeds of the task and of the network.

Trains 100 -> 1 (10 s burn-in, 80 blocks of 10 s, r0/10 from block 20, the
reference implementation's schedule) on

- the built-in task over task seeds (input draws), network seed fixed;
- the built-in task over network seeds (initial weights), task seed fixed;
- with ``--ssbm DIR``, the authors' benchmark data (DIR/input.ras, DIR/target.ras)
  over network seeds;

for each error delay of ``--error-delays`` (ms; default the model's 0.2 ms,
``0,0.2`` compares it with the error on the spike's own step), and prints, per
set, the median over seeds of the per-seed median cost of blocks 40-79 (the
number the reference's spread is given in), its quartiles, the fraction of
seeds that converge exactly (cost below 1e-10) and the fraction whose last
period matches all target spikes within 1 ms with no extra spike. The SSBM set
is compared with the reference implementation's 21 seeds on the same data: a
two-sided Mann-Whitney rank test of the per-seed late medians (scipy). One
compiled binary per error delay serves every run.

Examples
--------
::

    python benchmarks/single_neuron_spread.py --seeds 1-21 --ssbm ../shared/ssbm/poisson \\
        --sets ssbm --error-delays 0,0.2 --out benchmarks/results/single-neuron-spread.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from brian2 import Hz, ms, second

from superspike_brian import (
    ModelParameters,
    Schedule,
    SuperSpikeNetwork,
    Trainer,
    load_task,
    single_neuron_task,
)
from superspike_brian.reporting.reference import SPREADS
from superspike_brian.sweep.grid import parse_seeds

SCHEDULE = Schedule(burn_in=10 * second, block=10 * second, n_blocks=80, decay_at=(20,))


def train(task, seed, build, error_delay, task_seed=None):
    params = ModelParameters().replace(error_delay=error_delay * ms)
    net = SuperSpikeNetwork(n_in=task.n_in, n_out=task.n_out, seed=seed, params=params)
    trainer = Trainer(
        net, task, device="cpp_standalone", schedule=SCHEDULE, build_dir=build, progress=False
    )
    h = trainer.run()
    cost = h.metric("cost")
    last = trainer.timeline.duration - task.period
    t, i = h.spikes["output"]
    match = task.match(t, i, start=np.floor(last / task.period) * task.period)
    return {
        "seed": seed,
        "task_seed": task_seed,
        "median_40_79": float(np.median(cost[40:80])),
        "final": float(cost[-1]),
        "block_10": float(cost[10]),
        "exact": bool(np.median(cost[40:80]) < 1e-10),
        "all_within_1ms": match["exact"],
        "missing": match["missing"],
        "extra": match["extra"],
    }


def summary(name, rows, reference=None):
    med = np.array([r["median_40_79"] for r in rows])
    q1, q2, q3 = np.percentile(med, [25, 50, 75])
    line = (
        f"{name:48s} n={len(rows):2d}  median {q2:.3g}  quartiles {q1:.3g}-{q3:.3g}"
        f"  exact {sum(r['exact'] for r in rows)}/{len(rows)}"
        f"  all 5 within 1 ms {sum(r['all_within_1ms'] for r in rows)}/{len(rows)}"
    )
    out = {"median": q2, "q1": q1, "q3": q3, "rows": rows}
    if reference is not None:
        from scipy.stats import mannwhitneyu

        ref = np.array(reference.late_medians)
        test = mannwhitneyu(med, ref, alternative="two-sided")
        out["reference"] = {
            "median": reference.median,
            "n_exact": reference.n_exact,
            "n_seeds": reference.n_seeds,
            "mann_whitney_p": float(test.pvalue),
            "mann_whitney_u": float(test.statistic),
        }
        line += (
            f"\n{'':48s} reference n={reference.n_seeds}  median {reference.median:.3g}"
            f"  exact {reference.n_exact}/{reference.n_seeds}  rank test p = {test.pvalue:.3g}"
        )
    print(line, flush=True)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", default="1-20")
    p.add_argument("--ssbm", help="folder with the SSBM poisson input.ras and target.ras")
    p.add_argument("--rate", type=float, default=5.0, help="input rate of the built-in task (Hz)")
    p.add_argument("--sets", default="task,network,ssbm")
    p.add_argument("--error-delays", default="0.2", help="error delays to compare, ms")
    p.add_argument("--out")
    args = p.parse_args(argv)
    seeds = parse_seeds(args.seeds)
    sets = args.sets.split(",")
    results = {}
    for delay in (float(x) for x in args.error_delays.split(",")):
        tag = f"error delay {delay:g} ms"
        with tempfile.TemporaryDirectory() as tmp:
            build = Path(tmp) / "build"
            if "task" in sets:
                rows = [
                    train(single_neuron_task(seed=s, rate=args.rate * Hz), 1, build, delay, s)
                    for s in seeds
                ]
                results[f"built-in, task seeds, {tag}"] = summary(
                    f"built-in task, task seeds (network 1), {tag}", rows
                )
            if "network" in sets:
                task = single_neuron_task(seed=1, rate=args.rate * Hz)
                rows = [train(task, s, build, delay, 1) for s in seeds]
                results[f"built-in, network seeds, {tag}"] = summary(
                    f"built-in task 1, network seeds, {tag}", rows
                )
            if "ssbm" in sets and args.ssbm:
                d = Path(args.ssbm)
                task = load_task(d / "input.ras", d / "target.ras", 0.5 * second, n_in=100, n_out=1)
                rows = [train(task, s, build, delay) for s in seeds]
                results[f"ssbm, network seeds, {tag}"] = summary(
                    f"SSBM poisson, network seeds, {tag}", rows, SPREADS["single_neuron"]
                )
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
