"""Running a sweep: the runs that are missing, on a local Dask cluster or a scheduler."""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from superspike_brian.cores import available_cores
from superspike_brian.files import read_json_object, write_json
from superspike_brian.sweep.compile_echo import POLL_S, CompileEcho
from superspike_brian.sweep.grid import expand_grid, without_option
from superspike_brian.sweep.records import (
    log_tail,
    merge_record,
    run_one,
    run_state,
    sweep_record,
)
from superspike_brian.sweep.summary import print_line, write_summary

# --------------------------------------------------------------------------- running


@dataclass
class SweepResult:
    """What :func:`run_sweep` did.

    Attributes
    ----------
    out : Path
    total : int
        Runs in the sweep.
    skipped : int
        Runs finished earlier, not run again.
    ran : int
        Runs started by this call.
    failed : list of dict
        This call's failed runs: condition, seed, run_dir, returncode,
        seconds, error (if the task itself broke) and log tail.
    rows : list of dict
        The rows of summary.csv.
    """

    out: Path
    total: int = 0
    skipped: int = 0
    ran: int = 0
    failed: list = field(default_factory=list)
    rows: list = field(default_factory=list)

    @property
    def ok(self):
        """Whether every run of the sweep finished successfully."""
        return not self.failed and all(r["status"] == "ok" for r in self.rows)


def _fmt(x, spec=".4g"):
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def run_sweep(
    out,
    base_args=(),
    grid=None,
    seeds=None,
    scheduler=None,
    workers=None,
    *,
    command=None,
    cwd=None,
    command_line=None,
    echo=print_line,
    elsewhere=(),
):
    """Run a sweep on Dask, skipping finished runs, and write its summary.

    Parameters
    ----------
    out : path
        Sweep directory (created).
    base_args : list of str
        ``superspike train`` options shared by every run.
    grid : dict, optional
        Option name -> values (see :func:`expand_grid`).
    seeds : iterable of int, optional
        Default: the ``--seed`` of ``base_args``, or 1.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``). Default: a
        local cluster started (and closed) by this call.
    workers : int, optional
        Worker processes of the local cluster (default: one per core this
        process may use, :func:`~superspike_brian.cores.available_cores`).
    command : list of str, optional
        Program each run executes, before the train arguments (default: the
        worker's Python, ``-m superspike_brian.cli train``).
    cwd : path, optional
        Folder the runs start in (default: the current folder).
    command_line : list of str, optional
        Recorded in sweep.json (default ``sys.argv``).
    echo : callable
        Receives each progress line (default: the package's logger, level INFO,
        on stdout).
    elsewhere : collection of (str, int)
        Runs (condition, seed) whose results are kept elsewhere (a reproduction's
        results file): not run, counted as finished earlier.

    Returns
    -------
    SweepResult
    """
    out = Path(out).resolve()
    cwd = Path(cwd).resolve() if cwd is not None else Path.cwd()
    if workers is not None:
        if scheduler is not None:
            raise ValueError("--workers sizes the local cluster; with --scheduler leave it out")
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"--workers must be a positive integer; got {workers!r}")
    specs = expand_grid(base_args, grid, seeds, cwd=cwd)
    # The grid as normalized by expand_grid (hyphenated keys, value texts).
    grid_norm = {}
    for spec in specs:
        for k, v in spec.values.items():
            grid_norm.setdefault(k, [])
            if v not in grid_norm[k]:
                grid_norm[k].append(v)
    seed_list = list(dict.fromkeys(spec.seed for spec in specs))
    base = without_option([str(a) for a in base_args], "seed")
    record = sweep_record(base, grid_norm, seed_list, command_line or sys.argv)

    sweep_json = out / "sweep.json"
    old = read_json_object(sweep_json)
    if old is None and sweep_json.exists():
        raise ValueError(f"{sweep_json} is unreadable; fix or remove it")
    if old is not None:
        record = merge_record(old, record, sweep_json)
        specs = expand_grid(record["base"], dict(record["grid"]), record["seeds"], cwd=cwd)
    out.mkdir(parents=True, exist_ok=True)
    write_json(sweep_json, record)

    elsewhere = {(c, int(s)) for c, s in elsewhere}
    todo = _round_robin(
        [
            s
            for s in specs
            if (s.condition, int(s.seed)) not in elsewhere and run_state(s.run_dir(out)) != "ok"
        ]
    )
    result = SweepResult(out=out, total=len(specs), skipped=len(specs) - len(todo))
    echo(
        f"sweep {out}: {len(specs)} run{'s' * (len(specs) != 1)};"
        f" {result.skipped} finished earlier (skipped),"
        f" {len(todo)} to run"
    )
    if todo:
        result.failed = _run_on_dask(todo, out, scheduler, workers, command, cwd, echo)
        result.ran = len(todo)
    result.rows = write_summary(out, echo=echo)
    if result.failed:
        echo(f"\n{len(result.failed)} run(s) failed:")
        for f in result.failed:
            echo(f"- {f['condition']} seed {f['seed']} ({f['run_dir']}), {f['why']}:")
            for line in f["log_tail"]:
                echo(f"    {line}")
        echo("run the same command again to re-run them (finished runs are skipped)")
    return result


#: The scheduler settings a sweep needs (set on its local cluster; docs/cluster.md
#: gives them to a deployed scheduler). A worker that dies (killed, out of memory)
#: fails its run at once instead of handing it to the next worker to die the same
#: way; the same command again re-runs it from its checkpoint.
SCHEDULER_CONFIG = {"distributed.scheduler.allowed-failures": 0}

#: How long to try to reach a ``--scheduler`` before giving up (seconds): a
#: scheduler that answers at all answers within this; a wrong address fails fast.
SCHEDULER_TIMEOUT_S = 10.0


def _round_robin(specs):
    """The runs ordered seed by seed across conditions: first seed of every condition, ...

    Runs of one condition share a model structure and so one build directory,
    which they use one at a time (its lock); taking the conditions in turn keeps
    the workers on different structures instead of waiting for each other.
    """
    by_condition = {}
    for spec in specs:
        by_condition.setdefault(spec.condition, []).append(spec)
    queues = list(by_condition.values())
    order = []
    for k in range(max((len(q) for q in queues), default=0)):
        order += [q[k] for q in queues if k < len(q)]
    return order


def _start_client(scheduler, workers, n_runs):
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, timeout=SCHEDULER_TIMEOUT_S), None
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise RuntimeError(
                f"cannot reach the Dask scheduler at --scheduler {scheduler}"
                f" within {SCHEDULER_TIMEOUT_S:g} s ({type(exc).__name__}: {exc});"
                " check the address and that the scheduler runs"
            ) from None
    with dask.config.set(SCHEDULER_CONFIG):
        cluster = LocalCluster(
            n_workers=min(workers or available_cores(), n_runs),
            threads_per_worker=1,
            processes=True,
        )
    try:
        return Client(cluster), cluster
    except BaseException:
        cluster.close()
        raise


def _finished(pending, echoing, out, futures):
    """The runs that end within the next look at the logs; compile lines echoed meanwhile."""
    from distributed import wait

    try:
        done, _ = wait(list(pending), timeout=POLL_S, return_when="FIRST_COMPLETED")
    except TimeoutError:
        done = set()
    echoing.look([futures[f] for f in pending if f not in done], out)
    return [f for f in pending if f in done]


def _run_on_dask(todo, out, scheduler, workers, command, cwd, echo):
    client, cluster = _start_client(scheduler, workers, len(todo))
    failed = []
    try:
        futures, pending, waiting = {}, set(), list(enumerate(todo))

        def submit():
            # No more runs than the workers' threads: Dask sends a task to a busy
            # worker to wait there, and a worker that dies fails all of its tasks,
            # a run that had not started among them. The rest wait here.
            slots = _threads(client)  # asks the scheduler: once per top-up
            while waiting and len(pending) < slots:
                k, spec = waiting.pop(0)
                # Decreasing priority keeps this sweep's order; sweeps sharing one
                # scheduler (superspike reproduce) then take turns run by run.
                fut = client.submit(
                    run_one,
                    str(spec.run_dir(out)),
                    spec.argv,
                    command,
                    str(cwd),
                    key=f"superspike-{out.name}-{spec.condition}-seed-{spec.seed}-{time.time_ns()}",
                    pure=False,
                    priority=-k,
                )
                futures[fut] = spec
                pending.add(fut)

        submit()
        # While runs go on, a compile in one of them is said here, not only in its log.
        echoing = CompileEcho(todo, out, echo)
        k = 0
        while pending:
            for fut in _finished(pending, echoing, out, futures):
                pending.discard(fut)
                k += 1
                _report_run(fut, futures[fut], k, len(todo), out, failed, echo)
            submit()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return failed


def _threads(client):
    """Runs the workers can execute at once: their threads (at least 1, so that a
    sweep waits for workers that have not joined yet, a cluster being scaled up)."""
    return max(1, sum(client.nthreads().values()))


def _report_run(fut, spec, k, n, out, failed, echo):
    """One line for a run that ended (ok or why not); failed runs are added to ``failed``."""
    # Imported here: rundir imports numpy, which `superspike --help` must not.
    from superspike_brian import rundir

    run_dir = spec.run_dir(out)
    try:
        rec = fut.result()
        error = None
    except Exception as exc:  # the task itself broke (worker lost, disk full, ...)
        error = f"{type(exc).__name__}: {exc}"
        rec = {"status": "failed", "returncode": None, "seconds": None, "error": error}
        rec["argv"] = spec.argv
        write_json(run_dir / rundir.STATUS_FILE, rec)
    line = f"[{k}/{n}] {spec.condition} seed {spec.seed}: "
    if rec["status"] == "ok":
        line += f"ok, final cost {_fmt(rec.get('final_cost'))}, {rec['seconds']:.1f} s"
    else:
        why = error or rec.get("error") or f"exit status {rec['returncode']}"
        line += f"FAILED ({why})"
        if rec.get("seconds") is not None:
            line += f", {rec['seconds']:.1f} s"
        failed.append(
            {
                "condition": spec.condition,
                "seed": spec.seed,
                "run_dir": str(run_dir),
                "returncode": rec.get("returncode"),
                "seconds": rec.get("seconds"),
                "error": error,
                "why": why,
                "log_tail": log_tail(run_dir / rundir.LOG_FILE),
            }
        )
    echo(line)
