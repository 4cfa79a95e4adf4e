"""Running the paper's experiments: every sweep on one Dask cluster, then the report."""

from __future__ import annotations

import json
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from superspike_brian import logs, paper
from superspike_brian.files import write_json
from superspike_brian.reproduce import archive
from superspike_brian.reproduce.experiments import (
    experiments,
    oxford_files,
    pattern_files,
    pattern_period,
    ssbm_files,
)

_log = logs.get_logger(__name__)


def _echo(line):
    _log.info(line, extra=logs.STDOUT)


__all__ = ["reproduce", "redraw", "write_pattern_files", "select_sweeps"]

#: Seed of the pattern task's input draw and target jitter.
PATTERN_TASK_SEED = 1
#: Sweeps submitting runs at the same time (each holds a process and a Dask client):
#: all of them, so that the runs of every figure take turns (see run_sweep's priorities).
MAX_SWEEPS_AT_ONCE = 32


def _run_sweep_job(job):
    """One sweep (in a child process): run_sweep, its progress lines prefixed by its name."""
    from superspike_brian.sweep import run_sweep

    out, base, grid, seeds, address, command, command_line, name, elsewhere = job

    def echo(line):
        if line.startswith(("[", "sweep ")) or "FAILED" in line:
            _log.info(f"{name}: {line}", extra=logs.STDOUT)

    result = run_sweep(
        out,
        base,
        grid=grid,
        seeds=seeds,
        scheduler=address,
        command=command,
        command_line=command_line,
        echo=echo,
        elsewhere=elsewhere,
    )
    return {"total": result.total, "ran": result.ran, "failed": result.failed}


def write_pattern_files(out, period=paper.PATTERN.period):
    """Write the pattern task's input raster and target picture (once) under ``out``.

    The same task as :func:`superspike_brian.tasks.pattern.pattern_task`: 100
    frozen Poisson inputs at 5 Hz over 3.5 s, the word "SPIKE" 100 pixels high
    as target; as files, every run reads them through ``superspike train``.
    ``period`` (s) is shorter only at the tiny scale.
    """
    from brian2 import second

    from superspike_brian.tasks.pattern import INPUT_RATE, render_word, save_image
    from superspike_brian.tasks.single_neuron import frozen_poisson
    from superspike_brian.tasks.spikeio import write_ras

    inp, target = pattern_files(out)
    inp.parent.mkdir(parents=True, exist_ok=True)
    if not inp.exists():
        raster = frozen_poisson(paper.PATTERN.n_in, INPUT_RATE, period * second, PATTERN_TASK_SEED)
        write_ras(inp, raster)
    if not target.exists():
        save_image(target, render_word(height=paper.PATTERN.n_out))
    return inp, target


def regenerate_command(scale, out, data_dir=None, results=None):
    """The command that completes or redraws this reproduction, paths as short as possible."""
    import os
    import shlex

    def short(path):
        path = Path(path).resolve()
        rel = os.path.relpath(path, Path.cwd())
        # A sibling folder (../shared) reads better relative; a distant one absolute.
        return rel if rel.count("..") <= 1 else str(path)

    argv = ["superspike", "reproduce", "--scale", scale, "--out", short(out)]
    if data_dir is not None:
        argv += ["--data-dir", short(data_dir)]
    if results is not None:
        argv += ["--results", short(results)]
    return shlex.join(argv) if os.name != "nt" else " ".join(argv)


def check_data_dir(data_dir):
    """Refuse a ``--data-dir`` that holds neither data set, or one the runs could not read.

    Each data set found is read as its runs will read it (sizes, period, the
    Oxford target ids 1..200 shifted by one), so that a bad file is named once
    here rather than by every run of its sweeps.

    Raises
    ------
    ValueError
        One line naming ``--data-dir``, the file and what is expected.
    """
    from brian2 import second

    from superspike_brian.tasks.task import load_task

    folder = Path(data_dir)
    if not folder.is_dir():
        raise ValueError(f"--data-dir {data_dir} is not a folder")
    for sub in ("poisson", "oxford"):
        if (folder / sub).is_dir():
            missing = [n for n in ("input.ras", "target.ras") if not (folder / sub / n).is_file()]
            if missing:
                raise ValueError(
                    f"--data-dir {data_dir}: {sub}/ lacks {', '.join(missing)}; expected"
                    f" {sub}/input.ras and {sub}/target.ras (SSBM's files)"
                )
    poisson, oxford = ssbm_files(data_dir), oxford_files(data_dir)
    if poisson is None and oxford is None:
        raise ValueError(
            f"--data-dir {data_dir} holds neither poisson/ nor oxford/ with input.ras and"
            " target.ras; give the folder holding SSBM's poisson/ and oxford/"
        )
    checks = []
    if poisson is not None:
        checks.append((poisson, paper.FIG2, 0))
    if oxford is not None:
        checks.append((oxford, paper.OXFORD, paper.OXFORD_TARGET_ID_OFFSET))
    for (inp, target), setup, offset in checks:
        period, n_in, n_out = setup.period, setup.n_in, setup.n_out
        try:
            load_task(inp, target, period * second, n_in=n_in, n_out=n_out, id_offset_target=offset)
        except (ValueError, OSError) as exc:
            raise ValueError(f"--data-dir {data_dir}: {inp.parent.name}/: {exc}") from None


def _check_scale(out, scale):
    """Refuse to mix scales in one folder: the sweeps' options would differ."""
    record = out / "reproduce.json"
    if record.exists():
        try:
            old = json.loads(record.read_text()).get("scale")
        except (OSError, json.JSONDecodeError):
            raise ValueError(f"{record} is unreadable; fix or remove it") from None
        if old != scale:
            raise ValueError(
                f"--out {out} holds a reproduction at scale {old!r}, not {scale!r};"
                " give another --out (or the same --scale to complete it)"
            )


def select_sweeps(sweeps, only):
    """The sweeps whose names match one of the comma-separated patterns ``only``.

    Patterns are shell-style (``fig4*``, ``*oxford*``); None selects all.

    Raises
    ------
    ValueError
        A pattern that matches no sweep (named, with the sweeps there are).
    """
    import fnmatch

    if only is None:
        return list(sweeps)
    patterns = [p.strip() for p in only.split(",") if p.strip()]
    if not patterns:
        raise ValueError("--only: expected sweep names or patterns, e.g. --only 'fig4*,fig6'")
    names = [s.name for s in sweeps]
    for pattern in patterns:
        if not fnmatch.filter(names, pattern):
            raise ValueError(
                f"--only {pattern!r} matches no sweep of this scale; the sweeps: {', '.join(names)}"
            )
    return [s for s in sweeps if any(fnmatch.fnmatch(s.name, p) for p in patterns)]


def _run_sweeps(out, sweeps, scheduler, workers, archived):
    """Run ``sweeps`` on one Dask cluster (a local one unless ``scheduler``): their counts."""
    if not sweeps:
        return []
    command_line = ["superspike", "reproduce", *sys.argv[2:]]
    cluster = None
    if scheduler is None:
        from distributed import LocalCluster

        # One cluster for every sweep: the runs of all figures share the workers.
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
        address = cluster.scheduler_address
    else:
        address = scheduler
    jobs = [
        (
            str(out / sweep.name),
            list(sweep.base),
            sweep.grid,
            list(sweep.seeds),
            address,
            sweep.command(sys.executable),
            command_line,
            sweep.name,
            archive.runs(sweep.name, archived),
        )
        for sweep in sweeps
    ]
    try:
        # Several sweeps submit their runs at once, so the workers never wait for the
        # last run of one sweep; each in its own process (Dask clients do not share
        # one process's threads reliably).
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(min(len(jobs), MAX_SWEEPS_AT_ONCE), mp_context=context) as pool:
            return list(pool.map(_run_sweep_job, jobs))
    finally:
        if cluster is not None:
            cluster.close()


def reproduce(
    scale,
    out,
    *,
    scheduler=None,
    data_dir=None,
    workers=None,
    echo=None,
    only=None,
    results=None,
):
    """Run every experiment at ``scale`` (only the runs still missing), then the report.

    Parameters
    ----------
    scale : {'tiny', 'quick', 'full'}
    out : path
        Folder of the reproduction: one sweep directory per sweep, ``report.md``.
    scheduler : str, optional
        Address of a running Dask scheduler; default: a local cluster.
    data_dir : path, optional
        Folder holding the authors' data: ``poisson/`` and ``oxford/``, each with
        ``input.ras`` and ``target.ras`` (:func:`check_data_dir`).
    workers : int, optional
        Worker processes of the local cluster (default: one per core).
    echo : callable
    only : str, optional
        Run only the sweeps matching these comma-separated patterns
        (:func:`select_sweeps`); the report covers every sweep.
    results : path, optional
        A ``results.json`` of this scale (:mod:`superspike_brian.reproduce.archive`):
        its rows stand in for runs not on disk, and its complete sweeps are not run.

    Returns
    -------
    (Path, list of dict)
        The report and the failed runs of this call (empty when all finished).
    """
    echo = echo or _echo
    from superspike_brian.reproduce.report import write_report

    out = Path(out).resolve()
    if data_dir is not None:
        check_data_dir(data_dir)
    exps = experiments(scale, out, data_dir)
    _check_scale(out, scale)
    archived = archive.read(results, scale=scale) if results is not None else {}
    selected = select_sweeps([s for e in exps for s in e.sweeps], only)
    out.mkdir(parents=True, exist_ok=True)
    write_pattern_files(out, pattern_period(scale))
    record_path = out / "reproduce.json"
    old = json.loads(record_path.read_text()) if record_path.exists() else {}
    # Written first, so that a report redrawn while this runs knows scale and data.
    start = {
        "scale": scale,
        "command": regenerate_command(scale, out, data_dir, results),
        "data_dir": None if data_dir is None else str(Path(data_dir).resolve()),
        "results": None if results is None else str(Path(results).resolve()),
        "status": "running",
    }
    write_json(record_path, {**old, **start})
    sweeps = [s for s in selected if not archive.complete(s, archived)]
    if len(sweeps) < len(selected):
        done = [s.name for s in selected if s not in sweeps]
        echo(f"not run, every run in --results: {', '.join(done)}")
    t0 = time.time()
    results_of_sweeps = _run_sweeps(out, sweeps, scheduler, workers, archived)
    seconds = time.time() - t0
    failed = [f for r in results_of_sweeps for f in r["failed"]]
    record = {
        **start,
        "status": "finished" if not failed else "some runs failed",
        "last_call_seconds": round(seconds, 1),
        "runs": sum(r["total"] for r in results_of_sweeps),
        "ran_in_last_call": sum(r["ran"] for r in results_of_sweeps),
        "failed_in_last_call": len(failed),
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    write_json(out / "reproduce.json", record)
    report = write_report(out, exps, scale=scale, record=record, archived=archived)
    return report, failed


def redraw(scale, out, *, data_dir=None, results=None):
    """Redraw ``out/report.md`` from the runs on disk (and ``results``), running nothing."""
    from superspike_brian.reproduce.report import write_report

    out = Path(out).resolve()
    if not out.is_dir():
        raise FileNotFoundError(f"--out {out} does not exist: nothing to report")
    _check_scale(out, scale)
    record_path = out / "reproduce.json"
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    if data_dir is None:
        data_dir = record.get("data_dir")
    if results is None:
        results = record.get("results")
    archived = archive.read(results, scale=scale) if results is not None else {}
    # The folder may have moved since the runs: name it as it is seen from here.
    record["command"] = regenerate_command(scale, out, data_dir, results)
    exps = experiments(scale, out, data_dir)
    return write_report(out, exps, scale=scale, record=record, archived=archived)
