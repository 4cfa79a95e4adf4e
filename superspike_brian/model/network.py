"""A SuperSpike network: its structure, and its Brian2 objects.

:class:`SuperSpikeNetwork` describes a feed-forward network input -> hidden
layers -> output (sizes, feedback mode, regularizer, parameters, seed) without
touching Brian2. :meth:`SuperSpikeNetwork.build` turns it, with a task, into
Brian2 groups for whichever device is active; the same equations serve runtime,
cpp_standalone and cuda_standalone.

Brian2 object names are all lowercase (brian2cuda lower-cases file names).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
from brian2 import (
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    TimedArray,
    linked_var,
    mV,
    second,
    volt,
)

from superspike_brian.engines import factorized_cpp as factorized_inside
from superspike_brian.model import cost, eligibility, error, neurons, optimizer, traces
from superspike_brian.model.exact import BLOCK_EXACT
from superspike_brian.model.parameters import ModelParameters
from superspike_brian.validation import check_positive_int, steps_of

#: Execution order inside the "groups" slot of a time step: hidden errors (top
#: layer first), then every reader of the state at the start of the step
#: (eligibility, cost average), then the neurons. See docs/discrete_time.md.
ORDER_READERS = -1
ORDER_FEEDBACK_BASE = -10
ENGINES = ("synaptic", "factorized")


@dataclass
class SuperSpikeNetwork:
    """A feed-forward spiking network trained with SuperSpike.

    Parameters
    ----------
    n_in : int
        Number of input units.
    hidden : sequence of int, optional
        Sizes of the hidden layers (default: none, input -> output).
    n_out : int
        Number of output units (default 1).
    feedback : {'symmetric', 'random', 'uniform'}
        How the output error reaches hidden layers (default 'symmetric').
    regularizer : bool or None
        Heterosynaptic regularizer on connections into hidden layers. ``None``
        (default) turns it on for random feedback, as the reference does.
    params : ModelParameters
        All constants with units (defaults of the paper).
    seed : int
        Seeds the initial weights and the random feedback matrices.
    fixed : sequence of int
        Indices (1-based) of connections that do not learn ("hidden layer fixed"
        ablation: ``fixed=(1,)``).
    linear_hidden : bool
        Use sigma' = 1 in hidden layers ("symmetric linear" ablation).
    error : {'van_rossum', 'classification'}
        Output error signal. 'van_rossum' (default): target spike trains
        (``task.target``). 'classification': windows of opportunity
        (``task.windows``, the spiking XOR of Fig 5): +1 at the end of a window
        in which its target unit did not spike, -1 at once for every other
        spike but the first of the target unit in its window
        (:mod:`superspike_brian.error`).
    initial : sequence of arrays, optional
        Initial weights, one (n_post, n_pre) array in mV per connection, in place
        of the seeded draw (to test a trained network on new data).

    Examples
    --------
    >>> net = SuperSpikeNetwork(n_in=100, hidden=[4], n_out=1, feedback='random')
    >>> net.layer_sizes
    [100, 4, 1]
    """

    n_in: int
    hidden: tuple = ()
    n_out: int = 1
    feedback: str = "symmetric"
    regularizer: bool | None = None
    params: ModelParameters = field(default_factory=ModelParameters)
    seed: int = 1
    fixed: tuple = ()
    linear_hidden: bool = False
    error: str = "van_rossum"
    initial: tuple | None = None

    def __post_init__(self):
        check_positive_int("n_in", self.n_in)
        check_positive_int("n_out", self.n_out)
        if isinstance(self.hidden, int):
            self.hidden = (self.hidden,)
        self.hidden = tuple(self.hidden)
        for k, n in enumerate(self.hidden):
            check_positive_int(f"hidden[{k}]", n)
        error.check_feedback(self.feedback)
        error.check_error_mode(self.error)
        if self.initial is not None:
            s = self.layer_sizes
            self.initial = tuple(np.array(w, dtype=float) for w in self.initial)
            shapes = [(b, a) for a, b in zip(s[:-1], s[1:], strict=False)]
            if [w.shape for w in self.initial] != shapes:
                raise ValueError(f"initial weights must have shapes {shapes}")
        if not self.hidden and self.feedback != "symmetric":
            raise ValueError(
                f"feedback={self.feedback!r} needs a hidden layer (hidden=[n, ...]); without"
                " one the output error drives the weights directly"
            )
        if not self.hidden and self.regularizer:
            raise ValueError(
                "the regularizer acts on connections into hidden layers; this network has"
                " none (give hidden=[n, ...] or regularizer=False)"
            )
        if self.regularizer is None:
            self.regularizer = self.feedback == "random" and bool(self.hidden)
        if not isinstance(self.params, ModelParameters):
            raise TypeError("params must be a ModelParameters instance")
        if not isinstance(self.seed, int | np.integer) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        self.fixed = tuple(self.fixed)
        for c in self.fixed:
            if not (isinstance(c, int) and 1 <= c <= self.n_connections):
                raise ValueError(
                    f"fixed connection indices must lie in 1..{self.n_connections}, got {c!r}"
                )

    @property
    def layer_sizes(self):
        """Sizes of all populations, input first."""
        return [self.n_in, *self.hidden, self.n_out]

    @property
    def n_connections(self):
        return len(self.hidden) + 1

    @property
    def n_synapses(self):
        s = self.layer_sizes
        return sum(a * b for a, b in zip(s[:-1], s[1:], strict=False))

    def layer_name(self, l):
        """Brian2 name of population l (0 = input)."""
        if l == 0:
            return "input"
        if l == self.n_connections:
            return "output"
        return f"hidden_{l}"

    def initial_weights(self):
        """Initial weights [C]: N(0, w0/sqrt(n_pre)), clipped; mV floats.

        Returns a list with one (n_post, n_pre) array per connection.
        """
        lp = self.params.learning
        if self.initial is not None:
            return [w.copy() for w in self.initial]
        rng = np.random.default_rng([self.seed, 0])
        s = self.layer_sizes
        out = []
        for n_pre, n_post in zip(s[:-1], s[1:], strict=False):
            sd = float(lp.w0 / mV) / np.sqrt(n_pre)
            w = rng.normal(0.0, sd, size=(n_post, n_pre))
            out.append(np.clip(w, -float(lp.w_max / mV), float(lp.w_max / mV)))
        return out

    def feedback_matrices(self):
        """Fixed feedback matrices, one (n_next, n_hidden) array per hidden layer.

        N(0, 1) for random feedback, ones for uniform, None for symmetric.
        """
        if self.feedback == "symmetric":
            return [None] * len(self.hidden)
        rng = np.random.default_rng([self.seed, 1])
        s = self.layer_sizes
        out = []
        for l in range(1, len(s) - 1):
            shape = (s[l + 1], s[l])
            out.append(
                rng.normal(0.0, 1.0, size=shape) if self.feedback == "random" else np.ones(shape)
            )
        return out

    def config(self):
        """JSON-able description."""
        return {
            "n_in": self.n_in,
            "hidden": list(self.hidden),
            "n_out": self.n_out,
            "feedback": self.feedback,
            "regularizer": bool(self.regularizer),
            "seed": int(self.seed),
            "fixed": list(self.fixed),
            "linear_hidden": self.linear_hidden,
            "error": self.error,
            "params": self.params.as_dict(),
        }

    def structure_key(self, task, extra=()):
        """Hash of what shapes generated code (not weights or spike data)."""
        blob = json.dumps(
            [
                self.layer_sizes,
                self.feedback,
                bool(self.regularizer),
                self.linear_hidden,
                self.params.as_dict(),
                steps_of("period", task.period * second, self.params.dt),
                list(extra),
            ]
            # Only a non-default error signal enters, so that existing keys stay.
            + ([self.error] if self.error != "van_rossum" else []),
            sort_keys=True,
        )
        return hashlib.sha1(blob.encode()).hexdigest()[:16]

    def build(
        self, task, *, learn_inside=True, learning_rates=None, record_voltage=4, engine="synaptic"
    ):
        """Create the Brian2 objects of this network for ``task``.

        Parameters
        ----------
        task : Task
            Input and target rasters with their period.
        learn_inside : bool
            Add the optimizer as ``run_regularly`` operations (learning rate from
            ``learning_rates``); otherwise the controller updates the weights.
        learning_rates : list of arrays (volts), optional
            Per connection, the learning rate of every update (inside mode).
        record_voltage : int
            Number of output units whose membrane potential is monitored.
        engine : {'synaptic', 'factorized'}
            'synaptic': eligibility traces and accumulators as per-synapse
            equations. 'factorized': synapses only transmit; the per-neuron
            signals of the learning rule are recorded every step, and the
            controller computes the accumulators (:mod:`superspike_brian.factorized`).

        Returns
        -------
        BrianModel
        """
        if task.n_in != self.n_in or task.n_out != self.n_out:
            raise ValueError(
                f"task '{task.name}' has {task.n_in} inputs and {task.n_out} outputs,"
                f" the network {self.n_in} and {self.n_out}"
            )
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
        if self.error == "classification" and getattr(task, "windows", None) is None:
            raise ValueError(
                f"error='classification' needs a task with windows of opportunity"
                f" (task.windows, e.g. superspike_brian.xor.xor_task); '{task.name}' has none"
            )
        return BrianModel(self, task, learn_inside, learning_rates, record_voltage, engine)


class BrianModel:
    """The Brian2 objects of one network and task (see SuperSpikeNetwork.build)."""

    def __init__(self, net, task, learn_inside, learning_rates, record_voltage, engine):
        p = net.params
        np_, lp, rp = p.neuron, p.learning, p.regularizer
        dt = p.dt
        self.net = net
        self.task = task
        self.learn_inside = learn_inside
        self.engine = engine
        factorized = engine == "factorized"
        # Factorized inside one binary: the C++ engine (factorized_inside) takes
        # the place of the signal monitors and of the controller.
        fx_inside = factorized and learn_inside
        delay_steps = int(round(float(np_.delay / dt)))
        n_period = steps_of("period", task.period * second, dt)
        self.n_period = n_period
        self.namespace = {
            **neurons.neuron_namespace(np_, lp),
            **traces.trace_namespace(lp),
            **optimizer.optimizer_namespace(lp),
            "delay_steps": delay_steps,
            "rho": rp.rho,
            "rho_a": float(rp.a),
            "tau_het": rp.tau_het,
            "tau_avg": lp.tau_avg,
            # The input table holds arrivals: spikes shifted by the axonal delay.
            "input_table": TimedArray(
                task.input.dense(float(dt), shift_seconds=float(np_.delay)), dt=dt
            ),
            "target_table": TimedArray(task.target.dense(float(dt)), dt=dt),
        }
        classification = net.error == "classification"
        if classification:
            open_table, end_table = error.classification_tables(
                task.windows, net.n_out, n_period, float(dt)
            )
            self.namespace["window_table"] = TimedArray(open_table, dt=dt)
            self.namespace["window_end_table"] = TimedArray(end_table, dt=dt)
        L = net.n_connections
        sizes = net.layer_sizes

        self.input = NeuronGroup(
            net.n_in,
            traces.PRE_TRACE_EQUATIONS + traces.STEP_OFFSET_EQUATION,
            threshold=traces.table_condition("input_table", n_period),
            reset="z += 1",
            method=BLOCK_EXACT,
            name="input",
        )
        self.layers = []
        for l in range(1, L + 1):
            is_out = l == L
            surrogate = (
                neurons.LINEAR_SURROGATE_CODE
                if (net.linear_hidden and not is_out)
                else neurons.SURROGATE_CODE
            )
            eqs = neurons.LIF_EQUATIONS + neurons.SURROGATE_EQUATION
            reset = [neurons.RESET]
            events = {}
            if is_out and classification:
                eqs += error.OUTPUT_ERROR_EQUATIONS + traces.STEP_OFFSET_EQUATION
                eqs += error.CLASSIFICATION_EQUATIONS
                step = traces.TABLE_STEP.format(n_steps=n_period)
                reset.append(error.CLASSIFICATION_RESET.format(step=step))
                events["window_end"] = traces.table_condition("window_end_table", n_period)
            elif is_out:
                eqs += error.OUTPUT_ERROR_EQUATIONS + traces.STEP_OFFSET_EQUATION
                reset.append(error.OUTPUT_RESET)
                events["target"] = traces.table_condition("target_table", n_period)
            else:
                eqs += traces.PRE_TRACE_EQUATIONS + error.HIDDEN_ERROR_EQUATION
                eqs += "dzh/dt = -zh / tau_het : 1\n"
                reset.append("zh += 1")
                events["arrival"] = neurons.ARRIVAL_CONDITION
            g = NeuronGroup(
                sizes[l],
                eqs,
                threshold=neurons.THRESHOLD,
                reset="\n".join(reset),
                refractory=np_.tau_ref,
                events=events,
                method=BLOCK_EXACT,
                name=net.layer_name(l),
            )
            g.run_regularly(surrogate, when="before_groups", name=f"{g.name}_surrogate")
            if is_out and classification:
                g.run_on_event("window_end", error.ON_WINDOW_END)
            elif is_out:
                g.run_on_event("target", error.ON_TARGET)
            else:
                g.run_on_event("arrival", "z += 1")
            g.U = np_.U_rest
            self.layers.append(g)
        self.output = self.layers[-1]

        self.cost = NeuronGroup(
            net.n_out,
            cost.COST_EQUATIONS,
            method="exponential_euler",
            name="cost",
            order=ORDER_READERS,
        )
        self.cost.err_out = linked_var(self.output, "err")

        w_init = net.initial_weights()
        fbs = net.feedback_matrices()
        self.connections = []
        pops = [self.input, *self.layers]
        for l in range(1, L + 1):
            into_hidden = l < L
            eqs = eligibility.eligibility_equations(
                regularized=bool(net.regularizer) and into_hidden
            )
            if fx_inside:
                # m is the engine's, a temporary of the update code: no per-synapse copy.
                eqs = "w : volt\nv : 1\nfb : 1 (constant)\n"
            elif factorized:
                eqs = "w : volt\n"
            elif l > 1:
                # This connection feeds the error back into hidden layer l-1.
                eqs += error.feedback_equations(net.feedback) + "\n"
            s = Synapses(
                pops[l - 1],
                pops[l],
                eqs,
                on_pre=eligibility.ON_ARRIVAL,
                on_event="spike" if l == 1 else "arrival",
                method="exponential_euler",
                name=f"conn_{l}",
            )
            n_pre, n_post = sizes[l - 1], sizes[l]
            s.connect(i=np.repeat(np.arange(n_pre), n_post), j=np.tile(np.arange(n_post), n_pre))
            if not factorized:
                s.state_updater.order = ORDER_READERS
            s.w = w_init[l - 1].T.ravel() * mV
            if l > 1 and not factorized:
                s.summed_updaters["err_pre"].order = ORDER_FEEDBACK_BASE - (l - 1)
                if fbs[l - 2] is not None:
                    s.fb = fbs[l - 2].T.ravel()
            if fx_inside:
                # The engine reads the fixed feedback weight with each weight.
                s.fb = fbs[l - 2].T.ravel() if (l > 1 and fbs[l - 2] is not None) else 1.0
            if learn_inside:
                lr = learning_rates[l - 1]
                self.namespace[f"lr_schedule_{l}"] = TimedArray(
                    np.asarray(lr) * volt, dt=lp.t_update
                )
                s.run_regularly(
                    optimizer.inside_update_code(
                        f"lr_schedule_{l}",
                        factorized_inside.update_code(l) if fx_inside else optimizer.UPDATE_CODE,
                    ),
                    dt=lp.t_update,
                    when="start",
                    name=f"conn_{l}_update",
                )
            self.connections.append(s)

        self.spike_monitors = [SpikeMonitor(g, name=f"spikes_{g.name}") for g in self.layers]
        self.cost_monitor = StateMonitor(
            self.cost, "sq", record=True, dt=lp.t_update, when="start", name="cost_monitor"
        )
        # Factorized engine: the per-neuron signals at the start of every step,
        # after the surrogate derivative of the step was computed.
        self.signal_monitors = []
        self.engine_group = None
        if fx_inside:
            n_update = steps_of("t_update", lp.t_update, dt)
            self.namespace.update(
                factorized_inside.engine_functions(net, n_update, [self.input, *self.layers])
            )
            eg = NeuronGroup(1, factorized_inside.ENGINE_GROUP_EQUATIONS, name="fx_engine")
            # After every group's surrogate derivative (order 0) at the start of
            # the step, and after every state update.
            eg.run_regularly(factorized_inside.START_CODE, when="before_groups", order=10)
            eg.run_regularly(factorized_inside.AFTER_CODE, when="after_groups")
            self.engine_group = eg
        elif factorized:
            for g in [self.input, *self.layers]:
                names = []
                if g is not self.input:
                    names.append("sigma_prime")
                if g is not self.output:
                    names.append("zt")
                if g is self.output:
                    names.append("err")
                elif g is not self.input and net.regularizer:
                    names.append("zh")
                self.signal_monitors.append(
                    StateMonitor(
                        g,
                        names,
                        record=True,
                        when="before_groups",
                        order=10,
                        name=f"signals_{g.name}",
                    )
                )
        n_v = min(record_voltage, net.n_out)
        self.voltage_monitor = StateMonitor(
            self.output, "U", record=np.arange(n_v), name="voltage_monitor"
        )

    @property
    def objects(self):
        return [
            self.input,
            *self.layers,
            self.cost,
            *self.connections,
            *self.spike_monitors,
            self.cost_monitor,
            self.voltage_monitor,
            *self.signal_monitors,
            *([self.engine_group] if self.engine_group is not None else []),
        ]

    # State that a trial hands to the next one when a standalone binary is re-run.
    def carried_state(self):
        """List of (group, variable) pairs that hold the network's state."""
        out = [(self.input, "z"), (self.input, "zt"), (self.cost, "sq")]
        for g in self.layers:
            names = ["U", "I", "lastspike"]
            names += ["er", "err"] if g is self.output else ["z", "zt", "zh"]
            if g is self.output and self.net.error == "classification":
                names.append("got")
            out += [(g, n) for n in names]
        for s in self.connections:
            names = ("w",) if self.engine == "factorized" else ("w", "lam_r", "lam", "m")
            out += [(s, n) for n in names]
        return out

    def weights(self):
        """Current weights, one (n_post, n_pre) float array in mV per connection."""
        out = []
        sizes = self.net.layer_sizes
        for l, s in enumerate(self.connections, start=1):
            w = np.array(s.w_[:], dtype=float) * 1e3  # volts to mV, as everywhere
            out.append(w.reshape(sizes[l - 1], sizes[l]).T.copy())
        return out


__all__ = ["SuperSpikeNetwork", "BrianModel", "ENGINES"]
