"""An adaptive LIF neuron learns the single-neuron task of Zenke & Ganguli (2018), Fig 2.

The neuron is the user's own, written in Brian2 as a user would: a LIF membrane
with an adaptation current that jumps at every spike and decays with
``tau_a``, one more state variable than the paper's neuron::

    tau_m dv/dt = v_rest - v + I - a        (clamped while refractory)
    dI/dt = -I / tau_s,   da/dt = -a / tau_a,   a += b_a at each spike

SuperSpike (``superspike_brian.SuperSpike``) reads the membrane ``v`` and the
threshold ``v_th`` from ``threshold='v > v_th'`` and trains the synapses of
100 frozen Poisson inputs (5 Hz, 500 ms period) onto it to fire 5 equidistant
spikes per period: 10 s burn-in, 80 blocks of 10 s, the rate divided by 10
after block 20, as the reference implementation's single neuron. The paper's
LIF neuron (``b_a = 0``) is trained from the same seeds beside it. Reported per
neuron model over seeds: the late cost (median of blocks 40-79 per seed), its
median and quartiles over seeds, and the seeds whose last period hits all 5
target spikes within 1 ms.

Not yet measured over seeds: ``python models/adaptive_neuron.py`` writes the
table (its component is checked against the oracle in ``tests/test_rule_vs_oracle.py``
with an adaptive threshold, and the tutorial trains an adaptive recurrent network).

Run::

    python models/adaptive_neuron.py                     # seeds 1-10
    python models/adaptive_neuron.py --seeds 1-20 --b-a 4

Writes runs/adaptive_neuron/summary.csv and learning_curves.png.

Reference: Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer
spiking neural networks. Neural Computation 30(6):1514-1541.
"""

import argparse
import csv
from pathlib import Path

import numpy as np
from brian2 import NeuronGroup, SpikeMonitor, Synapses, ms, mV
from matplotlib.figure import Figure

from superspike_brian import ModelParameters, SuperSpike
from superspike_brian.paper import FIG2
from superspike_brian.rule.seeds import train_seeds
from superspike_brian.tasks.single_neuron import single_neuron_task

tau_m = 10 * ms
tau_s = 5 * ms
tau_a = 100 * ms
b_a = 2 * mV
v_rest = -60 * mV
v_th = -50 * mV
refractory = 5 * ms
delay = 0.8 * ms
# Not named dt: Brian2 would find it in the run namespace beside its own dt.
time_step = 0.1 * ms
ADAPTIVE_LIF = """
dv/dt = (v_rest - v + I - a) / tau_m : volt (unless refractory)
dI/dt = -I / tau_s : volt
da/dt = -a / tau_a : volt
"""
#: Fig 2's schedule (superspike_brian.paper.FIG2): 10 s burn-in, 80 blocks of 10 s.
SCHEDULE = FIG2.schedule()
#: Blocks whose cost is the "late cost" of a seed (the reference's comparison).
LATE = slice(40, 80)


def network(task, jump, seed, learning_rate):
    """100 inputs -> one adaptive LIF neuron (``jump`` = 0: the paper's LIF), and the rule."""
    inp = task.input.generator(time_step, name="inp")
    namespace = {"tau_m": tau_m, "tau_s": tau_s, "tau_a": tau_a, "b_a": jump}
    namespace.update(v_rest=v_rest, v_th=v_th)
    out = NeuronGroup(
        1,
        ADAPTIVE_LIF,
        threshold="v > v_th",
        reset="v = v_rest\na += b_a",
        refractory=refractory,
        method="exact",
        namespace=namespace,
        name="out",
    )
    out.v = v_rest
    s = Synapses(inp, out, "w : volt", on_pre="I += w", delay=delay, name="s_in")
    s.connect()
    rule = SuperSpike([s], output=out, target=task.target, seed=seed, learning_rate=learning_rate)
    monitors = {"out": SpikeMonitor(out, name="out_spikes")}
    return rule, [inp, out, s, *monitors.values()], monitors


def hits(result, task, tolerance=1e-3):
    """Whether the last period has exactly one output spike within 1 ms of each target spike."""
    end = float(SCHEDULE.duration)
    start = end - task.period
    t = result.spikes["out"][0]
    t = t[t >= start] - start
    targets = np.asarray(task.target.times)
    if len(t) != len(targets):
        return False
    return bool(np.all(np.abs(np.sort(t) - np.sort(targets)) <= tolerance))


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    p.add_argument("--seeds", default="1-10", help="network seeds: 1-10, 1,3,5")
    p.add_argument("--b-a", type=float, default=float(b_a / mV), help="adaptation jump, mV")
    p.add_argument("--device", choices=("cpp_standalone", "runtime"), default="cpp_standalone")
    p.add_argument("--out", default="runs/adaptive_neuron", help="where results go")
    args = p.parse_args(argv)
    seeds = [s for part in args.seeds.split(",") for s in _range(part)]
    task = single_neuron_task(seed=1)
    lp = ModelParameters().learning
    lr = SCHEDULE.learning_rates(lp.r0, lp.t_update)
    out = Path(args.out)
    rows, curves = [], {}
    for kind, jump in (("LIF", 0 * mV), ("adaptive LIF", args.b_a * mV)):
        results = train_seeds(
            lambda seed, jump=jump: network(task, jump, seed, lr),
            seeds,
            SCHEDULE.duration,
            device_name=args.device,
            directory=out / f"build-{kind.replace(' ', '-')}",
            say=lambda line, kind=kind: print(f"{kind}: {line}", flush=True),
        )
        curves[kind] = []
        for r in results:
            costs = r.block_costs(SCHEDULE.burn_in, SCHEDULE.block, SCHEDULE.n_blocks)
            late = float(np.median(costs[LATE]))
            rows.append({"neuron": kind, "seed": r.seed, "late_cost": late, "hits": hits(r, task)})
            curves[kind].append(costs)
            print(f"{kind} seed {r.seed}: late cost {late:.3g}", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "summary.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    for kind in curves:
        late = np.array([r["late_cost"] for r in rows if r["neuron"] == kind])
        q1, med, q3 = np.percentile(late, [25, 50, 75])
        n_hits = sum(r["hits"] for r in rows if r["neuron"] == kind)
        print(
            f"{kind:12s} late cost median {med:.3g} (quartiles {q1:.3g}-{q3:.3g});"
            f" all 5 spikes within 1 ms: {n_hits}/{len(late)}"
        )
    draw(out / "learning_curves.png", curves, len(seeds))
    print(f"results in {out}")


def draw(path, curves, n_seeds):
    fig = Figure(figsize=(6.5, 4))
    ax = fig.subplots()
    for (kind, c), color in zip(curves.items(), ("tab:blue", "tab:green"), strict=True):
        c = np.array(c)
        blocks = np.arange(c.shape[1])
        q1, med, q3 = np.percentile(c, [25, 50, 75], axis=0)
        ax.fill_between(blocks, np.maximum(q1, 1e-12), q3, color=color, alpha=0.2, lw=0)
        ax.plot(
            blocks,
            np.maximum(med, 1e-12),
            color=color,
            label=f"{kind}: median, quartiles ({n_seeds} seeds)",
        )
    ax.set_yscale("log")
    ax.set_xlabel("block (10 s each, after 10 s burn-in)")
    ax.set_ylabel("cost")
    ax.set_title("single-neuron task (Fig 2): 100 inputs -> 1 neuron")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def _range(part):
    a, _, b = part.partition("-")
    return range(int(a), int(b) + 1) if b else [int(a)]


if __name__ == "__main__":
    main()
