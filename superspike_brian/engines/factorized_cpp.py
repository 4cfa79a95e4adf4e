"""The factorized engine inside one cpp_standalone binary (``engine='factorized', learn='inside'``).

The controller form of the factorized engine (:mod:`superspike_brian.engines.factorized_numpy`)
re-runs the binary once per update interval and does the sums in numpy. Here
the same computation is C++ (``cpp/factorized_engine.h``) linked into the
binary, so a whole training is one run, like the synaptic engine's inside mode.
The algorithm, step by step (F1-F6), is in docs/factorized.md; the header cites
those steps.

How Brian2 code reaches it: a one-unit group (``fx_engine``) calls the engine
twice per step, at the start of the step (after the surrogate derivative) and
just after the state update; the engine reads the state arrays of every layer
directly (their names come from the device, ``get_array_name``). Every update
interval the synapses' update code asks the engine for ``m`` (the first such
call computes the accumulators of every connection) and, after the RMaxProp
step, tells it the new weight. Nothing per synapse is integrated per step.

The engine goes beyond the numpy form in one respect: the presynaptic trace and
the hidden error are linear filters of increments (spike arrivals, output error
jumps), so it reconstructs them from the state at the start of the interval and
the increments, and the step sums cost ``n_post`` operations per presynaptic
spike instead of ``n_post * n_pre`` per step (see the header).

Only cpp_standalone compiles it: runtime mode and cuda_standalone use the
controller and the synaptic engine respectively.
"""

import hashlib
from pathlib import Path

import numpy as np
from brian2 import Function, NeuronGroup, get_device, second
from brian2.units.fundamentalunits import DIMENSIONLESS

from superspike_brian.devices import attach
from superspike_brian.engines.base import Engine, chain
from superspike_brian.model import steps
from superspike_brian.model.feedback import uses_forward_weights
from superspike_brian.validation import steps_of

__all__ = ["CppFactorizedEngine", "install_header", "HEADER", "PROJECT_HEADER"]

HEADER = Path(__file__).with_name("cpp") / "factorized_engine.h"
#: Name of the header in a project: its root is on the include path (``-I.``),
#: so a generated project compiles wherever it is moved.
PROJECT_HEADER = "superspike_factorized_engine.h"


def _not_available(*args):
    raise NotImplementedError(
        "engine='factorized' with learn='inside' runs only on cpp_standalone"
        " (use learn='controller' on runtime)"
    )


def _calls(rule, groups, connections, regularized):
    """The engine calls of a step: at its start, after the state update, at an interval's end.

    Returns the lines of ``ssfx_start``, ``ssfx_after``, the interval's end and
    the connectivity checks, each a list of C++ statements.
    """
    L = len(connections)
    sizes = [len(g) for g in groups]
    dev = get_device()

    def arr(l, name):
        return "brian::" + dev.get_array_name(groups[l].variables[name])

    def syn(l, name):
        # Per-synapse arrays are std::vectors in a standalone project.
        var = connections[l - 1].variables[rule.var(l - 1, name)]
        return f"brian::{dev.get_array_name(var, access_data=False)}.data()"

    start, after, load, store, checks = [], [], [], [], []
    for l in range(L + 1):
        if l >= 1:
            # Without the regularizer the engine never reads zh; any array of
            # the group's type fills the slot.
            zh = arr(l, "zh") if regularized[l] else arr(l, "sigma_prime")
            start.append(f"e.post({l}, {arr(l, 'sigma_prime')}, {zh});")
            rho = "0.0"
            if regularized[l]:
                var = connections[l - 1].variables[rule.var(l - 1, "rho")]
                rho = f"(double)brian::{dev.get_array_name(var)}[0]"
            load.append(
                f"e.load({l}, {syn(l, 'w')}, {syn(l, 'fb')}, {rho},"
                f" {syn(l, 'lam_r')}, {syn(l, 'lam')});"
            )
            store.append(f"e.store({l}, {syn(l, 'lam_r')}, {syn(l, 'lam')}, {syn(l, 'm')});")
            pre, post = (
                "brian::" + dev.get_array_name(connections[l - 1].variables[n], access_data=False)
                for n in ("_synaptic_pre", "_synaptic_post")
            )
            name = connections[l - 1].name
            checks.append(f'_ssfx_all_to_all({pre}, {post}, {sizes[l - 1]}, {sizes[l]}, "{name}");')
        if l < L:
            start.append(f"e.trace({l}, {arr(l, 'z')}, {arr(l, 'zt')});")
            after.append(f"e.after({l}, {arr(l, 'z')});")
        else:
            start.append(f"e.error({arr(l, 'er')}, {arr(l, 'err')});")
            after.append(f"e.after({l}, {arr(l, 'er')});")
    return start, after, [*load, "e.compute();", *store], checks


def _support_code(rule, n_steps, groups, connections):
    """C++ support code: the configuration of this network and the wrappers Brian2 calls.

    ``groups``: the rule's groups of the chain's populations, input first;
    ``connections``: the synapses of the chain, in order.
    """
    lp, rp = rule.params.learning, rule.params.regularizer
    sizes = [len(g) for g in groups]
    regularized = [0] + [int(c.regularized) for c in rule.graph.connections]
    digest = hashlib.sha1(HEADER.read_bytes()).hexdigest()[:12]
    config = (
        f"{len(connections)}, _ssfx_sizes, {int(n_steps)}, {float(rule.dt)!r},"
        f" {float(lp.tau_rise)!r}, {float(lp.tau_decay)!r},"
        f" {int(uses_forward_weights(rule.feedback))}, {float(rp.a)!r}, _ssfx_regularized"
    )
    start, after, end, checks = _calls(rule, groups, connections, regularized)
    # Guarded: every function carries the same code, and a code object that calls
    # several of them must see it once. The header digest makes a changed engine
    # change the generated sources, so that a cached build is recompiled.
    return SUPPORT_TEMPLATE.format(
        digest=digest,
        sizes=", ".join(str(int(s)) for s in sizes),
        regularized=", ".join(map(str, regularized)),
        config=config,
        checks="\n        ".join(checks),
        start="\n    ".join(start),
        after="\n    ".join(after),
        end="\n        ".join(end),
    )


SUPPORT_TEMPLATE = """
#ifndef SSFX_SUPPORT
#define SSFX_SUPPORT  // engine {digest}
const int _ssfx_sizes[] = {{{sizes}}};
const int _ssfx_regularized[] = {{{regularized}}};
template <class V>
inline void _ssfx_all_to_all(const V &pre, const V &post, int n_pre, int n_post, const char *name)
{{
    // The engine's per-synapse arrays are [i_pre * n_post + j_post]: all to all,
    // in the order Brian2's connect() makes.
    bool ok = (int64_t)pre.size() == (int64_t)n_pre * n_post;
    for (size_t k = 0; ok && k < pre.size(); k++)
        ok = pre[k] == (int)(k / n_post) && post[k] == (int)(k % n_post);
    if (!ok)
    {{
        fprintf(stderr, "engine='factorized' needs all-to-all synapses made by connect();"
                " %s connects otherwise: use engine='synaptic'\\n", name);
        exit(1);
    }}
}}
inline superspike_fx::Engine &_ssfx()
{{
    superspike_fx::Engine &e = superspike_fx::engine();
    if (!e.ready)
    {{
        {checks}
        e.configure({config});
    }}
    return e;
}}
inline double ssfx_start(int64_t t)
{{
    superspike_fx::Engine &e = _ssfx();
    e.start_step(t);
    {start}
    return 0.0;
}}
inline double ssfx_after(int64_t t)
{{
    superspike_fx::Engine &e = _ssfx();
    {after}
    if (e.interval_ends())
    {{
        {end}
    }}
    return 0.0;
}}
#endif
"""


_SIGNATURES = {
    # name: (arg_units, arg_types, return_unit)
    "ssfx_start": ([1], ["integer"], 1),
    "ssfx_after": ([1], ["integer"], 1),
}

#: Per-synapse state the engine writes at the end of every update interval.
ENGINE_STATE = ("lam_r", "lam", "m")

#: The one-unit group that drives the engine step by step.
ENGINE_GROUP_EQUATIONS = "fx : 1"
START_CODE = "fx = ssfx_start(t_in_timesteps)"
AFTER_CODE = "fx = ssfx_after(t_in_timesteps)"


def engine_functions(rule, n_steps, groups, connections):
    """Brian2 functions that connect the model to the C++ engine.

    Parameters
    ----------
    rule : SuperSpike
        Supplies sizes, time constants, feedback mode and regularizer.
    n_steps : int
        Steps per update interval.
    groups : list of NeuronGroup
        The rule's groups of the chain's populations, input first (their
        arrays are read directly).
    connections : list of Synapses
        Every connection, in order (weights, feedback weights, regularizer
        strength and the engine's carried state are read and written directly).

    Returns
    -------
    dict
        Namespace entries: name -> :class:`brian2.Function` (C++ only).
    """
    support = _support_code(rule, n_steps, groups, connections)
    out = {}
    for name, (arg_units, arg_types, ret) in _SIGNATURES.items():
        f = Function(
            _not_available,
            arg_units=arg_units,
            arg_types=arg_types,
            return_unit=ret,
            return_type="float",
            stateless=False,  # side effects: never hoisted or merged
        )
        f.implementations.add_implementation(
            "cpp",
            code=support,
            name=name,
            compiler_kwds={"headers": [f'"{PROJECT_HEADER}"']},
        )
        out[name] = f
    return out


def install_header(directory):
    """Copy the engine into a standalone project (before ``device.build``).

    Parameters
    ----------
    directory : path
        Project directory (created if missing).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / PROJECT_HEADER
    text = HEADER.read_bytes()
    if not target.exists() or target.read_bytes() != text:
        target.write_bytes(text)


class CppFactorizedEngine(Engine):
    """The factorized engine in C++, inside one cpp_standalone binary (module docstring)."""

    name = "factorized"
    learn_modes = ("inside",)
    devices = ("cpp_standalone",)

    def __init__(self, rule, learn):
        super().__init__(rule, learn)
        self.populations = chain(rule, self.name)

    def attach(self, c, synapses):
        # The engine reads the fixed feedback weight with each weight, and keeps
        # the eligibility state it carries from interval to interval and the
        # accumulator it hands to the optimizer in the synapses' own arrays
        # (double precision in a float32 model).
        rule = self.rule
        attach.add_synaptic_array(synapses, rule.var(c, "v"))
        attach.add_synaptic_array(synapses, rule.var(c, "fb"), constant=True)
        for name in ENGINE_STATE:
            dim = second.dim if name == "m" else DIMENSIONLESS
            attach.add_synaptic_array(synapses, rule.var(c, name), dim, dtype=np.float64)
        if rule.graph.connections[c].regularized:
            attach.add_shared(synapses, rule.var(c, "rho"), rule.weight.rho_unit.dim)
        if rule.values.feedback[c] is None:
            setattr(synapses, rule.var(c, "fb"), 1.0)
        return []

    def carried_variables(self, c):
        return ("w", *(self.rule.var(c, n) for n in ("v", *ENGINE_STATE)))

    def add_objects(self):
        """The one-unit group that drives the engine, and the functions it calls."""
        rule = self.rule
        p = rule.params
        n_update = steps_of("t_update", p.learning.t_update, rule.dt * second)
        groups = [rule.groups[pop] for pop in self.populations]
        functions = engine_functions(rule, n_update, groups, rule.synapses)
        group = NeuronGroup(1, ENGINE_GROUP_EQUATIONS, namespace=functions, name="fx_engine")
        # After every group's surrogate derivative at the start of the step, and
        # after every state update.
        group.run_regularly(START_CODE, **steps.at("engine_start"))
        group.run_regularly(AFTER_CODE, **steps.at("engine_after"))
        return [group]

    def prepare_project(self, directory):
        install_header(directory)
