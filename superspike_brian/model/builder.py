"""Brian2 objects of a SuperSpike network, built population by population.

:func:`build_model` creates, on whichever Brian2 device is active, the input
population, every layer, the cost average, every connection and the monitors,
from a network description, the numbers of
:func:`~superspike_brian.model.values.model_values`, and an engine
(:mod:`superspike_brian.engines`) that adds what its way of learning needs. The
same equations serve runtime, cpp_standalone and cuda_standalone. Every object
is placed in the time step through :mod:`superspike_brian.model.steps`.

Brian2 object names are all lowercase (brian2cuda lower-cases file names).
"""

from __future__ import annotations

import numpy as np
from brian2 import (
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    TimedArray,
    linked_var,
    mV,
    volt,
)
from brian2.core.variables import Subexpression

from superspike_brian.model import (
    connection,
    cost,
    error,
    feedback,
    neurons,
    optimizer,
    regularizer,
    steps,
    traces,
)
from superspike_brian.model.exact import BLOCK_EXACT

__all__ = ["BrianModel", "build_model"]


class BrianModel:
    """The Brian2 objects of one network and task (made by :func:`build_model`).

    Attributes
    ----------
    net : SuperSpikeNetwork
    values : ModelValues
    engine : Engine
    namespace : dict
        Constants, tables and functions the equations refer to.
    input, layers, output, cost, connections
        The groups and synapses; ``populations`` is ``[input, *layers]``.
    spike_monitors, cost_monitor, voltage_monitor, extra_objects
        Monitors of every layer's spikes, of the cost average at every update,
        of the first output membranes; the engine's own objects.
    """

    def __init__(self, net, values, engine):
        self.net = net
        self.values = values
        self.engine = engine
        self.n_period = values.n_period
        self.namespace = {}
        self.layers = []
        self.connections = []
        self.extra_objects = []

    @property
    def populations(self):
        """Input group and every layer, in order."""
        return [self.input, *self.layers]

    @property
    def objects(self):
        """Every Brian2 object of the model (for ``Network``)."""
        return [
            self.input,
            *self.layers,
            self.cost,
            *self.connections,
            *self.spike_monitors,
            self.cost_monitor,
            self.voltage_monitor,
            *self.extra_objects,
        ]

    def carried_state(self):
        """(group, variable) pairs that hold the state a run hands to the next one."""
        out = [(self.input, "z"), (self.input, "zt"), (self.cost, "sq")]
        for g in self.layers:
            names = ["U", "I", "lastspike"]
            names += ["er", "err"] if g is self.output else ["z", "zt", "zh"]
            if g is self.output and self.net.error == "classification":
                names.append("got")
                if error.delay_steps(self.net.params) > 0:
                    names.append("pending")
            out += [(g, n) for n in names]
        for l, s in enumerate(self.connections, start=1):
            out += [(s, n) for n in self.engine.carried_variables(l)]
        return out

    def value_args(self, values):
        """Standalone run arguments that give this model ``values`` instead of its own.

        Parameters
        ----------
        values : ModelValues
            Of the same shapes as the values the model was built with.

        Returns
        -------
        dict
            Brian2 variable or TimedArray -> new values: every connection's
            weights and fixed feedback weights, and the tables that differ.

        Raises
        ------
        ValueError
            The values do not have the shapes this model was built for.
        """
        if values.shapes() != self.values.shapes():
            raise ValueError(
                f"values of shapes {values.shapes()} do not fit a model built for"
                f" {self.values.shapes()}"
            )
        args = {}
        for l, s in enumerate(self.connections, start=1):
            args[s.w] = values.weights[l - 1].T.ravel() * mV
            if values.feedback[l - 1] is not None and _stored(s, "fb"):
                args[s.fb] = values.feedback[l - 1].T.ravel()
            if "rho" in s.variables:
                args[s.rho] = values.rho[l - 1] / volt
        given = {}
        for name, table in values.tables.items():
            if self.values.tables.get(name) is not table:
                given[name] = table  # the build's own need no pass over them
        if self.engine.inside:
            for l, lr in enumerate(values.learning_rates, start=1):
                given[f"lr_schedule_{l}"] = np.asarray(lr) * volt
        for name, table in given.items():
            built = self.namespace[name]
            if not np.array_equal(np.asarray(built.values), np.asarray(table)):
                args[built] = table
        return args

    def weights(self):
        """Current weights, one (n_post, n_pre) float array in mV per connection."""
        out = []
        sizes = self.net.layer_sizes
        for l, s in enumerate(self.connections, start=1):
            w = np.array(s.w_[:], dtype=float) * 1e3  # volts to mV, as everywhere
            out.append(w.reshape(sizes[l - 1], sizes[l]).T.copy())
        return out


def _stored(group, name):
    """Whether ``group`` stores variable ``name`` (not a subexpression or absent)."""
    return name in group.variables and not isinstance(group.variables[name], Subexpression)


def build_model(net, values, engine, *, record_voltage=4, scalars_as_arguments=False):
    """Create the Brian2 objects of ``net`` with ``values`` on the active device.

    Parameters
    ----------
    net : SuperSpikeNetwork
    values : ModelValues
        Spike tables, initial weights, feedback matrices, learning rates.
    engine : Engine
        Contributes each connection's learning equations, the update code and
        its own objects.
    record_voltage : int
        Number of output units whose membrane potential is monitored.
    scalars_as_arguments : bool
        Leave the values that a standalone project would write into its code as
        literals (the regularizer strength) unset: every execution sets them
        with run arguments (:meth:`BrianModel.value_args`), so that runs of
        other values share one compiled binary.

    Returns
    -------
    BrianModel
    """
    model = BrianModel(net, values, engine)
    model.scalars_as_arguments = scalars_as_arguments
    model.namespace.update(_namespace(net, values))
    model.input = _input_population(net, model.n_period)
    for l in range(1, net.n_connections + 1):
        model.layers.append(_layer(net, l, model.n_period))
    model.output = model.layers[-1]
    model.cost = NeuronGroup(
        net.n_out,
        cost.COST_EQUATIONS,
        method="exponential_euler",
        name="cost",
        order=steps.at("readers")["order"],
    )
    model.cost.err_out = linked_var(model.output, "err")
    for l in range(1, net.n_connections + 1):
        model.connections.append(_connection(model, l))
    _monitors(model, record_voltage)
    engine.add_objects(model)
    return model


def _namespace(net, values):
    p = net.params
    np_, lp = p.neuron, p.learning
    ns = {
        **neurons.neuron_namespace(np_, lp),
        **traces.trace_namespace(lp),
        **optimizer.optimizer_namespace(lp),
        **regularizer.namespace(p.regularizer),
        "delay_steps": int(round(float(np_.delay / p.dt))),
        "error_delay_steps": error.delay_steps(p),
        "tau_avg": lp.tau_avg,
    }
    for name, table in values.tables.items():
        ns[name] = TimedArray(table, dt=p.dt, name=name)
    return ns


def _input_population(net, n_period):
    """Input units: spikes from the cyclic input table (arrivals), with their traces."""
    return NeuronGroup(
        net.n_in,
        traces.PRE_TRACE_EQUATIONS + traces.STEP_OFFSET_EQUATION,
        threshold=traces.table_condition("input_table", n_period),
        reset="z += 1",
        method=BLOCK_EXACT,
        name="input",
    )


def _layer(net, l, n_period):
    """Layer ``l``: LIF neurons with the surrogate derivative and their error or traces."""
    is_out = l == net.n_connections
    eqs = neurons.LIF_EQUATIONS + neurons.SURROGATE_EQUATION
    reset = [neurons.RESET]
    if is_out:
        error_eqs, error_reset, events = error.output_error_code(
            net.error, error.delay_steps(net.params), n_period
        )
        eqs += error_eqs + traces.STEP_OFFSET_EQUATION
        reset += error_reset
    else:
        eqs += traces.PRE_TRACE_EQUATIONS + feedback.HIDDEN_ERROR_EQUATION
        eqs += regularizer.TRACE_EQUATION
        reset.append(regularizer.ON_SPIKE)
        events = {"arrival": (neurons.ARRIVAL_CONDITION, "z += 1")}
    g = NeuronGroup(
        net.layer_sizes[l],
        eqs,
        threshold=neurons.THRESHOLD,
        reset="\n".join(reset),
        refractory=net.params.neuron.tau_ref,
        events={name: condition for name, (condition, _) in events.items()},
        method=BLOCK_EXACT,
        name=net.layer_name(l),
    )
    linear = net.linear_hidden and not is_out
    surrogate = neurons.LINEAR_SURROGATE_CODE if linear else neurons.SURROGATE_CODE
    g.run_regularly(surrogate, name=f"{g.name}_surrogate", **steps.at("surrogate"))
    for name, (_, code) in events.items():
        g.run_on_event(name, code)
    g.U = net.params.neuron.U_rest
    return g


def _connection(model, l):
    """Connection ``l`` (all to all) with its engine's equations and update."""
    net, values, engine = model.net, model.values, model.engine
    pops = model.populations
    n_pre, n_post = net.layer_sizes[l - 1], net.layer_sizes[l]
    dtypes = engine.synapse_dtypes(l)
    s = Synapses(
        pops[l - 1],
        pops[l],
        engine.connection_equations(l),
        on_pre=connection.ON_ARRIVAL,
        on_event="spike" if l == 1 else "arrival",
        method="exponential_euler",
        name=connection.name(l),
        **({"dtype": dtypes} if dtypes else {}),
    )
    s.connect(i=np.repeat(np.arange(n_pre), n_post), j=np.tile(np.arange(n_post), n_pre))
    s.w = values.weights[l - 1].T.ravel() * mV
    if "rho" in s.variables and not model.scalars_as_arguments:
        s.rho = values.rho[l - 1] / volt
    engine.configure_connection(model, l, s, values)
    if engine.inside:
        table = f"lr_schedule_{l}"
        model.namespace[table] = TimedArray(
            np.asarray(values.learning_rates[l - 1]) * volt,
            dt=net.params.learning.t_update,
            name=table,
        )
        s.run_regularly(
            optimizer.inside_update_code(table, engine.update_code(l)),
            dt=net.params.learning.t_update,
            name=f"{s.name}_update",
            **steps.at("weight_update"),
        )
    return s


def _monitors(model, record_voltage):
    net = model.net
    model.spike_monitors = [SpikeMonitor(g, name=f"spikes_{g.name}") for g in model.layers]
    model.cost_monitor = StateMonitor(
        model.cost,
        "sq",
        record=True,
        dt=net.params.learning.t_update,
        name="cost_monitor",
        when=steps.at("weight_update")["when"],
    )
    model.voltage_units = recorded_units(model.values, net.n_out, record_voltage)
    model.voltage_monitor = StateMonitor(
        model.output, "U", record=model.voltage_units, name="voltage_monitor"
    )


def recorded_units(values, n_out, n):
    """The output units whose membrane is recorded: the first ``n`` with target
    spikes (a picture's first rows may be blank), then the first without."""
    target = values.tables.get("target_table")
    with_targets = np.flatnonzero(target.any(axis=0)) if target is not None else np.array([], int)
    rest = np.setdiff1d(np.arange(n_out), with_targets)
    return np.concatenate([with_targets, rest])[: min(n, n_out)].astype(int)
