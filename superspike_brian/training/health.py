"""Stopping a run whose numbers went wrong: NaN or infinite values, runaway firing.

A learning rate far too large, or an input that drives a layer without pause,
makes weights and membranes overflow, or a layer fire at rates no neuron of the
model reaches in a working network. Training on would only write garbage into
the checkpoint and the figures. At the end of every block the training loop
checks

* that every value of the carried state (membranes, currents, traces,
  weights, optimizer and engine state) is finite, and
* that no layer fired above :data:`MAX_RATE` in that block,

and stops with :class:`NumericalFault`, whose message names the layer (or
variable), the block and the value, *before* the block's checkpoint is written:
the run directory keeps the last good checkpoint.
"""

from __future__ import annotations

import numpy as np
from brian2 import Hz

__all__ = ["MAX_RATE", "NumericalFault", "check_rates", "check_finite", "check_history"]

#: Rate above which a layer's firing counts as runaway (mean over its units in one block).
MAX_RATE = 500 * Hz


class NumericalFault(RuntimeError):
    """The run's numbers went wrong (NaN, infinite, runaway firing); the message says where."""


def _kept(last_good):
    if last_good is None:
        return "no checkpoint was written before it"
    return f"the last good checkpoint (after block {last_good}) is kept"


def check_rates(block, rates, last_good=None, max_rate=None):
    """Raise :class:`NumericalFault` if a layer fired above ``max_rate`` in ``block``.

    Parameters
    ----------
    block : int
        The block that ended.
    rates : dict
        Layer name -> mean rate over its units in the block (Hz, a float).
    last_good : int, optional
        The block of the last checkpoint written (None: none yet).
    max_rate : Quantity, optional
        The limit (default :data:`MAX_RATE`).
    """
    limit = float((MAX_RATE if max_rate is None else max_rate) / Hz)
    for layer, rate in rates.items():
        if not np.isfinite(rate) or rate > limit:
            raise NumericalFault(
                f"the run stopped after block {block}: layer {layer} fired at {rate:.0f} Hz,"
                f" above {limit:.0f} Hz (runaway firing); {_kept(last_good)}"
            )


def check_finite(block, named_arrays, last_good=None):
    """Raise :class:`NumericalFault` if any array of ``named_arrays`` holds NaN or inf.

    Parameters
    ----------
    block : int
        The block that ended.
    named_arrays : dict
        Name (``group.variable``, e.g. ``output.v`` or ``connection_1.w``) ->
        array, or list of arrays (one per connection), or None.
    last_good : int, optional
        The block of the last checkpoint written (None: none yet).
    """
    for name, value in named_arrays.items():
        arrays = value if isinstance(value, (list, tuple)) else [value]
        for k, a in enumerate(arrays):
            if a is None:
                continue
            a = np.asarray(a)
            if not np.issubdtype(a.dtype, np.floating):
                continue
            bad = ~np.isfinite(a)
            if bad.any():
                where = f"{name}[{k}]" if len(arrays) > 1 else name
                first = a.ravel()[np.flatnonzero(bad.ravel())[0]]
                raise NumericalFault(
                    f"the run stopped after block {block}: {where} holds {first}"
                    f" ({int(bad.sum())} of {a.size} values not finite); {_kept(last_good)}"
                )


def check_history(history):
    """Check a run made in one execution (no checkpoints) after it ended.

    Every block's rates (the ``*_rate_hz`` columns of its metrics row) and the
    final weights; the first fault found raises :class:`NumericalFault`.
    """
    for row in history.metrics:
        rates = {
            ("output" if k == "output_rate_hz" else k[: -len("_rate_hz")]): v
            for k, v in row.items()
            if k.endswith("_rate_hz")
        }
        check_rates(row["block"], rates)
    last = history.metrics[-1]["block"] if history.metrics else 0
    check_finite(last, {"weights": list(history.weights or [])})
