"""A hidden layer learns a complex spatiotemporal pattern (Zenke & Ganguli 2018, Figs 6-8).

100 cyclic frozen Poisson inputs -> n_h hidden units -> 100 output units learn to
draw a picture: each output unit is one pixel row, dark pixels are target spikes
(3.5 s pattern, 1000 s of training). The default picture is the word "SPIKE"
drawn by the project itself; ``--image`` takes any PNG. The paper finds that
symmetric feedback with n_h >= 32 matches the target, wider is better; random
feedback does worse than no hidden layer (hidden rates run high) unless the
heterosynaptic regularizer tames it; uniform feedback is worst; and the ablations
"hidden layer fixed" and "symmetric linear" (sigma' = 1) degrade learning.

Run::

    python models/pattern.py                                   # symmetric, n_h = 256
    python models/pattern.py --feedback random --rho 1e-6 --a 4
    python models/pattern.py --hidden 0                        # no hidden layer
    python models/pattern.py --ablation fixed                  # hidden layer fixed
    python models/pattern.py --ablation linear                 # symmetric linear
    python models/pattern.py --image my.png --duration 200
    python models/pattern.py --seeds 1-3                       # three networks

Writes one run directory per seed under runs/ (metrics.csv with hidden_1_rate_hz,
learning curve, target vs output raster, hidden rates, weights). Running the
same command again continues an interrupted run and reuses a finished one;
``--overwrite`` trains it afresh.

Reference: Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer
spiking neural networks. Neural Computation 30(6):1514-1541.
"""

from pathlib import Path

from brian2 import mV, second

from superspike_brian import ModelParameters, Trainer
from superspike_brian.choices import DEVICES, ENGINES, FEEDBACK_MODES
from superspike_brian.cli.script_options import add_seed_options, chosen_seeds, script_parser
from superspike_brian.options import non_negative, positive
from superspike_brian.paper import PATTERN
from superspike_brian.rundir import RunUnfinished, require_finished
from superspike_brian.tasks.pattern import pattern_task

# Task, network and schedule: the paper's Figs 6-8 (superspike_brian.paper.PATTERN):
# 100 inputs at 5 Hz -> 256 hidden -> 100 pixel rows over 3.5 s, 20 s burn-in,
# 1000 s in blocks of 20 s.


def parse_args(argv):
    p = script_parser(__doc__)
    add_seed_options(p, "1", what="seeds of the network and of the picture's spike jitter")
    p.add_argument(
        "--hidden",
        type=non_negative(int),
        default=PATTERN.hidden[0],
        help="hidden units, 0 for none",
    )
    p.add_argument("--feedback", default="symmetric", choices=FEEDBACK_MODES, help="feedback mode")
    p.add_argument(
        "--rho",
        type=non_negative(float),
        default=None,
        help="regularizer strength, 1/mV (default: off, on at 1e-6 with random feedback)",
    )
    p.add_argument("--a", type=positive(float), default=4.0, help="regularizer exponent")
    p.add_argument("--no-regularizer", action="store_true", help="switch the regularizer off")
    p.add_argument(
        "--ablation",
        choices=("none", "fixed", "linear"),
        default="none",
        help="fixed: the hidden layer does not learn; linear: sigma' = 1 in the hidden layer",
    )
    p.add_argument("--image", default=None, help="PNG target (default: the word SPIKE)")
    p.add_argument(
        "--duration",
        type=positive(float),
        default=PATTERN.duration,
        help="training after the burn-in, s",
    )
    p.add_argument("--device", default="cpp_standalone", choices=DEVICES, help="Brian2 target")
    p.add_argument(
        "--engine",
        default=PATTERN.engine,
        choices=ENGINES,
        help="factorized (fast) or synaptic; cuda_standalone uses synaptic",
    )
    p.add_argument(
        "--out",
        default=None,
        help="run directory (default: runs/pattern-h<N>-<feedback>-<ablation>-s<seed>;"
        " with several seeds, one per seed inside it)",
    )
    p.add_argument(
        "--overwrite", action="store_true", help="train afresh (default: reuse or continue)"
    )
    return p.parse_args(argv)


def run_directory(args, seed, several):
    name = f"pattern-h{args.hidden}-{args.feedback}-{args.ablation}-s{seed}"
    if args.out is None:
        return Path("runs") / name
    return Path(args.out) / f"seed-{seed}" if several else Path(args.out)


def train(args, seed, out):
    """Train one seed into `out` (continue an interrupted run, reuse a finished one)."""
    task = pattern_task(
        n_in=PATTERN.n_in,
        n_out=PATTERN.n_out,
        period=PATTERN.period * second,
        image=args.image,
        seed=seed,
    )
    changes = {"a": args.a}
    if args.rho is not None:
        changes["rho"] = args.rho / mV
    setup = PATTERN.replace(
        hidden=(args.hidden,) if args.hidden > 0 else (),
        feedback=args.feedback,
        regularizer=False if args.no_regularizer else (True if args.rho is not None else None),
        fixed_hidden=args.ablation == "fixed",
        linear_hidden=args.ablation == "linear",
    )
    net = setup.network(seed, params=ModelParameters().replace(**changes))
    schedule = setup.schedule(args.duration)
    engine = args.engine if args.device != "cuda_standalone" else "synaptic"
    if engine != args.engine:
        print("  cuda_standalone runs the synaptic engine (the factorized one is CPU only)")
    trainer = Trainer(net, task, device=args.device, engine=engine, schedule=schedule)
    if (out / "config.json").exists() and not args.overwrite:
        try:
            config = require_finished(out)
            if config.get("schedule", {}).get("n_blocks") == schedule.n_blocks:
                from superspike_brian import load_run

                print(f"  reused: {out} finished earlier (--overwrite trains it again)")
                return load_run(out).history
        except RunUnfinished:
            pass
        return trainer.run(out, resume=True)
    return trainer.run(out, overwrite=args.overwrite)


def main(argv=None):
    args = parse_args(argv)
    seeds = chosen_seeds(args)
    for k, seed in enumerate(seeds, start=1):
        out = run_directory(args, seed, len(seeds) > 1)
        print(f"seed {seed} ({k} of {len(seeds)}): {out}", flush=True)
        history = train(args, seed, out)
        for row in history.metrics[:: max(1, len(history.metrics) // 10)]:
            print(
                f"block {row['block']:3d}  cost {row['cost']:8.3f}"
                f"  hidden {row.get('hidden_1_rate_hz', 0.0):5.1f} Hz"
                f"  output {row['output_rate_hz']:5.1f} Hz"
            )
        print(f"results in {out}", flush=True)


if __name__ == "__main__":
    main()
