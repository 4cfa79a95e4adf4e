"""The report's sections of Figs 6, 7 and 8: the pattern task on the built-in picture and Oxford.

Each figure gets one panel (or row of panels) per data set. On Oxford the costs
are on the reference implementation's scale (``cost_ref``) and its bands are
drawn in red where it has them: symmetric feedback with 256 hidden units, no
hidden layer, random feedback with the regularizer (REFERENCE.md §4).
"""

from __future__ import annotations

import numpy as np

from superspike_brian.reporting.reference_bands import OXFORD
from superspike_brian.reproduce.datasets import AUTHORS, BUILTIN, view
from superspike_brian.reproduce.drawing import REFERENCE_COLOR, band, empty, figure, save
from superspike_brian.reproduce.drawing import planned as planned_grid
from superspike_brian.reproduce.drawing import quartiles as _quartiles

__all__ = ["fig6_section", "fig7_section", "fig8_section", "FIG7_ORDER"]

#: Fig 7 conditions in the order of the figure.
FIG7_ORDER = ("symmetric", "random-reg", "random-noreg", "uniform", "fixed", "linear", "none")
_TITLES = {BUILTIN: "built-in picture", AUTHORS: "Oxford (authors' data), reference scale"}


def _datasets(results):
    """The data sets whose pattern sweeps were planned: built-in, and Oxford when run."""
    return [BUILTIN] + ([AUTHORS] if any("oxford" in k for k in results) else [])


def _final(rows):
    return [r["final_mean"] for r in rows]


def _band_text(name):
    b = OXFORD[name]
    runs = "one run" if b.runs == 1 else f"{b.runs} runs"
    return f"{b.lo:.3g}-{b.hi:.3g} (blocks {b.blocks[0]}-{b.blocks[1]}, {runs})"


def _red_bar(ax, x, name, label=None):
    b = OXFORD[name]
    ax.plot([x, x], [b.lo, b.hi], color=REFERENCE_COLOR, lw=5, alpha=0.8, label=label)


# --------------------------------------------------------------------------- Fig 6


def _by_hidden(rows):
    by = {}
    for r in rows:
        by.setdefault(int(r["hidden"]), []).append(r["final_mean"])
    return dict(sorted(by.items()))


def fig6_section(out, exp, results):
    """The Fig 6 section's lines (and ``fig6_final_cost.png``)."""
    datasets = _datasets(results)
    fig = figure(5.2 * len(datasets), 3.8)
    table = ["| data | n_h | seeds | final cost, median (quartiles) | reference implementation |"]
    table.append("|---|---|---|---|---|")
    for k, data in enumerate(datasets):
        ax = fig.add_subplot(1, len(datasets), k + 1)
        by = _by_hidden(view(results, data).get("fig6", []))
        if by:
            hs = list(by)
            x = np.arange(len(hs))
            for xi, h in zip(x, hs, strict=True):
                ax.scatter([xi] * len(by[h]), by[h], color="C0", s=14, alpha=0.6)
            ax.plot(x, [np.median(by[h]) for h in hs], "o-", color="C0", lw=2, label="median")
            ax.set_xticks(x, [str(h) for h in hs])
        else:
            empty(ax)
        for h, name in ((256, "symmetric"), (0, "none")):
            if data == AUTHORS and by and h in by:
                label = "reference band" if h == 256 else None
                _red_bar(ax, list(by).index(h) + 0.15, name, label)
        if by:
            ax.legend(fontsize="small")
        ax.set_xlabel("hidden units n_h (0: no hidden layer)")
        ax.set_ylabel("final cost (mean of the last 10 blocks\nor the last quarter)")
        ax.set_title(f"{_TITLES[data]}, symmetric feedback", fontsize="medium")
        ax.grid(True, alpha=0.25)
        for h, c in by.items():
            ref = "-"
            if data == AUTHORS and h in (0, 256):
                ref = _band_text("none" if h == 0 else "symmetric")
            table.append(f"| {_TITLES[data]} | {h} | {len(c)} | {_quartiles(c)} | {ref} |")
    lines = [f"![Fig 6]({save(fig, out / 'fig6_final_cost.png')})", ""]
    if AUTHORS in datasets:
        lines += [
            "Oxford: final costs on the reference implementation's scale (`cost_ref`, 4 x"
            " `cost` for 200 outputs); red bars: the reference's cost band over the blocks"
            " named in the table (REFERENCE.md §4).",
            "",
        ]
    return lines + table + [""]


# --------------------------------------------------------------------------- Fig 7


def _conditions(exp, results, data):
    """(name, label, rows) of the Fig 7 conditions of ``data`` in FIG7_ORDER."""
    labels = {}
    for item in (*exp.sweeps, *exp.aliases):
        if ("oxford" in item.name) == (data == AUTHORS):
            labels[item.name.removeprefix("fig7-").removeprefix("oxford-")] = item.label
    rows = view(results, data)
    return [
        (name, labels[name], rows.get(f"fig7-{name}", [])) for name in FIG7_ORDER if name in labels
    ]


def _fig7_panels(fig, k, n, data, conditions):
    ax_c = fig.add_subplot(n, 3, 3 * k + 1)
    ax_b = fig.add_subplot(n, 3, (3 * k + 2, 3 * k + 3))
    for j, (name, _, rows) in enumerate(conditions):
        if rows:
            band(ax_c, rows, f"C{j}", name)
    ax_c.set_ylabel("cost")
    ax_c.set_title(f"{_TITLES[data]}: cost per block", fontsize="medium")
    if ax_c.lines:
        ax_c.legend(fontsize="x-small", loc="upper right")
    x = np.arange(len(conditions))
    first = True
    for xi, (name, _, rows) in zip(x, conditions, strict=True):
        c = _final(rows)
        if c:
            ax_b.bar(xi, np.median(c), color=f"C{xi}", alpha=0.7)
            ax_b.scatter([xi] * len(c), c, color="k", s=10, zorder=3)
        if data == AUTHORS and name in OXFORD:
            _red_bar(ax_b, xi + 0.3, name, "reference band" if first else None)
            first = False
    ax_b.set_xticks(x, [name for name, _, _ in conditions], rotation=20)
    ax_b.set_ylabel("final cost")
    ax_b.set_title(f"{_TITLES[data]}: final cost (bars: median; dots: seeds)", fontsize="medium")
    ax_b.grid(True, axis="y", alpha=0.25)
    if not first:
        ax_b.legend(fontsize="x-small")


def fig7_section(out, exp, results):
    """The Fig 7 section's lines (and ``fig7_conditions.png``)."""
    datasets = _datasets(results)
    fig = figure(11, 3.8 * len(datasets))
    table = [
        "| data | condition | seeds | final cost, median (quartiles) |"
        " hidden rate, last block, Hz | reference implementation |",
        "|---|---|---|---|---|---|",
    ]
    for k, data in enumerate(datasets):
        conditions = _conditions(exp, results, data)
        _fig7_panels(fig, k, len(datasets), data, conditions)
        for name, label, rows in conditions:
            rates = [r["final_hidden_rate_hz"] for r in rows if r["final_hidden_rate_hz"]]
            ref = _band_text(name) if data == AUTHORS and name in OXFORD else "-"
            table.append(
                f"| {_TITLES[data]} | {label} | {len(rows)} | {_quartiles(_final(rows))} |"
                f" {_quartiles(rates)} | {ref} |"
            )
    lines = [f"![Fig 7]({save(fig, out / 'fig7_conditions.png')})", ""]
    return lines + table + [""]


# --------------------------------------------------------------------------- Fig 8


def _grid(rows):
    grid = {}
    for r in rows:
        rho, _, a = r["regularizer"].partition(",")
        grid.setdefault((float(rho), float(a or 4)), []).append(r["final_mean"])
    return grid


def _heatmap(fig, ax, grid, planned, title):
    if not grid:
        empty(ax)
    else:
        rhos = sorted({k[0] for k in planned | set(grid)})
        As = sorted({k[1] for k in planned | set(grid)})
        img = np.full((len(As), len(rhos)), np.nan)
        for (rho, a), c in grid.items():
            img[As.index(a), rhos.index(rho)] = np.median(c)
        im = ax.imshow(img, origin="lower", cmap="viridis", aspect="auto")
        for (i, j), v in np.ndenumerate(img):
            text = f"{v:.3g}" if np.isfinite(v) else "not run yet"
            ax.text(j, i, text, ha="center", va="center", color="w" if np.isfinite(v) else "k")
        ax.set_xticks(range(len(rhos)), [f"{r:g}" for r in rhos])
        ax.set_yticks(range(len(As)), [f"{a:g}" for a in As])
        fig.colorbar(im, ax=ax, label="final cost, median over seeds")
    ax.set_xlabel("regularizer strength rho (1/mV)")
    ax.set_ylabel("exponent a")
    ax.set_title(title, fontsize="medium")


def fig8_section(out, exp, results):
    """The Fig 8 section's lines (and ``fig8_regularizer.png``)."""
    datasets = _datasets(results)
    fig = figure(5.4 * len(datasets), 3.8)
    table = [
        "| data | rho (1/mV) | a | seeds | final cost, median (quartiles) |",
        "|---|---|---|---|---|",
    ]
    for k, data in enumerate(datasets):
        grid = _grid(view(results, data).get("fig8", []))
        # Every planned point gets its cell, so that missing runs show as holes.
        planned = set()
        for sweep in exp.sweeps:
            if ("oxford" in sweep.name) == (data == AUTHORS):
                for value in planned_grid(out, sweep)[0].get("regularizer", ()):
                    rho, _, a = value.partition(",")
                    planned.add((float(rho), float(a or 4)))
        ax = fig.add_subplot(1, len(datasets), k + 1)
        _heatmap(fig, ax, grid, planned, f"{_TITLES[data]}: random feedback")
        for (rho, a), c in sorted(grid.items()):
            table.append(f"| {_TITLES[data]} | {rho:g} | {a:g} | {len(c)} | {_quartiles(c)} |")
    return [f"![Fig 8]({save(fig, out / 'fig8_regularizer.png')})", ""] + table + [""]
