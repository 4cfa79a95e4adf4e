"""The Brian2 objects of a SuperSpike rule: its groups, their connections, the cost, the updates.

:func:`build` makes, for a :class:`~superspike_brian.rule.SuperSpike` whose
graph, parameters and values are known, every object the rule adds to the
user's network: the group beside every population
(:mod:`superspike_brian.rule.populations`), the one-to-one connections that
carry spikes into them, the cost group and its monitor, and, in each plastic
synapses object, the engine's state, the initial values and the update. The
engines use :func:`signal`, :func:`feedback_gains` and :func:`feedback_sum` to
reach the rule's groups from the synapses.
"""

from __future__ import annotations

import numpy as np
from brian2 import NeuronGroup, StateMonitor, TimedArray, linked_var, second

from superspike_brian.devices import attach
from superspike_brian.errors import RuleError
from superspike_brian.model import cost, feedback, optimizer, regularizer, steps
from superspike_brian.rule import inspect, populations

__all__ = ["build", "group_namespace", "signal", "feedback_gains", "feedback_sum", "SYNAPSE_NAMES"]

#: What the rule puts into a user's synapses: its variables, the temporaries of
#: its code and the constants that code reads. Each keeps its name unless the
#: user's synapses know it already (:func:`superspike_brian.devices.attach.free_names`).
SYNAPSE_NAMES = (
    "lam_r",
    "lam",
    "m",
    "v",
    "fb",
    "rho",
    "g",
    "lr",
    "tau_rise",
    "tau_decay",
    "rho_a",
    "t_update",
    "gamma_rms",
    "eps_rms",
    "w_max",
)


def build(rule, initial):
    """Make the rule's objects (``rule.objects``) and attach it to the user's synapses."""
    lp, rp = rule.params.learning, rule.params.regularizer
    rule.namespace = {
        "tau_rise": lp.tau_rise,
        "tau_decay": lp.tau_decay,
        "beta": lp.beta,
        "U_cut": lp.U_cut,
        "tau_avg": lp.tau_avg,
        "error_delay_steps": rule.n_err,
        **regularizer.namespace(rp),
        **optimizer.optimizer_namespace(lp),
        "w_max": rule.weight.w_max_quantity,
    }
    rule.tables = {}
    for key, table in rule.values.tables.items():
        rule.tables[key] = TimedArray(table, dt=rule.dt * second, name=key)
    rule.namespace.update(rule.tables)
    objects = []
    rule.groups = {}
    for pop in [*rule.graph.sources, *rule.graph.learning]:
        if pop not in rule.groups:
            rule.groups[pop] = populations.population_group(rule, pop)
            objects.append(rule.groups[pop])
    objects += _spike_paths(rule)
    objects += _cost(rule)
    for c, s in enumerate(rule.synapses):
        objects += _connection(rule, c, s, initial)
    objects += rule.engine.add_objects()
    rule.control = _control(rule)
    if rule.control is not None:
        objects.append(rule.control)
    #: The rule's own Brian2 objects; what it adds to the user's synapses is
    #: contained in them.
    rule.objects = objects


def _control(rule):
    """The group that stops a stoppable rule's run early (cpp_standalone only)."""
    if not (rule.stoppable and rule.engine_device == "cpp_standalone"):
        return None
    from superspike_brian.devices import run_control

    g = run_control.control_group()
    g.namespace = run_control.namespace()
    g.n_steps = 2**31 - 1  # never, unless a run argument says when
    return g


def group_namespace(rule, pop):
    """Namespace of the rule's group beside ``pop``: the rule's, its threshold's constants."""
    constants = rule.membranes[pop].constants if pop in rule.membranes else {}
    clash = [k for k in constants if k in rule.namespace]
    if clash:
        raise RuleError(f"{pop}: its threshold uses {clash[0]!r}, a name of SuperSpike's constants")
    return {**rule.namespace, **constants}


def _spike_paths(rule):
    """Trace jumps at arrivals, the regularizer's trace, a delayed output error."""
    out = []
    for pop in rule.graph.sources:
        events = {
            (inspect.pathway_event(s), inspect.pathway_delay(s))
            for s in rule.synapses
            if s.source.name == pop
        }
        if len(events) > 1:
            raise RuleError(
                f"{pop}: its plastic synapses transmit on different events or delays"
                f" {sorted(events)}; SuperSpike keeps one presynaptic trace per group"
            )
        event, delay = events.pop()
        out.append(populations.trace_connection(rule, pop, event, delay * second))
    for pop in rule.graph.hidden:
        if any(c.regularized for c in rule.graph.connections if c.post == pop):
            out.append(populations.spike_counter(rule, pop))
    out_pop = rule.graph.output
    if not inspect.has_lastspike(rule.output):
        delay = rule.n_err * rule.dt * second
        out.append(populations.delayed_error(rule, out_pop, delay))
    return out


def _cost(rule):
    """The running average of the squared output error, and its monitor."""
    rule.cost = NeuronGroup(
        len(rule.output),
        cost.COST_EQUATIONS,
        method="exponential_euler",
        namespace=rule.namespace,
        name=f"{rule.name}_cost",
        order=steps.at("readers")["order"],
        dt=rule.output.clock.dt,
    )
    rule.cost.err_out = linked_var(rule.groups[rule.graph.output], "err")
    rule.cost_monitor = StateMonitor(
        rule.cost,
        "sq",
        record=True,
        dt=rule.params.learning.t_update,
        name=f"{rule.name}_cost_monitor",
        when=steps.at("weight_update")["when"],
    )
    return [rule.cost, rule.cost_monitor]


def _connection(rule, c, s, initial):
    """What connection ``c`` learns with: its engine's state, initial values, its update."""
    conn = rule.graph.connections[c]
    constants = [k for k in SYNAPSE_NAMES if k in rule.namespace]
    attach.add_to_namespace(s, {rule.var(c, k): rule.namespace[k] for k in constants})
    # Updaters that change the synapses' own variables run as part of them.
    s.contained_objects.extend(rule.engine.attach(c, s))
    rho = rule.var(c, "rho")
    if conn.regularized and attach.stored(s, rho) and not rule.scalars_as_arguments:
        setattr(s, rho, rule.values.rho[c] * rule.weight.rho_unit)
    if not (isinstance(initial, str) and initial == "keep"):
        table = _table(rule, c, s, "w_init", rule.weight.quantity(rule.values.weights[c]), second)
        s.w = f"{table.name}(j * second, i)"
    fixed = rule.values.feedback[c]
    if fixed is not None and attach.stored(s, rule.var(c, "fb")):
        table = _table(rule, c, s, "fb_init", fixed, second)
        setattr(s, rule.var(c, "fb"), f"{table.name}(j * second, i)")
    if rule.engine.inside:
        lr = np.asarray(rule.values.learning_rates[c]) * rule.weight.si_unit
        table = _table(rule, c, s, "lr", lr, rule.params.learning.t_update)
        code = optimizer.inside_update_code(table.name, rule.engine.update_code(c))
        s.run_regularly(
            rule.code(c, code),
            dt=rule.params.learning.t_update,
            name=f"{s.name}_update",
            **steps.at("weight_update"),
        )
    return []


def _table(rule, c, s, kind, values_, dt):
    """A table of connection ``c`` (initial weights, feedback gains, learning rates)."""
    name = rule.var(c, f"{kind}_{s.name}")
    table = TimedArray(values_, dt=dt, name=name)
    attach.add_to_namespace(s, {name: table})
    rule.tables[name] = table
    return table


# --------------------------------------------------------------- signals
def signal(rule, s, name, side):
    """Make the rule's ``name`` of the source (``side='pre'``) or target readable in ``s``."""
    pop = s.source.name if side == "pre" else s.target.name
    attach.add_reference(s, f"{name}_{side}", rule.groups[pop], name, side)


def feedback_gains(rule, c, s):
    """``fb`` of connection ``c``: its forward weight (symmetric) or a fixed matrix."""
    if rule.feedback == "symmetric":
        attach.add_subexpression(
            s, rule.var(c, "fb"), feedback.SYMMETRIC_GAIN.format(unit=rule.weight.unit_name)
        )
    else:
        attach.add_synaptic_array(s, rule.var(c, "fb"), constant=True)


def feedback_sum(rule, c, s):
    """The summed variable that carries the error of ``s``'s target back to its source."""
    conn = rule.graph.connections[c]
    target = populations.error_target(rule.graph, conn)
    attach.add_reference(s, f"{target}_pre", rule.groups[conn.pre], target, "pre")
    distance = rule.graph.distance[conn.pre]
    order = steps.at("hidden_error", layer=rule.graph.max_distance + 1 - distance)["order"]
    return attach.summed_updater(
        s,
        rule.code(c, feedback.FEEDBACK_SUM),
        f"{target}_pre",
        rule.groups[conn.pre],
        "pre",
        order=order,
    )
