"""A SuperSpike network: what it is, without Brian2.

:class:`SuperSpikeNetwork` describes a feed-forward network input -> hidden
layers -> output: sizes, feedback mode, regularizer, parameters and seed. Its
seeded draws (initial weights, feedback matrices) are plain numpy arrays.
:func:`superspike_brian.feedforward.values.model_values` turns it and a task into the
numbers of a model, :func:`superspike_brian.feedforward.builder.build_model` into
Brian2 objects for whichever device is active.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
from brian2 import mV, second

from superspike_brian.model import error
from superspike_brian.model.feedback import check_feedback
from superspike_brian.model.parameters import ModelParameters
from superspike_brian.validation import check_positive_int, steps_of


#: Parameters that are values of a model, not constants of its code.
def legacy_defaults(config):
    """A network config with the parameters that older versions did not record.

    Runs written before ``error_delay`` existed gave the error on the spike's
    own step: their config, read today, means ``error_delay = 0``.
    """
    learning = config.get("params_si", {}).get("learning")
    if learning is None or "error_delay" in learning:
        return config
    config = json.loads(json.dumps(config))
    config["params_si"]["learning"]["error_delay"] = 0.0
    if "params" in config:
        config["params"]["learning"]["error_delay"] = "0.0 ms"
    return config


DATA_PARAMETERS = (("learning", "r0"), ("learning", "w0"), ("regularizer", "rho"))


@dataclass
class SuperSpikeNetwork:
    """A feed-forward spiking network trained with SuperSpike.

    Parameters
    ----------
    n_in : int
        Number of input units.
    hidden : sequence of int, optional
        Sizes of the hidden layers (default: none, input -> output).
    n_out : int
        Number of output units (default 1).
    feedback : {'symmetric', 'random', 'uniform'}
        How the output error reaches hidden layers (default 'symmetric').
    regularizer : bool or None
        Heterosynaptic regularizer on connections into hidden layers. ``None``
        (default) turns it on for random feedback, as the reference does.
    params : ModelParameters
        All constants with units (defaults of the paper).
    seed : int
        Seeds the initial weights and the random feedback matrices.
    fixed : sequence of int
        Indices (1-based) of connections that do not learn ("hidden layer fixed"
        ablation: ``fixed=(1,)``).
    linear_hidden : bool
        Use sigma' = 1 in hidden layers ("symmetric linear" ablation).
    error : {'van_rossum', 'classification'}
        Output error signal. 'van_rossum' (default): target spike trains
        (``task.target``). 'classification': windows of opportunity
        (``task.windows``, the spiking XOR of Fig 5): +1 at the end of a window
        in which its target unit did not spike, -1 at once for every other
        spike but the first of the target unit in its window
        (:mod:`superspike_brian.model.error`).
    initial : sequence of arrays, optional
        Initial weights, one (n_post, n_pre) array in mV per connection, in place
        of the seeded draw (to test a trained network on new data, or to
        continue training from one).
    initial_source : str, optional
        Where ``initial`` came from (a run directory, a NIR file); recorded in
        :meth:`config` so that a run says what it started from.

    Examples
    --------
    >>> net = SuperSpikeNetwork(n_in=100, hidden=[4], n_out=1, feedback='random')
    >>> net.layer_sizes
    [100, 4, 1]
    """

    n_in: int
    hidden: tuple = ()
    n_out: int = 1
    feedback: str = "symmetric"
    regularizer: bool | None = None
    params: ModelParameters = field(default_factory=ModelParameters)
    seed: int = 1
    fixed: tuple = ()
    linear_hidden: bool = False
    error: str = "van_rossum"
    initial: tuple | None = None
    initial_source: str | None = None

    def __post_init__(self):
        check_positive_int("n_in", self.n_in)
        check_positive_int("n_out", self.n_out)
        if isinstance(self.hidden, int):
            self.hidden = (self.hidden,)
        self.hidden = tuple(self.hidden)
        for k, n in enumerate(self.hidden):
            check_positive_int(f"hidden[{k}]", n)
        check_feedback(self.feedback)
        error.check_error_mode(self.error)
        if self.initial is not None:
            s = self.layer_sizes
            self.initial = tuple(np.array(w, dtype=float) for w in self.initial)
            shapes = [(b, a) for a, b in zip(s[:-1], s[1:], strict=False)]
            if [w.shape for w in self.initial] != shapes:
                raise ValueError(f"initial weights must have shapes {shapes}")
        if not self.hidden and self.feedback != "symmetric":
            raise ValueError(
                f"feedback={self.feedback!r} needs a hidden layer (hidden=[n, ...]); without"
                " one the output error drives the weights directly"
            )
        if not self.hidden and self.regularizer:
            raise ValueError(
                "the regularizer acts on connections into hidden layers; this network has"
                " none (give hidden=[n, ...] or regularizer=False)"
            )
        if self.regularizer is None:
            self.regularizer = self.feedback == "random" and bool(self.hidden)
        if not isinstance(self.params, ModelParameters):
            raise TypeError("params must be a ModelParameters instance")
        if not isinstance(self.seed, int | np.integer) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        self.fixed = tuple(self.fixed)
        for c in self.fixed:
            if not (isinstance(c, int) and 1 <= c <= self.n_connections):
                raise ValueError(
                    f"fixed connection indices must lie in 1..{self.n_connections}, got {c!r}"
                )

    @property
    def layer_sizes(self):
        """Sizes of all populations, input first."""
        return [self.n_in, *self.hidden, self.n_out]

    @property
    def n_connections(self):
        return len(self.hidden) + 1

    @property
    def n_synapses(self):
        s = self.layer_sizes
        return sum(a * b for a, b in zip(s[:-1], s[1:], strict=False))

    def layer_name(self, l):
        """Brian2 name of population l (0 = input)."""
        if l == 0:
            return "input"
        if l == self.n_connections:
            return "output"
        return f"hidden_{l}"

    def graph(self):
        """The network as a :class:`~superspike_brian.rule.graph.LearningGraph`: a chain."""
        from superspike_brian.model import connection
        from superspike_brian.rule.graph import LearningGraph

        names = [self.layer_name(l) for l in range(self.n_connections + 1)]
        return LearningGraph(
            dict(zip(names, self.layer_sizes, strict=True)),
            [
                (connection.name(l), names[l - 1], names[l])
                for l in range(1, self.n_connections + 1)
            ],
            names[-1],
            regularizer=bool(self.regularizer),
        )

    def initial_weights(self):
        """Initial weights [C]: N(0, w0/sqrt(n_pre)), clipped; mV floats.

        Returns a list with one (n_post, n_pre) array per connection
        (:func:`superspike_brian.rule.values.initial_weights`), or copies of
        the given ``initial`` weights.
        """
        from superspike_brian.rule import values

        lp = self.params.learning
        if self.initial is not None:
            return [w.copy() for w in self.initial]
        s = self.layer_sizes
        shapes = list(zip(s[1:], s[:-1], strict=True))
        return values.initial_weights(shapes, float(lp.w0 / mV), float(lp.w_max / mV), self.seed)

    def feedback_matrices(self):
        """Fixed feedback matrices, one (n_next, n_hidden) array per hidden layer.

        N(0, 1) for random feedback, ones for uniform, None for symmetric
        (:func:`superspike_brian.rule.values.feedback_matrices`).
        """
        from superspike_brian.rule import values

        return values.feedback_matrices(self.graph(), self.feedback, self.seed)[1:]

    def config(self):
        """JSON-able description; :meth:`from_config` reads it back.

        ``params`` holds the parameters as text with units for people,
        ``params_si`` the same as SI floats, exact to the last bit.
        """
        return {
            "n_in": self.n_in,
            "hidden": list(self.hidden),
            "n_out": self.n_out,
            "feedback": self.feedback,
            "regularizer": bool(self.regularizer),
            "seed": int(self.seed),
            "fixed": list(self.fixed),
            "linear_hidden": self.linear_hidden,
            "error": self.error,
            "initial": "weights" if self.initial is not None else "seeded",
            "params": self.params.as_dict(),
            "params_si": self.params.to_si(),
        } | ({"initial_source": self.initial_source} if self.initial_source else {})

    @classmethod
    def from_config(cls, config, initial=None):
        """The network described by :meth:`config`.

        Parameters
        ----------
        config : dict
        initial : sequence of arrays, optional
            Initial weights (mV), for a network whose config says
            ``"initial": "weights"`` (they are stored in the run's weights.npz).
        """
        if config.get("initial") == "weights" and initial is None:
            raise ValueError("this network started from given weights: pass initial=")
        return cls(
            n_in=int(config["n_in"]),
            hidden=tuple(config["hidden"]),
            n_out=int(config["n_out"]),
            feedback=config["feedback"],
            regularizer=bool(config["regularizer"]),
            params=ModelParameters.from_si(legacy_defaults(config)["params_si"]),
            seed=int(config["seed"]),
            fixed=tuple(config["fixed"]),
            linear_hidden=bool(config["linear_hidden"]),
            error=config["error"],
            initial=tuple(initial) if config.get("initial") == "weights" else None,
            initial_source=config.get("initial_source"),
        )

    def structure_key(self, task, extra=()):
        """Hash of what shapes the generated code, and nothing that is data.

        Data, which runs of one compiled model may differ in: the seed (initial
        weights, feedback matrices), the spike tables of the task (of the same
        period), the learning rate r0 and its schedule, the initial weight scale
        w0 and the regularizer strength rho (see
        :class:`~superspike_brian.feedforward.values.ModelValues`).
        """
        params = self.params.as_dict()
        for group, name in DATA_PARAMETERS:
            params[group].pop(name)
        blob = json.dumps(
            [
                self.layer_sizes,
                self.feedback,
                bool(self.regularizer),
                self.linear_hidden,
                self.error,
                params,
                steps_of("period", task.period * second, self.params.dt),
                list(extra),
            ],
            sort_keys=True,
        )
        return hashlib.sha1(blob.encode()).hexdigest()[:16]
