"""How many CPU cores this process may use.

``os.cpu_count()`` counts the whole machine. On a cluster node a job is given a
few of its cores (SLURM's ``--cpus-per-task``, a cgroup or ``taskset``), and one
compile job or Dask worker per node core would put dozens of processes on them.
"""

from __future__ import annotations

import os

__all__ = ["available_cores"]


def _affinity_count():
    """Cores in this process's CPU affinity mask (the machine's count where there is none)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux: no affinity call
        return os.cpu_count() or 1


def _slurm_cpus():
    """``SLURM_CPUS_PER_TASK`` as a positive int, or None when unset or malformed."""
    text = os.environ.get("SLURM_CPUS_PER_TASK", "").strip()
    if not text.isdigit() or int(text) < 1:
        return None
    return int(text)


def available_cores():
    """The number of cores this process may run on (at least 1).

    The size of the process's CPU affinity mask (``os.sched_getaffinity(0)``),
    which reflects ``taskset``, cgroup cpusets and SLURM's task binding; where
    SLURM gives ``SLURM_CPUS_PER_TASK`` (``--cpus-per-task``), no more than that,
    since a job without task binding still sees the node's whole mask.

    Returns
    -------
    int

    Examples
    --------
    >>> from superspike_brian.cores import available_cores
    >>> available_cores() >= 1
    True
    """
    count = _affinity_count()
    slurm = _slurm_cpus()
    if slurm is not None:
        count = min(count, slurm)
    return max(1, count)
