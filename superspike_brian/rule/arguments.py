"""Run arguments: other values for a built standalone binary of a rule.

A rule's values (:class:`~superspike_brian.rule.values.RuleValues`) are data of
fixed shapes, so a binary built once runs with other ones: the initial weights
and feedback gains of another seed (as the synapses' variables, in the order
the synapses are stored), the target table of another target, other learning
rates and regularizer strengths.
"""

from __future__ import annotations

import numpy as np

from superspike_brian.devices import attach

__all__ = ["value_args", "synapse_indices"]


def value_args(rule, new, indices=None):
    """Run arguments that give a built standalone binary the values ``new``.

    Parameters
    ----------
    new : RuleValues
        Of the shapes this rule was built with.
    indices : list of (i, j), optional
        The presynaptic and postsynaptic index of every synapse of each
        plastic synapses object (default: read from the synapses, which on
        a standalone device is possible after the binary ran once).

    Returns
    -------
    dict
        Variables (weights, feedback gains, regularizer strength) and
        tables (target, learning rates) that differ from the build's -> values.

    Raises
    ------
    ValueError
        The values do not have the shapes the rule was built for, or the
        synapses' indices cannot be known yet.
    """
    if new.shapes() != rule.values.shapes():
        raise ValueError(
            f"values of shapes {new.shapes()} do not fit a rule built for {rule.values.shapes()}"
        )
    args, tables = {}, dict(new.tables)
    for c, s in enumerate(rule.synapses):
        i, j = indices[c] if indices is not None else synapse_indices(rule, c)
        args[s.w] = rule.weight.quantity(new.weights[c][j, i])
        fb = rule.var(c, "fb")
        if new.feedback[c] is not None and attach.stored(s, fb):
            args[getattr(s, fb)] = new.feedback[c][j, i]
        if attach.stored(s, rule.var(c, "rho")):
            args[getattr(s, rule.var(c, "rho"))] = new.rho[c] * rule.weight.rho_unit
        if rule.engine.inside:
            lr = np.asarray(new.learning_rates[c]) * rule.weight.si_unit
            tables[rule.var(c, f"lr_{s.name}")] = lr
    for key, value in tables.items():
        table = rule.tables[key]
        if not np.array_equal(np.asarray(table.values), np.asarray(value)):
            args[table] = value
    return args


def synapse_indices(rule, c):
    """``(i, j)`` of every synapse of connection ``c``, as the synapses store them."""
    s = rule.synapses[c]
    try:
        return np.asarray(s.i[:]), np.asarray(s.j[:])
    except NotImplementedError:
        raise ValueError(
            f"{s.name}: its synapses are made when a standalone binary runs; run it once"
            " (device.run()) before asking for other values"
        ) from None
