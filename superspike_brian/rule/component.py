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
(:mod:`superspike_brian.devices.attach`), a cost group and its monitor.

Parameters
----------
See :class:`SuperSpike`. Defaults of every constant: :mod:`superspike_brian.model.parameters`.

References
----------
.. [P] Zenke F, Ganguli S (2018) SuperSpike: Supervised learning in multilayer
   spiking neural networks. Neural Computation 30(6):1514-1541.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from brian2 import (
    NeuronGroup,
    Quantity,
    get_device,
    second,
)
from brian2.core.namespace import get_local_namespace

from superspike_brian import engines
from superspike_brian.choices import ERROR_MODES, FEEDBACK_MODES
from superspike_brian.devices import attach
from superspike_brian.errors import RuleError
from superspike_brian.model import cost
from superspike_brian.model.parameters import ModelParameters
from superspike_brian.rule import arguments, build, inspect, values
from superspike_brian.rule.graph import LearningGraph
from superspike_brian.rule.scales import WeightScale

__all__ = ["SuperSpike"]

#: The tables the rule keeps per plastic synapses object (initial weights,
#: feedback gains, learning rates), each named ``<kind>_<synapses>``.
TABLES = ("w_init", "fb_init", "lr")


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
    stoppable : bool
        On cpp_standalone: a run may stop before the duration it was built
        with (``run_args(duration=...)``), so that one binary serves runs of
        any length up to it (default False).
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
        stoppable=False,
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
        self.stoppable = bool(stoppable)
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
        self.weight = WeightScale(self, weight_unit, w_max, w0, rho)
        self.linear = {_group_name(g) for g in linear}
        self._read_membranes(membrane, threshold, get_local_namespace(level + 1))
        self._target, self._windows, self._learning_rate = target, windows, learning_rate
        self.values = self.compute_values(
            seed=self.seed,
            target=target,
            windows=windows,
            initial=initial,
            learning_rate=learning_rate,
        )
        self.names = [
            attach.free_names(s, (*build.SYNAPSE_NAMES, *(f"{k}_{s.name}" for k in TABLES)))
            for s in self.synapses
        ]
        self.engine_device = _device_name()
        self.engine = engines.create(self, engine, learn, self.engine_device)
        build.build(self, initial)

    # ---------------------------------------------------------------- inputs
    def _read_membranes(self, membrane, threshold, namespace):
        """The membrane and threshold of every group that learns (:func:`inspect.membrane`)."""
        self.membranes = {
            pop: inspect.membrane(
                self.user_groups[pop], _lookup(membrane, pop), _lookup(threshold, pop), namespace
            )
            for pop in self.graph.learning
        }

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

    def compute_values(
        self, *, seed, target=None, windows=None, initial="draw", learning_rate=None
    ):
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
            tables = values.target_tables(
                None, (float(period), windows[1]), n_out, self.dt, self.n_err
            )
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
    def var(self, c, name):
        """The name under which the rule's ``name`` lives in the synapses of connection ``c``."""
        return self.names[c].get(name, name)

    def code(self, c, text):
        """The rule's code (equations, statements) for the synapses of connection ``c``."""
        return attach.rename(text, self.names[c])

    # --------------------------------------------------------------- signals
    def signal(self, s, name, side):
        """Make the rule's ``name`` of the source (``side='pre'``) or target readable in ``s``."""
        build.signal(self, s, name, side)

    def feedback_gains(self, c, s):
        """``fb`` of connection ``c``: its forward weight (symmetric) or a fixed matrix."""
        build.feedback_gains(self, c, s)

    def feedback_sum(self, c, s):
        """The summed variable that carries the error of ``s``'s target back to its source."""
        return build.feedback_sum(self, c, s)

    def group_namespace(self, pop):
        """Namespace of the rule's group beside ``pop``."""
        return build.group_namespace(self, pop)

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
        """Run arguments that give a built binary the values ``new``
        (:func:`superspike_brian.rule.arguments.value_args`)."""
        return arguments.value_args(self, new, indices)

    def run_args(
        self,
        *,
        seed=None,
        target=None,
        windows=None,
        initial="draw",
        learning_rate=None,
        duration=None,
    ):
        """Run arguments of a standalone binary for another seed, target, learning rate or duration.

        ``duration`` (a time up to the one the binary was built for) needs a
        rule made with ``stoppable=True``. The synapses' indices must be known:
        after the binary ran once, or on runtime.

        Examples
        --------
        >>> device.run(run_args=rule.run_args(seed=2))  # doctest: +SKIP
        """
        args = {}
        if duration is not None:
            if self.control is None:
                raise RuleError("duration: make the rule with stoppable=True on cpp_standalone")
            args[self.control.n_steps] = _steps("duration", duration, self.dt)
        new = self.compute_values(
            seed=self.seed if seed is None else _seed(seed),
            target=target if target is not None else self._target,
            windows=windows if windows is not None else self._windows,
            initial=initial,
            learning_rate=self._learning_rate if learning_rate is None else learning_rate,
        )
        return {**self.value_args(new), **args}

    def weights(self):
        """The current weights: ``(i, j, w)`` per synapses object, ``w`` in the weight unit."""
        out = []
        for s in self.synapses:
            w = np.asarray(s.w_[:], dtype=float) * self.weight.per_si
            out.append((np.asarray(s.i[:]), np.asarray(s.j[:]), w))
        return out

    def cost_trace(self):
        """Times (s) and cost (docs/model.md, "Reported cost") at every update so far."""
        t = _recorded(self.cost_monitor, "t")
        sq = _recorded(self.cost_monitor, "sq").reshape(t.size, -1)
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


def _recorded(monitor, name):
    """A monitor's values as floats, time-major; after a standalone run, read from its file.

    Brian2's own reader guesses the shape of a 2-d monitor array from the
    build, which fails after a run stopped early (``run_args(duration=...)``).
    """
    device = get_device()
    if not getattr(device, "has_been_run", False):
        values = np.asarray(getattr(monitor, name + "_")[:], dtype=float)
        return values.T.ravel()  # time-major, as on disk
    var = monitor.variables[name]
    path = Path(device.results_dir) / device.get_array_filename(var)
    return np.fromfile(path, dtype=var.dtype).astype(float)


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
            "target must be a SpikeRaster(times, ids, n_units, period);"
            f" got {type(target).__name__}"
        )
    if target.n_units != n_out:
        raise RuleError(
            f"target has {target.n_units} units, the output group {out_name} has {n_out}"
        )
    return target
