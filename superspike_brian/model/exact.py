"""Exact integration of linear equations, one independent block at a time.

Brian2's ``method='exact'`` integrates a group's linear equations by a symbolic
matrix exponential of the *whole* system. A hidden layer holds five linear
variables (``U, I`` of the neuron, ``z, zt`` of its presynaptic trace, ``zh`` of
the regularizer) that form three independent blocks, and sympy spends about
12 s on the Jordan form of the 5 x 5 system, in every new process, against well
under a second for the blocks one by one. The update of each variable is the
same closed form either way: the blocks do not interact.

:data:`BLOCK_EXACT` is a Brian2 state updater (pass it as ``method=``) that
splits the differential equations into the connected components of their
dependency graph and integrates each component with Brian2's own exact method.
The refractory LIF block alone still takes sympy several seconds, so the
resulting abstract code is also kept on disk, keyed by the equations and by how
their identifiers are defined (constants, state variables): a new process,
such as every run of a sweep, reads it back instead of solving again. Brian2
checks and compiles the code as usual; only the symbolic solution is reused.
"""

from __future__ import annotations

import hashlib

from brian2 import Equations
from brian2.equations.equations import DIFFERENTIAL_EQUATION
from brian2.stateupdaters.base import StateUpdateMethod

from superspike_brian.files import atomic_write

_EXACT = StateUpdateMethod.stateupdaters["exact"]


def _blocks(equations):
    """Connected components of the differential equations' dependencies."""
    names = list(equations.diff_eq_names)
    subexpressions = {
        eq.varname: eq for eq in equations.ordered if eq.type != DIFFERENTIAL_EQUATION
    }

    def depends(expr, seen=()):
        out = set()
        for ident in expr.identifiers:
            if ident in names:
                out.add(ident)
            elif ident in subexpressions and ident not in seen and subexpressions[ident].expr:
                out |= depends(subexpressions[ident].expr, (*seen, ident))
        return out

    parent = {n: n for n in names}

    def root(n):
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for eq in equations.ordered:
        if eq.type == DIFFERENTIAL_EQUATION:
            for other in depends(eq.expr):
                parent[root(other)] = root(eq.varname)
    groups = {}
    for n in names:
        groups.setdefault(root(n), []).append(n)
    return list(groups.values())


def _cache_key(equations, variables):
    """Equations plus the kind of every identifier they use."""
    import brian2

    parts = [brian2.__version__, str(equations)]
    for name in sorted(equations.identifiers | set(equations.names)):
        var = (variables or {}).get(name)
        kind = type(var).__name__ if var is not None else "external"
        parts.append(
            f"{name}:{kind}:{getattr(var, 'constant', '')}:{getattr(var, 'scalar', '')}"
            f":{getattr(var, 'dim', '')}"
        )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def _cache_dir():
    from superspike_brian.cache import default_build_root

    return default_build_root() / "exact"


class BlockExactStateUpdater(StateUpdateMethod):
    """Brian2's exact integration applied to each independent block of equations."""

    def __call__(self, equations, variables=None, method_options=None):
        path = _cache_dir() / f"{_cache_key(equations, variables)}.txt"
        try:
            return path.read_text()
        except OSError:
            pass
        code = self._solve(equations, variables, method_options)
        try:  # write then rename: a concurrent reader never sees half a file
            atomic_write(path, code)
        except OSError:  # a read-only cache only costs time
            pass
        return code

    def _solve(self, equations, variables, method_options):
        blocks = _blocks(equations)
        if len(blocks) < 2:
            return _EXACT(equations, variables, method_options)
        others = [eq for eq in equations.ordered if eq.type != DIFFERENTIAL_EQUATION]
        compute, assign = [], []
        for block in blocks:
            sub = Equations([equations[name] for name in block] + others)
            for line in _EXACT(sub, variables, method_options).splitlines():
                # Each block computes its new values into _x, then assigns x = _x.
                (compute if line.lstrip().startswith("_") else assign).append(line)
        return "\n".join(compute + assign)

    def can_integrate(self, equations, variables, method_options=None):
        return _EXACT.can_integrate(equations, variables, method_options)


#: Pass as ``method=`` to a NeuronGroup with linear equations.
BLOCK_EXACT = BlockExactStateUpdater()

__all__ = ["BLOCK_EXACT", "BlockExactStateUpdater"]
