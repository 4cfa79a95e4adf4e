"""SuperSpike as a Brian2 component: the rule attached to the user's own groups and synapses.

Description
-----------
:class:`SuperSpike` trains the synapses it is given, in a network the user
built with Brian2 (own neuron equations, recurrent and skip connections, any
graph of populations), with the SuperSpike rule of Zenke & Ganguli (2018) [P]:
each plastic synapse ``j -> i`` accumulates the product of the error ``E_i`` of
its target unit and its eligibility trace, the doubly filtered product of the
target's surrogate derivative and the source's presynaptic trace, and every
``t_update`` RMaxProp turns the accumulator into a weight change. The output
error is the filtered difference of a target spike raster (or windows of
opportunity) and the output spikes; every other group that receives plastic
synapses gets its error by feedback (:mod:`superspike_brian.rule.graph` says
which error reaches which group on a general graph).

Equations
---------
The equations are those of docs/model.md, with ``U`` the membrane and
``theta`` the threshold of each target group (read from its threshold
condition)::

    dz/dt = -z/tau_rise, tau_decay dzt/dt = z - zt      per source unit, z += 1 per arrival
    sigma_prime = [U > U_cut] / (1 + |beta (U - theta)|)**2      per target unit
    tau_rise dlam_r/dt = sigma_prime_post zt_pre - lam_r        per synapse
    tau_decay dlam/dt = lam_r - lam
    dm/dt = err_post lam - rho w zh_post**a
    every t_update: RMaxProp on m (optimizer.UPDATE_CODE)

What the rule adds, it adds with Brian2's own mechanisms: a group of its own
beside every population (:mod:`superspike_brian.rule.populations`), variables,
equations and ``run_regularly`` updates on the user's synapses
(:mod:`superspike_brian.rule.attach`), a cost group and its monitor.

Parameters
----------
See :class:`SuperSpike`. Defaults of every constant: :mod:`superspike_brian.model.parameters`.

References
----------
.. [P] Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer
   spiking neural networks. Neural Computation 30(6):1514-1541.
"""

from __future__ import annotations

import numpy as np
from brian2 import (
    NeuronGroup,
    Quantity,
    StateMonitor,
    TimedArray,
    get_device,
    linked_var,
    mV,
    second,
    volt,
)
from brian2.core.namespace import get_local_namespace

from superspike_brian import engines
from superspike_brian.choices import ERROR_MODES, FEEDBACK_MODES
from superspike_brian.model import cost, optimizer, regularizer, steps
from superspike_brian.model.parameters import ModelParameters
from superspike_brian.rule import attach, inspect, populations, values
from superspike_brian.rule.graph import LearningGraph
from superspike_brian.rule.inspect import RuleError

__all__ = ["SuperSpike", "SYNAPSE_NAMES"]

#: What the rule puts into a user's synapses: its variables, the temporaries of
#: its code and the constants that code reads. Each keeps its name unless the
#: user's synapses know it already (:func:`superspike_brian.rule.attach.free_names`).
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


class SuperSpike:
    """SuperSpike on Brian2 groups and synapses the user made.

    Parameters
    ----------
    synapses : sequence of Synapses
        The plastic synapses, each connected already, with a weight ``w`` (with
        a unit) that ``on_pre`` adds to a variable of its target group.
    output : NeuronGroup
        The output group: its error comes from ``target`` (or ``windows``).
    target : SpikeRaster, optional
        Target spikes of the output units in one period, repeated
        (``superspike_brian.SpikeRaster(times, ids, n_units, period)``).
    windows : (period, (start, end, unit)), optional
        Instead of ``target``: windows of opportunity (the classification error
        of the spiking XOR); times in seconds.
    feedback : {'symmetric', 'random', 'uniform'}
        How the error reaches hidden groups (default 'symmetric').
    regularizer : bool, optional
        Heterosynaptic regularizer on synapses into hidden groups; default: on
        with random feedback.
    params : ModelParameters, optional
        Constants of the rule (``params.learning``, ``params.regularizer``);
        defaults of the paper.
    seed : int
        Seeds the initial weights and the random feedback matrices (default 1).
    initial : {'draw', 'keep'} or sequence of arrays
        'draw' (default): weights ``N(0, w0/sqrt(n_pre))``, clipped, drawn
        from ``seed``; 'keep': the weights the synapses have; or one
        ``(n_post, n_pre)`` array per synapses object, in the weight unit.
    learning_rate : Quantity, array, dict, optional
        The learning rate: one value (default ``params.learning.r0``), one
        value per update (array, SI units), or a dict ``{synapses: rate}``.
    membrane, threshold : dict, optional
        ``{group: 'v'}``, ``{group: -50*mV}`` where the threshold condition
        cannot tell them.
    linear : sequence of NeuronGroup
        Groups whose surrogate derivative is 1 (the "symmetric linear" ablation).
    engine : {'synaptic', 'factorized'}
        Per-synapse eligibility equations (default), or the factorized engine
        (chains of all-to-all connections; ``learn='inside'`` on cpp_standalone).
    learn : {'inside', 'controller'}
        The update inside the simulation (default), or left to a controller
        between runs (:class:`superspike_brian.Trainer`).
    weight_unit : Quantity, optional
        The unit of ``w`` in which ``initial``, ``w0`` and symmetric feedback
        gains are expressed (default mV; required for weights that are not
        voltages, with ``learning_rate``, ``w_max``, ``w0`` and ``rho``).
    w_max, w0, rho : Quantity, optional
        Clipping bound, scale of the initial weights and regularizer strength
        in the weight's unit (defaults from ``params`` for voltage weights).
    record_cost : bool
        Monitor the cost average at every update (default True).
    scalars_as_arguments : bool
        Leave the regularizer strength to run arguments (a standalone binary
        shared by runs of other strengths).
    name : str

    Attributes
    ----------
    graph : LearningGraph
    groups : dict of str -> NeuronGroup
        The rule's group beside each population (``rule.groups['hid'].sigma_prime``).
    values : RuleValues
    cost, cost_monitor : NeuronGroup, StateMonitor

    Examples
    --------
    >>> rule = SuperSpike([s_in, s_out], output=out, target=raster)  # doctest: +SKIP
    >>> net = Network(collect(), rule)  # doctest: +SKIP
    >>> net.run(100 * second)  # doctest: +SKIP
    """

    def __init__(
        self,
        synapses,
        output,
        target=None,
        *,
        windows=None,
        feedback="symmetric",
        regularizer=None,
        params=None,
        seed=1,
        initial="draw",
        learning_rate=None,
        membrane=None,
        threshold=None,
        linear=(),
        engine="synaptic",
        learn="inside",
        weight_unit=None,
        w_max=None,
        w0=None,
        rho=None,
        record_cost=True,
        scalars_as_arguments=False,
        name="superspike",
        level=0,
    ):
        self.name = name
        self.synapses = list(synapses) if not _is_synapses(synapses) else [synapses]
        if not self.synapses:
            raise RuleError("synapses: give at least one Synapses object to train")
        self.connect_targets = [inspect.check_synapses(s) for s in self.synapses]
        self.output = output
        self.feedback = _choice("feedback", feedback, FEEDBACK_MODES)
        self.params = params if params is not None else ModelParameters()
        if not isinstance(self.params, ModelParameters):
            raise RuleError("params must be a ModelParameters (superspike_brian.ModelParameters)")
        self.seed = _seed(seed)
        self.error = "classification" if windows is not None else "van_rossum"
        _choice("error", self.error, ERROR_MODES)
        self.learn = learn
        self.scalars_as_arguments = bool(scalars_as_arguments)
        self.user_groups = self._user_groups(output)
        regularized = self.feedback == "random" if regularizer is None else bool(regularizer)
        self.graph = LearningGraph(
            {n: len(g) for n, g in self.user_groups.items()},
            [(s.name, s.source.name, s.target.name) for s in self.synapses],
            output.name,
            regularizer=regularized,
        )
        self.regularizer = regularized and bool(self.graph.hidden)
        self.dt = float(output.clock.dt_)
        self.n_err = _steps("error_delay", self.params.learning.error_delay, self.dt)
        self.weight = _WeightScale(self, weight_unit, w_max, w0, rho)
        self.linear = {_group_name(g) for g in linear}
        namespace = get_local_namespace(level + 1)
        self.membranes = {
            pop: inspect.membrane(
                self.user_groups[pop],
                _lookup(membrane, pop),
                _lookup(threshold, pop),
                namespace,
            )
            for pop in self.graph.learning
        }
        self._target, self._windows, self._learning_rate = target, windows, learning_rate
        self.values = self.compute_values(
            seed=self.seed,
            target=target,
            windows=windows,
            initial=initial,
            learning_rate=learning_rate,
        )
        self.names = [
            attach.free_names(
                s, (*SYNAPSE_NAMES, f"w_init_{s.name}", f"fb_init_{s.name}", f"lr_{s.name}")
            )
            for s in self.synapses
        ]
        self.engine = engines.create(self, engine, learn, _device_name())
        self._build(initial)

    # ---------------------------------------------------------------- inputs
    def _user_groups(self, output):
        groups = {}
        for s in self.synapses:
            for g in (s.source, s.target):
                if groups.setdefault(g.name, g) is not g:
                    raise RuleError(f"two groups are called {g.name!r}; give them distinct names")
            if not s._connect_called:
                raise RuleError(f"{s.name}: is not connected yet; call {s.name}.connect(...) first")
        if not isinstance(output, NeuronGroup) or groups.get(output.name) is not output:
            what = getattr(output, "name", repr(output))
            raise RuleError(f"output: {what} is not the target of any of the plastic synapses")
        return groups

    def compute_values(self, *, seed, target=None, windows=None, initial="draw", learning_rate=None):
        """The :class:`~superspike_brian.rule.values.RuleValues` of this rule for other data.

        Parameters
        ----------
        seed : int
        target, windows : see :class:`SuperSpike`
        initial : 'draw', 'keep' or sequence of arrays
        learning_rate : Quantity, array or dict, optional
        """
        n_out = len(self.output)
        if self.error == "classification":
            period = float(windows[0] / second) if isinstance(windows[0], Quantity) else windows[0]
            tables = values.target_tables(None, (float(period), windows[1]), n_out, self.dt, self.n_err)
        else:
            target = _check_target(target, n_out, self.output.name)
            tables = values.target_tables(target, None, n_out, self.dt, self.n_err)
        if isinstance(initial, str):
            if initial not in ("draw", "keep"):
                raise RuleError(f"initial must be 'draw', 'keep' or weight arrays; got {initial!r}")
            initial = None
        try:
            return values.rule_values(
                self.graph,
                feedback=self.feedback,
                seed=seed,
                tables=tables,
                initial=initial,
                w0=self.weight.w0,
                w_max=self.weight.w_max,
                learning_rates=self._learning_rates(learning_rate),
                rho=self.weight.rho,
            )
        except ValueError as exc:
            raise RuleError(str(exc)) from None

    def _learning_rates(self, spec):
        out = []
        for s in self.synapses:
            rate = spec.get(s) if isinstance(spec, dict) else spec
            if rate is None:
                rate = self.weight.r0
            if rate is None:
                raise RuleError(f"{s.name}: give learning_rate= in the weight's unit")
            if isinstance(rate, Quantity):
                self.weight.check(s.name, "learning_rate", rate)
                out.append(values.constant_rate(rate))
            else:
                out.append(np.asarray(rate, dtype=float).ravel())
        return out

    # ----------------------------------------------------------------- build
    def _build(self, initial):
        lp, rp = self.params.learning, self.params.regularizer
        self.namespace = {
            "tau_rise": lp.tau_rise,
            "tau_decay": lp.tau_decay,
            "beta": lp.beta,
            "U_cut": lp.U_cut,
            "tau_avg": lp.tau_avg,
            "error_delay_steps": self.n_err,
            **regularizer.namespace(rp),
            **optimizer.optimizer_namespace(lp),
            "w_max": self.weight.w_max_quantity,
        }
        self.tables = {}
        for key, table in self.values.tables.items():
            self.tables[key] = TimedArray(table, dt=self.dt * second, name=key)
        self.namespace.update(self.tables)
        objects = []
        self.groups = {}
        for pop in [*self.graph.sources, *self.graph.learning]:
            if pop not in self.groups:
                self.groups[pop] = populations.population_group(self, pop)
                objects.append(self.groups[pop])
        objects += self._spike_paths()
        objects += self._cost()
        for c, s in enumerate(self.synapses):
            objects += self._connection(c, s, initial)
        objects += self.engine.add_objects()
        #: The rule's own Brian2 objects; what it adds to the user's synapses is
        #: contained in them.
        self.objects = objects

    def group_namespace(self, pop):
        """Namespace of the rule's group beside ``pop``: the rule's, and the threshold's constants."""
        constants = self.membranes[pop].constants if pop in self.membranes else {}
        clash = [k for k in constants if k in self.namespace]
        if clash:
            raise RuleError(f"{pop}: its threshold uses {clash[0]!r}, a name of SuperSpike's constants")
        return {**self.namespace, **constants}

    def _spike_paths(self):
        """Trace jumps at arrivals, the regularizer's trace, a delayed output error."""
        out = []
        for pop in self.graph.sources:
            events = {
                (inspect.pathway_event(s), inspect.pathway_delay(s))
                for s in self.synapses
                if s.source.name == pop
            }
            if len(events) > 1:
                raise RuleError(
                    f"{pop}: its plastic synapses transmit on different events or delays"
                    f" {sorted(events)}; SuperSpike keeps one presynaptic trace per group"
                )
            event, delay = events.pop()
            out.append(populations.trace_connection(self, pop, event, delay * second))
        for pop in self.graph.hidden:
            if any(c.regularized for c in self.graph.connections if c.post == pop):
                out.append(populations.spike_counter(self, pop))
        out_pop = self.graph.output
        if not inspect.has_lastspike(self.output):
            delay = self.n_err * self.dt * second
            out.append(populations.delayed_error(self, out_pop, delay))
        return out

    def _cost(self):
        """The running average of the squared output error, and its monitor."""
        self.cost = NeuronGroup(
            len(self.output),
            cost.COST_EQUATIONS,
            method="exponential_euler",
            namespace=self.namespace,
            name=f"{self.name}_cost",
            order=steps.at("readers")["order"],
            dt=self.output.clock.dt,
        )
        self.cost.err_out = linked_var(self.groups[self.graph.output], "err")
        self.cost_monitor = StateMonitor(
            self.cost,
            "sq",
            record=True,
            dt=self.params.learning.t_update,
            name=f"{self.name}_cost_monitor",
            when=steps.at("weight_update")["when"],
        )
        return [self.cost, self.cost_monitor]

    def _connection(self, c, s, initial):
        """What connection ``c`` learns with: its engine's state, initial values, its update."""
        conn = self.graph.connections[c]
        constants = [k for k in SYNAPSE_NAMES if k in self.namespace]
        attach.add_to_namespace(s, {self.var(c, k): self.namespace[k] for k in constants})
        # Updaters that change the synapses' own variables run as part of them.
        s.contained_objects.extend(self.engine.attach(c, s))
        rho = self.var(c, "rho")
        if conn.regularized and attach.stored(s, rho) and not self.scalars_as_arguments:
            setattr(s, rho, self.values.rho[c] * self.weight.rho_unit)
        if not (isinstance(initial, str) and initial == "keep"):
            table = self._table(c, s, "w_init", self.weight.quantity(self.values.weights[c]), second)
            s.w = f"{table.name}(j * second, i)"
        fixed = self.values.feedback[c]
        if fixed is not None and attach.stored(s, self.var(c, "fb")):
            table = self._table(c, s, "fb_init", fixed, second)
            setattr(s, self.var(c, "fb"), f"{table.name}(j * second, i)")
        if self.engine.inside:
            lr = np.asarray(self.values.learning_rates[c]) * self.weight.si_unit
            table = self._table(c, s, "lr", lr, self.params.learning.t_update)
            code = optimizer.inside_update_code(table.name, self.engine.update_code(c))
            s.run_regularly(
                self.code(c, code),
                dt=self.params.learning.t_update,
                name=f"{s.name}_update",
                **steps.at("weight_update"),
            )
        return []

    def _table(self, c, s, kind, values_, dt):
        """A table of connection ``c`` (initial weights, feedback gains, learning rates)."""
        name = self.var(c, f"{kind}_{s.name}")
        table = TimedArray(values_, dt=dt, name=name)
        attach.add_to_namespace(s, {name: table})
        self.tables[name] = table
        return table

    def var(self, c, name):
        """The name under which the rule's ``name`` lives in the synapses of connection ``c``."""
        return self.names[c].get(name, name)

    def code(self, c, text):
        """The rule's code (equations, statements) for the synapses of connection ``c``."""
        return attach.rename(text, self.names[c])

    # --------------------------------------------------------------- signals
    def signal(self, s, name, side):
        """Make the rule's ``name`` of the source (``side='pre'``) or target group readable in ``s``."""
        pop = s.source.name if side == "pre" else s.target.name
        attach.add_reference(s, f"{name}_{side}", self.groups[pop], name, side)

    def feedback_gains(self, c, s):
        """``fb`` of connection ``c``: its forward weight (symmetric) or a fixed matrix."""
        if self.feedback == "symmetric":
            attach.add_subexpression(s, self.var(c, "fb"), f"w / {self.weight.unit_name}")
        else:
            attach.add_synaptic_array(s, self.var(c, "fb"), constant=True)

    def feedback_sum(self, c, s):
        """The summed variable that carries the error of ``s``'s target back to its source."""
        conn = self.graph.connections[c]
        target = populations.error_target(self.graph, conn)
        attach.add_reference(s, f"{target}_pre", self.groups[conn.pre], target, "pre")
        distance = self.graph.distance[conn.pre]
        order = steps.at("hidden_error", layer=self.graph.max_distance + 1 - distance)["order"]
        return attach.summed_updater(
            s, self.code(c, "fb * err_post"), f"{target}_pre", self.groups[conn.pre], "pre", order=order
        )

    # ----------------------------------------------------------------- state
    @property
    def error_group(self):
        """The rule's group beside the output (error trace, target tables' step offset)."""
        return self.groups[self.graph.output]

    def carried_state(self):
        """(object, variable) pairs of the rule's state that a run hands to the next."""
        out = []
        for pop, g in self.groups.items():
            names = []
            if pop in self.graph.sources:
                names += ["z", "zt"]
            if pop == self.graph.output:
                names += ["er", "err"]
                if self.error == "classification":
                    names.append("got")
                    if self.n_err > 0:
                        names.append("pending")
            elif "zh" in g.variables:
                names.append("zh")
            out += [(g, n) for n in names]
        out.append((self.cost, "sq"))
        for c, s in enumerate(self.synapses):
            out += [(s, n) for n in self.engine.carried_variables(c)]
        return out

    def value_args(self, new, indices=None):
        """Run arguments that give a built standalone binary the values ``new``.

        Parameters
        ----------
        new : RuleValues
            Of the shapes this rule was built with.
        indices : list of (i, j), optional
            The presynaptic and postsynaptic index of every synapse of each
            plastic synapses object (default: read from the synapses, which on
            a standalone device is possible after the binary ran once).

        Returns
        -------
        dict
            Variables (weights, feedback gains, regularizer strength) and
            tables (target, learning rates) that differ from the build's -> values.

        Raises
        ------
        ValueError
            The values do not have the shapes the rule was built for, or the
            synapses' indices cannot be known yet.
        """
        if new.shapes() != self.values.shapes():
            raise ValueError(
                f"values of shapes {new.shapes()} do not fit a rule built for {self.values.shapes()}"
            )
        args, tables = {}, dict(new.tables)
        for c, s in enumerate(self.synapses):
            i, j = indices[c] if indices is not None else self.synapse_indices(c)
            args[s.w] = self.weight.quantity(new.weights[c][j, i])
            fb = self.var(c, "fb")
            if new.feedback[c] is not None and attach.stored(s, fb):
                args[getattr(s, fb)] = new.feedback[c][j, i]
            if attach.stored(s, self.var(c, "rho")):
                args[getattr(s, self.var(c, "rho"))] = new.rho[c] * self.weight.rho_unit
            if self.engine.inside:
                lr = np.asarray(new.learning_rates[c]) * self.weight.si_unit
                tables[self.var(c, f"lr_{s.name}")] = lr
        for key, value in tables.items():
            table = self.tables[key]
            if not np.array_equal(np.asarray(table.values), np.asarray(value)):
                args[table] = value
        return args

    def synapse_indices(self, c):
        """``(i, j)`` of every synapse of connection ``c``, as the synapses store them."""
        s = self.synapses[c]
        try:
            return np.asarray(s.i[:]), np.asarray(s.j[:])
        except NotImplementedError:
            raise ValueError(
                f"{s.name}: its synapses are made when a standalone binary runs; run it once"
                " (device.run()) before asking for other values"
            ) from None

    def run_args(self, *, seed=None, target=None, windows=None, initial="draw", learning_rate=None):
        """Run arguments of a standalone binary for another seed, target or learning rate.

        Examples
        --------
        >>> device.run(run_args=rule.run_args(seed=2))  # doctest: +SKIP
        """
        new = self.compute_values(
            seed=self.seed if seed is None else _seed(seed),
            target=target if target is not None else self._target,
            windows=windows if windows is not None else self._windows,
            initial=initial,
            learning_rate=self._learning_rate if learning_rate is None else learning_rate,
        )
        return self.value_args(new)

    def weights(self):
        """The current weights: one ``(i, j, w)`` triple of arrays per synapses object (w in the weight unit)."""
        out = []
        for s in self.synapses:
            w = np.asarray(s.w_[:], dtype=float) * self.weight.per_si
            out.append((np.asarray(s.i[:]), np.asarray(s.j[:]), w))
        return out

    def cost_trace(self):
        """Times (s) and cost (docs/model.md, "Reported cost") at every update so far."""
        t = np.asarray(self.cost_monitor.t_[:], dtype=float)
        sq = np.asarray(self.cost_monitor.sq_[:], dtype=float).T
        return t, cost.cost_from_average(sq, t, self.params.learning)

    def __getitem__(self, group):
        """The rule's group beside ``group`` (a NeuronGroup or its name)."""
        return self.groups[_group_name(group)]

    def __iter__(self):
        # Network(collect(), rule) adds the rule's objects one by one: standalone
        # devices look for synapses among a network's own objects only.
        return iter(self.objects)

    def __len__(self):
        return len(self.objects)

    def __repr__(self):
        return (
            f"<SuperSpike {self.name!r}: {len(self.synapses)} plastic synapses, output"
            f" {self.graph.output!r}, {self.feedback} feedback, engine {self.engine.name!r}>"
        )


class _WeightScale:
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


def _is_synapses(obj):
    from brian2 import Synapses

    return isinstance(obj, Synapses)


def _group_name(group):
    return group if isinstance(group, str) else group.name


def _lookup(mapping, pop):
    if not mapping:
        return None
    for key, value in mapping.items():
        if _group_name(key) == pop:
            return value
    return None


def _choice(name, value, choices):
    if value not in choices:
        raise RuleError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def _seed(seed):
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool) or seed < 0:
        raise RuleError(f"seed must be a non-negative integer; got {seed!r}")
    return int(seed)


def _steps(name, value, dt):
    n = float(value / second) / dt
    if abs(n - round(n)) > 1e-9 * max(1.0, abs(n)):
        raise RuleError(f"{name} ({value}) must be a whole number of time steps ({dt * 1e3:g} ms)")
    return int(round(n))


def _device_name():
    name = get_device().__class__.__name__
    return {"RuntimeDevice": "runtime", "CPPStandaloneDevice": "cpp_standalone"}.get(
        name, "cuda_standalone" if "CUDA" in name else "runtime"
    )


def _check_target(target, n_out, out_name):
    from superspike_brian.tasks.spikeio import SpikeRaster

    if target is None:
        raise RuleError(
            "target: give the target spikes as SpikeRaster(times, ids, n_units, period)"
            " (or windows=... for the classification error)"
        )
    if not isinstance(target, SpikeRaster):
        raise RuleError(
            f"target must be a SpikeRaster(times, ids, n_units, period); got {type(target).__name__}"
        )
    if target.n_units != n_out:
        raise RuleError(
            f"target has {target.n_units} units, the output group {out_name} has {n_out}"
        )
    return target




