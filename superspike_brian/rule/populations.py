"""The rule's own group beside every population of the user's network.

SuperSpike keeps per-neuron signals that the user's equations do not declare:
the presynaptic trace of a population that plastic synapses start from
(``z``, ``zt``), the surrogate derivative of one they end on
(``sigma_prime``), its error (``err``), the regularizer's trace of a hidden
population (``zh``) and the output error trace (``er``, ``err``). They live in
one NeuronGroup per population, named ``<population>_ss``, of the same size and
indexed like it, so that a synapse reads them as ``zt_pre`` or
``sigma_prime_post``. What the signals need of the user's group is linked
(membrane, threshold variables, time of the last spike) or reaches them by a
one-to-one connection on the user's own event:

* the presynaptic trace jumps when the population's plastic synapses transmit
  (same event, same delay);
* the regularizer's trace jumps at every spike of a hidden population;
* an output spike reaches the error ``error_delay`` after it was emitted, read
  from the time of its last spike (so no spike waits in a queue between two
  executions of a standalone binary) or, for an output group without a
  refractory period, through a delayed one-to-one connection.

The equations are those of :mod:`superspike_brian.model` (traces, neurons,
error, feedback, regularizer); each group is integrated exactly
(:data:`~superspike_brian.model.exact.BLOCK_EXACT`) and placed in the time step
by :mod:`superspike_brian.model.steps`.
"""

from __future__ import annotations

from brian2 import NeuronGroup, Synapses, linked_var

from superspike_brian.errors import RuleError
from superspike_brian.model import error, feedback, neurons, regularizer, steps, traces
from superspike_brian.model.exact import BLOCK_EXACT
from superspike_brian.rule.inspect import has_lastspike

__all__ = ["population_group", "trace_connection", "spike_counter", "ERROR_SPIKE_WHEN"]

#: Where the code of an output spike runs: at its own step with the other resets,
#: later (a delayed error) after them.
ERROR_SPIKE_WHEN = {True: "resets", False: "after_resets"}


def _linked_equations(group, names):
    return "".join(f"{n} : {_unit_text(group.variables[n].dim)} (linked)\n" for n in names)


def _unit_text(dim):
    from brian2.units.fundamentalunits import DIMENSIONLESS, get_unit

    return "1" if dim is DIMENSIONLESS else repr(get_unit(dim))


def population_group(rule, pop):
    """The rule's group beside population ``pop`` (its signals; module docstring).

    Parameters
    ----------
    rule : SuperSpike
    pop : str
        Name of the user's group.

    Returns
    -------
    NeuronGroup
    """
    graph, user = rule.graph, rule.user_groups[pop]
    eqs, events = "", {}
    is_out = pop == graph.output
    if pop in graph.sources:
        eqs += traces.PRE_TRACE_EQUATIONS
    if pop in graph.learning:
        eqs += neurons.SURROGATE_EQUATION
        eqs += _linked_equations(user, rule.membranes[pop].linked)
    if is_out:
        eqs += error.OUTPUT_ERROR_EQUATIONS + traces.STEP_OFFSET_EQUATION
        eqs += error.classification_equations(rule.error, rule.n_err)
        events = error.error_events(rule.error, rule.n_err, rule.values.n_period)
        if has_lastspike(user):
            eqs += "lastspike : second (linked)\n"
    elif pop in graph.learning:
        eqs += _hidden_error_equations(graph, pop)
        if any(c.regularized for c in graph.connections if c.post == pop):
            eqs += regularizer.TRACE_EQUATION
    lastspike_events = {k: v for k, v in events.items() if k in error.SPIKE_EVENTS}
    if is_out and lastspike_events and not has_lastspike(user):
        if rule.error == "classification":
            raise RuleError(
                f"{pop}: the classification error needs the time of each output spike;"
                " give the output group a refractory period (refractory=...)"
            )
        events = {k: v for k, v in events.items() if k not in lastspike_events}
    g = NeuronGroup(
        len(user),
        eqs,
        events={name: condition for name, (condition, _, _) in events.items()},
        method=BLOCK_EXACT,
        namespace=rule.group_namespace(pop),
        name=f"{pop}_ss",
        dt=user.clock.dt,
    )
    _link(rule, g, user, pop, is_out)
    for name, (_, code, when) in events.items():
        # After the user's thresholds: an event read from the time of the last
        # spike sees the spike of this very step.
        g.set_event_schedule(name, when="after_thresholds")
        g.run_on_event(name, code, when=when)
    if pop in graph.learning:
        code = (
            neurons.LINEAR_SURROGATE_CODE
            if pop in rule.linear
            else rule.membranes[pop].surrogate_code()
        )
        g.run_regularly(code, name=f"{pop}_surrogate", **steps.at("surrogate"))
    return g


def _hidden_error_equations(graph, pop):
    """``err`` of a hidden population: one summed input per connection carrying error back."""
    into = graph.feedback_into(pop)
    if len(into) == 1:
        return feedback.HIDDEN_ERROR_EQUATION
    parts = [f"err_{c.name} : 1\n" for c in into]
    total = " + ".join(f"err_{c.name}" for c in into)
    return "".join(parts) + f"err = {total} : 1\n"


def error_target(graph, connection):
    """The variable of the presynaptic group that ``connection``'s feedback is summed into."""
    return "err" if len(graph.feedback_into(connection.pre)) == 1 else f"err_{connection.name}"


def _link(rule, g, user, pop, is_out):
    if pop in rule.graph.learning:
        for name in rule.membranes[pop].linked:
            setattr(g, name, linked_var(user, name))
    if is_out and has_lastspike(user):
        g.lastspike = linked_var(user, "lastspike")


def trace_connection(rule, pop, event, delay):
    """One-to-one connection that makes ``z`` of ``pop``'s group jump when its synapses transmit."""
    user = rule.user_groups[pop]
    s = Synapses(
        user,
        rule.groups[pop],
        on_pre=traces.ON_ARRIVAL,
        on_event=event,
        delay=delay,
        name=f"{pop}_ss_arrivals",
    )
    s.connect(j="i")
    return s


def spike_counter(rule, pop):
    """One-to-one connection that makes the regularizer's ``zh`` jump at every spike of ``pop``."""
    s = Synapses(
        rule.user_groups[pop],
        rule.groups[pop],
        on_pre=regularizer.ON_SPIKE,
        name=f"{pop}_ss_spikes",
    )
    s.connect(j="i")
    return s


def delayed_error(rule, pop, delay):
    """For an output group without the time of its last spike: its spikes reach ``er`` delayed."""
    s = Synapses(
        rule.user_groups[pop],
        rule.groups[pop],
        on_pre=error.OUTPUT_RESET,
        delay=delay,
        name=f"{pop}_ss_errors",
    )
    s.connect(j="i")
    return s
