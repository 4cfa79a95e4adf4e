"""The package's defaults are the specification's values.

Every default of the model (:class:`ModelParameters` and its groups), of the
training schedule (:class:`Schedule`, ``superspike train``) and of the built-in
tasks is compared here with the value the documentation specifies, written
below as a literal with its Brian2 unit:

* docs/model.md, "Parameters" (the same values as docs/discrete_time.md,
  "Parameters (defaults)") and its schedule table and "Learning-rate schedule";
* docs/data.md, the built-in single-neuron task;
* docs/xor.md, the spiking XOR;
* docs/examples.md (the description of ``models/pattern.py``) and docs/data.md
  (the authors' pattern data at 5 Hz), the pattern task.

The oracle's own defaults (``tests/oracle.py``) are checked against the same
table. A default changed by mistake in the package would otherwise go
unnoticed wherever a test takes its values from the package; here it fails
with the parameter named. ``tests/helpers.py`` makes the oracle comparisons
fail too (:func:`helpers.check_defaults_are_the_oracles`).
"""

import argparse
import dataclasses
import functools
import inspect
import math

import numpy as np
import pytest
from brian2 import Hz, ms, mV, second
from brian2.units.fundamentalunits import have_same_dimensions

from superspike_brian import (
    LearningParameters,
    ModelParameters,
    NeuronParameters,
    RegularizerParameters,
    Schedule,
)
from superspike_brian.cli.build import make_task, make_trainer
from superspike_brian.options import add_train_arguments
from superspike_brian.tasks import xor
from superspike_brian.tasks.pattern import pattern_task
from superspike_brian.tasks.single_neuron import single_neuron_task
from superspike_brian.training import xor as xor_runs

from . import oracle

#: docs/model.md, "Parameters": the path of the parameter in ModelParameters -> default.
MODEL = {
    "dt": 0.1 * ms,
    "neuron.tau_mem": 10 * ms,
    "neuron.tau_syn": 5 * ms,
    "neuron.U_rest": -60 * mV,
    "neuron.theta": -50 * mV,
    "neuron.tau_ref": 5 * ms,
    "neuron.delay": 0.8 * ms,
    "learning.tau_rise": 5 * ms,
    "learning.tau_decay": 10 * ms,
    "learning.beta": 1 / mV,
    "learning.U_cut": -80 * mV,
    "learning.t_update": 0.5 * second,
    "learning.tau_rms": 30 * second,
    "learning.eps_rms": 1e-12,
    "learning.w_max": 100 * mV,
    "learning.r0": 1 * mV,
    "learning.w0": 50 * mV,
    "learning.tau_avg": 10 * second,
    "learning.error_delay": 0.2 * ms,
    "regularizer.rho": 1e-6 / mV,
    "regularizer.a": 4,
    "regularizer.tau_het": 100 * ms,
}

#: docs/model.md, the training schedule's table ("the superspike train defaults are the same").
SCHEDULE = {
    "burn_in": 10 * second,
    "block": 10 * second,
    "n_blocks": 80,
    "decay_at": (20,),
    "decay_factor": 0.1,
}

#: docs/data.md: the built-in task ``single_neuron_task(seed)``.
SINGLE_NEURON = {
    "n_in": 100,
    "n_out": 1,
    "rate": 5 * Hz,
    "period": 0.5 * second,
    # "targets at exactly k x 500/6 ms (83.3, 166.7, ...)", the 5 spikes of the SSBM data.
    "target_times": [k * 500 / 6 * ms for k in range(1, 6)],
}

#: docs/examples.md (models/pattern.py): 100 inputs -> n_h -> 100 outputs, a 3.5 s
#: pattern; docs/data.md: the authors' inputs of this task fire at 5 Hz.
PATTERN = {"n_in": 100, "n_out": 100, "period": 3.5 * second, "input_rate": 5 * Hz}

#: docs/xor.md, "Task" and "Chosen values".
XOR = {
    "n_in": 100,
    "groups": (34, 33, 33),
    "stimulus": 10 * ms,
    "window": 10 * ms + 15 * ms,
    "gap": (100 * ms, 200 * ms),
    "background": 4 * Hz,
    "n_trials": 200,
    "period": 32.161 * second,
    "hidden": 4,
    "n_out": 2,
    "burn_in": 0.5 * second,
    "block": 10 * second,
    "n_blocks": 80,
    "training": 800 * second,
    # "800.5 s: 0.5 s burn-in + 80 blocks of 10 s"
    "total": 800.5 * second,
    "decay_after": (400 * second, 600 * second),
    "decay_factor": 0.1,
}

#: Key of the oracle's defaults -> (path in MODEL, the unit the key names).
ORACLE_KEYS = {
    "dt_ms": ("dt", ms),
    "tau_mem_ms": ("neuron.tau_mem", ms),
    "tau_syn_ms": ("neuron.tau_syn", ms),
    "U_rest_mV": ("neuron.U_rest", mV),
    "theta_mV": ("neuron.theta", mV),
    "tau_ref_ms": ("neuron.tau_ref", ms),
    "delay_ms": ("neuron.delay", ms),
    "tau_rise_ms": ("learning.tau_rise", ms),
    "tau_decay_ms": ("learning.tau_decay", ms),
    "beta_per_mV": ("learning.beta", 1 / mV),
    "U_cut_mV": ("learning.U_cut", mV),
    "t_b_s": ("learning.t_update", second),
    "tau_rms_s": ("learning.tau_rms", second),
    "eps": ("learning.eps_rms", 1),
    "w_max_mV": ("learning.w_max", mV),
    "tau_het_ms": ("regularizer.tau_het", ms),
    "tau_avg_s": ("learning.tau_avg", second),
    "error_delay_ms": ("learning.error_delay", ms),
    "r0_mV": ("learning.r0", mV),
    "w0_mV": ("learning.w0", mV),
    "rho_per_mV": ("regularizer.rho", 1 / mV),
    "a": ("regularizer.a", 1),
}

GROUPS = {
    "neuron": NeuronParameters,
    "learning": LearningParameters,
    "regularizer": RegularizerParameters,
}


def assert_spec(name, value, spec, source):
    """Assert that ``value`` is the spec's value ``spec``: same unit, same number.

    Parameters
    ----------
    name : str
        What is compared, for the message (e.g. ``"ModelParameters().neuron.tau_ref"``).
    value, spec : Quantity, float, int or tuple
        The package's value and the spec's literal; tuples element by element.
    source : str
        Where the spec states the value.
    """
    message = f"{name} is {value!r}; {source} says {spec!r}"
    if isinstance(spec, tuple):
        assert isinstance(value, tuple) and len(value) == len(spec), message
        for k, (v, s) in enumerate(zip(value, spec, strict=True)):
            assert_spec(f"{name}[{k}]", v, s, source)
        return
    assert have_same_dimensions(value, spec), f"{message} (another unit)"
    # A unit conversion may change the last bit; a changed default changes far more.
    assert math.isclose(float(value), float(spec), rel_tol=1e-12, abs_tol=0.0), message


def _get(obj, path):
    return functools.reduce(getattr, path.split("."), obj)


def _default_of(function, argument):
    return inspect.signature(function).parameters[argument].default


def train_options(argv):
    """The options of ``superspike train`` parsed from ``argv``, defaults filled in."""
    parser = argparse.ArgumentParser(prog="superspike train")
    add_train_arguments(parser)
    return parser.parse_args(argv)


def _assert_model_defaults(params, what):
    for path, spec in MODEL.items():
        assert_spec(f"{what}.{path}", _get(params, path), spec, "docs/model.md")


# --- the model's parameters ------------------------------------------------


@pytest.mark.parametrize("path", list(MODEL))
def test_model_parameter_default(path):
    assert_spec(
        f"ModelParameters().{path}", _get(ModelParameters(), path), MODEL[path], "docs/model.md"
    )
    group, _, name = path.partition(".")
    if name:
        # A group built on its own has the same defaults as inside ModelParameters.
        assert_spec(
            f"{GROUPS[group].__name__}().{name}",
            getattr(GROUPS[group](), name),
            MODEL[path],
            "docs/model.md",
        )


def test_every_model_parameter_has_a_spec_value():
    # A parameter added without a row in the spec's table would escape the test above.
    paths = {"dt"} | {
        f"{group}.{f.name}" for group, cls in GROUPS.items() for f in dataclasses.fields(cls)
    }
    groups = {f.name for f in dataclasses.fields(ModelParameters)} - {"dt"}
    assert groups == set(GROUPS), f"ModelParameters has groups {sorted(groups)}"
    assert paths == set(MODEL), (
        f"without a spec value here: {sorted(paths - set(MODEL))};"
        f" not parameters of the package: {sorted(set(MODEL) - paths)}"
    )


def test_derived_gamma_is_the_specs():
    # docs/model.md: gamma = exp(-t_update/tau_rms).
    spec = math.exp(-float(MODEL["learning.t_update"] / MODEL["learning.tau_rms"]))
    assert_spec("LearningParameters().gamma", LearningParameters().gamma, spec, "docs/model.md")


def test_the_oracles_defaults_are_the_specs():
    # The oracle has its own copy of the spec's values; it must be the same table.
    defaults = {**oracle.DEFAULTS, **oracle.INPUT_DEFAULTS}
    assert set(defaults) == set(ORACLE_KEYS), (
        f"oracle keys without a spec value here: {sorted(set(defaults) - set(ORACLE_KEYS))};"
        f" missing in the oracle: {sorted(set(ORACLE_KEYS) - set(defaults))}"
    )
    for key, (path, unit) in ORACLE_KEYS.items():
        assert_spec(
            f"oracle default {key}", defaults[key], float(MODEL[path] / unit), "docs/model.md"
        )


# --- the training schedule -------------------------------------------------


@pytest.mark.parametrize("name", list(SCHEDULE))
def test_schedule_default(name):
    assert_spec(f"Schedule().{name}", getattr(Schedule(), name), SCHEDULE[name], "docs/model.md")


def test_every_schedule_field_has_a_spec_value():
    names = {f.name for f in dataclasses.fields(Schedule)}
    assert names == set(SCHEDULE), (
        f"without a spec value here: {sorted(names - set(SCHEDULE))};"
        f" not fields of Schedule: {sorted(set(SCHEDULE) - names)}"
    )


def test_default_learning_rates_are_the_specs():
    # docs/model.md, "Learning-rate schedule": 0 before 10 s, 1 mV from the update
    # at 10 s through the one at 210 s, 0.1 mV from 210.5 s to the end at 810 s
    # (1621 updates, k = 0..1620).
    r0, t_update = MODEL["learning.r0"], MODEL["learning.t_update"]
    lr = Schedule().learning_rates(r0, t_update)
    assert lr.size == 1621, f"{lr.size} updates; docs/model.md says 1621"
    t = np.arange(lr.size) * float(t_update)
    assert t[-1] == pytest.approx(810.0)
    expected = np.where(t < 10.0, 0.0, np.where(t <= 210.0, float(r0), 0.1 * float(r0)))
    np.testing.assert_allclose(lr, expected, rtol=1e-12, atol=0, err_msg="learning rates (V)")


def test_train_command_defaults_are_the_specs():
    # `superspike train` sets r0 and error_delay from options of its own, and the
    # schedule from --burn-in, --block, --duration and --decay-at.
    args = train_options([])
    trainer = make_trainer(args, make_task(args))
    _assert_model_defaults(trainer.network.params, "superspike train: params")
    for name, spec in SCHEDULE.items():
        assert_spec(
            f"superspike train: schedule.{name}",
            getattr(trainer.schedule, name),
            spec,
            "docs/model.md",
        )


def test_random_feedback_has_the_regularizer_by_default():
    # docs/data.md: "--hidden 4 --feedback random (regularizer on by default)".
    args = train_options(["--hidden", "4", "--feedback", "random"])
    trainer = make_trainer(args, make_task(args))
    assert trainer.network.regularizer is True, "random feedback without the regularizer"
    _assert_model_defaults(trainer.network.params, "superspike train --feedback random: params")
    args = train_options(["--hidden", "4"])
    assert make_trainer(args, make_task(args)).network.regularizer is False


# --- the built-in tasks ----------------------------------------------------


def _assert_rate(raster, rate, duration_s, n_units, what, n_sd=4.0):
    """The mean rate of ``raster`` is ``rate`` to within ``n_sd`` Poisson deviations."""
    expected = float(rate / Hz) * duration_s * n_units
    assert abs(raster.n_spikes - expected) < n_sd * math.sqrt(expected), (
        f"{what}: {raster.n_spikes} spikes, {expected:g} expected at {rate}"
    )


def test_single_neuron_task_defaults():
    spec, source = SINGLE_NEURON, "docs/data.md"
    assert_spec(
        "single_neuron_task(rate=)", _default_of(single_neuron_task, "rate"), spec["rate"], source
    )
    assert_spec(
        "single_neuron_task(period=)",
        _default_of(single_neuron_task, "period"),
        spec["period"],
        source,
    )
    tasks = {"single_neuron_task()": single_neuron_task()}
    # The task of `superspike train` without spike files.
    tasks["superspike train"] = make_task(train_options([]))
    for what, task in tasks.items():
        assert task.n_in == spec["n_in"], f"{what}: {task.n_in} inputs; {source} says 100"
        assert task.n_out == spec["n_out"], f"{what}: {task.n_out} outputs; {source} says 1"
        assert_spec(f"{what}.period", task.period * second, spec["period"], source)
        times = tuple(t * second for t in task.target.times)
        assert_spec(f"{what}: target spike times", times, tuple(spec["target_times"]), source)
        assert np.all(task.target.ids == 0)
    # The default rate is the one the draw uses: 20 seeds, 5000 spikes expected.
    total = sum(single_neuron_task(seed=s).input.n_spikes for s in range(1, 21))
    expected = float(spec["rate"] * spec["period"]) * spec["n_in"] * 20
    assert abs(total - expected) < 4 * math.sqrt(expected), f"{total} input spikes in 20 seeds"


def test_pattern_task_defaults():
    spec, source = PATTERN, "docs/examples.md (models/pattern.py), docs/data.md"
    assert_spec(
        "pattern_task(input_rate=)",
        _default_of(pattern_task, "input_rate"),
        spec["input_rate"],
        source,
    )
    task = pattern_task()
    assert task.n_in == spec["n_in"], f"pattern_task(): {task.n_in} inputs; {source} says 100"
    assert task.n_out == spec["n_out"], f"pattern_task(): {task.n_out} outputs; {source} says 100"
    assert_spec("pattern_task().period", task.period * second, spec["period"], source)
    _assert_rate(
        task.input, spec["input_rate"], float(spec["period"]), spec["n_in"], "pattern input"
    )


def test_xor_task_defaults():
    spec, source = XOR, "docs/xor.md"
    assert_spec(
        "xor_task(background_hz=)",
        _default_of(xor.xor_task, "background_hz") * Hz,
        spec["background"],
        source,
    )
    assert_spec(
        "xor_task(gap=)",
        tuple(g * second for g in _default_of(xor.xor_task, "gap")),
        spec["gap"],
        source,
    )
    task = xor.xor_task()
    assert task.n_in == spec["n_in"] and task.n_out == spec["n_out"], (
        f"xor_task(): {task.n_in} -> {task.n_out}; {source} says 100 inputs, 2 outputs"
    )
    assert task.onsets.size == spec["n_trials"], f"{task.onsets.size} trials; {source} says 200"
    assert np.all(np.bincount(task.patterns, minlength=4) == spec["n_trials"] // 4), "unbalanced"
    assert tuple(len(g) for g in xor.input_groups()) == spec["groups"]
    assert_spec("xor_task().window", task.window * second, spec["window"], source)
    assert_spec("xor_task().period", task.period * second, spec["period"], source)
    # Gaps: before the first onset, between a stimulus end and the next onset, after the last.
    stimulus = float(spec["stimulus"])
    ends = task.onsets + stimulus
    gaps = np.concatenate([[task.onsets[0]], task.onsets[1:] - ends[:-1], [task.period - ends[-1]]])
    low, high = (float(g) for g in spec["gap"])
    assert np.all((gaps > low - 1e-9) & (gaps < high + 1e-9)), (
        f"gaps from {gaps.min()} s to {gaps.max()} s"
    )
    np.testing.assert_allclose(
        gaps * 1e3, np.round(gaps * 1e3), atol=1e-6, err_msg="gaps in whole ms"
    )
    # In a stimulus, each unit of the pattern's groups fires once and nothing else does.
    groups = xor.input_groups()
    t, i = task.input.times, task.input.ids
    for onset, p in zip(task.onsets, task.patterns, strict=True):
        inside = (t >= onset) & (t < onset + stimulus)
        members = [0] + [1] * (p >> 1) + [2] * (p & 1)
        want = np.sort(np.concatenate([groups[g] for g in members]))
        np.testing.assert_array_equal(np.sort(i[inside]), want, err_msg=f"stimulus at {onset} s")
    gap_time = task.period - spec["n_trials"] * stimulus
    background = task.input.n_spikes - sum(
        len(groups[0]) + len(groups[1]) * (p >> 1) + len(groups[2]) * (p & 1) for p in task.patterns
    )
    expected = float(spec["background"] / Hz) * gap_time * spec["n_in"]
    assert abs(background - expected) < 4 * math.sqrt(expected), f"{background} background spikes"


def test_xor_network_and_schedule_defaults():
    spec, source = XOR, "docs/xor.md"
    net = xor_runs.make_network()
    assert (net.n_in, tuple(net.hidden), net.n_out) == (
        spec["n_in"],
        (spec["hidden"],),
        spec["n_out"],
    ), f"xor network {net.n_in} -> {net.hidden} -> {net.n_out}; {source} says 100 -> 4 -> 2"
    assert net.error == "classification"
    _assert_model_defaults(net.params, "training.xor.make_network().params")
    assert xor_runs.make_network(feedback="random").regularizer is True, (
        "random feedback, no regularizer"
    )
    assert_spec("xor.DURATION", xor.DURATION * second, spec["training"], source)
    assert_spec(
        "xor.DECAY_AFTER", tuple(d * second for d in xor.DECAY_AFTER), spec["decay_after"], source
    )
    assert_spec("xor.DECAY_FACTOR", xor.DECAY_FACTOR, spec["decay_factor"], source)
    schedule = xor_runs.training_schedule(net, xor.DURATION)
    for name in ("burn_in", "block", "n_blocks"):
        assert_spec(f"xor schedule.{name}", getattr(schedule, name), spec[name], source)
    assert_spec("xor schedule.duration", schedule.duration, spec["total"], source)
    # "r0 to 400 s, r0/10 from 400 s, r0/100 from 600 s": a drop takes effect at
    # the block boundary nearest its time (400.5 s), so within one update of it.
    r0, t_update = MODEL["learning.r0"], MODEL["learning.t_update"]
    lr = schedule.learning_rates(r0, t_update)
    t = np.arange(lr.size) * float(t_update)
    drop_1, drop_2 = (float(d) for d in spec["decay_after"])
    r = float(r0)
    for when, rate in (
        (t < float(spec["burn_in"]), 0.0),
        ((t >= float(spec["burn_in"])) & (t <= drop_1), r),
        ((t >= drop_1 + 1.0) & (t <= drop_2), r * spec["decay_factor"]),
        (t >= drop_2 + 1.0, r * spec["decay_factor"] ** 2),
    ):
        assert when.any()
        np.testing.assert_allclose(lr[when], rate, rtol=1e-12, atol=0, err_msg="xor learning rates")
