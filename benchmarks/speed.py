"""Wall time per simulated second against network size, device and engine.

Prints a table and writes JSON (benchmarks/results-<host>.json by default):
for networks 100 -> k -> 100 with growing k (1e3 .. 1e6 plastic synapses) and the
Oxford-sized network (200 -> 256 -> 200), every available target (runtime,
cpp_standalone, cuda_standalone when a GPU is present) and four ways to learn:

* ``synaptic``: per-synapse equations, weights updated inside the simulation
  (one binary for the whole run);
* ``synaptic-controller``: the same equations, the binary re-run once per update
  interval with the state carried through run_args;
* ``factorized``: per-neuron signals and exact accumulators; on cpp_standalone
  the C++ engine inside one binary (``learn='inside'``), on runtime the numpy
  engine in the controller;
* ``factorized-controller``: the numpy engine, the binary re-run per interval;
  its run time is split into simulation and data transfer and matrix products.

Compile time is reported apart from run time. ``--profile`` adds Brian2's
per-code-object profile of the one-binary runs (where the time goes).

Usage::

    python benchmarks/speed.py                     # default sizes, cpp_standalone
    python benchmarks/speed.py --quick             # small sizes only
    python benchmarks/speed.py --devices runtime,cpp_standalone --sizes 10,100 --oxford
    python benchmarks/speed.py --sizes "" --oxford --engines synaptic,factorized --profile
    python benchmarks/speed.py --sizes "" --networks 1000-1000-1000 --engines factorized

The numbers are measurements, not test assertions.
"""

import argparse
import json
import platform
import time
from pathlib import Path

from brian2 import Hz, ms, second

from superspike_brian import Schedule, SuperSpikeNetwork, Task, Trainer
from superspike_brian.devices.codegen import gpu_available
from superspike_brian.tasks.single_neuron import equidistant_targets, frozen_poisson


def task_for(n_in, n_out, period=500 * ms, seed=1):
    return Task(
        f"bench-{n_in}-{n_out}",
        frozen_poisson(n_in, 5 * Hz, period, seed=seed),
        equidistant_targets(5, period, n_units=n_out),
        period,
    )


ENGINES = ("synaptic", "synaptic-controller", "factorized", "factorized-controller")


def measure(n_in, hidden, n_out, device, label, seconds, period=500 * ms, profile=False):
    task = task_for(n_in, n_out, period=period)
    net = SuperSpikeNetwork(n_in=n_in, hidden=hidden, n_out=n_out, seed=1)
    sched = Schedule(burn_in=0 * second, block=seconds * second, n_blocks=1)
    engine, _, learn = label.partition("-")
    tr = Trainer(
        net,
        task,
        device=device,
        engine=engine,
        learn=learn or None,
        schedule=sched,
        progress=False,
        profile=profile,
    )
    t0 = time.time()
    h = tr.run()
    total = time.time() - t0
    t = h.timing
    out = {
        "network": [n_in, *hidden, n_out],
        "synapses": net.n_synapses,
        "device": device,
        "engine": label,
        "learn": tr.learn,
        "simulated_s": seconds,
        "compile_s": round(t.get("compile_s", 0.0), 2),
        "run_s": round(t.get("run_s", total), 3),
        "wall_per_sim_s": round(t.get("run_s", total) / seconds, 4),
        "total_s": round(total, 2),
    }
    if "gradient_s" in t:
        out["matrix_products_per_sim_s"] = round(t["gradient_s"] / seconds, 4)
        out["simulation_and_transfer_per_sim_s"] = round(
            (t["run_s"] - t["gradient_s"]) / seconds, 4
        )
    if "profile" in t:
        out["profile_s_per_sim_s"] = {k: round(v / seconds, 5) for k, v in t["profile"].items()}
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--devices", default="cpp_standalone")
    p.add_argument(
        "--engines",
        default="synaptic,factorized",
        help=f"comma-separated, of {', '.join(ENGINES)}",
    )
    p.add_argument("--profile", action="store_true", help="Brian2 profile of one-binary runs")
    p.add_argument("--sizes", default="10,100,1000,5000", help="hidden sizes k of 100->k->100")
    p.add_argument("--oxford", action="store_true", help="also 200->256->200 (period 1.89 s)")
    p.add_argument(
        "--networks",
        default="",
        help="more networks as n_in-hidden-n_out, comma-separated (e.g. 1000-1000-1000)",
    )
    p.add_argument("--seconds", type=float, default=10.0, help="simulated seconds per point")
    p.add_argument(
        "--runtime-max-synapses",
        type=float,
        default=2e4,
        help="runtime (numpy) only for networks up to this many synapses (it is slow)",
    )
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    devices = args.devices.split(",")
    if "cuda_standalone" in devices and not gpu_available():
        print("no GPU here: skipping cuda_standalone")
        devices.remove("cuda_standalone")
    engines = args.engines.split(",")
    for e in engines:
        if e not in ENGINES:
            p.error(f"--engines: unknown engine {e!r}; expected some of {', '.join(ENGINES)}")
    sizes = [10, 100] if args.quick else [int(k) for k in args.sizes.split(",") if k]
    points = [(100, (k,), 100, 500 * ms) for k in sizes]
    if args.oxford:
        points.append((200, (256,), 200, 1890 * ms))
    for spec in filter(None, args.networks.split(",")):
        try:
            n_in, *hidden, n_out = (int(x) for x in spec.split("-"))
        except ValueError:
            p.error(f"--networks: {spec!r} is not n_in-hidden-n_out (e.g. 1000-1000-1000)")
        points.append((n_in, tuple(hidden), n_out, 500 * ms))
    rows = []
    print(
        f"{'network':>16} {'synapses':>9} {'device':>15} {'engine':>21} "
        f"{'compile s':>9} {'wall s / sim s':>14} {'matmul':>7}"
    )
    for n_in, hidden, n_out, period in points:
        for device in devices:
            for engine in engines:
                if device == "cuda_standalone" and engine != "synaptic":
                    continue
                if device == "runtime" and engine == "factorized-controller":
                    continue  # on runtime, factorized already is the controller form
                sizes = [n_in, *hidden, n_out]
                n_syn = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))
                if device == "runtime" and n_syn > args.runtime_max_synapses:
                    continue
                seconds = args.seconds if device != "runtime" else min(args.seconds, 2.0)
                r = measure(n_in, hidden, n_out, device, engine, seconds, period, args.profile)
                rows.append(r)
                print(
                    f"{'->'.join(map(str, r['network'])):>16} {r['synapses']:>9} "
                    f"{device:>15} {engine:>21} {r['compile_s']:>9} "
                    f"{r['wall_per_sim_s']:>14} {r.get('matrix_products_per_sim_s', ''):>7}",
                    flush=True,
                )
                for name, v in sorted(
                    r.get("profile_s_per_sim_s", {}).items(), key=lambda kv: -kv[1]
                )[:8]:
                    print(f"{'':>44} {name:>32} {v:>9.4f} s / sim s")
    out = Path(args.out or f"benchmarks/results-{platform.node()}.json")
    out.write_text(json.dumps({"machine": platform.platform(), "rows": rows}, indent=1))
    print(f"written {out}")


if __name__ == "__main__":
    main()
