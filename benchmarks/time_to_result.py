"""Time to result: how long a user waits, split into import, compile, simulation and the rest.

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
    ``make run`` with the environment already installed.

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
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
TRAIN = ["train", "--hidden", "0", "--duration", "800", "--block", "10", "--burn-in", "10"]
SWEEP = ["sweep", "--seeds", "1-20", "--", "--hidden", "4", "--feedback", "random"]
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


def _split(wall, import_s, timing):
    compile_s = timing.get("compile_s", 0.0)
    run_s = timing.get("run_s", timing.get("total_s", 0.0))
    return {
        "wall_s": wall,
        "import_s": import_s,
        "compile_s": compile_s,
        "simulation_s": run_s,
        "rest_s": wall - import_s - compile_s - run_s,
    }


def scenario_first_second(code, work):
    cache = work / "cache"
    import_s = _import_seconds(code, cache)
    rows = {}
    wall, timing = _train(code, cache, work / "first", ["--seed", "1"])
    rows["first"] = _split(wall, import_s, timing)
    wall, timing = _train(code, cache, work / "second", ["--seed", "2"])
    rows["second"] = _split(wall, import_s, timing)
    return rows


def scenario_sweep(code, work):
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
    return {"sweep": {"wall_s": wall, "runs_that_compiled": compiles}}


def scenario_make_run(code, work):
    t0 = time.time()
    env = dict(os.environ, PYTHONPATH=str(code), SUPERSPIKE_BUILD_DIR=str(work / "cache-make"))
    out = subprocess.run(["make", "run"], cwd=code, capture_output=True, text=True, env=env)
    wall = time.time() - t0
    text = out.stdout + out.stderr
    compile_s = sum(float(x) for x in re.findall(r"compiled in ([0-9.]+) s", text))
    return {"make-run": {"wall_s": wall, "compile_s": compile_s, "returncode": out.returncode}}


SCENARIOS = {
    "first": scenario_first_second,
    "sweep": scenario_sweep,
    "make-run": scenario_make_run,
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--code", default=str(HERE), help="checkout of the project to time")
    p.add_argument("--scenarios", default="first,second", help="first,second,sweep,make-run")
    p.add_argument("--out", help="write the figures as JSON")
    args = p.parse_args(argv)
    wanted = args.scenarios.split(",")
    code = Path(args.code).resolve()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "first" in wanted or "second" in wanted:
            rows.update(scenario_first_second(code, work))
        for name in ("sweep", "make-run"):
            if name in wanted:
                rows.update(SCENARIOS[name](code, work))
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
