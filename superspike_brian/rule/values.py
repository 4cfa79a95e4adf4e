"""The numbers the rule is built with, computed without Brian2.

A SuperSpike rule has *structure* (the graph, its equations, the length of its
target tables) and *values*: the target tables, the initial weights, the
feedback matrices, the learning rate of every update and the regularizer
strength. Values are data of the same shape for every seed and target of one
structure, so a standalone binary built once takes other values as run
arguments (:meth:`superspike_brian.rule.SuperSpike.run_args`).

The seeded draws follow the reference implementation [C] and
``docs/discrete_time.md`` ("Inputs of a run"):

* initial weights: one generator ``numpy.random.default_rng([seed, 0])`` draws,
  connection after connection in the order given, a ``(n_post, n_pre)`` matrix
  ``N(0, w0/sqrt(n_pre))`` in the weight's unit, clipped to ``[-w_max, w_max]``;
* feedback matrices (random feedback): one generator
  ``numpy.random.default_rng([seed, 1])`` draws, for every connection that
  carries error back (:mod:`superspike_brian.rule.graph`), in order, a
  ``(n_post, n_pre)`` matrix ``N(0, 1)``; uniform feedback is all ones,
  symmetric feedback follows the weights and has no matrix.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

__all__ = [
    "RuleValues",
    "rule_values",
    "initial_weights",
    "feedback_matrices",
    "target_tables",
    "constant_rate",
]


@dataclass(frozen=True)
class RuleValues:
    """The data of a built rule.

    Attributes
    ----------
    tables : dict of str -> ndarray of bool, shape (n_period_steps, n_out)
        ``target_table`` or, with the classification error, ``window_table``
        and ``window_end_table`` (already shifted by the error delay).
    weights : list of ndarray, shape (n_post, n_pre)
        Initial weights per connection, in units of the weight unit (mV by
        default).
    feedback : list of ndarray or None
        Per connection, its fixed feedback matrix (n_post, n_pre) if it
        carries error back with random or uniform feedback, else None.
    learning_rates : list of ndarray
        Per connection, the learning rate (in the weight's SI unit, volts by
        default) of every update, index k for the update at ``k * t_update``;
        the last entry holds from then on.
    rho : list of float
        Per connection, the regularizer strength (per SI weight unit, 1/volt by
        default; 0 where it does not act).
    n_period : int
        Steps per period of the target tables.
    """

    tables: dict
    weights: list
    feedback: list
    learning_rates: list
    rho: list
    n_period: int

    def with_learning_rates(self, learning_rates):
        """The same values with other learning rates (one chunk of a schedule)."""
        return dataclasses.replace(
            self, learning_rates=[np.asarray(lr, dtype=float) for lr in learning_rates]
        )

    def shapes(self):
        """What a binary built for these values expects of any other values."""
        return {
            "tables": {k: v.shape for k, v in self.tables.items()},
            "weights": [w.shape for w in self.weights],
            "feedback": [None if b is None else b.shape for b in self.feedback],
            "learning_rates": [lr.shape for lr in self.learning_rates],
        }


def initial_weights(shapes, w0, w_max, seed):
    """Seeded initial weights, one ``(n_post, n_pre)`` array per shape.

    Parameters
    ----------
    shapes : sequence of (int, int)
        ``(n_post, n_pre)`` of every connection, in order.
    w0, w_max : float
        Scale of the draw (sd = w0 / sqrt(n_pre)) and clipping bound, as plain
        numbers in the weight unit.
    seed : int
    """
    rng = np.random.default_rng([seed, 0])
    out = []
    for n_post, n_pre in shapes:
        w = rng.normal(0.0, float(w0) / np.sqrt(n_pre), size=(n_post, n_pre))
        out.append(np.clip(w, -float(w_max), float(w_max)))
    return out


def feedback_matrices(graph, mode, seed):
    """Fixed feedback matrices per connection of ``graph`` (None where there is none).

    Parameters
    ----------
    graph : LearningGraph
    mode : {'symmetric', 'random', 'uniform'}
    seed : int
    """
    if mode == "symmetric":
        return [None] * len(graph.connections)
    rng = np.random.default_rng([seed, 1])
    out = []
    for c in graph.connections:
        if not c.carries_error:
            out.append(None)
        elif mode == "random":
            out.append(rng.normal(0.0, 1.0, size=c.shape))
        else:
            out.append(np.ones(c.shape))
    return out


def target_tables(target, windows, n_out, dt, n_err):
    """Cyclic tables of the output error, on the time grid.

    Parameters
    ----------
    target : SpikeRaster or None
        Target spikes of one period (van Rossum error).
    windows : (period, (start, end, unit)) or None
        Windows of opportunity (classification error) and their period in seconds.
    n_out : int
        Output units.
    dt : float
        Time step, seconds.
    n_err : int
        Error delay in steps.

    Returns
    -------
    dict
        ``target_table``, or ``window_table`` and ``window_end_table``.
    """
    from superspike_brian.model import error

    if windows is not None:
        period, spans = windows
        n_steps = int(round(period / dt))
        open_table, end_table = error.classification_tables(spans, n_out, n_steps, dt, n_err)
        return {"window_table": open_table, "window_end_table": end_table}
    return {"target_table": np.roll(target.dense(dt), n_err, axis=0)}


def constant_rate(rate):
    """A learning-rate table that holds ``rate`` (SI) for every update."""
    return np.array([float(rate)])


def rule_values(graph, *, feedback, seed, tables, initial, w0, w_max, learning_rates, rho):
    """The :class:`RuleValues` of a rule on ``graph``.

    Parameters
    ----------
    graph : LearningGraph
    feedback : {'symmetric', 'random', 'uniform'}
    seed : int
        Seeds the initial weights (unless ``initial``) and the feedback matrices.
    tables : dict
        The output error's tables (:func:`target_tables`).
    initial : sequence of arrays or None
        Initial weights (n_post, n_pre) per connection in the weight unit;
        None draws them (:func:`initial_weights`).
    w0, w_max : float
        Scale and bound of the drawn weights, in the weight unit.
    learning_rates : sequence of arrays
        Per connection, the learning rate (SI) of every update.
    rho : float
        Regularizer strength (per SI weight unit) of the regularized connections.
    """
    shapes = [c.shape for c in graph.connections]
    if initial is None:
        weights = initial_weights(shapes, w0, w_max, seed)
    else:
        weights = [np.array(w, dtype=float) for w in initial]
        if [w.shape for w in weights] != shapes:
            raise ValueError(f"initial weights must have shapes {shapes} (n_post, n_pre)")
    return RuleValues(
        tables=dict(tables),
        weights=weights,
        feedback=feedback_matrices(graph, feedback, seed),
        learning_rates=[np.asarray(lr, dtype=float) for lr in learning_rates],
        rho=[float(rho) if c.regularized else 0.0 for c in graph.connections],
        n_period=next(iter(tables.values())).shape[0],
    )
