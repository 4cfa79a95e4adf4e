"""Sweeps: a grid of independent training runs on Dask, one run directory each.

A sweep trains every combination of grid values (any ``superspike train`` option:
feedback mode, hidden sizes, learning rate, ...) for every seed, as separate runs,
then tabulates and plots them per condition.

Examples
--------
Command line (three feedback modes x 20 seeds on the hidden-layer task)::

    superspike sweep --out runs/fig4-sweep --seeds 1-20 \\
        --grid feedback=symmetric,random,uniform -- \\
        --hidden 4 --duration 300 --device cpp_standalone

The same from Python::

    from superspike_brian.sweep import run_sweep

    result = run_sweep(
        "runs/fig4-sweep",
        ["--hidden", "4", "--duration", "300", "--device", "cpp_standalone"],
        grid={"feedback": ["symmetric", "random", "uniform"]},
        seeds=range(1, 21),
    )
    print(result.skipped, len(result.failed))

What a sweep directory ``OUT`` holds
------------------------------------
``sweep.json``
    The grid, the seeds, the base train options and the last command line.
``<condition>/seed-<s>/``
    One ordinary run directory per run (see ``runs/README.md``), plus
    ``log.txt`` (everything the run printed) and ``status.json``
    (``{"status": "ok" | "failed", "returncode", "seconds", "argv"}``).
    ``<condition>`` names the grid values, e.g. ``feedback-random_hidden-4``,
    or is ``base`` for an empty grid.
``summary.csv``, ``summary.png``
    One row per run; learning curves per condition (mean over seeds and the
    min-max band). :func:`write_summary` regenerates both from the disk.

How runs execute
----------------
Every run is its own process, ``python -m superspike_brian.cli train ARGV --out
RUN_DIR``, started from a Dask task: Brian2's devices are process-wide
singletons, so two trainings never share a Python process. By default the
tasks go to a :class:`distributed.LocalCluster` with one single-threaded worker
process per core; ``scheduler="tcp://host:8786"`` (``--scheduler``) sends them
to any running Dask scheduler instead, for example one started by
dask-jobqueue on SLURM. Workers of such a cluster need this package installed
and ``OUT`` (and the task files) on a shared file system at the same paths.

Resuming
--------
A run is finished when its ``status.json`` says ``ok`` and its ``metrics.csv``
exists. Running a sweep again skips the finished runs and re-runs failed or
missing ones, so after failures (or an interrupted sweep) the same command
finishes the job. A sweep may also be extended: more seeds, or more values of
the same grid keys, add runs next to the existing ones (``sweep.json`` records
the union; every combination of it is run). Changing the base options or the
set of grid keys in an existing ``OUT`` is refused; use a new ``OUT``.

Standalone builds
-----------------
With ``--device cpp_standalone`` (or ``cuda_standalone``) each run builds in a
directory keyed by the compiled model structure under
``~/.cache/superspike-brian/`` (`superspike_brian.devices.default_build_root`),
held with an exclusive file lock while in use: runs of the same structure wait
for each other instead of writing into one project at the same time, and runs
of different structures build in parallel. The sweep passes no ``--build-dir``;
one given in the base options is refused when there is more than one run.
"""

from superspike_brian.sweep.grid import (
    RunSpec,
    condition_name,
    expand_grid,
    parse_grid,
    parse_seeds,
)
from superspike_brian.sweep.records import load_sweep, run_one, run_state
from superspike_brian.sweep.runner import SweepResult, run_sweep
from superspike_brian.sweep.summary import write_summary

__all__ = [
    "RunSpec",
    "SweepResult",
    "condition_name",
    "expand_grid",
    "load_sweep",
    "parse_grid",
    "parse_seeds",
    "run_one",
    "run_state",
    "run_sweep",
    "write_summary",
]
