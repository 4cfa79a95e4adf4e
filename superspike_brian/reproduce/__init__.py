"""The paper reproduced: every experiment over seeds, one command, one report.

``superspike reproduce --scale quick|full|tiny --out DIR`` runs each experiment
of Zenke & Ganguli (2018) (Figs 2 and 4-8) as sweeps
(:func:`superspike_brian.sweep.run_sweep`) on one Dask cluster (local, or the one
at ``--scheduler``), then writes ``DIR/report.md`` with one figure per
experiment, tables over seeds and the paper's claims, each with what was
measured and whether it holds. Running it again completes only what is missing.
With ``--data-dir`` (the authors' SSBM ``poisson/`` and ``oxford/``), Figs 2 and 4
also run on the authors' single-neuron data and Figs 6-8 on the Oxford task, and
every claim is judged on both data sets beside the reference implementation's
numbers on the same data.

Modules
-------
:mod:`~superspike_brian.reproduce.experiments`
    The experiments as sweeps, per scale.
:mod:`~superspike_brian.reproduce.runner`
    Runs them (:func:`reproduce`).
:mod:`~superspike_brian.reproduce.xor_run`
    One XOR run, the program of the Fig 5 sweeps.
:mod:`~superspike_brian.reproduce.measures`
    What each run gave, read from its directory.
:mod:`~superspike_brian.reproduce.datasets`
    The built-in tasks and the authors' data under one set of sweep names.
:mod:`~superspike_brian.reproduce.claims`
    The paper's claims as functions of those measures (criteria in
    :mod:`~superspike_brian.reproduce.criteria`).
:mod:`~superspike_brian.reproduce.against`
    The reference implementation beside each claim: its verdict by the same
    criterion, and this package against it (statistics in
    :mod:`~superspike_brian.reproduce.stats`).
:mod:`~superspike_brian.reproduce.report`
    report.md and the figures (sections in ``report_claims``, ``report_fig4``,
    ``report_pattern``; helpers in ``drawing``).

Examples
--------
::

    superspike reproduce --scale quick --out runs/paper-quick
    superspike reproduce --scale full --out runs/paper --data-dir ../shared/ssbm
"""

from superspike_brian.reproduce.experiments import SCALES, experiments
from superspike_brian.reproduce.runner import reproduce

__all__ = ["SCALES", "experiments", "reproduce"]
