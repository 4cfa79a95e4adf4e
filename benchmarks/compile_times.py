"""Where the compile time of a standalone project goes, per source file.

Writes the cpp_standalone project of a model (the trainer's own, chunked
block by block), then compiles every source file on its own, one after the
other, with the flags of the project's makefile, and prints the seconds per
file, largest first, and the link time. With ``--levels`` it compiles the
files that run once per execution (creating synapses, setting initial values,
reading and writing arrays: see ``COLD``) again at each of these optimisation
levels, to show what a lower level would save.

Examples
--------
::

    python benchmarks/compile_times.py --network single
    python benchmarks/compile_times.py --network oxford --engine factorized --levels -O1,-O0
    python benchmarks/compile_times.py --network single --out benchmarks/results/compile.json
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from brian2 import ms, second

from superspike_brian import Schedule, SuperSpikeNetwork, Task, Trainer
from superspike_brian.tasks.single_neuron import (
    equidistant_targets,
    frozen_poisson,
    single_neuron_task,
)

#: Source files run once per execution, not once per step.
COLD = re.compile(
    r"(synapses_create|group_variable_set|before_run_|objects\.cpp|main\.cpp|run\.cpp"
    r"|network\.cpp|synapses_classes|brianlib)"
)


def model(name, engine):
    """(network, task) of a benchmark model."""
    if name == "single":
        task = single_neuron_task(seed=1)
        return SuperSpikeNetwork(n_in=100, n_out=1), task
    if name == "fig4":
        task = single_neuron_task(seed=1)
        return SuperSpikeNetwork(n_in=100, hidden=(4,), feedback="random"), task
    period = 1890 * ms
    task = Task(
        "oxford-sized",
        frozen_poisson(200, 5 * second**-1, period, seed=1),
        equidistant_targets(50, period, n_units=200),
        period,
    )
    return SuperSpikeNetwork(n_in=200, hidden=(256,), n_out=200), task


def write_project(net, task, engine, project):
    """Write, without compiling, the project a training of ``net`` builds (block by block)."""
    from superspike_brian.devices.session import Session, set_clock
    from superspike_brian.feedforward.builder import build_model
    from superspike_brian.feedforward.values import model_values
    from superspike_brian.training import loop

    trainer = Trainer(
        net,
        task,
        device="cpp_standalone",
        engine=engine,
        schedule=Schedule(burn_in=10 * second, block=10 * second, n_blocks=2),
        progress=False,
    )
    cap = loop.capacity(trainer.learn, trainer.timeline)
    with Session("cpp_standalone", project, progress=False) as session:
        set_clock(net)
        values = model_values(net, task, loop.chunk_rates(trainer.schedule_rates, 0, cap))
        model = build_model(
            net,
            task,
            values,
            engine=engine,
            learn=trainer.learn,
            scalars_as_arguments=True,
        )
        session.prepare(model, loop.chunk_segments(trainer.plan()), stoppable=True, compile=False)


def compile_commands(project):
    """The compiler command of every object file, from ``make -n -B``."""
    out = subprocess.run(
        ["make", "-n", "-B", "-j1"], cwd=project, capture_output=True, text=True, check=True
    ).stdout
    commands = []
    for line in out.splitlines():
        if (
            " -c " in line
            and " -o " in line
            and not line.startswith("g++ -c -Wno-write-strings -MM")
        ):
            commands.append(line)
    link = [ln for ln in out.splitlines() if " -o main" in ln]
    return commands, link[0] if link else None


def timed(command, cwd):
    t0 = time.perf_counter()
    subprocess.run(command, shell=True, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - t0


def source_of(command):
    words = shlex.split(command)
    return next(w for w in words if w.endswith((".cpp", ".c")))


def measure(project, levels):
    commands, link = compile_commands(project)
    rows = []
    for cmd in commands:
        src = source_of(cmd)
        row = {"source": src, "cold": bool(COLD.search(src)), "O3": timed(cmd, project)}
        if row["cold"]:
            for level in levels:
                row[level] = timed(re.sub(r"-O[0-3s]", level, cmd), project)
        rows.append(row)
    link_s = timed(link, project) if link else 0.0
    return rows, link_s


def report(rows, link_s, levels):
    rows = sorted(rows, key=lambda r: -r["O3"])
    total = sum(r["O3"] for r in rows)
    print(f"{'source file':60s} {'run':>5s} {'-O3 s':>7s}" + "".join(f"{lv:>8s}" for lv in levels))
    for r in rows:
        extra = "".join(f"{r[lv]:8.2f}" if lv in r else f"{'':8s}" for lv in levels)
        print(f"{r['source'][:60]:60s} {'once' if r['cold'] else 'step':>5s} {r['O3']:7.2f}{extra}")
    cold = sum(r["O3"] for r in rows if r["cold"])
    print(
        f"\n{len(rows)} files, {total:.1f} s in all one after the other"
        f" ({cold:.1f} s in files run once)"
    )
    for lv in levels:
        saved = sum(r["O3"] - r[lv] for r in rows if lv in r)
        print(f"files run once at {lv}: {saved:.1f} s less")
    print(f"link: {link_s:.2f} s")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--network", choices=("single", "fig4", "oxford"), default="single")
    p.add_argument("--engine", choices=("synaptic", "factorized"), default="synaptic")
    p.add_argument("--levels", default="", help="comma-separated, e.g. -O1,-O0")
    p.add_argument("--out", help="write the rows as JSON")
    args = p.parse_args(argv)
    levels = [lv for lv in args.levels.split(",") if lv]
    net, task = model(args.network, args.engine)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        write_project(net, task, args.engine, project)
        rows, link_s = measure(project, levels)
    report(rows, link_s, levels)
    if args.out:
        Path(args.out).write_text(json.dumps({"rows": rows, "link_s": link_s}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
