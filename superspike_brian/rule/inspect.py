"""What the rule reads from the user's Brian2 objects, and the refusals.

SuperSpike asks of a user's model only what the rule needs:

* of every group that a plastic synapse ends on, its *membrane* variable (with
  a unit of voltage) and *threshold*: read from ``threshold='v > v_th'`` (a
  comparison of a state variable with an expression) unless given;
* of every plastic synapse, a weight ``w`` with a unit, an ``on_pre`` that adds
  ``w`` to a variable of the target group (``I += w``, ``g_e_post += w``), and
  one delay for all its synapses (the presynaptic trace is per neuron);
* of the output group, the time of its last spike (a refractory period) when
  the output error is delayed or classified.

Whatever cannot be used is refused with one line that names the object and
what is missing (:class:`RuleError`).
"""

from __future__ import annotations

import ast
import re

import numpy as np
from brian2 import NeuronGroup, Quantity, Synapses, get_device, volt
from brian2.core.namespace import DEFAULT_CONSTANTS, DEFAULT_FUNCTIONS, DEFAULT_UNITS
from brian2.units.fundamentalunits import DIMENSIONLESS, get_unit

from superspike_brian.errors import RuleError

__all__ = [
    "RuleError",
    "Membrane",
    "membrane",
    "check_synapses",
    "weight_dimensions",
    "pathway_event",
    "pathway_delay",
    "has_lastspike",
]


#: Variables of the rule's group beside a population: the membrane and
#: threshold variables it links from the user's group must be called otherwise.
RESERVED = (
    "z",
    "zt",
    "zh",
    "er",
    "err",
    "sigma_prime",
    "got",
    "pending",
    "step_offset",
    "lastspike",
)

#: Names every Brian2 code knows: units (mV), constants, functions.
_BRIAN_NAMES = set(DEFAULT_UNITS) | set(DEFAULT_CONSTANTS) | set(DEFAULT_FUNCTIONS)

_ON_PRE_ADDS_W = re.compile(r"^\s*(\w+?)(_post)?\s*\+=\s*w\s*$")


class Membrane:
    """The membrane and threshold of a group, as the surrogate derivative reads them.

    Attributes
    ----------
    variable : str
        The membrane variable of the group (a voltage).
    threshold : str
        The threshold as an expression (``'v_th'``, ``'theta + a'``).
    linked : list of str
        The group's own variables the expressions use (linked into the rule's
        group under the same names).
    constants : dict
        Values of the other names the threshold uses (read when the rule is made).
    """

    def __init__(self, variable, threshold, linked, constants):
        self.variable = variable
        self.threshold = threshold
        self.linked = linked
        self.constants = constants

    def surrogate_code(self):
        """The surrogate derivative's code with this membrane and threshold."""
        from superspike_brian.model import neurons

        theta = self.threshold if self.threshold.isidentifier() else f"({self.threshold})"
        names = {"U": self.variable, "theta": theta}
        return re.sub(r"\b(U|theta)\b", lambda m: names[m.group(1)], neurons.SURROGATE_CODE)


def _identifiers(expr):
    return {n.id for n in ast.walk(ast.parse(expr, mode="eval")) if isinstance(n, ast.Name)}


def _comparison(condition):
    """``(lhs, rhs)`` of ``lhs > rhs`` (or ``rhs < lhs``), else None."""
    try:
        node = ast.parse(condition.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
        return None
    left, right = ast.unparse(node.left), ast.unparse(node.comparators[0])
    if isinstance(node.ops[0], ast.Gt | ast.GtE):
        return left, right
    if isinstance(node.ops[0], ast.Lt | ast.LtE):
        return right, left
    return None


def membrane(group, variable=None, threshold=None, namespace=None):
    """Read the membrane variable and the threshold of ``group``.

    Parameters
    ----------
    group : NeuronGroup
    variable : str, optional
        The membrane variable; default: the left side of the threshold condition.
    threshold : Quantity or str, optional
        The threshold (a voltage, or an expression of the group's variables and
        constants); default: the right side of the threshold condition.
    namespace : dict, optional
        Where names that are neither the group's variables nor in its own
        namespace are looked up (the caller's, as Brian2 does at ``run``).

    Returns
    -------
    Membrane

    Raises
    ------
    RuleError
        No threshold to read from, a membrane without a unit of voltage, or a
        name that cannot be resolved.
    """
    name = group.name
    if not isinstance(group, NeuronGroup):
        raise RuleError(
            f"{name}: plastic synapses end on a NeuronGroup, got {type(group).__name__}"
        )
    parsed = _comparison(group.events.get("spike", "")) if "spike" in group.events else None
    if variable is None or threshold is None:
        if parsed is None:
            raise RuleError(
                f"{name}: cannot read the membrane and threshold from its threshold"
                f" {group.events.get('spike')!r}; give membrane={{{name}: 'v'}} and"
                f" threshold={{{name}: -50*mV}}"
            )
        variable = variable or parsed[0]
        threshold = threshold if threshold is not None else parsed[1]
    if variable not in group.variables:
        raise RuleError(f"{name}: has no variable {variable!r} to use as membrane")
    if group.variables[variable].dim != volt.dim:
        unit = get_unit(group.variables[variable].dim)
        raise RuleError(
            f"{name}: membrane variable {variable!r} must be a voltage (the surrogate"
            f" derivative is in mV: beta = 1/mV); it is in {unit}"
        )
    if isinstance(threshold, Quantity):
        if threshold.dim != volt.dim or threshold.size != 1:
            raise RuleError(
                f"{name}: threshold must be one voltage, e.g. -50*mV; got {threshold!r}"
            )
        return Membrane(variable, "theta", [variable], {"theta": threshold})
    linked, constants = [variable], {}
    for ident in sorted(_identifiers(str(threshold)) - _BRIAN_NAMES):
        if ident in group.variables and not ident.startswith("_"):
            if ident not in linked:
                linked.append(ident)
        else:
            constants[ident] = _resolve(group, ident, namespace)
    clash = [n for n in linked + list(constants) if n in RESERVED]
    if clash:
        raise RuleError(
            f"{name}: its membrane or threshold uses {clash[0]!r}, a name SuperSpike"
            f" reserves ({', '.join(RESERVED)}); rename it"
        )
    return Membrane(variable, str(threshold), linked, constants)


def _resolve(group, ident, namespace):
    for where in (getattr(group, "namespace", None) or {}, namespace or {}):
        if ident in where:
            value = where[ident]
            if isinstance(value, Quantity | float | int | np.number):
                return value
    raise RuleError(
        f"{group.name}: the threshold uses {ident!r}, which is neither a variable of the"
        " group nor a constant in its namespace or the caller's; give"
        f" threshold={{{group.name}: <voltage>}}"
    )


def check_synapses(synapses):
    """Check a plastic synapse object; return the target variable its ``on_pre`` adds ``w`` to.

    Raises
    ------
    RuleError
        Not a Synapses object, no weight ``w`` with a unit, no ``on_pre``
        pathway, or an ``on_pre`` that does not add ``w`` to a variable of the
        target group.
    """
    if not isinstance(synapses, Synapses):
        raise RuleError(f"plastic connections are Brian2 Synapses; got {type(synapses).__name__}")
    name = synapses.name
    if "w" not in synapses.variables or synapses.variables["w"].scalar:
        raise RuleError(f"{name}: needs a per-synapse weight 'w' (e.g. model='w : volt')")
    if weight_dimensions(synapses) is DIMENSIONLESS:
        raise RuleError(
            f"{name}: weight w has no unit; SuperSpike's learning rate and clipping are in"
            " the weight's unit (e.g. 'w : volt', or 'w : siemens' for conductances)"
        )
    pre = getattr(synapses, "pre", None)
    if pre is None:
        raise RuleError(f"{name}: has no on_pre pathway; SuperSpike needs on_pre='X += w'")
    for line in pre.code.splitlines():
        match = _ON_PRE_ADDS_W.match(line)
        if match and match.group(1) in synapses.target.variables:
            var = synapses.target.variables[match.group(1)]
            if var.dim is synapses.variables["w"].dim:
                return match.group(1)
    raise RuleError(
        f"{name}: on_pre {pre.code.strip()!r} does not add w to a variable of"
        f" {synapses.target.name} with w's unit (SuperSpike needs on_pre='X += w')"
    )


def weight_dimensions(synapses):
    """Physical dimensions of the synapses' weight ``w``."""
    return synapses.variables["w"].dim


def pathway_event(synapses):
    """The event of the presynaptic group on which ``on_pre`` transmits."""
    return synapses.pre.event


def pathway_delay(synapses):
    """The one delay (seconds, a float) of every synapse of ``synapses``.

    Raises
    ------
    RuleError
        The synapses have different delays (runtime), or delays set per
        synapse on a standalone device, where they cannot be read before the run.
    """
    var = synapses.pre.variables["delay"]
    if var.scalar:
        return _scalar_value(var)
    if get_device().__class__.__name__ == "RuntimeDevice":
        values = np.asarray(var.get_value(), dtype=float)
        if values.size and np.any(values != values[0]):
            raise RuleError(
                f"{synapses.name}: its synapses have different delays; SuperSpike keeps one"
                " presynaptic trace per neuron: give one delay, Synapses(..., delay=d)"
            )
        return float(values[0]) if values.size else 0.0
    if _written_in_standalone(var):
        raise RuleError(
            f"{synapses.name}: delays set per synapse cannot be read before a standalone run;"
            " give one delay to the constructor, Synapses(..., delay=d)"
        )
    return 0.0


def _scalar_value(var):
    try:
        return float(np.asarray(var.get_value()).ravel()[0])
    except NotImplementedError:
        pass
    device = get_device()
    name = device.get_array_name(var, access_data=False)
    value = 0.0
    for func, args in device.main_queue:
        if func == "set_by_single_value" and args[0] == name:
            value = float(args[2])
        elif func == "set_by_constant" and args[0] == name:
            value = float(args[1])
    return value


def _written_in_standalone(var):
    """Whether a standalone program sets ``var`` anywhere before the run."""
    device = get_device()
    name = device.get_array_name(var, access_data=False)
    for func, args in device.main_queue:
        if func == "run_code_object":
            codeobj = args[0]
            if codeobj.template_name.startswith("group_variable_set") and any(
                v is var for v in codeobj.variables.values()
            ):
                return True
        elif func.startswith("set_") and args and args[0] == name:
            return True
    return False


def has_lastspike(group):
    """Whether ``group`` records the time of its last spike (it has a refractory period)."""
    return "lastspike" in group.variables
