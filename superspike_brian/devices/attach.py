"""Brian2 mechanics of attaching learning state to objects the user made.

Brian2 objects take their equations when they are created. The rule adds to
a user's ``Synapses`` afterwards, with Brian2's own machinery, what its
equations would have declared:

* per-synapse variables (:func:`add_synaptic_array`): dynamic arrays that
  Brian2 resizes with the synapses; when the synapses were already connected,
  they are sized now (runtime) or resized in the generated program right where
  they are added (standalone devices);
* shared variables and subexpressions (:func:`add_shared`,
  :func:`add_subexpression`);
* references to variables of the rule's own groups, indexed like ``_pre`` and
  ``_post`` variables (:func:`add_reference`);
* clock-driven equations integrated every step (:class:`EquationsUpdater`, the
  code Brian2's own state updater would generate for them) and summed
  variables (:func:`summed_updater`);
* names of constants and functions the added code uses
  (:func:`add_to_namespace`).
"""

from __future__ import annotations

import re

from brian2 import Equations, get_device
from brian2.core.variables import Subexpression
from brian2.equations.codestrings import Expression
from brian2.groups.group import CodeRunner
from brian2.stateupdaters.base import StateUpdateMethod
from brian2.synapses.synapses import SummedVariableUpdater
from brian2.units.fundamentalunits import DIMENSIONLESS

from superspike_brian.errors import RuleError

__all__ = [
    "EquationsUpdater",
    "free_names",
    "rename",
    "add_reference",
    "add_shared",
    "add_subexpression",
    "add_synaptic_array",
    "add_to_namespace",
    "stored",
    "summed_updater",
]


def _user_identifiers(synapses):
    """Every name the user's own code of ``synapses`` uses or defines."""
    names = set(synapses.variables)
    names |= set(synapses.equations.identifiers) | set(synapses.equations.names)
    for pathway in getattr(synapses, "_pathways", []):
        for line in pathway.code.splitlines():
            for token in re.findall(r"[A-Za-z_]\w*", line):
                names.add(token)
    return names


def free_names(synapses, names):
    """A name for each of ``names`` that clashes with nothing of the user's ``synapses``.

    The rule's per-synapse variables, the temporaries of its code and the
    constants its code reads keep their names unless the user's synapses
    already know them (a membrane called ``v``, a conductance ``g``, a gating
    variable ``m``, a constant the user's ``on_pre`` reads): then ``_ss`` is
    appended until the name is free.
    """
    taken = _user_identifiers(synapses)
    out = {}
    for name in names:
        new = name
        while new in taken or new in out.values():
            new += "_ss"
        out[name] = new
    return out


def rename(code, mapping):
    """``code`` with every identifier (and ``dX/dt``) renamed by ``mapping``."""
    code = re.sub(
        r"\bd([A-Za-z_]\w*)/dt\b", lambda m: f"d{mapping.get(m.group(1), m.group(1))}/dt", code
    )
    return re.sub(
        r"(?<![\w.])([A-Za-z_]\w*)\b", lambda m: mapping.get(m.group(1), m.group(1)), code
    )


def _fresh(obj, name):
    if name in obj.variables:
        raise RuleError(
            f"{obj.name}: already has a variable {name!r}, which SuperSpike adds; rename yours"
        )


def add_synaptic_array(synapses, name, dimensions=DIMENSIONLESS, dtype=None, constant=False):
    """Add a per-synapse variable (zeros) to ``synapses``, connected or not."""
    _fresh(synapses, name)
    runtime = get_device().__class__.__name__ == "RuntimeDevice"
    size = len(synapses) if runtime and synapses._connect_called else 0
    synapses.variables.add_dynamic_array(
        name, size=size, dimensions=dimensions, dtype=dtype, constant=constant
    )
    var = synapses.variables[name]
    synapses.register_variable(var)
    if synapses._connect_called and not runtime:
        # The code that created the synapses resized only the arrays it knew of.
        device = get_device()
        pre = device.get_array_name(synapses.variables["_synaptic_pre"], access_data=False)
        device.resize(var, f"{pre}.size()")
    return var


def add_shared(obj, name, dimensions=DIMENSIONLESS, dtype=None, constant=True):
    """Add a shared (one value) variable to ``obj``."""
    _fresh(obj, name)
    obj.variables.add_array(
        name,
        size=1,
        dimensions=dimensions,
        dtype=dtype,
        constant=constant,
        scalar=True,
        index="0",
    )
    return obj.variables[name]


def add_subexpression(obj, name, expr, dimensions=DIMENSIONLESS):
    """Add a subexpression ``name = expr`` to ``obj``."""
    _fresh(obj, name)
    obj.variables.add_subexpression(name, dimensions=dimensions, expr=expr)


def add_reference(synapses, name, group, varname, side):
    """Make ``group.varname`` readable in ``synapses`` as ``name`` (``side``: 'pre' or 'post')."""
    _fresh(synapses, name)
    index = "_presynaptic_idx" if side == "pre" else "_postsynaptic_idx"
    synapses.variables.add_reference(name, group, varname, index=index)


def stored(obj, name):
    """Whether ``obj`` stores variable ``name`` (not a subexpression, not absent)."""
    return name in obj.variables and not isinstance(obj.variables[name], Subexpression)


def add_to_namespace(obj, entries):
    """Add constants and functions the added code of ``obj`` uses to its namespace.

    A group's own namespace is searched before the run's, so the rule's names
    stay what the rule defined whatever the user's script calls them.

    Raises
    ------
    RuleError
        ``obj``'s namespace already gives one of the names another value.
    """
    if getattr(obj, "namespace", None) is None:
        obj.namespace = {}
    for key, value in entries.items():
        if key in obj.namespace and obj.namespace[key] is not value:
            try:
                same = bool(obj.namespace[key] == value)
            except (TypeError, ValueError):
                same = False
            if not same:
                raise RuleError(
                    f"{obj.name}: its namespace defines {key!r}, a name SuperSpike uses; rename it"
                )
        obj.namespace[key] = value


class EquationsUpdater(CodeRunner):
    """Integrate clock-driven ``equations`` on the variables of ``group`` every step.

    The abstract code is made as Brian2's state updater makes it for a group's
    own equations (:meth:`brian2.stateupdaters.base.StateUpdateMethod.apply_stateupdater`
    with the variables resolved in the group), so the generated code is the
    code those equations would have had in the group itself.

    Parameters
    ----------
    group : Group
        The object whose variables the equations change (e.g. the user's Synapses).
    equations : str
        Differential equations of variables already in ``group``.
    method : str
        Integration method.
    when, order : str, int
        Where in the time step.
    name : str
    """

    def __init__(self, group, equations, method, *, when, order, name):
        self.equations = Equations(equations)
        self.method_choice = method
        CodeRunner.__init__(
            self,
            group,
            "stateupdate",
            clock=group.clock,
            when=when,
            order=order,
            name=name,
            check_units=False,
            generate_empty_code=False,
        )

    def update_abstract_code(self, run_namespace):
        names = self.equations.names
        variables = self.group.resolve_all(
            names | self.equations.identifiers | {"dt"}, run_namespace, user_identifiers=set()
        )
        self.abstract_code = StateUpdateMethod.apply_stateupdater(
            self.equations, variables, self.method_choice, group_name=self.group.name
        )


def summed_updater(synapses, expression, target_name, target, side, *, order):
    """A summed variable: ``target_name`` (a reference to ``target``) = sum over synapses.

    Parameters
    ----------
    synapses : Synapses
    expression : str
        Per-synapse expression summed into each unit of ``target``.
    target_name : str
        The reference to the target variable in ``synapses`` (``err_pre``).
    target : Group
        The group that holds the target variable (same size as the synapses'
        source for ``side='pre'``).
    side : {'pre', 'post'}
    order : int
        Order in the ``groups`` slot.
    """
    if side == "pre":
        size_name, index = "N_pre", "_synaptic_pre"
    else:
        size_name, index = "N_post", "_synaptic_post"
    updater = SummedVariableUpdater(
        Expression(expression), target_name, synapses, target, size_name, index
    )
    updater.order = order
    return updater
