"""Published cost curves of the authors' reference implementation.

Block values of the reference implementation's cost, as listed in docs/data.md
(block k = end of burn-in plus k training blocks), for comparing a run with the
reference in figures and notes.
The costs are on the reference code's scale (the ``cost_ref`` column of
``metrics.csv``).

Every curve was measured on one task, one network and one schedule
(:data:`MEASURED_ON`): a run is compared with a curve only when it ran the same
(:func:`match`). One run of the reference is one draw; :data:`SPREADS` holds
the spread over seeds of the initial weights where it was measured
(docs/data.md), the fair thing to compare a run (or a band of runs) with.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CURVES",
    "MEASURED_ON",
    "SPREADS",
    "SUMMARIES",
    "TASKS",
    "ReferenceCurve",
    "ReferenceTask",
    "SeedSpread",
    "curve",
    "match",
    "spread",
]

CURVES = {
    # 100 -> 1 on ssbm/poisson, r0 = 1 mV, 10 s burn-in, 80 blocks of 10 s.
    "single_neuron": {
        0: 10.08,
        1: 8.14,
        3: 5.15,
        5: 1.39,
        7: 0.47,
        10: 0.45,
        20: 0.63,
        25: 0.043,
        30: 0.015,
    },
    # 100 -> 4 -> 1, symmetric feedback, same schedule.
    "fig4_symmetric": {0: 10.1, 2: 4.8, 4: 1.95, 10: 0.91, 19: 0.051, 22: 2e-3},
    # 100 -> 4 -> 1, random feedback with regularizer (one draw).
    "fig4_random": {0: 10.1, 4: 4.1, 10: 2.15, 20: 1.16},
    # Oxford 200 -> 256 -> 200, symmetric, 20 s burn-in, 50 blocks of 20 s.
    "oxford_symmetric": {
        0: 214,
        1: 106,
        2: 57,
        3: 46,
        4: 40,
        5: 38,
        10: 29,
        15: 26,
        19: 25,
        20: 23.6,
        21: 18.4,
        22: 16.4,
    },
    # Oxford without hidden layer (200 -> 200).
    "oxford_no_hidden": {
        0: 214,
        1: 93,
        2: 52,
        3: 39,
        4: 34,
        5: 31,
        10: 24,
        19: 19.7,
        20: 19.1,
        21: 16.5,
    },
    # Oxford, random feedback with regularizer, the run with its master seed 121.
    "oxford_random": {
        0: 214,
        1: 150,
        2: 103,
        3: 96,
        4: 90,
        5: 87,
        6: 85,
        7: 83,
        8: 77,
        9: 82,
        19: 71,
        20: 72,
        21: 58,
    },
}

#: Summary statistics quoted with the curves beyond single blocks.
SUMMARIES = {
    "single_neuron": "blocks 40-79 between 0.006 and 0.21, median about 0.03",
    "oxford_symmetric": "16.3 to 17.5 from block 23 to 49, mean of blocks 40-49: 16.9",
    "oxford_random": "48.7 to 49.6 for blocks 22-28 (seed 121); published run ends at 25.9",
}


@dataclass(frozen=True)
class ReferenceTask:
    """A data set of the authors' benchmark, recognised by its target raster.

    The run directory keeps the target spikes but not the input, so the target
    (its times to half a time step, or, for large rasters, the count and sums
    of its spikes) together with the sizes and the period stands for the data.
    """

    name: str
    description: str
    n_in: int
    n_out: int
    period_s: float
    target_t: tuple = ()
    n_target: int = 0
    target_t_sum: float = 0.0
    target_i_sum: int = 0
    kind: str | None = None

    def holds(self, n_in, n_out, period_s, target_t, target_i):
        """Whether a run with these sizes, period and target ran on this data set."""
        import numpy as np

        target_t = np.asarray(target_t, dtype=float)
        target_i = np.asarray(target_i)
        if (n_in, n_out) != (self.n_in, self.n_out) or abs(period_s - self.period_s) > 1e-9:
            return False
        if self.target_t:
            ours = np.sort(target_t)
            return ours.size == len(self.target_t) and bool(
                np.all(np.abs(ours - np.asarray(self.target_t)) < 0.5e-4)
            )
        return (
            target_t.size == self.n_target
            and abs(float(target_t.sum()) - self.target_t_sum) < 1e-2
            and int(target_i.sum()) == self.target_i_sum
        )


TASKS = {
    "ssbm_poisson": ReferenceTask(
        name="ssbm_poisson",
        description="ssbm/poisson, 100 inputs, 5 target spikes per 0.5 s",
        n_in=100,
        n_out=1,
        period_s=0.5,
        target_t=(0.083, 0.166, 0.249, 0.332, 0.415),
        # The built-in task of that kind draws its own input, same statistics.
        kind="single_neuron",
    ),
    # Target ids 1..200 read with --target-id-offset 1.
    "ssbm_oxford": ReferenceTask(
        name="ssbm_oxford",
        description="ssbm/oxford, 200 inputs, 200 outputs, 1.89 s",
        n_in=200,
        n_out=200,
        period_s=1.89,
        n_target=10367,
        target_t_sum=9323.532,
        target_i_sum=811549,
    ),
}

#: Task, network and schedule of each curve: hidden sizes, feedback (None:
#: no hidden layer, so no feedback), regularizer, burn-in and block length (s).
MEASURED_ON = {
    "single_neuron": ("ssbm_poisson", (), None, False, 10.0, 10.0),
    "fig4_symmetric": ("ssbm_poisson", (4,), "symmetric", False, 10.0, 10.0),
    "fig4_random": ("ssbm_poisson", (4,), "random", True, 10.0, 10.0),
    "oxford_symmetric": ("ssbm_oxford", (256,), "symmetric", False, 20.0, 20.0),
    "oxford_no_hidden": ("ssbm_oxford", (), None, False, 20.0, 20.0),
    "oxford_random": ("ssbm_oxford", (256,), "random", True, 20.0, 20.0),
}


class ReferenceCurve(dict):
    """A reference curve, ``{block: cost}``, that knows what it was measured on."""

    def __init__(self, name, points):
        super().__init__(points)
        self.name = name
        task, hidden, feedback, regularizer, burn_in_s, block_s = MEASURED_ON[name]
        self.task = TASKS[task]
        self.hidden = hidden
        self.feedback = feedback
        self.regularizer = regularizer
        self.burn_in_s = burn_in_s
        self.block_s = block_s

    def describe(self):
        """The network and data set, as a figure names them."""
        sizes = " → ".join(str(n) for n in (self.task.n_in, *self.hidden, self.task.n_out))
        feedback = f", {self.feedback} feedback" if self.feedback else ""
        return f"{sizes}{feedback} on {self.task.description}"


@dataclass(frozen=True)
class SeedSpread:
    """Spread over seeds of the initial weights of the reference's cost.

    Attributes
    ----------
    name : str
        The curve (:data:`CURVES`) measured on the same task and network.
    n_seeds : int
        Number of seeds.
    ranges : dict of int to (float, float)
        Block -> (lowest, highest) cost over the seeds.
    late_blocks : (int, int)
        First and last block of the late phase, inclusive.
    late_medians : tuple of float
        Median cost of the late blocks, one per seed.
    exact : float
        Costs below this are runs that match the target exactly (the cost then
        decays like the running average itself, to any small value).
    """

    name: str
    n_seeds: int
    ranges: dict
    late_blocks: tuple
    late_medians: tuple
    exact: float = 1e-10

    @property
    def n_exact(self):
        """Number of seeds whose late median is below :attr:`exact`."""
        return sum(v < self.exact for v in self.late_medians)

    @property
    def median(self):
        """Median over seeds of the per-seed late medians."""
        import numpy as np

        return float(np.median(self.late_medians))


SPREADS = {
    # docs/data.md: master seeds 1-20 and 121, same data and schedule. It
    # quotes "median over seeds 0.109" beside this list, whose median (the
    # 11th of 21 values) is 0.097: `SeedSpread.median` takes the list's.
    "single_neuron": SeedSpread(
        name="single_neuron",
        n_seeds=21,
        ranges={1: (5.7, 8.8), 10: (0.17, 2.9), 30: (4e-10, 0.79)},
        late_blocks=(40, 79),
        late_medians=(
            3e-22,
            6e-23,
            5e-22,
            5e-15,
            2e-13,
            2e-11,
            0.0086,
            0.012,
            0.034,
            0.040,
            0.097,
            0.109,
            0.157,
            0.161,
            0.186,
            0.268,
            0.311,
            0.402,
            0.473,
            0.578,
            0.645,
        ),
    ),
}


def curve(name):
    """Reference curve ``name``: a {block: cost} dict (a `ReferenceCurve`)."""
    if name not in CURVES:
        raise ValueError(f"unknown reference curve {name!r}; known: {', '.join(CURVES)}")
    return ReferenceCurve(name, CURVES[name])


def spread(name):
    """Spread over seeds of reference curve ``name``, or None where none was measured."""
    if name not in CURVES:
        raise ValueError(f"unknown reference curve {name!r}; known: {', '.join(CURVES)}")
    return SPREADS.get(name)


def match(ref, run):
    """How a run compares with reference curve `ref`.

    Parameters
    ----------
    ref : ReferenceCurve
    run : dict
        ``kind`` (task kind, see `superspike_brian.reporting.figures.task_info`),
        ``n_in``, ``n_out``, ``period_s``, ``target_t``, ``target_i`` (target
        spikes of one period), ``network`` (``config["network"]``: hidden,
        feedback, regularizer) and ``schedule`` (``config["schedule"]``:
        burn_in_s, block_s; may be empty).

    Returns
    -------
    (str, str or None)
        ``("same", None)``: same data, network and schedule;
        ``("similar", why)``: same network and schedule on another draw of
        the same kind of task (the built-in single-neuron task draws its own
        frozen Poisson input with the statistics of ssbm/poisson);
        ``("different", why)``: anything else. `why` names the difference.
    """
    import numpy as np

    setup = _setup_difference(ref, run["network"], run.get("schedule") or {})
    if setup is not None:
        return "different", setup
    task = ref.task
    if task.holds(run["n_in"], run["n_out"], run["period_s"], run["target_t"], run["target_i"]):
        return "same", None
    why = f"measured on {task.description}"
    similar = (
        task.kind is not None
        and run.get("kind") == task.kind
        and (run["n_in"], run["n_out"]) == (task.n_in, task.n_out)
        and abs(run["period_s"] - task.period_s) < 1e-9
        and np.size(run["target_t"]) == len(task.target_t)
    )
    return ("similar" if similar else "different"), why


def _setup_difference(ref, network, schedule):
    """The first difference of network or schedule from `ref`'s, in words, or None."""
    if tuple(network.get("hidden", ())) != ref.hidden:
        return f"measured on {ref.describe()}"
    if ref.hidden and (
        network.get("feedback") != ref.feedback
        or bool(network.get("regularizer")) != ref.regularizer
    ):
        regularizer = " and the regularizer" if ref.regularizer else ""
        return f"measured with {ref.feedback} feedback{regularizer}"
    for key, value in (("burn_in_s", ref.burn_in_s), ("block_s", ref.block_s)):
        if key in schedule and abs(float(schedule[key]) - value) > 1e-9:
            return f"measured with {ref.burn_in_s:g} s burn-in and {ref.block_s:g} s blocks"
    return None
