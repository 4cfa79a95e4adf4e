"""Time to result: how long a user waits, split into import, compile, simulation, figures, rest.

Scenarios (each from a fresh process, as a user runs them):

``first``
    ``superspike train`` on the built-in single-neuron task (800 s after a 10 s
    burn-in) with an empty build cache.
``second``
    The same with another ``--seed`` (the cache of ``first`` in place).
``sweep``
    ``superspike sweep`` of 20 seeds of the Fig 4 network (100 -> 4 -> 1,
    random feedback, 300 s) on a local Dask cluster.
``make-run``
    ``make run`` with the environment already installed (``models/single_neuron.py``
    on an empty build cache).

The reference implementation trains the single neuron end to end in about 11 s
(0.014 s per simulated second, measured on this machine kind).

``--code DIR`` runs the scenarios against another checkout of the project (for
example today's main in a git worktree), with the same Python environment.

Examples
--------
::

    python benchmarks/time_to_result.py --scenarios first,second
    python benchmarks/time_to_result.py --code ../baseline --scenarios first,second \\
        --out benchmarks/results/time-to-result-baseline.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
TRAIN = ["train", "--hidden", "0", "--duration", "800", "--block", "10", "--burn-in", "10"]
SWEEP = ["sweep", "--", "--hidden", "4", "--feedback", "random"]
SWEEP += ["--duration", "300", "--block", "10", "--burn-in", "10"]
IMPORT = {
    "new": "import brian2, superspike_brian.training.trainer",
    "old": "import brian2, superspike_brian.trainer",
}


def _env(code, cache):
    env = dict(os.environ, SUPERSPIKE_BUILD_DIR=str(cache), PYTHONPATH=str(code))
    env.pop("MPLBACKEND", None)
    return env


def _import_seconds(code, cache):
    layout = "new" if (Path(code) / "superspike_brian" / "training").is_dir() else "old"
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import time; t0 = time.time(); {IMPORT[layout]}; print(time.time() - t0)",
        ],
        cwd=code,
        env=_env(code, cache),
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def _train(code, cache, out, extra=()):
    t0 = time.time()
    subprocess.run(
        [sys.executable, "-m", "superspike_brian.cli", *TRAIN, *extra, "--out", str(out)],
        cwd=code,
        env=_env(code, cache),
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.time() - t0
    timing = json.loads((Path(out) / "config.json").read_text()).get("timing", {})
    return wall, timing


def _figures_seconds(out):
    """Seconds to draw a run directory's figures again (as ``train`` drew them)."""
    from superspike_brian.reporting.figures import make_figures

    t0 = time.time()
    make_figures(out)
    return time.time() - t0


def _split(wall, import_s, timing, figures_s=0.0):
    compile_s = timing.get("compile_s", 0.0)
    run_s = timing.get("run_s", timing.get("total_s", 0.0))
    return {
        "wall_s": wall,
        "import_s": import_s,
        "compile_s": compile_s,
        "simulation_s": run_s,
        "figures_s": figures_s,
        "rest_s": wall - import_s - compile_s - run_s - figures_s,
    }


def scenario_first_second(code, work):
    cache = work / "cache"
    import_s = _import_seconds(code, cache)
    rows = {}
    import matplotlib.pyplot  # noqa: F401  (imported before anything is timed)

    for name, seed in (("first", "1"), ("second", "2")):
        wall, timing = _train(code, cache, work / name, ["--seed", seed])
        rows[name] = _split(wall, import_s, timing, _figures_seconds(work / name))
    return rows


def scenario_sweep(code, work, seeds="1-20"):
    cache = work / "cache-sweep"
    t0 = time.time()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "superspike_brian.cli",
            *SWEEP[:1],
            "--out",
            str(work / "sweep"),
            "--seeds",
            seeds,
            *SWEEP[1:],
        ],
        cwd=code,
        env=_env(code, cache),
        capture_output=True,
        text=True,
    )
    wall = time.time() - t0
    compiles = 0
    for config in (work / "sweep").glob("*/seed-*/config.json"):
        timing = json.loads(config.read_text()).get("timing", {})
        compiles += timing.get("cached") is False or (
            "cached" not in timing and timing.get("compile_s", 0) > 5
        )
    runs = len(list((work / "sweep").glob("*/seed-*/config.json")))
    return {"sweep": {"wall_s": wall, "runs": runs, "runs_that_compiled": compiles}}


def scenario_make_run(code, work):
    # What `make run` runs once the environment exists, on an empty build cache.
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "models/single_neuron.py", "--out", str(work / "make-run")],
        cwd=code,
        capture_output=True,
        text=True,
        env=_env(code, work / "cache-make"),
    )
    wall = time.time() - t0
    compile_s = 0.0
    for config in [work / "make-run", *(work / "make-run").glob("seed-*")]:
        if (config / "config.json").exists():
            timing = json.loads((config / "config.json").read_text())["timing"]
            compile_s += timing.get("compile_s", 0.0)
    return {"make-run": {"wall_s": wall, "compile_s": compile_s, "returncode": out.returncode}}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--code", default=str(HERE), help="checkout of the project to time")
    p.add_argument("--scenarios", default="first,second", help="first,second,sweep,make-run")
    p.add_argument("--sweep-seeds", default="1-20", help="seeds of the sweep scenario")
    p.add_argument("--out", help="write the figures as JSON")
    args = p.parse_args(argv)
    wanted = args.scenarios.split(",")
    code = Path(args.code).resolve()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "first" in wanted or "second" in wanted:
            rows.update(scenario_first_second(code, work))
        if "sweep" in wanted:
            rows.update(scenario_sweep(code, work, args.sweep_seeds))
        if "make-run" in wanted:
            rows.update(scenario_make_run(code, work))
    for name, row in rows.items():
        print(
            name,
            "  ".join(
                f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()
            ),
        )
    print("reference implementation, single neuron end to end: about 11 s")
    if args.out:
        Path(args.out).write_text(json.dumps({"code": str(code), "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
