"""The two data sets a claim is judged on: the built-in tasks and the authors' data.

The claims (:mod:`~superspike_brian.reproduce.claims`) read results by the names
of the built-in sweeps (``fig2``, ``fig4-h4``, ``fig6``, ``fig7-random-reg``,
``fig8`` ...). :func:`view` gives them the rows of one data set under those
names: the built-in sweeps as they are, or the sweeps on the authors' data
(``fig2-ssbm``, ``fig4-ssbm-h4``, ``fig6-oxford``, ``fig7-oxford-*``,
``fig8-oxford``), so one claim function judges both.

On the Oxford task the costs are put on the reference implementation's scale
(``cost_ref``, 4 x ``cost`` for 200 outputs): the numbers the reference's
bands are given in. Orderings between conditions, and so the claims' verdicts,
do not change with the scale.
"""

from __future__ import annotations

from superspike_brian.reproduce.measures import final_mean

__all__ = ["BUILTIN", "AUTHORS", "DATASETS", "view", "planned", "label", "source_name"]

BUILTIN = "built-in"
AUTHORS = "authors"
DATASETS = (BUILTIN, AUTHORS)

#: The built-in name of a sweep -> its sweep on the authors' data (None: not run there).
_AUTHORS_PREFIX = (
    ("fig2", "fig2-ssbm"),
    ("fig4-", "fig4-ssbm-"),
    ("fig5", None),
    ("fig6", "fig6-oxford"),
    ("fig7-", "fig7-oxford-"),
    ("fig8", "fig8-oxford"),
)


def source_name(name, data):
    """The sweep that holds built-in sweep ``name``'s condition in data set ``data``, or None."""
    if data == BUILTIN:
        return "fig2-builtin" if name == "fig2" else name
    for prefix, replacement in _AUTHORS_PREFIX:
        if name.startswith(prefix):
            return None if replacement is None else replacement + name[len(prefix) :]
    return None


def _oxford(name):
    return "oxford" in name


def _on_reference_scale(row):
    """An Oxford row with its costs on the reference's scale (``cost_ref``)."""
    ref = row.get("cost_ref")
    if not ref:
        return row
    return {**row, "cost": list(ref), "final_mean": final_mean(ref), "scale": "cost_ref"}


def view(results, data):
    """The rows of data set ``data`` under the built-in sweep names.

    Parameters
    ----------
    results : dict
        Sweep name -> rows (:func:`superspike_brian.reproduce.measures.collect`).
    data : {BUILTIN, AUTHORS}

    Returns
    -------
    dict
        Built-in sweep name -> rows; only the sweeps present in ``results``.
    """
    if data == BUILTIN:
        out = {k: v for k, v in results.items() if "ssbm" not in k and not _oxford(k)}
        if "fig2-builtin" in results:
            out["fig2"] = results["fig2-builtin"]
        return out
    out = {}
    for name, rows in results.items():
        for prefix, replacement in _AUTHORS_PREFIX:
            if replacement is not None and name.startswith(replacement):
                key = prefix + name[len(replacement) :]
                out[key] = [_on_reference_scale(r) for r in rows] if _oxford(name) else rows
    return out


def planned(results, data, names):
    """Whether any of the built-in sweep ``names`` was planned in data set ``data``."""
    return any(source_name(n, data) in results for n in names)


def label(data, figure):
    """The data set as the claims table names it, for ``figure`` (``Fig 2`` ...)."""
    pattern = figure in ("Fig 6", "Fig 7", "Fig 8")
    if data == BUILTIN:
        return "built-in picture" if pattern else "built-in task"
    return "Oxford (authors')" if pattern else "authors' poisson"
