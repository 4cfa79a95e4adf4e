"""The training schedule: burn-in, blocks and learning-rate decay.

A training run is a burn-in (weights fixed, the optimizer's second moment
already updated, as in the reference implementation) followed by blocks of
equal length; metrics are reported at the end of the burn-in (block 0) and of
every block. The learning rate drops by ``decay_factor`` from each block listed
in ``decay_at``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from brian2 import Quantity, second

from superspike_brian.validation import check_quantity, steps_of

__all__ = ["Schedule", "Timeline", "timeline"]


def _default(value):
    return field(default_factory=lambda: value)


@dataclass(frozen=True)
class Schedule:
    """Training schedule: burn-in, blocks, learning-rate decay.

    ===============  ========  ==========================================
    Parameter        Default   Meaning
    ===============  ========  ==========================================
    burn_in          10 s      weights fixed (RMaxProp state still updated)
    block            10 s      length of one block (metrics are per block)
    n_blocks         80        number of training blocks after the burn-in
    decay_at         (20,)     blocks from which the learning rate drops
    decay_factor     0.1       factor applied at each of those blocks
    ===============  ========  ==========================================
    """

    burn_in: object = _default(10 * second)
    block: object = _default(10 * second)
    n_blocks: int = 80
    decay_at: tuple = (20,)
    decay_factor: float = 0.1

    def __post_init__(self):
        check_quantity("burn_in", self.burn_in, second, nonnegative=True, typical=10 * second)
        check_quantity("block", self.block, second, positive=True, typical=10 * second)
        if not (isinstance(self.n_blocks, int) and self.n_blocks >= 0):
            raise ValueError(f"n_blocks must be a non-negative integer, got {self.n_blocks!r}")
        if not all(isinstance(b, int) and b >= 0 for b in self.decay_at):
            raise ValueError(f"decay_at must be block indices >= 0, got {self.decay_at!r}")
        if not 0 < self.decay_factor <= 1:
            raise ValueError(f"decay_factor must lie in (0, 1], got {self.decay_factor!r}")

    @property
    def duration(self):
        """Total simulated time: burn-in plus all blocks."""
        return self.burn_in + self.n_blocks * self.block

    def learning_rates(self, r0, t_update):
        """Learning rate of every update, as a plain float array in volts.

        Entry k is used by the update made at time k*t_update (the first, at
        t = 0, sees an empty accumulator). Updates before the end of the burn-in
        have rate 0; the rate is multiplied by ``decay_factor`` for updates made
        after the start of each block in ``decay_at``.
        """
        n = int(round(float(self.duration / t_update))) + 1
        times = np.arange(n) * float(t_update)
        burn = float(self.burn_in)
        lr = np.where(times >= burn - 1e-9, float(r0), 0.0)
        for b in self.decay_at:
            start = burn + b * float(self.block)
            lr = np.where(times > start + 1e-9, lr * self.decay_factor, lr)
        return lr

    def to_config(self):
        """JSON-able form (times as plain seconds)."""
        return {
            "burn_in_s": float(self.burn_in),
            "block_s": float(self.block),
            "n_blocks": self.n_blocks,
            "decay_at": list(self.decay_at),
            "decay_factor": self.decay_factor,
        }

    @classmethod
    def from_config(cls, config):
        """Inverse of :meth:`to_config`."""
        return cls(
            burn_in=Quantity(float(config["burn_in_s"]), dim=second.dim),
            block=Quantity(float(config["block_s"]), dim=second.dim),
            n_blocks=int(config["n_blocks"]),
            decay_at=tuple(int(b) for b in config["decay_at"]),
            decay_factor=float(config["decay_factor"]),
        )


@dataclass(frozen=True)
class Timeline:
    """A schedule counted in update intervals (see :func:`timeline`).

    Attributes
    ----------
    t_update : float
        Update interval, s.
    n_burn : int
        Intervals of the burn-in.
    n_per_block : int
        Intervals per block.
    n_blocks : int
        Training blocks.
    block : float
        Length of a block, s.
    """

    t_update: float
    n_burn: int
    n_per_block: int
    n_blocks: int
    block: float

    @property
    def n_updates(self):
        """Intervals in the whole training."""
        return self.n_burn + self.n_blocks * self.n_per_block

    @property
    def duration(self):
        """Simulated seconds of the whole training."""
        return self.n_updates * self.t_update

    def block_end(self, block):
        """Interval count at the end of ``block`` (block 0: the end of the burn-in)."""
        return self.n_burn + block * self.n_per_block

    def block_done(self, k_done):
        """The block that ends after ``k_done`` intervals, or None."""
        if k_done < self.n_burn or (k_done - self.n_burn) % self.n_per_block:
            return None
        return (k_done - self.n_burn) // self.n_per_block


def timeline(schedule, t_update, dt):
    """Count ``schedule`` in update intervals of ``t_update``, checking that it fits.

    Raises
    ------
    ValueError
        The update interval is not a multiple of ``dt``, the block or the burn-in
        is not a multiple of the update interval, or the schedule is empty.
    """
    steps_of("t_update", t_update, dt)
    n_per_block = steps_of("block", schedule.block, t_update, dt_name="t_update")
    n_burn = steps_of("burn_in", schedule.burn_in, t_update, dt_name="t_update")
    line = Timeline(float(t_update), n_burn, n_per_block, schedule.n_blocks, float(schedule.block))
    if line.n_updates < 1:
        raise ValueError("the schedule has zero duration: give burn_in or blocks")
    return line
