"""Time of each part of ``superspike reproduce --scale full``, from a few short runs.

Every sweep of the full scale (with ``--data-dir``: the authors' Fig 2 and Fig 4
data and the Oxford task as well) is represented by some of its runs, each
trained three times from a fresh process on a build cache of its own: at
``D1`` s (compiles the structure), again at ``D1`` s (cached) and at ``D2`` s
(cached). The CPU time of each process (user + system, ``getrusage`` of the
children, which other work on a shared machine inflates far less than wall
time) gives, per structure,

* compile = CPU(first D1) - CPU(second D1), paid once per structure,
* rate = (CPU(D2) - CPU(D1)) / (D2 - D1), CPU seconds per simulated second,
* overhead = CPU(D1) - rate * (D1 + burn-in): process start, import, figures,

so a run of the full duration costs ``overhead + rate * (duration + burn-in)``.
A part's time is that over its runs (grid points x seeds) plus one compile
per structure; its wall time on n workers is about the sum over n (each run is
single-threaded; measured for the quick scale: 1460 s estimated, 1492 s run).
Widths that were not measured (``--widths``) are interpolated linearly in the
width between measured ones.

Examples
--------
::

    python benchmarks/reproduce_budget.py --data-dir ../shared/ssbm \\
        --out benchmarks/results/reproduce-budget.json
    python benchmarks/reproduce_budget.py --data-dir ../shared/ssbm --parts fig4-ssbm,oxford
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

#: Training durations of the short runs, s (after the burn-in), by block length (s):
#: far enough apart that the simulation's share stands out of the noise of a shared
#: machine (a few seconds of CPU).
DURATIONS = {10.0: (40.0, 400.0), 20.0: (40.0, 200.0)}
#: Widths measured for the hidden-width sweeps; others are interpolated.
WIDTHS = (0, 8, 64, 256, 512)


def _option(argv, name, default=None):
    return argv[argv.index(name) + 1] if name in argv else default


def _with(argv, name, value):
    """``argv`` with option ``name`` set to ``value`` (replaced or appended)."""
    argv = list(argv)
    if name in argv:
        argv[argv.index(name) + 1] = value
        return argv
    return argv + [name, value]


def _cpu_of(cmd, env):
    """(CPU s, wall s) of one process run to its end; raises when it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.time() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def _program(sweep):
    if sweep.program == "xor":
        return [sys.executable, "-m", "superspike_brian.reproduce.xor_run"]
    return [sys.executable, "-m", "superspike_brian.cli", "train"]


def measure(sweep, point, work):
    """Compile, rate and overhead of one run of ``sweep`` at grid ``point`` (a dict)."""
    argv = list(sweep.base)
    for key, value in point.items():
        argv = _with(argv, f"--{key}", value)
    burn_in = float(_option(argv, "--burn-in", 10.0))
    durations = DURATIONS[float(_option(argv, "--block", 10.0))]
    env = dict(os.environ, SUPERSPIKE_BUILD_DIR=str(work / "build"), MPLBACKEND="Agg")
    times = []
    for k, d in enumerate((durations[0], durations[0], durations[1])):
        out = work / f"run-{k}"
        cmd = _program(sweep) + _with(argv, "--duration", f"{d:g}")
        cmd += ["--seed", "1", "--out", str(out), "--overwrite"]
        times.append(_cpu_of(cmd, env))
    (c0, w0), (c1, w1), (c2, w2) = times
    rate = (c2 - c1) / (durations[1] - durations[0])
    return {
        "point": point,
        "cpu_s": [round(c, 2) for c in (c0, c1, c2)],
        "wall_s": [round(w, 2) for w in (w0, w1, w2)],
        "compile_s": round(max(c0 - c1, 0.0), 2),
        "rate": round(rate, 5),
        "overhead_s": round(c1 - rate * (durations[0] + burn_in), 2),
        "burn_in_s": burn_in,
        "durations": durations,
    }


def _points(sweep, widths):
    """The grid points measured: every point, but only ``widths`` of a width grid."""
    from superspike_brian.sweep.grid import grid_points

    points = list(grid_points(dict(sweep.grid))) or [{}]
    if "hidden" in sweep.grid:
        points = [p for p in points if int(p["hidden"]) in widths]
    if "regularizer" in sweep.grid:
        points = points[:1]  # rho and a are data to one binary: one structure, one time
    return points


def _interpolate(measured, width):
    """A measured entry, or one interpolated linearly in the width between two."""
    by = {int(m["point"]["hidden"]): m for m in measured}
    if width in by:
        return by[width]
    lo = max(w for w in by if w < width)
    hi = min(w for w in by if w > width)
    f = (width - lo) / (hi - lo)
    entry = {"point": {"hidden": str(width)}, "interpolated": True}
    for key in ("compile_s", "rate", "overhead_s"):
        entry[key] = by[lo][key] + f * (by[hi][key] - by[lo][key])
    entry["burn_in_s"] = by[lo]["burn_in_s"]
    return entry


def part_of(sweep_name):
    """The part of the budget a sweep belongs to."""
    if "oxford" in sweep_name:
        return "oxford"
    if "ssbm" in sweep_name:
        return sweep_name.split("-")[0] + "-ssbm"
    return sweep_name.split("-")[0] + "-builtin"


def estimate(sweep, entries):
    """CPU seconds of the whole sweep at full scale from its measured entries."""
    from superspike_brian.sweep.grid import grid_points

    duration = float(_option(list(sweep.base), "--duration"))
    total, structures = 0.0, set()
    for point in list(grid_points(dict(sweep.grid))) or [{}]:
        if "hidden" in point:
            entry = _interpolate(entries, int(point["hidden"]))
        else:
            entry = next((e for e in entries if e["point"] == point), entries[0])
        per_run = entry["overhead_s"] + entry["rate"] * (duration + entry["burn_in_s"])
        total += per_run * len(sweep.seeds)
        key = json.dumps(entry["point"], sort_keys=True) if "regularizer" not in point else "r"
        if key not in structures:
            structures.add(key)
            total += entry["compile_s"]
    return total


def _measure_sweep(sweep, widths, tmp, result):
    """Measure ``sweep``'s representative runs; add its estimate to ``result``."""
    part = part_of(sweep.name)
    entries = []
    for point in _points(sweep, widths):
        name = json.dumps(point, sort_keys=True).replace('"', "").replace(" ", "")
        work = tmp / sweep.name / name
        work.mkdir(parents=True)
        entry = measure(sweep, point, work)
        entries.append(entry)
        print(sweep.name, entry, flush=True)
    cpu = estimate(sweep, entries)
    n_runs = len(sweep.seeds) * max(1, len(list(_grid_values(sweep))))
    result["sweeps"][sweep.name] = {
        "part": part,
        "runs": n_runs,
        "estimate_cpu_s": round(cpu, 1),
        "measured": entries,
    }
    total = result["parts"].setdefault(part, {"runs": 0, "estimate_cpu_s": 0.0})
    total["runs"] += n_runs
    total["estimate_cpu_s"] = round(total["estimate_cpu_s"] + cpu, 1)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", help="folder holding SSBM's poisson/ and oxford/")
    p.add_argument("--parts", help="comma-separated parts to measure (default: all)")
    p.add_argument("--widths", default=",".join(map(str, WIDTHS)), help="widths measured")
    p.add_argument("--out", help="JSON file for the measurements and estimates")
    p.add_argument("--workers", type=int, default=2, help="workers the wall time is divided by")
    args = p.parse_args(argv)
    from superspike_brian.reproduce.experiments import experiments

    widths = tuple(int(w) for w in args.widths.split(","))
    parts = None if args.parts is None else set(args.parts.split(","))
    result = {
        "durations": {str(k): v for k, v in DURATIONS.items()},
        "widths": widths,
        "sweeps": {},
        "parts": {},
    }
    with tempfile.TemporaryDirectory(prefix="budget-") as tmp:
        exps = experiments("full", Path(tmp) / "paper", args.data_dir)
        from superspike_brian.reproduce.runner import write_pattern_files

        write_pattern_files(Path(tmp) / "paper")
        sweeps = [sweep for exp in exps for sweep in exp.sweeps]
        if parts is not None:
            # In the order the parts were named: the first ones are measured first.
            order = list(args.parts.split(","))
            sweeps = [s for s in sweeps if part_of(s.name) in parts]
            sweeps.sort(key=lambda s: order.index(part_of(s.name)))
        for sweep in sweeps:
            _measure_sweep(sweep, widths, Path(tmp), result)
            if args.out:  # as it goes: an interrupted benchmark keeps what it measured
                Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    summed = sum(v["estimate_cpu_s"] for v in result["parts"].values())
    result["total_cpu_s"] = round(summed, 1)
    result["wall_s_on_workers"] = round(summed / args.workers, 1)
    result["workers"] = args.workers
    print(_table(result))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    return 0


def _grid_values(sweep):
    from superspike_brian.sweep.grid import grid_points

    return grid_points(dict(sweep.grid))


def _table(result):
    n = result["workers"]
    lines = [f"| part | runs | CPU, summed (h) | wall on {n} workers (h) |", "|---|---|---|---|"]
    for part, v in result["parts"].items():
        h = v["estimate_cpu_s"] / 3600
        lines.append(f"| {part} | {v['runs']} | {h:.2f} | {h / n:.2f} |")
    h = result["total_cpu_s"] / 3600
    lines.append(
        f"| total | {sum(v['runs'] for v in result['parts'].values())} | {h:.2f} | {h / n:.2f} |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
