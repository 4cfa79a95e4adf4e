"""The unit of a rule's weights, and its constants in that unit.

The paper's weights are voltages (a PSP of weight ``w`` peaks at ``0.25 w``), and
the defaults of ``w_max``, ``w0``, ``r0`` and ``rho`` are in mV. Weights of another
unit (conductances: ``'w : siemens'``, ``on_pre='g_e += w'``) need these four in
their own unit; symmetric feedback then uses ``w / weight_unit`` as its gain.
"""

from __future__ import annotations

import numpy as np
from brian2 import Quantity, mV, volt

from superspike_brian.errors import RuleError
from superspike_brian.rule import inspect

__all__ = ["WeightScale"]


class WeightScale:
    """The unit of the weights and the rule's constants in it."""

    def __init__(self, rule, unit, w_max, w0, rho):
        lp, rp = rule.params.learning, rule.params.regularizer
        dims = {inspect.weight_dimensions(s) for s in rule.synapses}
        if len(dims) > 1:
            raise RuleError("all plastic synapses need weights of one unit")
        self.dim = dims.pop()
        voltage = self.dim == volt.dim
        self.unit = unit if unit is not None else (mV if voltage else None)
        missing = [n for n, v in (("weight_unit", unit), ("w_max", w_max), ("w0", w0)) if v is None]
        if not voltage and missing:
            raise RuleError(
                f"{rule.synapses[0].name}: weights that are not voltages need {', '.join(missing)}"
                " and learning_rate in their unit (the defaults are in mV)"
            )
        self.si = float(self.unit)  # SI value of one weight unit
        # Weights in the unit from SI values by one multiplication (1e3 for mV).
        self.per_si = 1.0 / self.si
        self.si_unit = Quantity(1.0, dim=self.dim)
        self.unit_name = str(self.unit)
        self.w_max_quantity = w_max if w_max is not None else lp.w_max
        self.w_max = float(self.w_max_quantity / self.unit)
        self.w0 = float((w0 if w0 is not None else lp.w0) / self.unit)
        self.r0 = lp.r0 if voltage else None
        rho_q = rho if rho is not None else (rp.rho if voltage else 0 / self.si_unit)
        self.rho_unit = Quantity(1.0, dim=(1 / self.si_unit).dim)
        self.rho = float(rho_q / self.rho_unit)

    def quantity(self, values):
        """Weights given in the weight unit, as a Quantity in SI."""
        return Quantity(np.asarray(values) * self.si, dim=self.dim)

    def check(self, where, name, value):
        if value.dim != self.dim:
            raise RuleError(f"{where}: {name} must have the weight's unit; got {value!r}")
