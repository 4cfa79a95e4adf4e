"""The report's Fig 4 section: a hidden layer from a silent start, on both data sets.

One row of panels per sweep (the built-in task, then the authors' data), one
panel per feedback mode; on the authors' data the reference implementation's
final-cost quartiles over its 20 seeds beside each panel it has. The table puts
the reference's rows under this package's, the first hidden spike at the
resolution of the spike itself, and the feedback weights' signs of every
random-feedback failure.
"""

from __future__ import annotations

import numpy as np

from superspike_brian.reporting.reference_bands import FIG4, fig4_band
from superspike_brian.reproduce.drawing import FLOOR, REFERENCE_COLOR, band, empty, figure, save
from superspike_brian.reproduce.drawing import quartiles as _quartiles
from superspike_brian.reproduce.measures import EXACT_BELOW, LEARNED_BELOW
from superspike_brian.reproduce.selection import all_feedback_negative, failures, onsets

__all__ = ["fig4_section", "MODES"]

MODES = ("symmetric", "random", "uniform")


def _hidden(sweep):
    return int(sweep.name.rsplit("-h", 1)[1])


def _authors(sweep):
    return "ssbm" in sweep.name


def _reference_bar(ax, b, t_end):
    """[C]'s final-cost quartiles (bar) and median (dot) right of the curves."""
    x = t_end * 1.04
    lo, hi = max(b.final_q1, FLOOR), max(b.final_q3, FLOOR)
    ax.plot([x, x], [lo, hi], color=REFERENCE_COLOR, lw=4, alpha=0.8)
    ax.scatter(
        [x],
        [max(b.final_median, FLOOR)],
        color=REFERENCE_COLOR,
        s=18,
        zorder=3,
        label=f"reference, {b.learned.n} seeds: final cost quartiles",
    )


def _panel(ax, rows, sweep, mode, j):
    band(ax, rows, f"C{j}", mode)
    ax.axhline(LEARNED_BELOW, color="0.5", ls=":", lw=1)
    ref = fig4_band(_hidden(sweep), mode) if _authors(sweep) else None
    if ref is not None:
        _reference_bar(ax, ref, rows[0]["time_s"][-1] - rows[0]["time_s"][0])
    ax.legend(fontsize="x-small", loc="lower left")


def _row(sweep, mode, rows):
    learned = sum(r["learned"] for r in rows)
    exact = sum(r["final5"] < EXACT_BELOW for r in rows)
    first, resolution = onsets(rows)
    fired = [o for o in first if np.isfinite(o)]
    never = len(first) - len(fired)
    silent = len(first)
    failed = failures(rows)
    negative = sum(all_feedback_negative(r) for r in failed)
    fb = f"{negative}/{len(failed)}" if mode == "random" else "-"
    first_text = f"{_quartiles(fired)} ({never} never)" if first else "-"
    if first and resolution != "exact spike times":
        first_text += f" ({resolution})"
    data = "authors' data" if _authors(sweep) else "built-in task"
    return (
        f"| {data} | 100 -> {_hidden(sweep)} -> 1 | {mode} | {len(rows)} | {learned}/{len(rows)} |"
        f" {exact}/{len(rows)} | {_quartiles([r['final5'] for r in rows])} |"
        f" {silent}/{len(rows)} | {first_text} | {fb} |"
    )


def _reference_rows():
    lines = []
    for (h, mode), b in FIG4.items():
        first = (
            f"within {b.first_spike_within_s:g} s in every seed" if b.first_spike_within_s else "-"
        )
        fb = str(b.failures_all_negative) if b.failures_all_negative is not None else "-"
        silent = str(b.silent) if b.silent is not None else "-"
        lines.append(
            f"| reference implementation, authors' data | 100 -> {h} -> 1 | {mode}"
            f"{' + regularizer' if mode == 'random' else ''} | {b.learned.n} | {b.learned} |"
            f" {b.exact} | {b.final_median:.3g} ({b.final_q1:.3g}-{b.final_q3:.3g}) |"
            f" {silent} | {first} | {fb} |"
        )
    return lines


def _signs(exp, results):
    """Per random-feedback sweep: the failures and the all-negative draws, with their signs."""
    lines = []
    for sweep in exp.sweeps:
        rows = [r for r in results.get(sweep.name, []) if r.get("feedback") == "random"]
        if not rows:
            continue
        failed = sorted(failures(rows), key=lambda r: r["seed"])
        negative = sorted((r for r in rows if all_feedback_negative(r)), key=lambda r: r["seed"])
        fails = ", ".join(f"seed {r['seed']} (`{r.get('feedback_signs') or '?'}`)" for r in failed)
        neg = ", ".join(
            f"seed {r['seed']} ({'failed' if not r['learned'] else 'learned'})" for r in negative
        )
        lines.append(
            f"- `{sweep.name}` ({sweep.label}): {len(failed)}/{len(rows)} fail:"
            f" {fails or 'none'}; all feedback weights negative: {neg or 'no seed'}"
            f" ({sum(all_feedback_negative(r) for r in failed)} of {len(failed)} failures)."
        )
    if lines:
        ref = FIG4[(4, "random")].failures_all_negative
        lines.append(
            f"- reference implementation, authors' data, 100 -> 4 -> 1: {ref.k} of its {ref.n}"
            " failures drew all four feedback weights negative (their output never fires);"
            " none of its 20 runs with 8 hidden units fails. Its seeds draw other matrices"
            " than this package's: compare counts, not seeds."
        )
    return lines


def fig4_section(out, exp, results):
    """The Fig 4 section's lines (and ``fig4_cost.png`` in ``out``)."""
    # The modes this scale runs (tiny: random only), not panels that never fill.
    ran = {m for sweep in exp.sweeps for m in sweep.grid.get("feedback", ())}
    modes = [m for m in MODES if m in ran] or list(MODES[:1])
    fig = figure(3.7 * len(modes), 3.4 * len(exp.sweeps))
    lines = [
        "Cost per block over seeds: median (thick), quartiles and range (shaded), each seed"
        " (thin). A run has learned when its cost over the last 5 blocks averages below"
        f" {LEARNED_BELOW:g} (fewer than two unmatched spikes per second); the final cost is"
        " that mean, as the reference implementation's. On the authors' data the red bar is"
        " the reference's final-cost quartiles over its 20 seeds (REFERENCE.md §4).",
        "",
    ]
    table = [
        "| data | network | feedback | seeds | learned | exact (< 1e-10) |"
        " final cost, median (quartiles) | hidden layer silent in the burn-in |"
        " first hidden spike after the burn-in, s, median (quartiles), seeds silent in it |"
        " failures with all feedback weights negative |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    first = None
    for i, sweep in enumerate(exp.sweeps):
        for j, mode in enumerate(modes):
            # One cost axis for all panels: the modes compare at a glance.
            ax = fig.add_subplot(len(exp.sweeps), len(modes), len(modes) * i + j + 1, sharey=first)
            rows = [r for r in results.get(sweep.name, []) if r.get("feedback") == mode]
            ax.set_title(f"{sweep.label}, {mode} feedback", fontsize="small")
            if not rows:
                empty(ax)
                continue
            _panel(ax, rows, sweep, mode, j)
            first = first or ax
            if j == 0:
                ax.set_ylabel("cost")
            table.append(_row(sweep, mode, rows))
    if any(_authors(s) for s in exp.sweeps):
        table += _reference_rows()
    lines.append(f"![Fig 4]({save(fig, out / 'fig4_cost.png')})")
    lines += ["", *table, ""]
    signs = _signs(exp, results)
    if signs:
        lines += [
            "Random feedback: the signs of each run's feedback weights (one per hidden unit,"
            " drawn from the network seed), for the runs that fail and for the draws with all"
            " of them negative:",
            "",
            *signs,
            "",
        ]
    return lines
