"""Every constant of the model, with its unit and default, in one place.

The defaults are those of Zenke & Ganguli (2018), Table 1 and §2-3, and of the
authors' reference implementation where the paper is silent (``docs/model.md``
documents each one; ``docs/discrete_time.md`` gives the discrete-time rule).

Examples
--------
>>> from brian2 import ms
>>> from superspike_brian.model.parameters import NeuronParameters
>>> NeuronParameters(tau_mem=20*ms).tau_mem
20. * msecond
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from brian2 import Quantity, ms, mV, second

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
# The reference implementation's output error meets the eligibility trace two
# steps later than a spike-by-spike reading of the rule would have it (its
# error passes the axonal delay and one step more, the eligibility a delay
# line one step shorter): docs/model.md, "When the error arrives".
error_delay = 0.2 * ms


def _default(value):
    # Quantities are mutable numpy arrays: dataclasses need a factory.
    return field(default_factory=lambda: value)


def _check_all(obj, units):
    fields = obj.__dataclass_fields__
    for name, (unit, positive) in units.items():
        # The default's size picks the example of a plain number (tau_mem=10: 10*ms).
        factory = fields[name].default_factory if name in fields else None
        typical = factory() if callable(factory) else None
        check_quantity(name, getattr(obj, name), unit, positive=positive, typical=typical)


def _text(value, unit):
    """A parameter as text: a plain number, or its value in ``unit`` and the unit."""
    if unit is None:
        return repr(value)
    return f"{float(value / unit)!r} {unit}"


class _Group:
    """Conversion of a parameter group to and from plain SI numbers (config.json)."""

    #: name -> (unit, must be positive); names not listed are plain numbers.
    _UNITS: dict = {}

    def to_si(self):
        """Every parameter as a plain float in SI units (exact round trip)."""
        return {
            f.name: float(getattr(self, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
        }

    @classmethod
    def from_si(cls, values):
        """Inverse of :meth:`to_si`; unknown names raise a ValueError naming them."""
        known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown {cls.__name__} entries: {', '.join(unknown)}")
        kwargs = {}
        for name, value in values.items():
            unit = cls._UNITS.get(name, (None,))[0]
            kwargs[name] = Quantity(float(value), dim=unit.dim) if unit is not None else value
        return cls(**kwargs)


@dataclass(frozen=True)
class NeuronParameters(_Group):
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

    _UNITS = {
        "tau_mem": (ms, True),
        "tau_syn": (ms, True),
        "U_rest": (mV, False),
        "theta": (mV, False),
        "tau_ref": (ms, True),
        "delay": (ms, True),
    }

    def __post_init__(self):
        _check_all(self, self._UNITS)
        if not self.theta > self.U_rest:
            raise ValueError(f"theta ({self.theta}) must lie above U_rest ({self.U_rest})")
        if not self.delay < self.tau_ref:
            # The axonal delay is carried as neuron state (time since the last
            # spike), which holds at most one spike in flight per neuron.
            raise ValueError(f"delay ({self.delay}) must be shorter than tau_ref ({self.tau_ref})")


@dataclass(frozen=True)
class LearningParameters(_Group):
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
    error_delay   0.2 ms     an output spike, target spike or window end
                             enters the error trace this long after it
                             happens (0 ms: on its own step)
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
    error_delay: object = _default(error_delay)

    _UNITS = {
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
        "error_delay": (ms, False),
    }

    def __post_init__(self):
        _check_all(self, self._UNITS)
        if self.error_delay < 0 * ms:
            raise ValueError(f"error_delay must be a non-negative time, got {self.error_delay}")
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
class RegularizerParameters(_Group):
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

    _UNITS = {"rho": (1 / mV, False), "tau_het": (ms, True)}

    def __post_init__(self):
        _check_all(self, self._UNITS)
        if self.rho < 0 / mV:
            raise ValueError(f"rho must be non-negative, got {self.rho}")
        if not (isinstance(self.a, float | int) and self.a > 0):
            raise ValueError(f"the regularizer exponent a must be positive, got {self.a!r}")


@dataclass(frozen=True)
class ModelParameters:
    """All parameters of a model: neuron, learning rule, regularizer, dt."""

    neuron: NeuronParameters = field(default_factory=NeuronParameters)
    learning: LearningParameters = field(default_factory=LearningParameters)
    regularizer: RegularizerParameters = field(default_factory=RegularizerParameters)
    dt: object = _default(dt)

    def __post_init__(self):
        check_quantity("dt", self.dt, ms, positive=True)
        if not self.learning.error_delay < self.neuron.tau_ref:
            # Like the axonal delay, the error's delay is carried as the time
            # since the output unit's last spike: at most one spike in flight.
            raise ValueError(
                f"error_delay ({self.learning.error_delay}) must be shorter than"
                f" tau_ref ({self.neuron.tau_ref})"
            )

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

    def to_si(self):
        """Every parameter as a plain SI float, by group (exact round trip)."""
        out = {"dt": float(self.dt)}
        for f in dataclasses.fields(self):
            if f.name != "dt":
                out[f.name] = getattr(self, f.name).to_si()
        return out

    @classmethod
    def from_si(cls, values):
        """Inverse of :meth:`to_si`."""
        groups = {f.name: f.type for f in dataclasses.fields(cls) if f.name != "dt"}
        kinds = {
            "neuron": NeuronParameters,
            "learning": LearningParameters,
            "regularizer": RegularizerParameters,
        }
        unknown = sorted(set(values) - set(groups) - {"dt"})
        if unknown:
            raise ValueError(f"unknown parameter groups: {', '.join(unknown)}")
        kwargs = {g: kinds[g].from_si(values[g]) for g in groups if g in values}
        if "dt" in values:
            kwargs["dt"] = Quantity(float(values["dt"]), dim=second.dim)
        return cls(**kwargs)

    def as_dict(self):
        """Parameters as text in their own units (``"10.0 ms"``), for people and keys."""
        out = {"dt": _text(self.dt, ms)}
        for f in dataclasses.fields(self):
            if f.name == "dt":
                continue
            group = getattr(self, f.name)
            out[f.name] = {
                g.name: _text(getattr(group, g.name), group._UNITS.get(g.name, (None,))[0])
                for g in dataclasses.fields(group)
            }
        return out


__all__ = [
    "NeuronParameters",
    "LearningParameters",
    "RegularizerParameters",
    "ModelParameters",
]
