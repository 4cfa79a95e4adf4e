"""How far single precision moves results from double precision.

Trains the same network twice, in float64 and float32 (Brian2's
prefs.core.default_float_dtype; every state variable, both CPU targets), and
prints the cost curves, the first spike that differs and the weight difference.

Usage::

    python benchmarks/float32.py                 # single-neuron task, 100 s, cpp_standalone
    python benchmarks/float32.py --hidden 4 --duration 300
"""

import argparse

import numpy as np
from brian2 import second

from superspike_brian import Schedule, SuperSpikeNetwork, Trainer, single_neuron_task


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hidden", type=int, default=0)
    p.add_argument("--duration", type=float, default=100.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--device", default="cpp_standalone")
    args = p.parse_args(argv)
    task = single_neuron_task(seed=args.seed)
    hidden = (args.hidden,) if args.hidden else ()
    net = SuperSpikeNetwork(n_in=100, hidden=hidden, n_out=1, seed=args.seed)
    sched = Schedule(burn_in=10 * second, block=10 * second, n_blocks=int(args.duration / 10))
    runs = {}
    for f32 in (False, True):
        tr = Trainer(net, task, device=args.device, schedule=sched, float32=f32, progress=False)
        runs[f32] = tr.run()
    h64, h32 = runs[False], runs[True]
    print("block  cost float64  cost float32")
    for r64, r32 in zip(h64.metrics, h32.metrics, strict=True):
        print(f"{r64['block']:5d}  {r64['cost']:12.5g}  {r32['cost']:12.5g}")
    t64, _ = h64.spikes["output"]
    t32, _ = h32.spikes["output"]
    n = min(len(t64), len(t32))
    diff = np.nonzero(np.abs(t64[:n] - t32[:n]) > 1e-6)[0]
    first = t64[diff[0]] if len(diff) else None
    print(
        f"output spikes: {len(t64)} (float64) vs {len(t32)} (float32); first differing"
        f" spike at t = {first} s"
        if first is not None
        else "identical spike times"
    )
    for l, (a, b) in enumerate(zip(h64.weights, h32.weights, strict=True), start=1):
        d = np.abs(a - b)
        print(
            f"connection {l}: max |w64 - w32| = {d.max():.3g} mV,"
            f" relative to max |w| {d.max() / np.abs(a).max():.3g}"
        )


if __name__ == "__main__":
    main()
