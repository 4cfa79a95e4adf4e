"""Picking and summarising result rows: what the claims and the comparison with [C] share."""

from __future__ import annotations

import math

import numpy as np

from superspike_brian.reproduce.verdicts import UNTESTED

__all__ = [
    "rows_of",
    "median",
    "spread_text",
    "cost_at",
    "trained_s",
    "frac",
    "need",
    "failures",
    "all_feedback_negative",
    "silent_in_burn_in",
    "onsets",
]


def rows_of(results, sweep, **match):
    """Rows of ``sweep`` whose fields equal ``match`` (compared as text)."""
    return [
        r for r in results.get(sweep, ()) if all(str(r.get(k)) == str(v) for k, v in match.items())
    ]


def median(values):
    """Median of the values that are not None or NaN (NaN when none)."""
    values = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.median(values)) if values else math.nan


def spread_text(values):
    """``median (quartiles q1-q3, n = N)`` of the finite values."""
    values = np.array([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if values.size == 0:
        return "no finished runs"
    q1, med, q3 = np.percentile(values, [25, 50, 75])
    return f"median {med:.3g} (quartiles {q1:.3g}-{q3:.3g}, n = {values.size})"


def cost_at(row, t_train):
    """Cost at the first block with at least ``t_train`` s of training (else the last)."""
    t, c = row["time_s"], row["cost"]
    for tk, ck in zip(t, c, strict=True):
        if tk - t[0] >= t_train - 1e-9:
            return ck
    return c[-1]


def trained_s(rows):
    """The shortest training (s after the burn-in) of ``rows``."""
    return min(r["time_s"][-1] - r["time_s"][0] for r in rows)


def frac(flags):
    """Fraction of true flags (NaN without flags)."""
    flags = list(flags)
    return (sum(bool(f) for f in flags) / len(flags)) if flags else math.nan


def need(*groups):
    """None when every group has runs, else the (measured, verdict) of a missing result."""
    if all(groups):
        return None
    return "no finished runs", UNTESTED


def failures(rows):
    """The runs that did not learn (mean cost of the last 5 blocks at or above 2)."""
    return [r for r in rows if not r["learned"]]


def all_feedback_negative(row):
    """Whether every feedback weight of the run's hidden layer is negative."""
    signs = row.get("feedback_signs")
    if signs:
        return set(signs) == {"-"}
    return row.get("fb_negative", 0) == row.get("n_hidden", -1)


def _exact(rows):
    return bool(rows) and all(r.get("onset_resolution") == "spike" for r in rows)


def silent_in_burn_in(row):
    """Whether the run's first hidden layer fired no spike during the burn-in."""
    if row.get("onset_resolution") == "spike":
        first = row.get("first_hidden_spike_s", row.get("hidden_onset_s"))
        return first is None or first >= row["burn_in_s"] - 1e-12
    # Block 0's rate is the burn-in's.
    return row["hidden_rate_hz"][0] == 0


def onsets(rows):
    """Seconds from the burn-in's end to the first hidden spike, of the seeds silent in it.

    Exact spike times where the runs' spikes were read (``onset_resolution``
    ``"spike"``), else the end of the first block with hidden spikes. A seed
    that never fires counts as infinite.

    Returns
    -------
    (list of float, str)
        The onsets and the resolution they have (``"exact spike times"`` or
        e.g. ``"10-s blocks"``, the block length of the runs).
    """
    exact = _exact(rows)
    out = []
    for r in rows:
        if not silent_in_burn_in(r):
            continue
        end = r["burn_in_s"] if exact else r["time_s"][0]
        o = r["hidden_onset_s"]
        out.append(math.inf if o is None else o - end)
    if exact:
        return out, "exact spike times"
    t = rows[0]["time_s"] if rows else [0.0]
    block = t[1] - t[0] if len(t) > 1 else 0.0
    return out, f"{block:g}-s blocks"
