"""The reproduction's report: ``report.md`` and its figures, from the sweeps on disk.

:func:`write_report` reads every sweep of the experiments
(:func:`superspike_brian.reproduce.measures.collect`), draws one figure per
experiment in the paper's manner (cost on a log axis, the median over seeds with
the spread around it; rasters of output spikes by trial) and writes the tables
and the claims (:mod:`superspike_brian.reproduce.claims`). Runs still missing
are counted, not guessed: the report can be drawn at any time.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np

from superspike_brian.files import atomic_write, save_figure
from superspike_brian.reproduce.claims import evaluate
from superspike_brian.reproduce.measures import EXACT_BELOW, LEARNED_BELOW, collect

__all__ = ["write_report", "SECTIONS"]

#: The section headings of report.md, in order (the tests check each is there).
SECTIONS = (
    "## Claims",
    "## Fig 2",
    "## Fig 4",
    "## Fig 5",
    "## Fig 6",
    "## Fig 7",
    "## Fig 8",
    "## Runs",
)
#: Figures' resolution, dots per inch: small PNGs to commit.
DPI = 90
#: Costs below this are drawn at it (exact convergence decays to any small value).
FLOOR = 1e-12
REFERENCE_COLOR = "#c0392b"


def _figure(w, h):
    from matplotlib.figure import Figure

    return Figure(figsize=(w, h))


def _save(fig, path):
    fig.tight_layout()
    try:
        save_figure(fig, path, dpi=DPI)
    finally:
        fig.clear()
    return path.name


def _stack(rows):
    """(training time, costs (seeds x blocks)) over the blocks every run has."""
    n = min(len(r["cost"]) for r in rows)
    t = np.asarray(rows[0]["time_s"][:n]) - rows[0]["time_s"][0]
    c = np.array([r["cost"][:n] for r in rows], dtype=float)
    return t, np.clip(c, FLOOR, None)


def _band(ax, rows, color, label):
    """Each seed thin, the median thick, quartiles and min-max shaded (log axis)."""
    t, c = _stack(rows)
    for ck in c:
        ax.plot(t, ck, color=color, lw=0.5, alpha=0.35)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, q1, med, q3, hi = np.nanpercentile(c, [0, 25, 50, 75, 100], axis=0)
    ax.fill_between(t, lo, hi, color=color, alpha=0.12, lw=0)
    ax.fill_between(t, q1, q3, color=color, alpha=0.25, lw=0)
    ax.plot(t, med, color=color, lw=2, label=f"{label} (n = {len(rows)})")
    ax.set_yscale("log")
    from superspike_brian.reporting.plotting import plain_log_axis

    plain_log_axis(ax.yaxis)
    ax.set_xlabel("training time (s)")
    ax.grid(True, which="major", alpha=0.25)


def _fmt(x, spec=".3g"):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return format(x, spec)


def _quartiles(values):
    v = np.array([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if v.size == 0:
        return "-"
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    return f"{med:.3g} ({q1:.3g}-{q3:.3g})"


def _empty(ax, what="no finished runs yet"):
    ax.text(0.5, 0.5, what, ha="center", va="center", transform=ax.transAxes)


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
    finished = [s for s in exp.sweeps if results.get(s.name)]
    if finished:
        rows = results[finished[0].name]
        lines.append(f"![Fig 2 rasters]({_fig2_rasters(out, rows, finished[0].label)})")
        lines.append("")
    return lines


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
        with np.load(Path(row["run_dir"]) / "spikes.npz") as s:
            period = float(s["period"])
            t = s["output_t"]
            target = s["target_t"]
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


# --------------------------------------------------------------------------- Fig 4


def _fig4(out, exp, results):
    # The modes this scale runs (tiny: random only), not panels that never fill.
    ran = {m for sweep in exp.sweeps for m in sweep.grid.get("feedback", ())}
    modes = [m for m in ("symmetric", "random", "uniform") if m in ran] or ["symmetric"]
    fig = _figure(3.7 * len(modes), 3.4 * len(exp.sweeps))
    lines = [
        "Cost per block over seeds: median (thick), quartiles and range (shaded), each seed"
        " (thin). A run has learned when its cost over the last 5 blocks averages below"
        f" {LEARNED_BELOW:g} (fewer than two unmatched spikes per second).",
        "",
    ]
    table = [
        "| network | feedback | seeds | learned | final cost, median (quartiles) |"
        " hidden layer silent in the burn-in | first hidden spikes, s of training,"
        " median (quartiles) | failures with all feedback weights negative |",
        "|---|---|---|---|---|---|---|---|",
    ]
    first = None
    for i, sweep in enumerate(exp.sweeps):
        for j, mode in enumerate(modes):
            # One cost axis for all panels: the modes compare at a glance.
            ax = fig.add_subplot(len(exp.sweeps), len(modes), len(modes) * i + j + 1, sharey=first)
            rows = [r for r in results.get(sweep.name, []) if r.get("feedback") == mode]
            ax.set_title(f"{sweep.label}, {mode} feedback", fontsize="medium")
            if not rows:
                _empty(ax)
                continue
            _band(ax, rows, f"C{j}", mode)
            first = first or ax
            ax.axhline(LEARNED_BELOW, color="0.5", ls=":", lw=1)
            if j == 0:
                ax.set_ylabel("cost")
            learned = sum(r["learned"] for r in rows)
            onset = [
                r["hidden_onset_s"] - r["time_s"][0]
                for r in rows
                if r["hidden_onset_s"] is not None
            ]
            silent = sum(r["hidden_rate_hz"][0] == 0 for r in rows)
            failed = [r for r in rows if not r["learned"]]
            negative = sum(r["fb_negative"] == r["n_hidden"] for r in failed)
            fb = f"{negative}/{len(failed)}" if mode == "random" else "-"
            table.append(
                f"| {sweep.label} | {mode} | {len(rows)} | {learned}/{len(rows)} |"
                f" {_quartiles([r['final_mean'] for r in rows])} | {silent}/{len(rows)} |"
                f" {_quartiles(onset)} ({len(rows) - len(onset)} never) | {fb} |"
            )
    lines.append(f"![Fig 4]({_save(fig, out / 'fig4_cost.png')})")
    return lines + ["", *table, ""]


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


# --------------------------------------------------------------------------- Figs 6-8


def _final_cost(rows):
    return [r["final_mean"] for r in rows]


def _fig6(out, exp, results):
    rows = results.get("fig6", [])
    by = {}
    for r in rows:
        by.setdefault(int(r["hidden"]), []).append(r["final_mean"])
    by = dict(sorted(by.items()))
    fig = _figure(5.2, 3.6)
    ax = fig.add_subplot()
    if by:
        hs = list(by)
        x = np.arange(len(hs))
        for xi, h in zip(x, hs, strict=True):
            ax.scatter([xi] * len(by[h]), by[h], color="C0", s=14, alpha=0.6)
        ax.plot(x, [np.median(by[h]) for h in hs], "o-", color="C0", lw=2, label="median")
        ax.set_xticks(x, [str(h) for h in hs])
        ax.legend(fontsize="small")
    else:
        _empty(ax)
    ax.set_xlabel("hidden units n_h (0: no hidden layer)")
    ax.set_ylabel("final cost (mean of the last 10 blocks\nor the last quarter)")
    ax.set_title("pattern task, symmetric feedback", fontsize="medium")
    ax.grid(True, alpha=0.25)
    lines = [f"![Fig 6]({_save(fig, out / 'fig6_final_cost.png')})", ""]
    lines += ["| n_h | seeds | final cost, median (quartiles) |", "|---|---|---|"]
    lines += [f"| {h} | {len(c)} | {_quartiles(c)} |" for h, c in by.items()]
    return lines + [""]


def _fig7(out, exp, results):
    fig = _figure(11, 3.8)
    ax_c = fig.add_subplot(1, 3, 1)
    ax_b = fig.add_subplot(1, 3, (2, 3))
    labels, costs, rates = [], [], []
    table = [
        "| condition | seeds | final cost, median (quartiles) | hidden rate, last block, Hz |",
        "|---|---|---|---|",
    ]
    for k, sweep in enumerate(exp.sweeps):
        rows = results.get(sweep.name, [])
        name = sweep.name.removeprefix("fig7-")
        labels.append(name)
        costs.append(_final_cost(rows))
        rates.append([r["final_hidden_rate_hz"] for r in rows if r["final_hidden_rate_hz"]])
        if rows:
            _band(ax_c, rows, f"C{k}", name)
        table.append(
            f"| {sweep.label} | {len(rows)} | {_quartiles(costs[-1])} | {_quartiles(rates[-1])} |"
        )
    ax_c.set_ylabel("cost")
    ax_c.set_title("cost per block (median, quartiles, range)", fontsize="medium")
    if ax_c.lines:
        ax_c.legend(fontsize="x-small", loc="upper right")
    x = np.arange(len(labels))
    for xi, c in zip(x, costs, strict=True):
        if c:
            ax_b.bar(xi, np.median(c), color=f"C{xi}", alpha=0.7)
            ax_b.scatter([xi] * len(c), c, color="k", s=10, zorder=3)
    ax_b.set_xticks(x, labels, rotation=20)
    ax_b.set_ylabel("final cost")
    ax_b.set_title("final cost (bars: median; dots: seeds)", fontsize="medium")
    ax_b.grid(True, axis="y", alpha=0.25)
    lines = [f"![Fig 7]({_save(fig, out / 'fig7_conditions.png')})", ""]
    return lines + table + [""]


def _fig8(out, exp, results):
    rows = results.get("fig8", [])
    grid = {}
    for r in rows:
        rho, _, a = r["regularizer"].partition(",")
        grid.setdefault((float(rho), float(a or 4)), []).append(r["final_mean"])
    fig = _figure(5.2, 3.8)
    ax = fig.add_subplot()
    table = [
        "| rho (1/mV) | a | seeds | final cost, median (quartiles) |",
        "|---|---|---|---|",
    ]
    # Every planned point gets its cell, so that missing runs show as holes.
    planned = set(grid)
    for sweep in exp.sweeps:
        for value in _planned(out, sweep)[0].get("regularizer", ()):
            rho, _, a = value.partition(",")
            planned.add((float(rho), float(a or 4)))
    if grid:
        rhos = sorted({k[0] for k in planned})
        As = sorted({k[1] for k in planned})
        img = np.full((len(As), len(rhos)), np.nan)
        for (rho, a), c in grid.items():
            img[As.index(a), rhos.index(rho)] = np.median(c)
            table.append(f"| {rho:g} | {a:g} | {len(c)} | {_quartiles(c)} |")
        im = ax.imshow(img, origin="lower", cmap="viridis", aspect="auto")
        for (i, j), v in np.ndenumerate(img):
            text = f"{v:.3g}" if np.isfinite(v) else "not run yet"
            ax.text(j, i, text, ha="center", va="center", color="w" if np.isfinite(v) else "k")
        ax.set_xticks(range(len(rhos)), [f"{r:g}" for r in rhos])
        ax.set_yticks(range(len(As)), [f"{a:g}" for a in As])
        fig.colorbar(im, ax=ax, label="final cost, median over seeds")
    else:
        _empty(ax)
    ax.set_xlabel("regularizer strength rho (1/mV)")
    ax.set_ylabel("exponent a")
    ax.set_title("random feedback: final cost over the regularizer grid", fontsize="medium")
    return [f"![Fig 8]({_save(fig, out / 'fig8_regularizer.png')})", ""] + table + [""]


# --------------------------------------------------------------------------- report


def _planned(out, sweep):
    """The grid and number of runs of a sweep: as on disk (maybe extended), or as planned."""
    from superspike_brian.sweep.records import read_json

    recorded = read_json(out / sweep.name / "sweep.json")
    grid = dict(recorded["grid"]) if recorded else sweep.grid
    seeds = recorded["seeds"] if recorded else sweep.seeds
    return grid, len(seeds) * math.prod(len(v) for v in grid.values())


def _runs_section(out, exps, results, record):
    lines = [
        "| sweep | what | runs finished | of | train options |",
        "|---|---|---|---|---|",
    ]
    for exp in exps:
        for sweep in exp.sweeps:
            grid, total = _planned(out, sweep)
            base = " ".join(a if not a.startswith("/") else Path(a).name for a in sweep.base)
            grid = "; ".join(f"{k} = {', '.join(v)}" for k, v in grid.items())
            lines.append(
                f"| `{sweep.name}` | {sweep.label}{' (' + grid + ')' if grid else ''} |"
                f" {len(results.get(sweep.name, []))} | {total} | `{base}` |"
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


def _compute_time(results):
    """The runs' own times summed: the reproduction's cost, however often it was called."""
    seconds = [r["seconds"] for rows in results.values() for r in rows if r.get("seconds")]
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


def write_report(out, exps, *, scale, record=None):
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

    Returns
    -------
    Path
        ``out/report.md``.
    """
    out = Path(out)
    results = collect(out, exps)
    record = record or {}
    n_runs = sum(len(v) for v in results.values())
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
        + _compute_time(results),
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
        "Each claim of the paper (REFERENCE §3) against what was measured here; the"
        " criterion of each verdict is stated with the measurement"
        " (`superspike_brian/reproduce/claims.py`).",
        "",
        "| figure | claim | measured | verdict |",
        "|---|---|---|---|",
    ]
    for figure, claim, measured, verdict in evaluate(results):
        lines.append(f"| {figure} | {claim} | {measured} | **{verdict}** |")
    lines.append("")
    drawers = {
        "fig2": _fig2,
        "fig4": _fig4,
        "fig5": _fig5,
        "fig6": _fig6,
        "fig7": _fig7,
        "fig8": _fig8,
    }
    for exp in exps:
        lines += [f"## {exp.title}", ""]
        lines += drawers[exp.key](out, exp, results)
    lines += ["## Runs", ""]
    lines += _runs_section(out, exps, results, record)
    path = out / "report.md"
    atomic_write(path, "\n".join(lines) + "\n")
    return path
