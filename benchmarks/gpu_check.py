"""The GPU check: the same models on cuda_standalone and cpp_standalone, then the benchmark.

Run in one go on a machine with an NVIDIA GPU (about 10 minutes on an H200 with
16 cores, most of it nvcc)::

    make venv && .venv/bin/pip install -e '.[cuda]'
    .venv/bin/python benchmarks/gpu_check.py --out gpu_check

It

1. trains the single-neuron model (paper Fig 2: 100 -> 1, the project's frozen
   Poisson input) and an Oxford-sized network (200 -> 256 -> 200, 5 Hz frozen
   Poisson input, period 1.89 s, symmetric feedback) with the per-synapse
   equations and the update inside the simulation, once with cuda_standalone and
   once with cpp_standalone, from the same seed;
2. compares their weights, costs and spikes (both in float64: they differ only by
   the order of floating-point sums, so weights agree to about 1e-9 until a
   spike moves by one step, after which the runs drift apart slowly);
3. runs ``benchmarks/speed.py`` for both targets (wall time per simulated
   second against network size, compile time apart);
4. prints a summary and writes ``summary.json`` and the benchmark JSON to
   ``--out``.

A step that would start after ``--budget`` seconds is skipped and reported as
skipped, so the script ends in time on a slow machine.

References
----------
Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer spiking
neural networks. Neural Computation 30(6):1514-1541.
"""

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from brian2 import Hz, ms, second

from superspike_brian import Schedule, SuperSpikeNetwork, Task, Trainer, single_neuron_task
from superspike_brian.devices.codegen import gpu_available
from superspike_brian.tasks.single_neuron import equidistant_targets, frozen_poisson


def oxford_sized_task(seed=1):
    period = 1890 * ms
    return Task(
        "oxford-sized",
        frozen_poisson(200, 5 * Hz, period, seed=seed),
        equidistant_targets(5, period, n_units=200),
        period,
    )


MODELS = {
    # name: (network, task, schedule)
    "single_neuron": lambda: (
        SuperSpikeNetwork(n_in=100, n_out=1, seed=1),
        single_neuron_task(seed=1),
        Schedule(burn_in=10 * second, block=10 * second, n_blocks=10),
    ),
    "oxford_sized": lambda: (
        SuperSpikeNetwork(n_in=200, hidden=(256,), n_out=200, feedback="symmetric", seed=1),
        oxford_sized_task(),
        Schedule(burn_in=2 * second, block=4 * second, n_blocks=3),
    ),
}


def train(name, device):
    net, task, schedule = MODELS[name]()
    t0 = time.time()
    h = Trainer(net, task, device=device, schedule=schedule, progress=False).run()
    t = h.timing
    sim = float(schedule.duration)
    return h, {
        "compile_s": round(t.get("compile_s", 0.0), 1),
        "run_s": round(t.get("run_s", 0.0), 2),
        "wall_per_sim_s": round(t.get("run_s", 0.0) / sim, 4),
        "total_s": round(time.time() - t0, 1),
    }


def compare(gpu, cpu):
    """How far the GPU run is from the CPU run."""
    out = {}
    w_gpu = np.concatenate([w.ravel() for w in gpu.weights])
    w_cpu = np.concatenate([w.ravel() for w in cpu.weights])
    out["weights_max_abs_diff_mV"] = float(np.max(np.abs(w_gpu - w_cpu)))
    out["weights_rel_diff"] = float(np.linalg.norm(w_gpu - w_cpu) / np.linalg.norm(w_cpu))
    c_gpu, c_cpu = gpu.metric("cost"), cpu.metric("cost")
    out["cost_gpu"] = [round(float(c), 4) for c in c_gpu]
    out["cost_cpu"] = [round(float(c), 4) for c in c_cpu]
    out["cost_max_rel_diff"] = float(np.max(np.abs(c_gpu - c_cpu) / np.maximum(c_cpu, 1e-12)))
    spikes = {}
    for layer, (t_cpu, i_cpu) in cpu.spikes.items():
        t_gpu, i_gpu = gpu.spikes[layer]
        steps_cpu = np.round(np.asarray(t_cpu) / 1e-4).astype(int)
        steps_gpu = np.round(np.asarray(t_gpu) / 1e-4).astype(int)
        a = sorted(zip(steps_cpu, i_cpu))
        b = sorted(zip(steps_gpu, i_gpu))
        n_same = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        first = a[n_same][0] * 1e-4 if n_same < len(a) else None
        spikes[layer] = {
            "cpu": len(a),
            "gpu": len(b),
            "identical": a == b,
            "first_difference_s": first,
        }
    out["spikes"] = spikes
    out["verdict"] = (
        "identical spikes"
        if all(s["identical"] for s in spikes.values())
        else "spikes differ (see first_difference_s)"
    )
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="gpu_check", help="directory for summary.json")
    p.add_argument("--budget", type=float, default=540.0, help="seconds; later steps skip")
    p.add_argument("--sizes", default="100,1000,5000", help="benchmark hidden sizes k")
    p.add_argument("--seconds", type=float, default=2.0, help="simulated s per benchmark point")
    p.add_argument("--skip-benchmark", action="store_true")
    args = p.parse_args(argv)
    t_start = time.time()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    summary = {"steps": {}}
    if not gpu_available():
        sys.exit("no NVIDIA GPU answers nvidia-smi: run this on a GPU machine")
    if not shutil.which("nvcc"):
        sys.exit("nvcc not found: put the CUDA toolkit's bin directory on PATH")
    smi = subprocess.run(
        ["nvidia-smi", "--query-gpu=name,compute_cap,driver_version", "--format=csv,noheader"],
        capture_output=True,
        text=True,
    )
    summary["gpu"] = smi.stdout.strip()
    print(f"GPU: {summary['gpu']}", flush=True)

    def left():
        return args.budget - (time.time() - t_start)

    for name in MODELS:
        if left() < 60:
            summary["steps"][name] = "skipped (time budget)"
            continue
        print(f"[{time.time() - t_start:5.0f} s] {name}: cuda_standalone ...", flush=True)
        h_gpu, timing_gpu = train(name, "cuda_standalone")
        print(f"[{time.time() - t_start:5.0f} s] {name}: cpp_standalone ...", flush=True)
        h_cpu, timing_cpu = train(name, "cpp_standalone")
        result = {"cuda": timing_gpu, "cpp": timing_cpu, **compare(h_gpu, h_cpu)}
        summary["steps"][name] = result
        print(json.dumps(result, indent=1), flush=True)

    if args.skip_benchmark or left() < 60:
        summary["steps"]["benchmark"] = "skipped"
    else:
        print(f"[{time.time() - t_start:5.0f} s] benchmark ...", flush=True)
        bench = out / "benchmark.json"
        cmd = [
            sys.executable,
            str(Path(__file__).with_name("speed.py")),
            "--devices",
            "cpp_standalone,cuda_standalone",
            "--engines",
            "synaptic",
            "--sizes",
            args.sizes,
            "--seconds",
            str(args.seconds),
            "--oxford",
            "--out",
            str(bench),
        ]
        try:
            subprocess.run(cmd, check=True, timeout=max(left(), 1))
            summary["steps"]["benchmark"] = json.loads(bench.read_text())["rows"]
        except subprocess.TimeoutExpired:
            summary["steps"]["benchmark"] = "stopped at the time budget"
        except subprocess.CalledProcessError as exc:
            summary["steps"]["benchmark"] = f"failed ({exc.returncode})"

    summary["total_s"] = round(time.time() - t_start, 1)
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    print("\n==== summary ====")
    for name in MODELS:
        r = summary["steps"][name]
        if isinstance(r, str):
            print(f"{name}: {r}")
            continue
        print(
            f"{name}: cuda {r['cuda']['wall_per_sim_s']} s/sim-s (compile {r['cuda']['compile_s']}"
            f" s), cpp {r['cpp']['wall_per_sim_s']} s/sim-s; weights max |diff|"
            f" {r['weights_max_abs_diff_mV']:.3g} mV; final cost cuda {r['cost_gpu'][-1]}"
            f" cpp {r['cost_cpu'][-1]}; {r['verdict']}"
        )
    bench_rows = summary["steps"]["benchmark"]
    if isinstance(bench_rows, list):
        for row in bench_rows:
            print(
                f"  {'->'.join(map(str, row['network'])):>14} {row['synapses']:>8} syn"
                f"  {row['device']:>15}  {row['wall_per_sim_s']} s/sim-s"
                f"  (compile {row['compile_s']} s)"
            )
    else:
        print(f"benchmark: {bench_rows}")
    print(f"total {summary['total_s']} s; written {out / 'summary.json'}")


if __name__ == "__main__":
    main()
