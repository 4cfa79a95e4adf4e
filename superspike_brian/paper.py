"""The paper's experiments, each stated once (Zenke & Ganguli 2018, Figs 2-8).

Every figure is a network on a task with a schedule (:class:`Setup`) and the
conditions it compares. The model scripts (``models/*.py``) build their
networks and schedules from these set-ups through the Python API
(:meth:`Setup.network`, :meth:`Setup.schedule`); the reproduction
(:mod:`superspike_brian.reproduce.experiments`) writes the same set-ups as
``superspike train`` options (:func:`train_options`) and only chooses seeds and
scales. The task's own facts (inputs, outputs, period) are those of the task
modules; the spiking XOR's set-up is :mod:`superspike_brian.training.xor`.

=================  ==========================================================
Figure             Set-up
=================  ==========================================================
Fig 2              :data:`FIG2`: 100 -> 1, single-neuron task (0.5 s), 800 s
Fig 4              :data:`FIG4`: 100 -> 4 (or 8) -> 1, same task and schedule,
                   each of :data:`FEEDBACK_MODES`
Fig 5              :mod:`superspike_brian.training.xor`: 100 -> 4 -> 2, 800 s
Figs 6-8           :data:`PATTERN`: 100 -> 256 -> 100, a 3.5 s picture, 1000 s
                   in blocks of 20 s; :data:`OXFORD`: the authors' Oxford task
                   (200 -> 256 -> 200, 1.89 s); Fig 6 over :data:`FIG6_HIDDEN`,
                   Fig 7 over :data:`FIG7_CONDITIONS`, Fig 8 over
                   :data:`FIG8_RHO` x :data:`FIG8_A`
=================  ==========================================================

The paper's seeds per figure are :data:`SEEDS`.

References
----------
Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer spiking
neural networks. Neural Computation 30(6):1514-1541.

Examples
--------
>>> from superspike_brian import paper
>>> paper.train_options({"hidden": (256,), "feedback": "random", "regularizer": False})
('--hidden', '256', '--feedback', 'random', '--no-regularizer')
>>> paper.PATTERN.replace(**paper.FIG7_CONDITIONS["fixed"].changes).fixed_hidden
True
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from brian2 import second

from superspike_brian.tasks import pattern as _pattern
from superspike_brian.tasks import single_neuron as _single

__all__ = [
    "Setup",
    "Condition",
    "train_options",
    "FIG2",
    "FIG4",
    "FIG4_HIDDEN",
    "FEEDBACK_MODES",
    "LEARNED_BELOW",
    "LEARNED_BLOCKS",
    "PATTERN",
    "OXFORD",
    "OXFORD_TARGET_ID_OFFSET",
    "FIG6_HIDDEN",
    "FIG7_CONDITIONS",
    "FIG8_RHO",
    "FIG8_A",
    "SEEDS",
]


@dataclass(frozen=True)
class Setup:
    """A network, its task's shape and its schedule, as the paper trains them.

    Attributes
    ----------
    n_in, n_out : int
        Input and output units.
    period : float
        Period of input and target, s.
    hidden : tuple of int
        Hidden layer sizes; () for none.
    feedback : {'symmetric', 'random', 'uniform'}
    regularizer : bool or None
        None: the network's default (on with random feedback); False: off.
    fixed_hidden, linear_hidden : bool
        The ablations of Fig 7: the first hidden layer's input weights do not
        learn; sigma' = 1 in the hidden layers' rule.
    burn_in, block, duration : float
        Weights fixed for ``burn_in`` s, then ``duration`` s of training in
        blocks of ``block`` s (the rate drops to r0/10 from block 20).
    engine : {'synaptic', 'factorized'}
        How the model script and the reproduction compute it (the same results).
    """

    n_in: int
    n_out: int
    period: float
    hidden: tuple = ()
    feedback: str = "symmetric"
    regularizer: bool | None = None
    fixed_hidden: bool = False
    linear_hidden: bool = False
    burn_in: float = 10.0
    block: float = 10.0
    duration: float = 800.0
    engine: str = "synaptic"

    def replace(self, **changes):
        """A copy with ``changes`` (field name -> value)."""
        return replace(self, **changes)

    def schedule(self, duration=None):
        """The :class:`~superspike_brian.training.schedule.Schedule` of ``duration`` s.

        Default: the set-up's duration. Whole blocks, at least one.
        """
        from superspike_brian.training.schedule import Schedule

        duration = self.duration if duration is None else duration
        return Schedule(
            burn_in=self.burn_in * second,
            block=self.block * second,
            n_blocks=max(1, int(round(duration / self.block))),
        )

    def network(self, seed=1, params=None):
        """The :class:`~superspike_brian.feedforward.network.SuperSpikeNetwork` of seed ``seed``.

        ``params``: :class:`~superspike_brian.model.parameters.ModelParameters`
        (default: the paper's).
        """
        from superspike_brian.feedforward.network import SuperSpikeNetwork
        from superspike_brian.model.parameters import ModelParameters

        return SuperSpikeNetwork(
            n_in=self.n_in,
            hidden=tuple(self.hidden),
            n_out=self.n_out,
            feedback=self.feedback,
            regularizer=self.regularizer,
            params=params if params is not None else ModelParameters(),
            seed=seed,
            fixed=(1,) if self.fixed_hidden else (),
            linear_hidden=self.linear_hidden,
        )


def _num(x):
    return f"{x:g}"


#: Setup field -> its ``superspike train`` option, as a function of the value.
_OPTIONS = {
    "hidden": lambda v: ("--hidden", ",".join(str(h) for h in v) or "0"),
    "feedback": lambda v: ("--feedback", v),
    "regularizer": lambda v: ("--no-regularizer",) if v is False else (),
    "fixed_hidden": lambda v: ("--fixed-hidden",) if v else (),
    "linear_hidden": lambda v: ("--linear-hidden",) if v else (),
    "n_in": lambda v: ("--n-in", str(v)),
    "n_out": lambda v: ("--n-out", str(v)),
    "period": lambda v: ("--period", _num(v)),
    "duration": lambda v: ("--duration", _num(v)),
    "block": lambda v: ("--block", _num(v)),
    "burn_in": lambda v: ("--burn-in", _num(v)),
    "engine": lambda v: ("--engine", v),
}


def train_options(values):
    """``superspike train`` options for set-up values, in the order given.

    Parameters
    ----------
    values : dict
        :class:`Setup` field -> value (``{"hidden": (256,), "feedback": "random"}``).

    Returns
    -------
    tuple of str
    """
    names = {f.name for f in fields(Setup)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ValueError(f"not fields of Setup: {', '.join(unknown)}; expected {sorted(names)}")
    return tuple(token for name, value in values.items() for token in _OPTIONS[name](value))


@dataclass(frozen=True)
class Condition:
    """A condition of Fig 7: a label and the changes it makes to the set-up."""

    label: str
    changes: dict


# ------------------------------------------------------------------ Figs 2 and 4

#: Fig 2: one neuron learns five equidistant spikes per 500 ms from 100 frozen
#: Poisson inputs; 10 s burn-in, 80 blocks of 10 s, r0/10 from block 20 (the
#: reference implementation's schedule).
FIG2 = Setup(
    n_in=_single.N_IN,
    n_out=1,
    period=float(_single.PERIOD / second),
    burn_in=10.0,
    block=10.0,
    duration=800.0,
)
#: Fig 4: the same task and schedule through a hidden layer of 4 (or 8) units.
FIG4 = FIG2.replace(hidden=(4,))
#: Fig 4's hidden-layer widths.
FIG4_HIDDEN = (4, 8)
#: Feedback modes compared in Figs 4 and 5.
FEEDBACK_MODES = ("symmetric", "random", "uniform")
#: A run of Figs 2 and 4 has learned when its cost, averaged over its last
#: :data:`LEARNED_BLOCKS` blocks, is below this: fewer than two unmatched spikes per second.
LEARNED_BELOW = 2.0
LEARNED_BLOCKS = 5

# ------------------------------------------------------------------ Figs 6-8

#: Figs 6-8: 100 inputs at 5 Hz -> 256 hidden -> 100 outputs draw a 3.5 s
#: picture, 1000 s of training in blocks of 20 s, 20 s burn-in; the factorized
#: engine computes it (the same results as the synaptic one, much faster).
PATTERN = Setup(
    n_in=_pattern.N_IN,
    n_out=_pattern.N_OUT,
    period=float(_pattern.PERIOD / second),
    hidden=(256,),
    burn_in=20.0,
    block=20.0,
    duration=1000.0,
    engine="factorized",
)
#: The authors' Oxford task (SSBM ``oxford/``) with the pattern task's network
#: and schedule: 200 inputs, 200 outputs, 1.89 s.
OXFORD = PATTERN.replace(n_in=200, n_out=200, period=1.89)
#: Its target ids run 1..200: subtracted so that they name output units 0..199.
OXFORD_TARGET_ID_OFFSET = 1
#: Hidden-layer widths of Fig 6 (0: no hidden layer).
FIG6_HIDDEN = (0, 8, 16, 32, 64, 128, 256, 512)
#: Fig 7: feedback modes and ablations at the set-up's width (256).
FIG7_CONDITIONS = {
    "symmetric": Condition("symmetric", {"feedback": "symmetric"}),
    "random-reg": Condition("random, regularizer", {"feedback": "random"}),
    "random-noreg": Condition(
        "random, no regularizer", {"feedback": "random", "regularizer": False}
    ),
    "uniform": Condition("uniform", {"feedback": "uniform"}),
    "fixed": Condition("hidden layer fixed", {"feedback": "symmetric", "fixed_hidden": True}),
    "linear": Condition("symmetric linear (sigma' = 1)", {"linear_hidden": True}),
    "none": Condition("no hidden layer", {"hidden": ()}),
}
#: Fig 8: random feedback with the regularizer's strength (1/mV; 1e-6/mV is the
#: reference's rho = 1) and exponent a.
FIG8_RHO = ("1e-7", "1e-6", "1e-5")
FIG8_A = ("1", "4")

#: The paper's network seeds per figure.
SEEDS = {"fig2": 21, "fig4": 20, "fig5": 20, "fig6": 5, "fig7": 5, "fig8": 3}
