"""The statistics of the claims and of the comparison with the reference: scipy.stats.

Tests between this package's seeds and the reference implementation's, and the
rank correlation of Fig 6, each reduced to the number the report prints.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

__all__ = ["rank_test", "fisher_test", "spearman", "inside", "finite"]


def finite(values):
    """The finite values of ``values`` (None and NaN dropped) as a float array."""
    return np.array([v for v in values if v is not None and np.isfinite(v)], dtype=float)


def rank_test(a, b):
    """Two-sided Mann-Whitney U test (normal approximation, ties and continuity corrected).

    :func:`scipy.stats.mannwhitneyu` with ``method='asymptotic'``: the test this
    package wrote out by hand before, with the same p values.

    Parameters
    ----------
    a, b : sequence of float

    Returns
    -------
    float
        The p value (1 when either sample is empty or all values tie).
    """
    from scipy.stats import mannwhitneyu

    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.size == 0 or b.size == 0:
        return 1.0
    values = np.concatenate([a, b])
    if np.all(values == values[0]):
        # No ranks to compare: scipy's statistic is undefined there (nan).
        return 1.0
    return float(mannwhitneyu(a, b, alternative="two-sided", method="asymptotic").pvalue)


def fisher_test(k1, n1, k2, n2):
    """Two-sided Fisher exact test of ``k1`` of ``n1`` against ``k2`` of ``n2``.

    Returns
    -------
    float
        The p value (1 when either group is empty).
    """
    from scipy.stats import fisher_exact

    if n1 <= 0 or n2 <= 0:
        return 1.0
    table = [[k1, n1 - k1], [k2, n2 - k2]]
    return float(fisher_exact(table, alternative="two-sided").pvalue)


def spearman(x, y):
    """Spearman's rank correlation of ``x`` and ``y`` (ties get their average rank).

    Returns
    -------
    float
        NaN when fewer than two pairs or either variable is constant.
    """
    from scipy.stats import spearmanr

    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.size < 2 or np.all(x == x[0]) or np.all(y == y[0]):
        return math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(spearmanr(x, y).statistic)


def inside(values, lo, hi):
    """How many of ``values`` lie in ``[lo, hi]``, and whether their median does.

    Returns
    -------
    (int, int, bool or None)
        Values inside, finite values, median inside (None without values).
    """
    v = finite(values)
    if v.size == 0:
        return 0, 0, None
    n_in = int(np.sum((v >= lo) & (v <= hi)))
    med = float(np.median(v))
    return n_in, int(v.size), bool(lo <= med <= hi)
