"""Every number a model is built with, computed without Brian2.

A built model has *structure* (layer sizes, equations, the length of its spike
tables: what shapes the generated code) and *values* (the spike tables, the
initial weights, the feedback matrices, the learning rates: data of the same
shape for every seed and task of that structure). :func:`model_values` computes
the values from the network description, the task and the learning-rate
schedule alone; the builders (:mod:`superspike_brian.feedforward.builder`) put them
into Brian2 objects, and a standalone session hands them to a compiled binary
as run arguments.

Inputs of a run (``docs/discrete_time.md``, "Inputs of a run"):

- ``input_table[n, j]``: a spike of input unit j *arrives* at step n of the
  period: the input raster shifted by the axonal delay and wrapped into the
  period (:meth:`superspike_brian.tasks.spikeio.SpikeRaster.dense`);
- ``target_table[n, i]``: a target spike of output unit i enters the error at
  step n: the target raster shifted by the error delay and wrapped into the
  period;
- with the classification error, ``window_table`` and ``window_end_table``
  (:func:`superspike_brian.model.error.classification_tables`; window ends
  shifted by the error delay);
- per connection, the initial weights (mV) and the fixed feedback matrix of
  the hidden layer it feeds back into (None for symmetric feedback and for the
  first connection), and the learning rate of every update (volts).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from brian2 import mV, second

from superspike_brian.model import error
from superspike_brian.rule import values as rule_values
from superspike_brian.validation import steps_of

__all__ = ["ModelValues", "model_values", "TABLES"]

#: Spike tables of a model, in the order of the builder's namespace.
TABLES = ("input_table", "target_table", "window_table", "window_end_table")


@dataclass(frozen=True)
class ModelValues:
    """The data of a built model (see the module docstring).

    Attributes
    ----------
    tables : dict of str -> ndarray of bool, shape (n_period_steps, n_units)
        ``input_table``, ``target_table`` and, with the classification error,
        ``window_table`` and ``window_end_table``.
    weights : list of ndarray, shape (n_post, n_pre)
        Initial weights per connection, mV.
    feedback : list of ndarray or None
        Per connection ``l``, the fixed feedback matrix (n_l, n_{l-1}) that
        carries the error of layer ``l`` back into layer ``l - 1`` (random or
        uniform feedback into a hidden layer), else None.
    learning_rates : list of ndarray
        Per connection, the learning rate (volts) of every update, index k for
        the update at ``k * t_update``.
    rho : list of float
        Per connection, the regularizer strength (1/volt; 0 where it does not act).
    n_period : int
        Steps per period of the task.
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

    def rule_values(self):
        """The part that belongs to the learning rule (all but the input table)."""
        from superspike_brian.rule.values import RuleValues

        return RuleValues(
            tables={k: v for k, v in self.tables.items() if k != "input_table"},
            weights=self.weights,
            feedback=self.feedback,
            learning_rates=self.learning_rates,
            rho=self.rho,
            n_period=self.n_period,
        )

    def shapes(self):
        """What a binary built for these values expects of any other values."""
        return {
            "tables": {k: v.shape for k, v in self.tables.items()},
            "weights": [w.shape for w in self.weights],
            "feedback": [None if b is None else b.shape for b in self.feedback],
            "learning_rates": [lr.shape for lr in self.learning_rates],
        }


def model_values(net, task, learning_rates):
    """Compute the :class:`ModelValues` of ``net`` on ``task``.

    Parameters
    ----------
    net : SuperSpikeNetwork
    task : Task
        Input and target rasters (or windows) of one period.
    learning_rates : list of array_like
        Per connection, the learning rate (volts) of every update.

    Returns
    -------
    ModelValues
    """
    if task.n_in != net.n_in or task.n_out != net.n_out:
        raise ValueError(
            f"task '{task.name}' has {task.n_in} inputs and {task.n_out} outputs,"
            f" the network {net.n_in} and {net.n_out}"
        )
    if net.error == "classification" and getattr(task, "windows", None) is None:
        raise ValueError(
            f"error='classification' needs a task with windows of opportunity"
            f" (task.windows, e.g. superspike_brian.tasks.xor.xor_task); '{task.name}' has none"
        )
    p = net.params
    dt = float(p.dt)
    n_period = steps_of("period", task.period * second, p.dt)
    n_err = error.delay_steps(p)
    windows = (task.period, task.windows) if net.error == "classification" else None
    tables = {"input_table": task.input.dense(dt, shift_seconds=float(p.neuron.delay))}
    tables.update(rule_values.target_tables(task.target, windows, net.n_out, dt, n_err))
    rule = rule_values.rule_values(
        net.graph(),
        feedback=net.feedback,
        seed=net.seed,
        tables=tables,
        initial=net.initial_weights(),
        w0=float(p.learning.w0 / mV),
        w_max=float(p.learning.w_max / mV),
        learning_rates=learning_rates,
        rho=float(p.regularizer.rho),
    )
    return ModelValues(
        tables=tables,
        weights=rule.weights,
        feedback=rule.feedback,
        learning_rates=rule.learning_rates,
        rho=rule.rho,
        n_period=n_period,
    )
