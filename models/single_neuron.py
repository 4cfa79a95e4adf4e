"""Single neuron learns a precisely timed spike train (Zenke & Ganguli 2018, Fig 2).

One LIF neuron receives 100 frozen Poisson inputs (5 Hz) that repeat every
500 ms and learns, with SuperSpike, to fire 5 equidistant spikes per period from
a silent start. The paper reports learning within about 250 s (500 trials); the
reference implementation's cost falls from 10 to below 1 by block 10 and settles
around 0.03 (REFERENCE.md §4).

Run::

    python models/single_neuron.py                    # C++ standalone, seed 1
    python models/single_neuron.py --device runtime --duration 100

Writes a run directory (config, metrics.csv, weights, figures) under runs/.

Reference: Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer
spiking neural networks. Neural Computation 30(6):1514-1541.
"""

import argparse

from brian2 import Hz, ms, mV, second

from superspike_brian import ModelParameters, Schedule, SuperSpikeNetwork, Trainer
from superspike_brian.reporting.figures import make_figures
from superspike_brian.reporting.reference import curve
from superspike_brian.tasks.single_neuron import single_neuron_task

# Task
n_in = 100
rate = 5 * Hz
period = 500 * ms
n_target_spikes = 5
# Learning
r0 = 1 * mV
burn_in = 10 * second
block = 10 * second
n_blocks = 80
decay_at = (20,)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--device", default="cpp_standalone")
    p.add_argument(
        "--duration",
        type=float,
        default=float(n_blocks * block / second),
        help="training after burn-in (s)",
    )
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)

    task = single_neuron_task(
        seed=args.seed, n_in=n_in, rate=rate, period=period, n_target_spikes=n_target_spikes
    )
    net = SuperSpikeNetwork(
        n_in=n_in, n_out=1, params=ModelParameters().replace(r0=r0), seed=args.seed
    )
    schedule = Schedule(
        burn_in=burn_in,
        block=block,
        n_blocks=int(round(args.duration / float(block / second))),
        decay_at=decay_at,
    )
    trainer = Trainer(net, task, device=args.device, schedule=schedule)
    history = trainer.run()
    out = args.out or f"runs/single_neuron-s{args.seed}"
    trainer.write(out, history, figures=False)
    make_figures(out, reference=curve("single_neuron"))
    for row in history.metrics[:: max(1, len(history.metrics) // 16)]:
        print(
            f"block {row['block']:3d}  cost {row['cost']:8.4f}"
            f"  rate {row['output_rate_hz']:5.1f} Hz"
        )
    print(f"results in {out}")


if __name__ == "__main__":
    main()
