"""Every constant of the model, with its unit and default, in one place.

The defaults are those of Zenke & Ganguli (2018), Table 1 and §2-3, and of the
authors' reference implementation where the paper is silent (see
``REFERENCE.md`` §1-2 of the project specification and ``docs/discrete_time.md``).

Examples
--------
>>> from brian2 import ms
>>> from superspike_brian.parameters import NeuronParameters
>>> NeuronParameters(tau_mem=20*ms).tau_mem
20. * msecond
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from brian2 import ms, mV, second

from superspike_brian.validation import check_quantity

# Neuron [P §3, Table 1]
tau_mem = 10 * ms
tau_syn = 5 * ms
U_rest = -60 * mV
theta = -50 * mV
tau_ref = 5 * ms
delay = 0.8 * ms
dt = 0.1 * ms

# Learning rule [P §2, §3.3; C]
tau_rise = 5 * ms
tau_decay = 10 * ms
beta = 1 / mV
U_cut = -80 * mV
t_update = 0.5 * second
tau_rms = 30 * second
eps_rms = 1e-12
w_max = 100 * mV
r0 = 1 * mV
w0 = 50 * mV
tau_het = 100 * ms
# rho = 1e-6/mV here is the reference implementation's rho = 1: see
# RegularizerParameters for the derivation.
rho = 1e-6 / mV
rho_exponent = 4.0
tau_avg = 10 * second


def _default(value):
    # Quantities are mutable numpy arrays: dataclasses need a factory.
    return field(default_factory=lambda: value)


def _check_all(obj, units):
    for name, (unit, positive) in units.items():
        check_quantity(name, getattr(obj, name), unit, positive=positive)


@dataclass(frozen=True)
class NeuronParameters:
    """Leaky integrate-and-fire neuron with exponential current synapses.

    ============  ========  ===============================================
    Parameter     Default   Meaning
    ============  ========  ===============================================
    tau_mem       10 ms     membrane time constant
    tau_syn       5 ms      synaptic current time constant
    U_rest        -60 mV    resting and reset potential
    theta         -50 mV    firing threshold
    tau_ref       5 ms      refractory period (U clamped at U_rest)
    delay         0.8 ms    axonal delay; must be shorter than tau_ref
    ============  ========  ===============================================
    """

    tau_mem: object = _default(tau_mem)
    tau_syn: object = _default(tau_syn)
    U_rest: object = _default(U_rest)
    theta: object = _default(theta)
    tau_ref: object = _default(tau_ref)
    delay: object = _default(delay)

    def __post_init__(self):
        _check_all(
            self,
            {
                "tau_mem": (ms, True),
                "tau_syn": (ms, True),
                "U_rest": (mV, False),
                "theta": (mV, False),
                "tau_ref": (ms, True),
                "delay": (ms, True),
            },
        )
        if not self.theta > self.U_rest:
            raise ValueError(f"theta ({self.theta}) must lie above U_rest ({self.U_rest})")
        if not self.delay < self.tau_ref:
            # The axonal delay is carried as neuron state (time since the last
            # spike), which holds at most one spike in flight per neuron.
            raise ValueError(f"delay ({self.delay}) must be shorter than tau_ref ({self.tau_ref})")


@dataclass(frozen=True)
class LearningParameters:
    """SuperSpike learning rule and RMaxProp optimizer.

    ============  =========  ================================================
    Parameter     Default    Meaning
    ============  =========  ================================================
    tau_rise      5 ms       rise time of the alpha kernel (traces, error)
    tau_decay     10 ms      decay time of the alpha kernel
    beta          1/mV       steepness of the surrogate derivative
    U_cut         -80 mV     surrogate derivative is zero below this
    t_update      0.5 s      interval between weight updates
    tau_rms       30 s       memory of the RMaxProp second moment
    eps_rms       1e-12      RMaxProp regulariser (dimensionless)
    w_max         100 mV     weights are clipped to [-w_max, w_max]
    r0            1 mV       learning rate (largest step per update)
    w0            50 mV      initial weights ~ N(0, w0/sqrt(n_pre))
    tau_avg       10 s       averaging time of the reported cost
    ============  =========  ================================================
    """

    tau_rise: object = _default(tau_rise)
    tau_decay: object = _default(tau_decay)
    beta: object = _default(beta)
    U_cut: object = _default(U_cut)
    t_update: object = _default(t_update)
    tau_rms: object = _default(tau_rms)
    eps_rms: float = eps_rms
    w_max: object = _default(w_max)
    r0: object = _default(r0)
    w0: object = _default(w0)
    tau_avg: object = _default(tau_avg)

    def __post_init__(self):
        _check_all(
            self,
            {
                "tau_rise": (ms, True),
                "tau_decay": (ms, True),
                "beta": (1 / mV, True),
                "U_cut": (mV, False),
                "t_update": (second, True),
                "tau_rms": (second, True),
                "w_max": (mV, True),
                "r0": (mV, False),
                "w0": (mV, False),
                "tau_avg": (second, True),
            },
        )
        if self.r0 < 0 * mV:
            raise ValueError(f"r0 must be a non-negative voltage, got {self.r0}")
        if self.tau_rise == self.tau_decay:
            raise ValueError("tau_rise and tau_decay must differ")
        if not (isinstance(self.eps_rms, float | int) and self.eps_rms > 0):
            raise ValueError(f"eps_rms must be a positive number, got {self.eps_rms!r}")

    @property
    def gamma(self):
        """RMaxProp decay per update, exp(-t_update/tau_rms)."""
        return math.exp(-float(self.t_update / self.tau_rms))


@dataclass(frozen=True)
class RegularizerParameters:
    """Heterosynaptic regularizer of hidden connections [P eq 3.4-3.5].

    ``m_ij += dt * (e_i lambda_ij - rho * w_ij * z_i**a)`` with ``z_i`` a
    postsynaptic trace (+1 per spike, decay ``tau_het``).

    ===========  ========  ==============================================
    Parameter    Default   Meaning
    ===========  ========  ==============================================
    rho          1e-6/mV   strength
    a            4         exponent of the postsynaptic trace
    tau_het      100 ms    decay of the postsynaptic trace
    ===========  ========  ==============================================

    Notes
    -----
    The reference implementation accumulates ``e*lambda - rho*w*z**a`` with
    ``w`` in volts, a surrogate derivative multiplied by ``beta`` (1000/V), an
    eligibility trace that adds its input once per step without ``dt`` (gain
    ``tau_rise/dt`` = 50 against our unit-gain filter), and an error trace whose
    kernel carries a factor ``dt/tau_rise`` = 0.02 against ours. Its error term is
    therefore 50 * 1000/V * 0.02 = 1000/V times ours, and its regularizer term
    ``rho_C * w[mV] * 1e-3 V``. Dividing by 1000/V, its ``rho_C = 1`` is
    ``rho = 1e-6/mV`` here. RMaxProp makes the overall scale irrelevant; only this
    ratio matters.
    """

    rho: object = _default(rho)
    a: float = rho_exponent
    tau_het: object = _default(tau_het)

    def __post_init__(self):
        _check_all(self, {"rho": (1 / mV, False), "tau_het": (ms, True)})
        if self.rho < 0 / mV:
            raise ValueError(f"rho must be non-negative, got {self.rho}")
        if not (isinstance(self.a, float | int) and self.a > 0):
            raise ValueError(f"the regularizer exponent a must be positive, got {self.a!r}")


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
        check_quantity("burn_in", self.burn_in, second, nonnegative=True)
        check_quantity("block", self.block, second, positive=True)
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
        import numpy as np

        n = int(round(float(self.duration / t_update))) + 1
        times = np.arange(n) * float(t_update)
        burn = float(self.burn_in)
        lr = np.where(times >= burn - 1e-9, float(r0), 0.0)
        for b in self.decay_at:
            start = burn + b * float(self.block)
            lr = np.where(times > start + 1e-9, lr * self.decay_factor, lr)
        return lr


@dataclass(frozen=True)
class ModelParameters:
    """All parameters of a model: neuron, learning rule, regularizer, dt."""

    neuron: NeuronParameters = field(default_factory=NeuronParameters)
    learning: LearningParameters = field(default_factory=LearningParameters)
    regularizer: RegularizerParameters = field(default_factory=RegularizerParameters)
    dt: object = _default(dt)

    def __post_init__(self):
        check_quantity("dt", self.dt, ms, positive=True)

    def replace(self, **changes):
        """Return a copy with parameters changed by name, whatever group holds them."""
        groups = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "dt"}
        new = {k: {} for k in groups}
        top = {}
        for key, value in changes.items():
            owner = [g for g, obj in groups.items() if key in obj.__dataclass_fields__]
            if key == "dt":
                top["dt"] = value
            elif owner:
                new[owner[0]][key] = value
            else:
                known = sorted(n for obj in groups.values() for n in obj.__dataclass_fields__)
                raise ValueError(f"unknown parameter {key!r}; known: {', '.join(known)}")
        return dataclasses.replace(
            self,
            **{g: dataclasses.replace(groups[g], **new[g]) for g in groups if new[g]},
            **top,
        )

    def as_dict(self):
        """Parameters as strings with units, for config.json."""
        out = {"dt": str(self.dt)}
        for f in dataclasses.fields(self):
            if f.name == "dt":
                continue
            obj = getattr(self, f.name)
            out[f.name] = {
                g.name: (repr(v) if isinstance(v, float | int) else str(v))
                for g in dataclasses.fields(obj)
                for v in [getattr(obj, g.name)]
            }
        return out


__all__ = [
    "NeuronParameters",
    "LearningParameters",
    "RegularizerParameters",
    "Schedule",
    "ModelParameters",
]
