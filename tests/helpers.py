"""Shared builders for the tests: small tasks and networks, the oracle's run.

`run_oracle` gives the numpy oracle (``tests/oracle.py``) the inputs of a run
computed by ``tests/inputs.py`` from the spec (``docs/discrete_time.md``,
"Inputs of a run"): it reads from the package only the raw data of the run
(spike times, windows, parameter values, seeds, schedule fields), never its
tables, learning rates, weights or feedback matrices. A parameter value that a
test leaves at the package's default must be the oracle's own default, the
spec's (:func:`check_defaults_are_the_oracles`): otherwise a default changed by
mistake would reach both sides and pass.
"""

import math
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pytest
from brian2 import Hz, ms, mV, second

from superspike_brian import (
    LearningParameters,
    ModelParameters,
    Schedule,
    SpikeRaster,
    SuperSpikeNetwork,
    Task,
    equidistant_targets,
    frozen_poisson,
)
from superspike_brian.training import checkpoint, loop

from . import inputs, oracle


def small_task(n_in=20, n_out=3, period=100 * ms, rate=40 * Hz, seed=3):
    """A short cyclic task with dense input, so that every unit spikes."""
    return Task(
        "small",
        frozen_poisson(n_in, rate, period, seed=seed),
        equidistant_targets(3, period, n_units=n_out),
        period,
    )


@dataclass
class WindowTask(Task):
    """A task with windows of opportunity (the classification error reads ``windows``).

    Parameters
    ----------
    onsets : numpy.ndarray
        Window starts in seconds, within one period.
    labels : numpy.ndarray of int
        Target output unit of every window.
    window : float
        Window length in seconds.
    """

    onsets: np.ndarray = None
    labels: np.ndarray = None
    window: float = 0.025

    @property
    def windows(self):
        """(start, end, unit) arrays of the windows, in seconds."""
        return (self.onsets, self.onsets + self.window, self.labels)


def small_xor_task(n_per_group=10, background=30 * Hz, seed=3):
    """Four spiking-XOR trials, one of each pattern, with dense input.

    Three input groups (reference, bit a, bit b) of ``n_per_group`` units. Trial
    k starts at 10 + 40 k ms; its stimulus gives every unit of the reference
    group and of the groups of the bits that are 1 two spikes at seeded times
    in the first 10 ms; its window of opportunity (25 ms from the onset) belongs
    to output unit ``a XOR b``. The period (155 ms) ends with the last window,
    so that window closes on step 0 of the next period. Every input unit also
    fires ``background`` Poisson spikes throughout.
    """
    n_in = 3 * n_per_group
    period = 0.155
    patterns = [(0, 1), (1, 1), (1, 0), (0, 0)]
    onsets = 0.010 + 0.040 * np.arange(len(patterns))
    rng = np.random.default_rng([seed, 7])
    times, ids = [], []
    for onset, (a, b) in zip(onsets, patterns, strict=True):
        groups = [0] + ([1] if a else []) + ([2] if b else [])
        units = np.concatenate([np.arange(g * n_per_group, (g + 1) * n_per_group) for g in groups])
        units = np.repeat(units, 2)
        ids.append(units)
        times.append(onset + rng.uniform(0.0, 0.010, size=units.size))
    bg = frozen_poisson(n_in, background, period * second, seed=seed)
    times = np.concatenate([*times, bg.times])
    ids = np.concatenate([*ids, bg.ids])
    return WindowTask(
        name="small xor",
        input=SpikeRaster(times, ids, n_in, period),
        target=SpikeRaster(np.array([]), np.array([], dtype=np.int64), 2, period),
        period=period,
        onsets=onsets,
        labels=np.array([a ^ b for a, b in patterns], dtype=np.int64),
    )


def small_network(task, hidden=(), feedback="symmetric", regularizer=None, seed=5, **options):
    """A network with short update intervals and strong weights (units spike).

    Parameters
    ----------
    task : Task
        Gives the numbers of input and output units.
    hidden, feedback, regularizer, seed
        As for :class:`SuperSpikeNetwork`.
    **options
        ``linear_hidden``, ``error`` and ``initial`` go to
        :class:`SuperSpikeNetwork`; any other name is a parameter changed with
        ``ModelParameters.replace`` (e.g. ``a=2.0``).
    """
    net_options = {k: options.pop(k) for k in ("linear_hidden", "error", "initial") if k in options}
    params = ModelParameters(learning=LearningParameters(t_update=20 * ms, w0=300 * mV, r0=2 * mV))
    if regularizer:
        params = params.replace(rho=1e-3 / mV)
    if options:
        params = params.replace(**options)
    return SuperSpikeNetwork(
        n_in=task.n_in,
        hidden=hidden,
        n_out=task.n_out,
        feedback=feedback,
        regularizer=regularizer,
        params=params,
        seed=seed,
        **net_options,
    )


SHORT = Schedule(burn_in=40 * ms, block=40 * ms, n_blocks=9, decay_at=(5,))


def _oracle_values(params):
    """Every parameter the oracle reads, keyed as its defaults are, from a ModelParameters.

    Returns
    -------
    dict
        The keys of ``oracle.DEFAULTS`` and of ``oracle.INPUT_DEFAULTS``, plain
        floats in the units the keys name.
    """
    n, lp, rp = params.neuron, params.learning, params.regularizer
    return {
        "dt_ms": float(params.dt / ms),
        "tau_mem_ms": float(n.tau_mem / ms),
        "tau_syn_ms": float(n.tau_syn / ms),
        "U_rest_mV": float(n.U_rest / mV),
        "theta_mV": float(n.theta / mV),
        "tau_ref_ms": float(n.tau_ref / ms),
        "delay_ms": float(n.delay / ms),
        "tau_rise_ms": float(lp.tau_rise / ms),
        "tau_decay_ms": float(lp.tau_decay / ms),
        "beta_per_mV": float(lp.beta * mV),
        "U_cut_mV": float(lp.U_cut / mV),
        "t_b_s": float(lp.t_update / second),
        "tau_rms_s": float(lp.tau_rms / second),
        "eps": float(lp.eps_rms),
        "w_max_mV": float(lp.w_max / mV),
        "tau_het_ms": float(rp.tau_het / ms),
        "tau_avg_s": float(lp.tau_avg / second),
        "error_delay_ms": float(lp.error_delay / ms),
        "r0_mV": float(lp.r0 / mV),
        "w0_mV": float(lp.w0 / mV),
        "rho_per_mV": float(rp.rho * mV),
        "a": float(rp.a),
    }


def check_defaults_are_the_oracles(params):
    """Assert that every parameter a test leaves at the package's default is the oracle's.

    A test that compares the model with the oracle hands the oracle the values
    of its own network. Where the test changed a value, both sides must use the
    test's; where it kept the package's default, that default could be wrong
    (changed by mistake) and the oracle would simply follow it. The oracle has
    its own defaults, the spec's (``oracle.DEFAULTS``, ``oracle.INPUT_DEFAULTS``):
    a value that equals the package's default must equal the oracle's.

    Parameters
    ----------
    params : ModelParameters
        The parameters of the network the oracle is to simulate.

    Raises
    ------
    AssertionError
        Naming every parameter whose package default differs from the oracle's.
    """
    given = _oracle_values(params)
    package = _oracle_values(ModelParameters())
    spec = {**oracle.DEFAULTS, **oracle.INPUT_DEFAULTS}
    assert set(spec) == set(given), "the oracle's defaults and _oracle_values name other keys"
    # Unit conversions may differ in the last bit; a changed default differs by far more.
    wrong = [
        f"{key}: package default {package[key]!r}, oracle (docs/model.md) {spec[key]!r}"
        for key in sorted(given)
        if given[key] == package[key] and not math.isclose(given[key], spec[key], rel_tol=1e-12)
    ]
    assert not wrong, "the package's defaults are not the spec's: " + "; ".join(wrong)


def oracle_params(params):
    """The oracle's parameter dict (keys with units) from a ModelParameters.

    Checks first (:func:`check_defaults_are_the_oracles`) that every value the
    test left at the package's default is the oracle's own default.
    """
    check_defaults_are_the_oracles(params)
    values = _oracle_values(params)
    return {key: values[key] for key in oracle.DEFAULTS}


def oracle_inputs(net, task, schedule):
    """The inputs of a run, from ``tests/inputs.py`` (spec "Inputs of a run").

    Returns
    -------
    dict
        ``n_steps``, ``arrive``, ``target``, ``windows`` (None or the pair of
        tables), ``lr`` (mV, entries k = 0..K), ``weights`` (mV),
        ``feedback_matrices`` (None unless random feedback).
    """
    p = net.params
    # r0, w0 and w_max reach the oracle as its inputs (rates, weights), which
    # oracle_params does not see.
    check_defaults_are_the_oracles(p)
    dt = float(p.dt / second)
    t_b = float(p.learning.t_update / second)
    n_period = inputs.whole_multiple(task.period, dt, "period")
    n_b = inputs.whole_multiple(t_b, dt, "t_update")
    n_delay = inputs.whole_multiple(float(p.neuron.delay / second), dt, "delay")
    n_err = inputs.whole_multiple(float(p.learning.error_delay / second), dt, "error_delay")
    lr = inputs.learning_rates(
        float(p.learning.r0 / mV),
        t_b,
        float(schedule.burn_in / second),
        float(schedule.block / second),
        schedule.n_blocks,
        schedule.decay_at,
        schedule.decay_factor,
    )
    n_steps = (lr.size - 1) * n_b
    sizes = [net.n_in, *net.hidden, net.n_out]
    raster_in, raster_target = task.input, task.target
    arrive = inputs.spike_table(
        raster_in.times, raster_in.ids, raster_in.n_units, n_period, dt, n_delay
    )
    target = inputs.spike_table(
        raster_target.times, raster_target.ids, raster_target.n_units, n_period, dt, n_err
    )
    windows = None
    if net.error == "classification":
        windows = tuple(
            inputs.cyclic(t, n_steps)
            for t in inputs.window_tables(*task.windows, net.n_out, n_period, dt, n_err)
        )
    if net.initial is not None:
        weights = [np.array(w, dtype=np.float64) for w in net.initial]
    else:
        w0, w_max = float(p.learning.w0 / mV), float(p.learning.w_max / mV)
        weights = inputs.initial_weights(sizes, w0, w_max, net.seed)
    return {
        "n_steps": n_steps,
        "arrive": inputs.cyclic(arrive, n_steps),
        "target": inputs.cyclic(target, n_steps),
        "windows": windows,
        "lr": lr,
        "weights": weights,
        "feedback_matrices": (
            inputs.feedback_matrices(sizes, "random", net.seed)
            if net.feedback == "random"
            else None
        ),
    }


def run_oracle(net, task, schedule):
    """Run the numpy oracle on the same network, task and schedule.

    All inputs of the run come from :func:`oracle_inputs`; networks with
    ``fixed`` connections are not supported (the oracle has one learning rate
    for every connection).
    """
    if net.fixed:
        raise NotImplementedError("the oracle has one learning rate for all connections")
    p = net.params
    given = oracle_inputs(net, task, schedule)
    reg = None
    if net.regularizer and net.hidden:
        reg = (float(p.regularizer.rho * mV), float(p.regularizer.a))
    return oracle.simulate(
        given["n_steps"],
        given["arrive"],
        given["target"],
        given["weights"],
        given["lr"],
        feedback=net.feedback,
        feedback_matrices=given["feedback_matrices"],
        regularizer=reg,
        params=oracle_params(p),
        linear_hidden=net.linear_hidden,
        windows=given["windows"],
    )


def spike_steps(history, layer, dt=0.1e-3):
    """(step, unit) pairs of a layer's spikes, sorted like the oracle's."""
    t, i = history.spikes[layer]
    steps = np.round(np.asarray(t) / dt).astype(int)
    order = np.lexsort((i, steps))
    return np.column_stack([steps[order], np.asarray(i)[order]])


def layer_names(net):
    """Names of the layers 1..L of ``net`` in ``history.spikes``."""
    return [net.layer_name(l) for l in range(1, net.n_connections + 1)]


def compare_with_oracle(history, ref, net, rtol=1e-9):
    """Assert that a training run equals the oracle's.

    Spike steps of every layer identical, final weights to ``rtol`` relative
    (with an absolute floor of ``rtol`` times the largest weight), and the cost
    of every block end to ``rtol``; also that the network spiked and learned.
    """
    total = 0
    for name, ref_spikes in zip(layer_names(net), ref["spikes"], strict=True):
        got = spike_steps(history, name)
        np.testing.assert_array_equal(got, ref_spikes, err_msg=f"spikes of {name}")
        total += len(got)
    assert total > 20, "the test network should spike"
    for w, w_ref in zip(history.weights, ref["weights"], strict=True):
        scale = np.abs(w_ref).max()
        np.testing.assert_allclose(w, w_ref, rtol=rtol, atol=rtol * scale)
    moved = max(
        np.abs(a - b).max() for a, b in zip(history.weights, history.initial_weights, strict=True)
    )
    assert moved > 1.0, "weights should have learned (mV)"
    ref_cost = dict(zip(np.round(ref["cost_times"], 9), ref["cost"], strict=True))
    for row in history.metrics[1:]:
        assert row["cost"] == pytest.approx(ref_cost[round(row["time_s"], 9)], rel=rtol)


#: The learning state a run carries per connection, compared with the oracle's.
LEARNING_STATE = ("m", "v", "lam_r", "lam")


def carried_state(trainer, out):
    """The learning state a standalone run ended with, read from its checkpoint.

    The final checkpoint of ``out`` holds, per connection, the accumulator ``m``
    of the last update interval (not yet applied), the RMaxProp second moment
    ``v`` and the eligibility state ``lam_r``, ``lam``: in the synapses' arrays
    (per-synapse engine, C++ factorized engine), in the numpy engine's own
    state, or (``v`` with the controller) in the optimizer's.

    Returns
    -------
    dict
        Name in :data:`LEARNING_STATE` -> list over connections of (n_post,
        n_pre) arrays in the oracle's units (``m`` in s, the rest plain).
    """
    state = checkpoint.load(out, trainer.fingerprint())
    sizes = trainer.network.layer_sizes
    network, engine = state.network or {}, state.engine or {}
    result = {name: [] for name in LEARNING_STATE}
    for l in range(1, len(sizes)):
        shape = (sizes[l - 1], sizes[l])  # synapses are stored presynaptic-major
        for name in LEARNING_STATE:
            key = f"conn_{l}.{name}"
            if key in network:
                value = network[key]
            elif name == "v":
                value = state.optimizer_v[l - 1]
            else:
                value = engine[name][l - 1]
            value = np.asarray(value, dtype=np.float64)
            result[name].append(value if value.ndim == 2 else value.reshape(shape).T)
    return result


@contextmanager
def controller_updates():
    """Record the RMaxProp second moment after every update made by the controller.

    Yields a list that receives, for every update and connection (in order
    1..L), a copy of ``v`` (synapse order) after the update.
    """
    calls = []
    real = loop.apply_update

    def record(state, lr, learning):
        real(state, lr, learning)
        calls.append(np.array(state["v"], dtype=np.float64))

    loop.apply_update = record
    try:
        yield calls
    finally:
        loop.apply_update = real


def final_v(calls, net):
    """The second moments after the last controller update, as (n_post, n_pre) arrays."""
    sizes = net.layer_sizes
    last = calls[-net.n_connections :]
    return [v.reshape(sizes[l - 1], sizes[l]).T for l, v in enumerate(last, start=1)]


def compare_state_with_oracle(state, ref, rtol=1e-9):
    """Assert that a run's learning state equals the oracle's final state.

    RMaxProp divides the gradient by its own running magnitude, so a scale
    error of ``m`` barely moves the weights (only through ``eps_rms``); ``m``
    itself and ``v`` (which scales with ``m**2``) show it. Each array is
    compared to ``rtol`` relative, with an absolute floor of ``rtol`` times its
    largest entry.

    Parameters
    ----------
    state : dict
        Name -> list over connections, as :func:`carried_state` returns (any
        subset of :data:`LEARNING_STATE`).
    ref : dict
        The oracle's result (its ``'state'``).
    """
    for name, values in state.items():
        for l, (got, want) in enumerate(zip(values, ref["state"][name], strict=True), start=1):
            scale = np.abs(want).max()
            assert scale > 0, f"the oracle's {name} of connection {l} is all zero"
            np.testing.assert_allclose(
                got, want, rtol=rtol, atol=rtol * scale, err_msg=f"{name} of connection {l}"
            )


__all__ = [
    "LEARNING_STATE",
    "carried_state",
    "controller_updates",
    "final_v",
    "compare_state_with_oracle",
    "small_task",
    "small_xor_task",
    "WindowTask",
    "small_network",
    "oracle_params",
    "check_defaults_are_the_oracles",
    "oracle_inputs",
    "run_oracle",
    "spike_steps",
    "layer_names",
    "compare_with_oracle",
    "SHORT",
]


def assert_same_results(a, b):
    """Two training histories are equal bit for bit: weights, metrics, spikes, membrane."""
    for w_a, w_b in zip(a.weights, b.weights, strict=True):
        np.testing.assert_array_equal(w_b, w_a)
    assert b.metrics == a.metrics
    for name, (t, i) in a.spikes.items():
        np.testing.assert_array_equal(b.spikes[name][0], t)
        np.testing.assert_array_equal(b.spikes[name][1], i)
    for key in a.voltage:
        np.testing.assert_array_equal(b.voltage[key][1], a.voltage[key][1])


def short_train_options(task, folder, n_out=3):
    """``superspike train`` options of a 0.5-s runtime run of ``task`` (its rasters
    written to ``folder``), for tests that start a run from given weights."""
    from superspike_brian.tasks.spikeio import write_ras

    files = {}
    for kind in ("input", "target"):
        files[kind] = folder / f"{kind}.ras"
        write_ras(files[kind], getattr(task, kind))
    # fmt: off
    return [
        "--input", str(files["input"]), "--target", str(files["target"]),
        "--period", str(task.period), "--n-out", str(n_out),
        "--duration", "0.5", "--block", "0.5", "--burn-in", "0.5", "--device", "runtime",
    ]
    # fmt: on
