"""Independent inputs of a run, written from ``docs/discrete_time.md`` ("Inputs of a run").

The oracle (``tests/oracle.py``) simulates the rule of the spec given its
inputs: the arrival and target tables, the learning rate of every update, the
initial weights and the feedback matrices. This module computes those inputs
from the written definitions, so that an oracle comparison takes nothing from
the package but the raw data of a run (spike times, parameter values, seeds).
Like the oracle, it imports nothing from the package (only numpy).

Units: times in seconds, weights and learning rates in whatever unit the
caller uses for ``w0``, ``w_max`` and ``r0`` (the oracle uses mV).
"""

import numpy as np

#: A time within this fraction of a step below a half step rounds up (spec).
TIE_TOLERANCE = 1e-9


def whole_multiple(duration, unit, name="duration"):
    """Number of ``unit`` in ``duration``, which must be a whole multiple of it.

    Parameters
    ----------
    duration, unit : float
        Same unit (e.g. seconds), ``unit > 0``.
    name : str
        Name used in the error message.

    Returns
    -------
    int
        ``round(duration / unit)``.

    Raises
    ------
    ValueError
        If ``duration / unit`` is not within 1e-9 (relative) of a whole number.
    """
    x = float(duration) / float(unit)
    n = round(x)
    if abs(x - n) > 1e-9 * max(1.0, abs(x)):
        raise ValueError(f"{name} ({duration!r}) is not a whole multiple of {unit!r}")
    return n


def grid_step(times, dt):
    """Step of the dt grid nearest to every time, exact halves up.

    Parameters
    ----------
    times : array_like of float
        Times in seconds (>= 0).
    dt : float
        Time step in seconds.

    Returns
    -------
    numpy.ndarray of int64
        ``floor(t/dt + 1/2 + 1e-9)``: the 1e-9 of a step makes a time that is
        a half step in decimal (8.25 ms on 0.1 ms) round up whatever the
        floating point error of the division.
    """
    x = np.asarray(times, dtype=np.float64) / float(dt)
    return np.floor(x + 0.5 + TIE_TOLERANCE).astype(np.int64)


def spike_table(times, ids, n_units, n_period, dt, n_delay=0):
    """Cyclic table of a raster on the step grid, shifted by ``n_delay`` steps.

    Parameters
    ----------
    times : array_like of float
        Spike times in seconds, within one period.
    ids : array_like of int
        Unit of every spike.
    n_units : int
        Number of units (columns).
    n_period : int
        Steps per period (rows).
    dt : float
        Time step in seconds.
    n_delay : int
        Steps added to every spike's step (the axonal delay of input arrivals;
        the error delay for targets).

    Returns
    -------
    numpy.ndarray of bool, shape (n_period, n_units)
        Entry ``[n, j]`` is True when a spike of unit j lies on step
        ``(grid_step(t) + n_delay) mod n_period``.
    """
    table = np.zeros((n_period, n_units), dtype=bool)
    steps = (grid_step(times, dt) + int(n_delay)) % n_period
    table[steps, np.asarray(ids, dtype=np.int64)] = True
    return table


def window_tables(start, end, unit, n_out, n_period, dt, n_err=0):
    """``open`` and ``end`` tables of the classification error (spec).

    Window k of unit ``unit[k]`` covers steps ``round(start/dt)`` to
    ``round(end/dt) - 1``; its error is given on step ``round(end/dt) + n_err``
    wrapped into the period. ``round`` is numpy's (exact halves to even), as in
    the spec's section "Inputs of a run".

    Parameters
    ----------
    start, end : array_like of float
        Window bounds in seconds, within one period.
    unit : array_like of int
        Target output unit of every window.
    n_out : int
        Number of output units.
    n_period : int
        Steps per period.
    dt : float
        Time step in seconds.

    Returns
    -------
    open_table, end_table : numpy.ndarray of bool, shape (n_period, n_out)

    Raises
    ------
    ValueError
        If a window does not lie in the period, or windows of one unit overlap
        or touch, or one opens within ``n_err`` steps after another closed.
    """
    s0 = np.round(np.asarray(start, dtype=np.float64) / dt).astype(np.int64)
    s1 = np.round(np.asarray(end, dtype=np.float64) / dt).astype(np.int64)
    open_table = np.zeros((n_period, n_out), dtype=bool)
    end_table = np.zeros((n_period, n_out), dtype=bool)
    covered = np.zeros(n_out, dtype=np.int64)
    for a, b, u in zip(s0, s1, np.asarray(unit, dtype=np.int64), strict=True):
        if not 0 <= a < b <= n_period:
            raise ValueError(f"window [{a}, {b}) does not lie in the period")
        open_table[a:b, u] = True
        covered[u] += b - a
    # Windows of one unit may neither overlap (fewer open steps than their
    # lengths) nor touch (an end step, or one of the n_err steps after it,
    # open for the same unit).
    if np.any(open_table.sum(axis=0) != covered):
        raise ValueError("windows of one unit overlap or touch")
    for b, u in zip(s1, np.asarray(unit, dtype=np.int64), strict=True):
        for k in range(int(n_err) + 1):
            if open_table[(b + k) % n_period, u]:
                raise ValueError("windows of one unit overlap or touch")
        end_table[(b + int(n_err)) % n_period, u] = True
    return open_table, end_table


def cyclic(table, n_steps):
    """The first ``n_steps`` rows of a cyclic table repeated: row n is ``table[n mod P]``."""
    table = np.asarray(table)
    return table[np.arange(n_steps) % table.shape[0]]


def learning_rates(r0, t_b, burn_in, block, n_blocks, decay_at=(), decay_factor=1.0):
    """Learning rate of the update at step ``k*N_b``, for k = 0..K.

    Parameters
    ----------
    r0 : float
        Learning rate after the burn-in.
    t_b : float
        Update interval in seconds.
    burn_in, block : float
        Burn-in and block length in seconds, whole multiples of ``t_b``.
    n_blocks : int
        Number of blocks after the burn-in.
    decay_at : sequence of int
        Blocks from whose start the rate is multiplied by ``decay_factor``
        (with multiplicity).
    decay_factor : float
        Factor per listed block.

    Returns
    -------
    numpy.ndarray of float, shape (K + 1,)
        ``K = K_burn + n_blocks * K_block`` with ``K_burn = burn_in/t_b`` and
        ``K_block = block/t_b``. Entry k is 0 for ``k < K_burn``; otherwise
        ``r0 * decay_factor**d_k``, with ``d_k`` the number of entries b of
        ``decay_at`` with ``k > K_burn + b*K_block``.
    """
    k_burn = whole_multiple(burn_in, t_b, "burn_in")
    k_block = whole_multiple(block, t_b, "block")
    k = np.arange(k_burn + int(n_blocks) * k_block + 1)
    n_decays = np.zeros(k.size, dtype=np.int64)
    for b in decay_at:
        n_decays += k > k_burn + int(b) * k_block
    return np.where(k >= k_burn, float(r0) * float(decay_factor) ** n_decays, 0.0)


def initial_weights(sizes, w0, w_max, seed):
    """The seeded initial weights of every connection.

    Parameters
    ----------
    sizes : sequence of int
        ``N_0 .. N_L``: input first, output last.
    w0, w_max : float
        Scale of the draw and clipping bound (same unit; the result has it).
    seed : int
        Seed of the network.

    Returns
    -------
    list of numpy.ndarray
        ``W_l`` of shape ``(N_l, N_{l-1})`` for l = 1..L, drawn in this order
        from one ``numpy.random.default_rng([seed, 0])`` as
        ``normal(0, w0/sqrt(N_{l-1}))`` and clipped to ``[-w_max, w_max]``.
    """
    rng = np.random.default_rng([int(seed), 0])
    out = []
    for n_pre, n_post in zip(sizes[:-1], sizes[1:], strict=True):
        w = rng.normal(0.0, float(w0) / np.sqrt(n_pre), size=(n_post, n_pre))
        out.append(np.clip(w, -float(w_max), float(w_max)))
    return out


def feedback_matrices(sizes, feedback, seed):
    """The fixed feedback matrices ``B`` of the hidden layers.

    Parameters
    ----------
    sizes : sequence of int
        ``N_0 .. N_L``.
    feedback : {'symmetric', 'random', 'uniform'}
        Feedback mode.
    seed : int
        Seed of the network.

    Returns
    -------
    list of numpy.ndarray or None
        None for symmetric feedback (the weights are the feedback). Otherwise
        ``B_l`` of shape ``(N_{l+1}, N_l)`` for every hidden layer l = 1..L-1:
        for 'random' drawn in this order from one
        ``numpy.random.default_rng([seed, 1])`` as ``normal(0, 1)``; for
        'uniform' all ones.
    """
    if feedback == "symmetric":
        return None
    if feedback not in ("random", "uniform"):
        raise ValueError(f"unknown feedback mode {feedback!r}")
    rng = np.random.default_rng([int(seed), 1])
    out = []
    for l in range(1, len(sizes) - 1):
        shape = (sizes[l + 1], sizes[l])
        out.append(rng.normal(0.0, 1.0, size=shape) if feedback == "random" else np.ones(shape))
    return out


def graph_initial_weights(shapes, w0, w_max, seed):
    """Initial weights of a graph's connections (spec, "Any graph of populations").

    One ``numpy.random.default_rng([seed, 0])`` draws, connection after
    connection in order, a dense ``(N_post, N_pre)`` matrix ``normal(0,
    w0/sqrt(N_pre))`` clipped to ``[-w_max, w_max]``; entries without a
    synapse are not used.
    """
    rng = np.random.default_rng([int(seed), 0])
    out = []
    for n_post, n_pre in shapes:
        w = rng.normal(0.0, float(w0) / np.sqrt(n_pre), size=(n_post, n_pre))
        out.append(np.clip(w, -float(w_max), float(w_max)))
    return out


def graph_feedback_matrices(shapes, carries, feedback, seed):
    """Feedback matrices of a graph (spec): per connection, ``B`` or None.

    Random feedback: one ``numpy.random.default_rng([seed, 1])`` draws, for
    every connection that carries error back, in order, a dense
    ``normal(0, 1)`` matrix of its shape. Uniform and symmetric feedback need
    no draw (None).
    """
    if feedback != "random":
        return [None] * len(shapes)
    rng = np.random.default_rng([int(seed), 1])
    return [
        rng.normal(0.0, 1.0, size=s) if c else None for s, c in zip(shapes, carries, strict=True)
    ]


__all__ = [
    "graph_initial_weights",
    "graph_feedback_matrices",
    "whole_multiple",
    "grid_step",
    "spike_table",
    "window_tables",
    "cyclic",
    "learning_rates",
    "initial_weights",
    "feedback_matrices",
]
