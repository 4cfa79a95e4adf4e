"""The claims of the paper (REFERENCE §3) as functions of the sweep results.

Every claim is a :class:`Claim`: the paper's statement and a function from the
results (:func:`superspike_brian.reproduce.measures.collect`: sweep name ->
rows of finished runs) to ``(measured, verdict)``: what was measured, with the
number of seeds and the spread, and one of :data:`HOLDS`, :data:`FAILS`,
:data:`INCONCLUSIVE` or :data:`UNTESTED`. Each function states the criterion it
applies in its measured text, so that a verdict can be argued with.

Examples
--------
>>> from superspike_brian.reproduce.claims import evaluate
>>> rows = evaluate({})            # no results at all
>>> {verdict for _, _, _, verdict in rows}
{'not measured'}
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from superspike_brian.reproduce.measures import EXACT_BELOW, LEARNED_BELOW

__all__ = [
    "CLAIMS",
    "Claim",
    "evaluate",
    "rank_test",
    "HOLDS",
    "FAILS",
    "INCONCLUSIVE",
    "UNTESTED",
]

HOLDS = "holds"
FAILS = "does not hold"
INCONCLUSIVE = "inconclusive"
UNTESTED = "not measured"

#: Training time after which the paper's single neuron and Fig 4 output have learned, s.
LEARNED_BY_S = 250.0
#: "Some hidden units fire after 40 s" holds when the median onset lies in this range, s.
ONSET_RANGE_S = (20.0, 80.0)
#: "A few runs fail": at most this fraction of the runs.
FEW = 0.25
#: "No striking difference": fractions of learned runs differ by at most this.
NO_STRIKING_DIFFERENCE = 0.25
#: Significance level of the rank test against the reference's 21 seeds.
ALPHA = 0.05
#: XOR: a run without hidden layer "cannot" solve the task below this held-out accuracy.
XOR_CANNOT_BELOW = 0.9


@dataclass(frozen=True)
class Claim:
    """One claim of the paper.

    Attributes
    ----------
    figure : str
        Where the paper makes it (``Fig 2`` ...).
    text : str
        The claim, as REFERENCE §3 states it.
    check : callable
        ``check(results) -> (measured, verdict)``.
    """

    figure: str
    text: str
    check: object


# --------------------------------------------------------------------------- helpers


def _rows(results, sweep, **match):
    return [
        r for r in results.get(sweep, ()) if all(str(r.get(k)) == str(v) for k, v in match.items())
    ]


def _median(values):
    values = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.median(values)) if values else math.nan


def _spread(values):
    """``median (quartiles q1-q3, n = N)`` of the finite values."""
    values = np.array([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if values.size == 0:
        return "no finished runs"
    q1, med, q3 = np.percentile(values, [25, 50, 75])
    return f"median {med:.3g} (quartiles {q1:.3g}-{q3:.3g}, n = {values.size})"


def _cost_at(row, t_train):
    """Cost at the first block with at least ``t_train`` s of training (else the last)."""
    t, c = row["time_s"], row["cost"]
    for tk, ck in zip(t, c, strict=True):
        if tk - t[0] >= t_train - 1e-9:
            return ck
    return c[-1]


def _trained_s(rows):
    return min(r["time_s"][-1] - r["time_s"][0] for r in rows)


def _frac(flags):
    flags = list(flags)
    return (sum(bool(f) for f in flags) / len(flags)) if flags else math.nan


def rank_test(a, b):
    """Two-sided Mann-Whitney U test (normal approximation, ties corrected).

    Parameters
    ----------
    a, b : sequence of float

    Returns
    -------
    float
        The p value (1 when either sample is empty or all values tie).
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    n1, n2 = a.size, b.size
    if n1 == 0 or n2 == 0:
        return 1.0
    values = np.concatenate([a, b])
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(values.size)
    sorted_values = values[order]
    i = 0
    ties = 0.0
    while i < values.size:
        j = i
        while j + 1 < values.size and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t**3 - t
        i = j + 1
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    n = n1 + n2
    var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(var)
    return float(math.erfc(max(z, 0.0) / math.sqrt(2)))


def _need(*groups):
    """None when every group has runs, else the (measured, verdict) of a missing result."""
    if all(groups):
        return None
    return "no finished runs", UNTESTED


# --------------------------------------------------------------------------- Fig 2


def single_neuron_learns(results):
    """Fig 2: the cost after 250 s of training is below LEARNED_BELOW in most seeds."""
    rows = _rows(results, "fig2-ssbm") or _rows(results, "fig2-builtin")
    if missing := _need(rows):
        return missing
    costs = [_cost_at(r, LEARNED_BY_S) for r in rows]
    frac = _frac(c < LEARNED_BELOW for c in costs)
    hits = _frac(r.get("all_within_1ms") for r in rows)
    t = min(_trained_s(rows), LEARNED_BY_S)
    measured = (
        f"cost after {t:.0f} s of training {_spread(costs)}; {frac:.0%} of {len(rows)} seeds"
        f" below {LEARNED_BELOW:g} (fewer than 2 unmatched spikes/s); at the end"
        f" {hits:.0%} hit all five spikes within 1 ms"
    )
    return measured, HOLDS if frac >= 0.5 else FAILS


def single_neuron_spread(results):
    """Fig 2: the late costs over seeds against the reference's 21 (rank test)."""
    from superspike_brian.reporting.reference import spread

    ref = spread("single_neuron")
    sweep = "fig2-ssbm" if _rows(results, "fig2-ssbm") else "fig2-builtin"
    rows = _rows(results, sweep)
    if missing := _need(rows):
        return missing
    late = [r["late_median"] for r in rows]
    p = rank_test(late, ref.late_medians)
    exact = sum(v < EXACT_BELOW for v in late)
    data = "the authors' data" if sweep == "fig2-ssbm" else "the built-in task"
    measured = (
        f"on {data}, median cost of the second half of training {_spread(late)};"
        f" {exact}/{len(rows)} exact (< 1e-10); reference ({ref.n_seeds} seeds, blocks"
        f" {ref.late_blocks[0]}-{ref.late_blocks[1]}): median {ref.median:.3g},"
        f" {ref.n_exact}/{ref.n_seeds} exact; rank test p = {p:.2g}"
    )
    if _trained_s(rows) < 800 - 1e-9:
        return measured + " (shorter training than the reference's 800 s)", INCONCLUSIVE
    return measured, HOLDS if p >= ALPHA else FAILS


# --------------------------------------------------------------------------- Fig 4


def hidden_onset(results):
    """Fig 4: the median time of the first hidden spikes lies in ONSET_RANGE_S."""
    rows = _rows(results, "fig4-h4", feedback="random")
    if missing := _need(rows):
        return missing
    onsets = [r["hidden_onset_s"] for r in rows]
    start = [r["time_s"][0] for r in rows]
    onset_train = [o - s for o, s in zip(onsets, start, strict=True) if o is not None]
    silent = _frac(r["hidden_rate_hz"][0] == 0 for r in rows)
    med = _median(onset_train)
    measured = (
        f"100 -> 4 -> 1, random feedback: hidden layer silent in the burn-in in {silent:.0%}"
        f" of {len(rows)} seeds; first spikes after {_spread(onset_train)} s of training"
        f" ({len(rows) - len(onset_train)} never); holds if the median lies in"
        f" {ONSET_RANGE_S[0]:g}-{ONSET_RANGE_S[1]:g} s"
    )
    if not onset_train:
        return measured, FAILS
    return measured, HOLDS if ONSET_RANGE_S[0] <= med <= ONSET_RANGE_S[1] else FAILS


def random_refined(results):
    """Fig 4: with random feedback most seeds are below LEARNED_BELOW after 250 s."""
    rows = _rows(results, "fig4-h4", feedback="random")
    if missing := _need(rows):
        return missing
    costs = [_cost_at(r, LEARNED_BY_S) for r in rows]
    frac = _frac(c < LEARNED_BELOW for c in costs)
    t = min(_trained_s(rows), LEARNED_BY_S)
    measured = (
        f"100 -> 4 -> 1, random feedback: cost after {t:.0f} s {_spread(costs)};"
        f" {frac:.0%} of {len(rows)} seeds below {LEARNED_BELOW:g}"
    )
    return measured, HOLDS if frac >= 0.5 else FAILS


def _failures(rows):
    return [r for r in rows if not r["learned"]]


def failure_mode(results):
    """Fig 4: few random-feedback runs fail, all of them with all feedback weights negative."""
    rows = _rows(results, "fig4-h4", feedback="random")
    if missing := _need(rows):
        return missing
    failed = _failures(rows)
    all_negative = [r for r in rows if r["fb_negative"] == r["n_hidden"]]
    failed_negative = [r for r in failed if r["fb_negative"] == r["n_hidden"]]
    measured = (
        f"100 -> 4 -> 1, random feedback: {len(failed)}/{len(rows)} seeds fail (mean cost of"
        f" the last 5 blocks >= {LEARNED_BELOW:g}); {len(all_negative)} seeds draw all"
        f" feedback weights negative, {len(failed_negative)} of them among the failures"
    )
    if not failed:
        return measured, INCONCLUSIVE if not all_negative else FAILS
    few = len(failed) / len(rows) <= FEW
    explained = len(failed_negative) == len(failed)
    if few and explained:
        return measured, HOLDS
    if few and failed_negative:
        return measured + " (other failures too)", INCONCLUSIVE
    return measured, FAILS


def eight_hidden_rarely(results):
    """Fig 4: 8 hidden units fail no more often than 4, and rarely."""
    h4 = _rows(results, "fig4-h4", feedback="random")
    h8 = _rows(results, "fig4-h8", feedback="random")
    if missing := _need(h4, h8):
        return missing
    f4, f8 = len(_failures(h4)) / len(h4), len(_failures(h8)) / len(h8)
    measured = (
        f"random feedback fails in {len(_failures(h8))}/{len(h8)} seeds with 8 hidden units,"
        f" {len(_failures(h4))}/{len(h4)} with 4"
    )
    return measured, HOLDS if f8 <= f4 and f8 <= FEW / 2 else FAILS


def symmetric_like_uniform(results):
    """Fig 4: the fractions of learned runs differ by at most NO_STRIKING_DIFFERENCE."""
    parts, verdict = [], HOLDS
    for h in (4, 8):
        sym = _rows(results, f"fig4-h{h}", feedback="symmetric")
        uni = _rows(results, f"fig4-h{h}", feedback="uniform")
        if not sym or not uni:
            continue
        fs, fu = _frac(r["learned"] for r in sym), _frac(r["learned"] for r in uni)
        cs = _median(r["final_mean"] for r in sym)
        cu = _median(r["final_mean"] for r in uni)
        parts.append(
            f"{h} hidden: learned {fs:.0%} (symmetric, n = {len(sym)}) vs {fu:.0%}"
            f" (uniform, n = {len(uni)}), median final cost {cs:.3g} vs {cu:.3g}"
        )
        if abs(fs - fu) > NO_STRIKING_DIFFERENCE:
            verdict = FAILS
    if not parts:
        return "no finished runs", UNTESTED
    return "; ".join(
        parts
    ) + f" (holds if the fractions differ by <= {NO_STRIKING_DIFFERENCE:.0%})", verdict


# --------------------------------------------------------------------------- Fig 5


def _xor(results, feedback=None, none=False):
    if none:
        return [r["xor"] for r in results.get("fig5-none", ()) if "xor" in r]
    return [r["xor"] for r in _rows(results, "fig5-hidden", feedback=feedback) if "xor" in r]


def xor_random_perfect(results):
    """Fig 5: at least half the random-feedback runs reach a perfect held-out block."""
    rows = _xor(results, "random")
    if missing := _need(rows):
        return missing
    perfect = sum(r["test_perfect_blocks"] > 0 for r in rows)
    measured = (
        f"random feedback: {perfect}/{len(rows)} runs reach a perfect block of held-out trials;"
        f" held-out accuracy {_spread([r['test'] for r in rows])}"
    )
    return measured, HOLDS if perfect >= len(rows) / 2 else FAILS


def xor_none_cannot(results):
    """Fig 5: no run without hidden layer reaches XOR_CANNOT_BELOW held-out accuracy."""
    rows = _xor(results, none=True)
    if missing := _need(rows):
        return missing
    best = max(r["test"] for r in rows)
    measured = (
        f"no hidden layer: best held-out accuracy {best:.3f} of {len(rows)} runs"
        f" ({_spread([r['test'] for r in rows])}); holds if all below {XOR_CANNOT_BELOW:g}"
    )
    return measured, HOLDS if best < XOR_CANNOT_BELOW else FAILS


def _trials_to_100(rows):
    return [math.inf if r["trials_to_100"] is None else r["trials_to_100"] for r in rows]


def xor_symmetric_fast(results):
    """Fig 5: symmetric feedback needs fewer trials to 100 % than random (medians)."""
    sym, rnd = _xor(results, "symmetric"), _xor(results, "random")
    if missing := _need(sym, rnd):
        return missing
    ts, tr = _trials_to_100(sym), _trials_to_100(rnd)
    ms, mr = float(np.median(ts)), float(np.median(tr))
    measured = (
        f"training trials to the first perfect block, median (never counts as infinite):"
        f" symmetric {ms:g} (n = {len(sym)}), random {mr:g} (n = {len(rnd)})"
    )
    if math.isinf(ms) and math.isinf(mr):
        return measured, INCONCLUSIVE
    return measured, HOLDS if ms < mr else FAILS


def xor_uniform_worse(results):
    """Fig 5: uniform feedback has the lowest mean held-out accuracy."""
    groups = {f: _xor(results, f) for f in ("uniform", "symmetric", "random")}
    if missing := _need(*groups.values()):
        return missing
    means = {f: float(np.mean([r["test"] for r in rows])) for f, rows in groups.items()}
    measured = "mean held-out accuracy: " + ", ".join(
        f"{f} {m:.3f} (n = {len(groups[f])})" for f, m in means.items()
    )
    worse = means["uniform"] < min(means["symmetric"], means["random"])
    return measured, HOLDS if worse else FAILS


# --------------------------------------------------------------------------- Figs 6-8


def _final(rows):
    return [r["final_mean"] for r in rows]


def _by_hidden(results):
    by = {}
    for r in results.get("fig6", ()):
        by.setdefault(int(r["hidden"]), []).append(r["final_mean"])
    return dict(sorted(by.items()))


def pattern_n32_matches(results):
    """Fig 6: every n_h >= 32 reaches the cost without hidden layer or lower."""
    by = _by_hidden(results)
    wide = {h: c for h, c in by.items() if h >= 32}
    if missing := _need(by.get(0), wide):
        return missing
    none = _median(by[0])
    med = {h: _median(c) for h, c in wide.items()}
    measured = (
        f"median final cost, no hidden layer {none:.3g}; "
        + ", ".join(f"n_h = {h}: {m:.3g}" for h, m in med.items())
        + " (a visual match is not measured: holds if every n_h >= 32 reaches the"
        " no-hidden-layer cost or lower)"
    )
    return measured, HOLDS if all(m <= none for m in med.values()) else FAILS


def pattern_wider_better(results):
    """Fig 6: the cost falls with n_h (negative rank correlation, widest below narrowest)."""
    by = {h: c for h, c in _by_hidden(results).items() if h > 0}
    if len(by) < 2:
        return "fewer than two hidden widths finished", UNTESTED
    h = np.array(list(by))
    med = np.array([_median(c) for c in by.values()])
    rh, rc = np.argsort(np.argsort(h)), np.argsort(np.argsort(med))
    rho = float(np.corrcoef(rh, rc)[0, 1]) if len(h) > 1 else math.nan
    measured = (
        "median final cost by n_h: "
        + ", ".join(f"{k}: {m:.3g}" for k, m in zip(h, med, strict=True))
        + f"; rank correlation with n_h {rho:+.2f}"
    )
    return measured, HOLDS if rho < 0 and med[-1] < med[0] else FAILS


def _fig7(results, name):
    return _rows(results, f"fig7-{name}")


def _compare(results, worse, better):
    a, b = _fig7(results, worse), _fig7(results, better)
    if missing := _need(a, b):
        return missing
    ca, cb = _median(_final(a)), _median(_final(b))
    measured = (
        f"median final cost {worse} {ca:.3g} (n = {len(a)}) vs {better} {cb:.3g} (n = {len(b)})"
    )
    return measured, HOLDS if ca > cb else FAILS


def random_worse_than_none(results):
    """Fig 7: random feedback without regularizer ends above no hidden layer."""
    return _compare(results, "random-noreg", "none")


def random_rates_high(results):
    """Fig 7: random feedback's hidden rate exceeds symmetric feedback's."""
    rnd, sym = _fig7(results, "random-noreg"), _fig7(results, "symmetric")
    if missing := _need(rnd, sym):
        return missing
    rr = _median(r["final_hidden_rate_hz"] for r in rnd)
    rs = _median(r["final_hidden_rate_hz"] for r in sym)
    measured = (
        f"hidden rate in the last block, median: random without regularizer {rr:.3g} Hz"
        f" (n = {len(rnd)}), symmetric {rs:.3g} Hz (n = {len(sym)})"
    )
    return measured, HOLDS if rr > rs else FAILS


def regularizer_helps(results):
    """Fig 7: random feedback with regularizer ends below random without."""
    return _compare(results, "random-noreg", "random-reg")


def uniform_worst(results):
    """Fig 7: uniform feedback ends with the highest median cost."""
    names = ("symmetric", "random-reg", "random-noreg", "uniform", "fixed", "linear", "none")
    med = {n: _median(_final(_fig7(results, n))) for n in names if _fig7(results, n)}
    if "uniform" not in med or len(med) < 2:
        return "no finished runs", UNTESTED
    measured = "median final cost: " + ", ".join(f"{n} {m:.3g}" for n, m in med.items())
    return measured, HOLDS if med["uniform"] >= max(med.values()) else FAILS


def linear_degrades(results):
    """Fig 7: symmetric linear ends above symmetric."""
    return _compare(results, "linear", "symmetric")


def fixed_degrades(results):
    """Fig 7: a fixed hidden layer ends above symmetric."""
    return _compare(results, "fixed", "symmetric")


def regularizer_grid(results):
    """Fig 8: the best (rho, a) of the grid ends below random feedback without regularizer."""
    grid = {}
    for r in results.get("fig8", ()):
        grid.setdefault(r["regularizer"], []).append(r["final_mean"])
    noreg = _fig7(results, "random-noreg")
    if missing := _need(grid, noreg):
        return missing
    med = {k: _median(v) for k, v in grid.items()}
    best = min(med, key=med.get)
    base = _median(_final(noreg))
    below = sum(m < base for m in med.values())
    measured = (
        f"median final cost over the (rho in 1/mV, a) grid {min(med.values()):.3g} to"
        f" {max(med.values()):.3g}, best {best}; {below}/{len(med)} points below random"
        f" feedback without regularizer ({base:.3g})"
    )
    return measured, HOLDS if med[best] < base else FAILS


CLAIMS = (
    Claim(
        "Fig 2",
        "A single neuron learns five target spikes within 500 trials (250 s).",
        single_neuron_learns,
    ),
    Claim(
        "Fig 2",
        "Over seeds of the initial weights the late cost is spread like the"
        " reference implementation's over its 21 seeds (REFERENCE §4).",
        single_neuron_spread,
    ),
    Claim(
        "Fig 4",
        "Random feedback, 4 hidden units: some hidden units start to fire after about 40 s.",
        hidden_onset,
    ),
    Claim(
        "Fig 4", "Random feedback, 4 hidden units: the output is refined by 250 s.", random_refined
    ),
    Claim(
        "Fig 4",
        "A few random-feedback runs fail, when all feedback weights are negative.",
        failure_mode,
    ),
    Claim("Fig 4", "With 8 hidden units random feedback fails rarely.", eight_hidden_rarely),
    Claim(
        "Fig 4", "Symmetric and uniform feedback: no striking difference.", symmetric_like_uniform
    ),
    Claim(
        "Fig 5",
        "XOR: random feedback (with regularizer) reaches perfect accuracy.",
        xor_random_perfect,
    ),
    Claim("Fig 5", "XOR: a network without hidden layer cannot solve the task.", xor_none_cannot),
    Claim("Fig 5", "XOR: symmetric feedback is fast (and stereotyped).", xor_symmetric_fast),
    Claim("Fig 5", "XOR: uniform feedback is worse on average.", xor_uniform_worse),
    Claim(
        "Fig 6",
        "Pattern task, symmetric feedback: n_h >= 32 matches the target.",
        pattern_n32_matches,
    ),
    Claim("Fig 6", "Pattern task, symmetric feedback: wider is better.", pattern_wider_better),
    Claim("Fig 7", "Random feedback is worse than no hidden layer.", random_worse_than_none),
    Claim("Fig 7", "With random feedback the hidden rates run high.", random_rates_high),
    Claim("Fig 7", "The regularizer helps random feedback.", regularizer_helps),
    Claim("Fig 7", "Uniform feedback is worst.", uniform_worst),
    Claim("Fig 7", "Symmetric linear (sigma' = 1) degrades learning.", linear_degrades),
    Claim("Fig 7", "A fixed hidden layer degrades learning.", fixed_degrades),
    Claim(
        "Fig 8",
        "Random feedback: some choice of regularizer strength rho and exponent a"
        " improves on no regularizer.",
        regularizer_grid,
    ),
)


def evaluate(results, claims=CLAIMS):
    """Every claim against ``results``.

    Returns
    -------
    list of (figure, claim, measured, verdict)
    """
    table = []
    for claim in claims:
        measured, verdict = claim.check(results)
        table.append((claim.figure, claim.text, measured, verdict))
    return table
