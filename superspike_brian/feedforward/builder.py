"""Brian2 objects of a feed-forward SuperSpike network: the first client of the rule component.

:func:`build_model` creates, on whichever Brian2 device is active, what a user
of Brian2 would write for the network of the paper: an input group that replays
the task's spikes, LIF layers with an axonal delay, all-to-all synapses whose
``on_pre`` adds the weight to the synaptic current, and monitors. It then
attaches the learning rule to them exactly as a user does, with
:class:`superspike_brian.rule.SuperSpike`: traces, surrogate derivatives,
errors, feedback, regularizer, optimizer and cost come from there, and from
nowhere else.

Brian2 object names are all lowercase (brian2cuda lower-cases file names).
"""

from __future__ import annotations

import numpy as np
from brian2 import NeuronGroup, SpikeMonitor, StateMonitor, Synapses, TimedArray

from superspike_brian.model import connection, neurons, traces
from superspike_brian.model.exact import BLOCK_EXACT
from superspike_brian.rule import SuperSpike

__all__ = ["BrianModel", "build_model", "build_on_device"]


class BrianModel:
    """The Brian2 objects of one network and task (made by :func:`build_model`).

    Attributes
    ----------
    net : SuperSpikeNetwork
    values : ModelValues
    rule : SuperSpike
        The learning rule attached to the connections (its engine, cost, groups).
    namespace : dict
        Constants and tables of the network's own equations (neurons, input).
    input, layers, output, connections
        The groups and synapses; ``populations`` is ``[input, *layers]``.
    spike_monitors, voltage_monitor
        Monitors of every layer's spikes and of the first output membranes.
    """

    def __init__(self, net, values):
        self.net = net
        self.values = values
        self.n_period = values.n_period
        self.layers = []
        self.connections = []

    @property
    def engine(self):
        """The engine that computes the rule's accumulators."""
        return self.rule.engine

    @property
    def cost(self):
        """The group of the cost's running average (``sq``)."""
        return self.rule.cost

    @property
    def cost_monitor(self):
        return self.rule.cost_monitor

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
            *self.connections,
            *self.spike_monitors,
            self.voltage_monitor,
            *self.rule,
        ]

    def carried_state(self):
        """(object, variable) pairs that hold the state a run hands to the next one."""
        out = [(g, n) for g in self.layers for n in ("U", "I", "lastspike")]
        return out + self.rule.carried_state()

    def step_offsets(self):
        """Variables that give the step of the task period at which a run starts."""
        return [self.input.step_offset, self.rule.error_group.step_offset]

    def value_args(self, values):
        """Standalone run arguments that give this model ``values`` instead of its own.

        Parameters
        ----------
        values : ModelValues
            Of the same shapes as the values the model was built with.

        Returns
        -------
        dict
            Brian2 variable or TimedArray -> new values: the input table, and
            the rule's (:meth:`superspike_brian.rule.SuperSpike.value_args`).

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
        args = self.rule.value_args(values.rule_values(), indices=self.synapse_indices())
        table = values.tables["input_table"]
        built = self.namespace["input_table"]
        if table is not self.values.tables["input_table"] and not np.array_equal(
            np.asarray(built.values), np.asarray(table)
        ):
            args[built] = table
        return args

    def synapse_indices(self):
        """``(i, j)`` of every connection's synapses: all to all, presynaptic-major."""
        sizes = self.net.layer_sizes
        return [
            (np.repeat(np.arange(a), b), np.tile(np.arange(b), a))
            for a, b in zip(sizes[:-1], sizes[1:], strict=True)
        ]

    def weights(self):
        """Current weights, one (n_post, n_pre) float array in mV per connection."""
        out = []
        sizes = self.net.layer_sizes
        for l, s in enumerate(self.connections, start=1):
            w = np.array(s.w_[:], dtype=float) * 1e3  # volts to mV, as everywhere
            out.append(w.reshape(sizes[l - 1], sizes[l]).T.copy())
        return out


def build_model(
    net,
    task,
    values,
    *,
    engine="synaptic",
    learn="inside",
    record_voltage=4,
    scalars_as_arguments=False,
):
    """Create the Brian2 objects of ``net`` on ``task`` with ``values`` on the active device.

    Parameters
    ----------
    net : SuperSpikeNetwork
    task : Task
        Input and target spikes (or windows) of one period.
    values : ModelValues
        Spike tables, initial weights, feedback matrices, learning rates
        (:func:`~superspike_brian.feedforward.values.model_values` of ``net`` and
        ``task``; the learning rates may be those of one chunk).
    engine : {'synaptic', 'factorized'}
    learn : {'inside', 'controller'}
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
    model = BrianModel(net, values)
    p = net.params
    model.namespace = {
        **neurons.neuron_namespace(p.neuron),
        "delay_steps": int(round(float(p.neuron.delay / p.dt))),
        "input_table": TimedArray(values.tables["input_table"], dt=p.dt, name="input_table"),
    }
    model.input = NeuronGroup(
        net.n_in,
        traces.STEP_OFFSET_EQUATION,
        threshold=traces.table_condition("input_table", model.n_period),
        reset="",
        namespace=model.namespace,
        name="input",
    )
    for l in range(1, net.n_connections + 1):
        model.layers.append(_layer(model, l))
    model.output = model.layers[-1]
    for l in range(1, net.n_connections + 1):
        model.connections.append(_connection(model, l))
    model.rule = SuperSpike(
        model.connections,
        model.output,
        target=task.target if net.error == "van_rossum" else None,
        windows=(task.period, task.windows) if net.error == "classification" else None,
        feedback=net.feedback,
        regularizer=net.regularizer,
        params=p,
        seed=net.seed,
        initial=values.weights,
        learning_rate=dict(zip(model.connections, values.learning_rates, strict=True)),
        linear=model.layers[:-1] if net.linear_hidden else (),
        engine=engine,
        learn=learn,
        scalars_as_arguments=scalars_as_arguments,
    )
    _monitors(model, record_voltage)
    return model


def _layer(model, l):
    """Layer ``l``: LIF neurons; a hidden layer's spikes arrive ``delay`` later (``arrival``)."""
    net = model.net
    hidden = l < net.n_connections
    g = NeuronGroup(
        net.layer_sizes[l],
        neurons.LIF_EQUATIONS,
        threshold=neurons.THRESHOLD,
        reset=neurons.RESET,
        refractory=net.params.neuron.tau_ref,
        events={"arrival": neurons.ARRIVAL_CONDITION} if hidden else {},
        method=BLOCK_EXACT,
        namespace=model.namespace,
        name=net.layer_name(l),
    )
    g.U = net.params.neuron.U_rest
    return g


def _connection(model, l):
    """Connection ``l``: all-to-all, ``on_pre`` adds the weight to the current on arrival."""
    net, pops = model.net, model.populations
    n_pre, n_post = net.layer_sizes[l - 1], net.layer_sizes[l]
    s = Synapses(
        pops[l - 1],
        pops[l],
        connection.WEIGHT_EQUATION,
        on_pre=connection.ON_ARRIVAL,
        on_event="spike" if l == 1 else "arrival",
        name=connection.name(l),
    )
    s.connect(i=np.repeat(np.arange(n_pre), n_post), j=np.tile(np.arange(n_post), n_pre))
    return s


def _monitors(model, record_voltage):
    model.spike_monitors = [SpikeMonitor(g, name=f"spikes_{g.name}") for g in model.layers]
    model.voltage_units = recorded_units(model.values, model.net.n_out, record_voltage)
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


def build_on_device(net, task, learning_rates, *, table=None, **options):
    """The model of ``net`` on ``task`` on the active device: clock, values, objects.

    The one sequence every training, project and batch of runs builds a model
    with: Brian2's clock set to the network's step, the model's numbers
    (:func:`~superspike_brian.feedforward.values.model_values`), then its Brian2
    objects (:func:`build_model`).

    Parameters
    ----------
    net : SuperSpikeNetwork
    task : Task
    learning_rates : list of arrays
        Per connection, the learning rate (volts) of every update of the schedule.
    table : list of arrays, optional
        The learning rates the binary holds, when it holds one chunk of the
        schedule (default: ``learning_rates``).
    **options
        ``engine``, ``learn``, ``record_voltage``, ``scalars_as_arguments`` of
        :func:`build_model`.

    Returns
    -------
    (ModelValues, BrianModel)
        The values of the whole schedule's start (initial weights among them)
        and the model.
    """
    from superspike_brian.devices.session import set_clock
    from superspike_brian.feedforward.values import model_values

    set_clock(net)
    values = model_values(net, task, learning_rates)
    built = values if table is None else values.with_learning_rates(table)
    return values, build_model(net, task, built, **options)
