"""The report's claims: one row per claim and data set, the reference beside it, the failures.

:func:`claims_section` writes the table (this package's measurement and verdict,
the reference implementation's numbers and verdict on the same data, and how
the two compare) and, for every claim this package fails, whose failure it is
(:func:`superspike_brian.reproduce.against.conclusion`).
"""

from __future__ import annotations

from superspike_brian.reproduce.against import conclusion
from superspike_brian.reproduce.datasets import AUTHORS, BUILTIN
from superspike_brian.reproduce.verdicts import FAILS, UNTESTED

__all__ = ["claims_section", "failures_section"]


def _cell(text):
    """Table-safe text: a pipe would end the cell."""
    return str(text).replace("|", "/")


def claims_section(table):
    """Lines of the claims table.

    Parameters
    ----------
    table : list of ClaimRow
        :func:`superspike_brian.reproduce.claims.evaluate`.
    """
    lines = [
        "Each claim of the paper (REFERENCE §3) against what was measured here, on the"
        " built-in tasks and on the authors' data (SSBM `poisson/` for Figs 2 and 4, `oxford/`"
        " for Figs 6-8) where it was run; the criterion of each verdict is stated with the"
        " measurement (`superspike_brian/reproduce/claims.py`). Beside it, the reference"
        " implementation on the same data (REFERENCE.md §4), judged by the same criterion,"
        " and how this package compares with it (`superspike_brian/reproduce/against.py`:"
        " rank test where the reference has per-seed values, Fisher's exact test on counts,"
        " its quartiles or band where it has those; consistent at p >= 0.05 or with the"
        " median over seeds inside the band).",
        "",
        "| figure | claim | data | measured | verdict | reference implementation, same data |"
        " reference's verdict | this package vs the reference |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in table:
        comparison = row.comparison
        if row.comparison_verdict != UNTESTED:
            comparison = f"**{row.comparison_verdict}**: {comparison}"
        lines.append(
            f"| {row.figure} | {_cell(row.claim)} | {row.data_label} | {_cell(row.measured)} |"
            f" **{row.verdict}** | {_cell(row.reference)} | {row.reference_verdict} |"
            f" {_cell(comparison)} |"
        )
    return lines + [""]


def failures_section(table):
    """Lines naming, for each claim this package fails, whose failure it is."""
    by_claim = {}
    for row in table:
        by_claim.setdefault((row.figure, row.claim), {})[row.data] = row
    lines = []
    for (figure, claim), rows in by_claim.items():
        verdicts = {"builtin": rows[BUILTIN].verdict}
        if AUTHORS in rows:
            verdicts["authors"] = rows[AUTHORS].verdict
            verdicts["reference"] = rows[AUTHORS].reference_verdict
        what = conclusion(verdicts)
        if what is None:
            continue
        where = [
            rows[d].data_label for d in (BUILTIN, AUTHORS) if d in rows and rows[d].verdict == FAILS
        ]
        cause = next(iter(rows.values())).cause
        known = f" What is known of the cause: {cause}." if cause else ""
        lines.append(f"- **{figure}: {claim}** Fails on {' and '.join(where)}: {what}.{known}")
    if not lines:
        return ["This package meets every claim it measured.", ""]
    head = [
        "For every claim this package fails: does the reference implementation fail it too on"
        " the same data (then the paper's figure does not reproduce), or not (then it is a"
        " defect of this package)?",
        "",
    ]
    return head + lines + [""]
