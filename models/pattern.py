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

Writes a run directory under runs/ (metrics.csv with hidden_1_rate_hz, learning curve,
target vs output raster, hidden rates, weights).

Reference: Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer
spiking neural networks. Neural Computation 30(6):1514-1541.
"""

import argparse

from brian2 import Hz, ms, mV, second

from superspike_brian import ModelParameters, Schedule, SuperSpikeNetwork, Trainer
from superspike_brian.tasks.pattern import pattern_task

# Task [P §3, Figs 6-8]
n_in = 100
n_out = 100
period = 3500 * ms
input_rate = 5 * Hz
# Network and learning
n_hidden = 256
r0 = 1 * mV
burn_in = 20 * second
block = 20 * second
duration = 1000 * second


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hidden", type=int, default=n_hidden, help="0 for no hidden layer")
    p.add_argument("--feedback", default="symmetric", help="symmetric | random | uniform")
    p.add_argument("--rho", type=float, default=None, help="regularizer strength (1/mV)")
    p.add_argument("--a", type=float, default=4.0, help="regularizer exponent")
    p.add_argument("--no-regularizer", action="store_true")
    p.add_argument("--ablation", choices=("none", "fixed", "linear"), default="none")
    p.add_argument("--image", default=None, help="PNG target (default: the word SPIKE)")
    p.add_argument("--duration", type=float, default=float(duration / second))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--device", default="cpp_standalone")
    p.add_argument("--engine", default="factorized", help="factorized | synaptic")
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)

    task = pattern_task(
        n_in=n_in,
        n_out=n_out,
        period=period,
        input_rate=input_rate,
        image=args.image,
        seed=args.seed,
    )
    changes = {"r0": r0, "a": args.a}
    if args.rho is not None:
        changes["rho"] = args.rho / mV
    hidden = (args.hidden,) if args.hidden > 0 else ()
    regularizer = False if args.no_regularizer else (True if args.rho is not None else None)
    net = SuperSpikeNetwork(
        n_in=n_in,
        hidden=hidden,
        n_out=n_out,
        feedback=args.feedback,
        regularizer=regularizer,
        params=ModelParameters().replace(**changes),
        seed=args.seed,
        fixed=(1,) if args.ablation == "fixed" else (),
        linear_hidden=args.ablation == "linear",
    )
    schedule = Schedule(
        burn_in=burn_in, block=block, n_blocks=int(round(args.duration / float(block / second)))
    )
    engine = args.engine if args.device != "cuda_standalone" else "synaptic"
    trainer = Trainer(net, task, device=args.device, engine=engine, schedule=schedule)
    history = trainer.run()
    name = f"pattern-h{args.hidden}-{args.feedback}-{args.ablation}-s{args.seed}"
    out = args.out or f"runs/{name}"
    trainer.write(out, history)
    for row in history.metrics[:: max(1, len(history.metrics) // 10)]:
        print(
            f"block {row['block']:3d}  cost {row['cost']:8.3f}"
            f"  hidden {row.get('hidden_1_rate_hz', 0.0):5.1f} Hz"
            f"  output {row['output_rate_hz']:5.1f} Hz"
        )
    print(f"results in {out}")


if __name__ == "__main__":
    main()
