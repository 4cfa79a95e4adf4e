"""The reproduction's report: ``report.md`` and its figures, from the sweeps on disk.

:func:`write_report` reads every sweep of the experiments
(:func:`superspike_brian.reproduce.measures.collect`), draws one figure per
experiment in the paper's manner (cost on a log axis, the median over seeds with
the spread around it; rasters of output spikes by trial) and writes the tables
and the claims (:mod:`superspike_brian.reproduce.claims`). Runs still missing
are counted, not guessed: the report can be drawn at any time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from superspike_brian import rundir
from superspike_brian.files import atomic_write
from superspike_brian.reproduce import archive
from superspike_brian.reproduce.claims import evaluate
from superspike_brian.reproduce.drawing import FLOOR, REFERENCE_COLOR
from superspike_brian.reproduce.drawing import band as _band
from superspike_brian.reproduce.drawing import empty as _empty
from superspike_brian.reproduce.drawing import figure as _figure
from superspike_brian.reproduce.drawing import fmt as _fmt
from superspike_brian.reproduce.drawing import planned as _planned
from superspike_brian.reproduce.drawing import quartiles as _quartiles
from superspike_brian.reproduce.drawing import save as _save
from superspike_brian.reproduce.drawing import stack as _stack
from superspike_brian.reproduce.measures import EXACT_BELOW, collect
from superspike_brian.reproduce.report_claims import claims_section, failures_section
from superspike_brian.reproduce.report_fig4 import fig4_section
from superspike_brian.reproduce.report_pattern import fig6_section, fig7_section, fig8_section

__all__ = ["write_report", "SECTIONS"]

#: The section headings of report.md, in order (the tests check each is there).
SECTIONS = (
    "## Claims",
    "## Failed claims and the reference implementation",
    "## Fig 2",
    "## Fig 4",
    "## Fig 5",
    "## Fig 6",
    "## Fig 7",
    "## Fig 8",
    "## Runs",
)
# --------------------------------------------------------------------------- Fig 2


def _fig2(out, exp, results):
    from superspike_brian.reporting.reference import curve, spread

    ref = spread("single_neuron")
    # The reference's blocks are its own (10 s): its ranges sit at its training times.
    ref_block = curve("single_neuron").block_s
    at = {b: b * ref_block for b in ref.ranges}
    sweeps = [s for s in exp.sweeps if results.get(s.name)]
    longest = max((_stack(results[s.name])[0][-1] for s in sweeps), default=0.0)
    beyond = [f"{t:g} s" for t in at.values() if t > longest]
    lines = [
        "Median over seeds (thick), quartiles and range (shaded), each seed (thin); the"
        f" reference implementation's range over its {ref.n_seeds} seeds after"
        f" {', '.join(f'{t:g} s' for t in at.values())} of training (red bars"
        + (
            f"; those at {', '.join(beyond)} lie beyond this scale's {longest:g} s and are"
            " not drawn"
            if beyond
            else ""
        )
        + ") and its per-seed late medians (red dots, right). Costs below 1e-12 are"
        " drawn at 1e-12.",
        "",
    ]
    fig = _figure(5.2 * max(1, len(sweeps)), 3.8)
    for k, sweep in enumerate(sweeps or exp.sweeps[:1]):
        ax = fig.add_subplot(1, max(1, len(sweeps)), k + 1)
        rows = results.get(sweep.name, [])
        if not rows:
            _empty(ax)
            continue
        _band(ax, rows, "C0", "this project")
        t, _ = _stack(rows)
        for b, (lo, hi) in ref.ranges.items():
            if at[b] <= t[-1]:
                ax.plot([at[b]] * 2, [lo, hi], color=REFERENCE_COLOR, lw=3, alpha=0.8)
        x = np.full(len(ref.late_medians), t[-1] * 1.03)
        ax.scatter(
            x,
            np.clip(ref.late_medians, FLOOR, None),
            s=10,
            color=REFERENCE_COLOR,
            label=f"reference, {ref.n_seeds} seeds",
        )
        ax.set_title(sweep.label, fontsize="medium")
        ax.set_ylabel("cost")
        ax.legend(fontsize="small", loc="lower left")
    lines.append(f"![Fig 2 cost]({_save(fig, out / 'fig2_cost.png')})")
    lines += [
        "",
        "| data | seeds | late cost, median (quartiles) | exact (< 1e-10) |"
        " all five spikes within 1 ms, last period |",
        "|---|---|---|---|---|",
    ]
    for sweep in exp.sweeps:
        rows = results.get(sweep.name, [])
        late = [r["late_median"] for r in rows]
        exact = sum(v < EXACT_BELOW for v in late)
        hits = sum(bool(r.get("all_within_1ms")) for r in rows)
        lines.append(
            f"| {sweep.label} | {len(rows)} | {_quartiles(late)} | {exact}/{len(rows)} |"
            f" {hits}/{len(rows)} |"
        )
    lines.append(
        f"| reference implementation, authors' data | {ref.n_seeds} |"
        f" {_quartiles(ref.late_medians)} | {ref.n_exact}/{ref.n_seeds} | - |"
    )
    lines += [
        "",
        "Late cost: each seed's median cost over the second half of its blocks (blocks 40-79"
        " at the reference's 800 s), the number the reference's spread is given in.",
        "",
    ]
    return lines + _fig2_raster_lines(out, exp, results)


def _fig2_raster_lines(out, exp, results):
    """The rasters of the first Fig 2 sweep with results, or why they are not drawn."""
    finished = [s for s in exp.sweeps if results.get(s.name)]
    if not finished:
        return []
    rows = results[finished[0].name]
    if not all(_has_spikes(r) for r in rows):
        return [
            f"Rasters not drawn: some runs of `{finished[0].name}` are not on disk (their"
            " rows come from a results file, which holds no spikes).",
            "",
        ]
    return [f"![Fig 2 rasters]({_fig2_rasters(out, rows, finished[0].label)})", ""]


def _has_spikes(row):
    """Whether the row's run is on disk with its spikes."""
    return rundir.has_arrays(row.get("run_dir"), "spikes")


def _fig2_rasters(out, rows, label):
    """Output spikes by trial for the best, median and worst seed (by late cost)."""
    order = sorted(rows, key=lambda r: r["late_median"])
    named = {}
    for name, row in (("best", order[0]), ("median", order[len(order) // 2]), ("worst", order[-1])):
        named.setdefault(id(row), [row, []])[1].append(name)
    # With fewer than three seeds one seed is two of them: one panel says so.
    picks = {" and ".join(names): row for row, names in named.values()}
    fig = _figure(3.5 * len(picks), 3.4)
    for k, (name, row) in enumerate(picks.items()):
        ax = fig.add_subplot(1, len(picks), k + 1)
        s = rundir.read_arrays(row["run_dir"], "spikes")
        period, t, target = float(s["period"]), s["output_t"], s["target_t"]
        trial = np.floor(t / period + 1e-9)
        for tt in target:
            ax.axvline(tt * 1e3, color=REFERENCE_COLOR, lw=0.8, alpha=0.6)
        ax.scatter((t - trial * period) * 1e3, trial, s=0.5, color="k", lw=0)
        ax.set_xlim(0, period * 1e3)
        ax.set_ylim(trial.max() + 1 if t.size else 1, 0)
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # trials are whole
        ax.set_xlabel("time in period (ms)")
        if k == 0:
            ax.set_ylabel("trial")
        ax.set_title(
            f"seed {row['seed']}, the {name} of {len(rows)}: late cost {row['late_median']:.2g}",
            fontsize="medium",
        )
    fig.suptitle(f"output spikes (black) and target spikes (red): {label}", fontsize="medium")
    return _save(fig, out / "fig2_rasters.png")


# --------------------------------------------------------------------------- Fig 5


def _fig5(out, exp, results):
    groups = {}
    for r in results.get("fig5-hidden", []):
        groups.setdefault(r["feedback"], []).append(r["xor"])
    if results.get("fig5-none"):
        groups["none"] = [r["xor"] for r in results["fig5-none"]]
    fig = _figure(6.5, 3.6)
    ax = fig.add_subplot()
    block = 50
    for k, (name, rows) in enumerate(groups.items()):
        curves = [r["train_accuracy_blocks"] for r in rows]
        n = min(len(c) for c in curves)
        c = np.array([cc[:n] for cc in curves])
        block = rows[0]["block_trials"]
        x = (np.arange(n) + 1) * block
        # A short training has one or two blocks: markers, or nothing would show.
        marker = "o" if n < 3 else None
        for ck in c:
            ax.plot(x, ck, color=f"C{k}", lw=0.5, alpha=0.3, marker=marker, ms=3)
        ax.plot(
            x,
            c.mean(axis=0),
            color=f"C{k}",
            lw=2,
            marker=marker,
            label=f"{name} (n = {len(rows)})",
        )
        ax.set_xlim(0, max(ax.get_xlim()[1], x[-1] * 1.05))
    if not groups:
        _empty(ax)
    ax.set_xlabel("training trial")
    ax.set_ylabel(f"accuracy per block of {block} trials")
    ax.set_ylim(-0.03, 1.03)  # an accuracy of 0 stays visible above the axis
    ax.grid(True, alpha=0.25)
    if groups:
        ax.legend(fontsize="small", loc="best")  # not over the last points
    lines = [
        "Training accuracy per block of trials: mean over runs (thick) and each run (thin);"
        " the network has 4 hidden units (none: 100 -> 2). The table follows"
        " docs/xor.md: a perfect block is one of all-correct trials; held-out: a fresh"
        " stream of trials, learning off.",
        "",
        f"![Fig 5]({_save(fig, out / 'fig5_accuracy.png')})",
        "",
        "| condition | runs | perfect block, training | perfect block, held-out |"
        " all held-out trials correct | held-out accuracy, mean +/- SD (median) |"
        " trials to 100 %, median (IQR) | selective hidden units at the end, mean |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, rows in groups.items():
        test = np.array([r["test"] for r in rows])
        ttp = np.array([np.inf if r["trials_to_100"] is None else r["trials_to_100"] for r in rows])
        reached = np.isfinite(ttp)
        if reached.any():
            q1, med, q3 = np.percentile(ttp[reached], [25, 50, 75])
            ttp_s = f"{med:.0f} ({q1:.0f}-{q3:.0f})"
        else:
            ttp_s = "never"
        sel = [r["end_selective"] for r in rows if "end_selective" in r]
        n = len(rows)
        lines.append(
            f"| {name} | {n} | {reached.sum()}/{n} |"
            f" {sum(r['test_perfect_blocks'] > 0 for r in rows)}/{n} |"
            f" {np.sum(test >= 1.0)}/{n} | {test.mean():.3f} +/- {test.std():.3f}"
            f" ({np.median(test):.3f}) | {ttp_s} | {_fmt(np.mean(sel) if sel else None)} |"
        )
    return lines + [""]


# --------------------------------------------------------------------------- report


def _seconds(rows):
    return sum(r["seconds"] for r in rows if r.get("seconds"))


def _runs_section(out, exps, results, record):
    lines = [
        "Time: each run's own time (its last call, from its status.json), summed per sweep;"
        " on n workers the wall time is about the sum over n.",
        "",
        "| sweep | what | runs finished | of | run time summed, s | train options |",
        "|---|---|---|---|---|---|",
    ]
    parts = {}
    for exp in exps:
        for sweep in exp.sweeps:
            grid, total = _planned(out, sweep)
            base = " ".join(a if not a.startswith("/") else Path(a).name for a in sweep.base)
            grid = "; ".join(f"{k} = {', '.join(v)}" for k, v in grid.items())
            rows = results.get(sweep.name, [])
            part = (
                "authors' data" if ("ssbm" in sweep.name or "oxford" in sweep.name) else "built-in"
            )
            parts[part] = parts.get(part, 0.0) + _seconds(rows)
            lines.append(
                f"| `{sweep.name}` | {sweep.label}{' (' + grid + ')' if grid else ''} |"
                f" {len(rows)} | {total} | {_seconds(rows):.0f} | `{base}` |"
            )
        for alias in exp.aliases:
            lines.append(
                f"| `{alias.name}` | {alias.label} | {len(results.get(alias.name, []))} |"
                " - | - | the runs of its source sweep |"
            )
    lines.append("")
    lines.append(
        "Run time summed by part: "
        + "; ".join(f"{k} {v:.0f} s ({v / 3600:.2f} h)" for k, v in parts.items())
        + "."
    )
    return lines


def _provenance(results):
    """What made the runs: package commits, Brian2 versions and the error delay."""
    made_by = [row["made_by"] for rows in results.values() for row in rows]
    if not made_by:
        return []

    def values(key):
        return ", ".join(sorted({m[key] for m in made_by}))

    return [
        f"Runs made by superspike-brian at commit {values('commit')} with Brian2"
        f" {values('brian2')}; error delay {values('error_delay')} (`error_delay`, docs/model.md).",
        "",
    ]


def _sweep_rows(exps, results):
    """Rows of the sweeps themselves (an alias's rows are its source's, counted once)."""
    return [r for exp in exps for sweep in exp.sweeps for r in results.get(sweep.name, [])]


def _compute_time(rows):
    """The runs' own times summed: the reproduction's cost, however often it was called."""
    seconds = [r["seconds"] for r in rows if r.get("seconds")]
    if not seconds:
        return ""
    total = sum(seconds)
    return (
        f" Summed over the runs (each timed by its last call), {total:.0f} s"
        f" ({total / 3600:.1f} h): the wall time on n parallel workers is about that divided by n."
    )


def _status_line(status):
    """The reproduction's state in bold, unless it finished."""
    if status == "running":
        return "**Still running when this report was drawn.** "
    if status in (None, "finished"):
        return ""
    return f"**{status[0].upper()}{status[1:]}.** "


def write_report(out, exps, *, scale, record=None, archived=None):
    """Write ``out/report.md`` and its figures from the sweeps on disk.

    Parameters
    ----------
    out : path
        The reproduction's folder.
    exps : list of Experiment
    scale : str
        Named in the report and its regeneration command.
    record : dict, optional
        ``reproduce.json``: wall time of the last call, runs.
    archived : dict, optional
        Rows measured earlier, for runs not on disk
        (:func:`superspike_brian.reproduce.archive.read`).

    Returns
    -------
    Path
        ``out/report.md``.
    """
    out = Path(out)
    results = collect(out, exps, archived)
    archive.write(out, results, [s.name for e in exps for s in e.sweeps], scale=scale)
    record = record or {}
    table = evaluate(results)
    n_runs = len(_sweep_rows(exps, results))
    total = sum(_planned(out, sweep)[1] for exp in exps for sweep in exp.sweeps)
    lines = [
        f"# SuperSpike reproduced: the paper's experiments at scale `{scale}`",
        "",
        "Zenke & Ganguli (2018), *Neural Computation* 30:1514, Figs 2 and 4-8, each over"
        " seeds of the network (initial weights, feedback matrices), through the sweep"
        " machinery of this package. Regenerate (finished runs are kept, missing ones run):",
        "",
        "```bash",
        record.get("command") or f"superspike reproduce --scale {scale} --out {out}",
        "```",
        "",
        _status_line(record.get("status"))
        + f"{n_runs} of {total} runs finished."
        + (
            f" The last call took {record['last_call_seconds']:.0f} s of wall time"
            f" ({record.get('ran_in_last_call', '?')} runs ran in it)."
            if "last_call_seconds" in record
            else ""
        )
        + _compute_time(_sweep_rows(exps, results)),
        "",
    ]
    if scale != "full":
        lines += [
            f"Scale `{scale}`: fewer seeds and shorter trainings than the paper (see Runs);"
            " the verdicts below are a first look, not a measurement.",
            "",
        ]
    lines += _provenance(results) + [
        "Final cost: the mean cost of the last 10 blocks, or of the last quarter of the"
        " blocks when that is fewer (short trainings).",
        "",
        "## Claims",
        "",
    ]
    lines += claims_section(table)
    lines += ["## Failed claims and the reference implementation", ""]
    lines += failures_section(table)
    drawers = {
        "fig2": _fig2,
        "fig4": fig4_section,
        "fig5": _fig5,
        "fig6": fig6_section,
        "fig7": fig7_section,
        "fig8": fig8_section,
    }
    for exp in exps:
        lines += [f"## {exp.title}", ""]
        lines += drawers[exp.key](out, exp, results)
    lines += ["## Runs", ""]
    lines += _runs_section(out, exps, results, record)
    path = out / "report.md"
    atomic_write(path, "\n".join(lines) + "\n")
    return path
