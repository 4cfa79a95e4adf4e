"""The inputs of a run: the package against the spec's definitions.

``tests/inputs.py`` implements the section "Inputs of a run" of
``docs/discrete_time.md``; the oracle comparisons take their inputs from it.
These tests check it against values worked out by hand from that text, and pin
the package's own learning rates, spike tables, initial weights and feedback
matrices to it, so that a change of either shows here and not only as a
mismatch of a whole training run.
"""

import numpy as np
import pytest
from brian2 import Hz, ms, mV, second

from superspike_brian import (
    LearningParameters,
    ModelParameters,
    Schedule,
    SpikeRaster,
    SuperSpikeNetwork,
    single_neuron_task,
)

from . import inputs
from .helpers import SHORT, small_network, small_task, small_xor_task

DT = 1e-4  # s

# --------------------------------------------------------------- learning rates

#: Burn-in of 3 update intervals, blocks of 2, decays at blocks 1 and 3, worked
#: out by hand from the spec: 0 for k < 3; r0 = 2 mV from the update at the end
#: of the burn-in (k = 3) through the update at the start of block 1 (k = 5);
#: halved from k = 6 through the start of block 3 (k = 9); halved again after.
HAND_TWO_DECAYS = (
    Schedule(burn_in=60 * ms, block=40 * ms, n_blocks=5, decay_at=(1, 3), decay_factor=0.5),
    2 * mV,
    [0, 0, 0, 2, 2, 2, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5],
)
#: Burn-in of 2 intervals, blocks of 3, decays at blocks 0, 2 and 3 (factor 0.1):
#: block 0 starts at k = 2, which still has r0; blocks 2 and 3 start at k = 8
#: and k = 11.
HAND_THREE_DECAYS = (
    Schedule(burn_in=40 * ms, block=60 * ms, n_blocks=4, decay_at=(0, 2, 3), decay_factor=0.1),
    1 * mV,
    [0, 0, 1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001],
)
#: A block listed twice decays twice; a block past the last never decays.
HAND_REPEATED = (
    Schedule(burn_in=20 * ms, block=20 * ms, n_blocks=3, decay_at=(1, 1, 7), decay_factor=0.5),
    4 * mV,
    [0, 4, 4, 1, 1],
)


@pytest.mark.parametrize("case", [HAND_TWO_DECAYS, HAND_THREE_DECAYS, HAND_REPEATED])
def test_schedule_learning_rates_by_hand(case):
    """`Schedule.learning_rates` and the spec's definition give the hand-made rates."""
    schedule, r0, expected_mV = case
    expected = np.array(expected_mV) * 1e-3  # V
    got = schedule.learning_rates(r0, 20 * ms)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    spec = inputs.learning_rates(
        float(r0),
        0.020,
        float(schedule.burn_in),
        float(schedule.block),
        schedule.n_blocks,
        schedule.decay_at,
        schedule.decay_factor,
    )
    np.testing.assert_allclose(spec, expected, rtol=1e-12, atol=0)


def test_no_burn_in_learns_from_the_first_update():
    schedule = Schedule(burn_in=0 * second, block=40 * ms, n_blocks=2, decay_at=(1,))
    got = schedule.learning_rates(1 * mV, 20 * ms) * 1e3
    np.testing.assert_allclose(got, [1, 1, 1, 0.1, 0.1], rtol=1e-12)


@pytest.mark.parametrize(
    "schedule,t_update",
    [
        (SHORT, 20 * ms),
        (Schedule(), 0.5 * second),
        (
            Schedule(burn_in=0.5 * second, block=20 * second, n_blocks=40, decay_at=(20, 30)),
            0.5 * second,
        ),
        (
            Schedule(burn_in=0.3 * second, block=0.1 * second, n_blocks=7, decay_at=(6, 2, 4)),
            0.1 * second,
        ),
    ],
)
def test_package_learning_rates_follow_the_spec(schedule, t_update):
    r0 = 3 * mV
    spec = inputs.learning_rates(
        float(r0),
        float(t_update),
        float(schedule.burn_in),
        float(schedule.block),
        schedule.n_blocks,
        schedule.decay_at,
        schedule.decay_factor,
    )
    np.testing.assert_allclose(schedule.learning_rates(r0, t_update), spec, rtol=1e-12, atol=0)


# ------------------------------------------------------------------ spike tables


def test_spike_table_by_hand():
    """Rounding halves up, delay in steps, wrapping into the period (spec)."""
    #       step 0  half -> 1  1.5 -> 2   3.4 -> 3   last: 999.6 -> 1000 -> 0
    times = [0.0, 0.00005, 0.00015, 0.00034, 0.09996]
    table = inputs.spike_table(times, [0, 1, 1, 2, 2], 3, 1000, DT, n_delay=0)
    assert sorted(zip(*np.nonzero(table), strict=True)) == [(0, 0), (0, 2), (1, 1), (2, 1), (3, 2)]
    shifted = inputs.spike_table(times, [0, 1, 1, 2, 2], 3, 1000, DT, n_delay=998)
    assert sorted(zip(*np.nonzero(shifted), strict=True)) == [
        (0, 1),
        (1, 2),
        (998, 0),
        (998, 2),
        (999, 1),
    ]


def _raster_cases():
    edge = SpikeRaster(
        [0.0, 0.00005, 0.00015, 0.0495, 0.09925, 0.09951, 0.09996],
        [0, 1, 2, 3, 0, 1, 2],
        4,
        0.1,
    )
    return {
        "edge": edge,
        "small": small_task().input,
        "small target": small_task().target,
        "single neuron": single_neuron_task(seed=1).input,
        "xor": small_xor_task().input,
    }


@pytest.mark.parametrize("name", list(_raster_cases()))
@pytest.mark.parametrize("delay_steps", [0, 1, 8, 49])
def test_package_dense_table_follows_the_spec(name, delay_steps):
    raster = _raster_cases()[name]
    n_period = inputs.whole_multiple(raster.duration, DT)
    spec = inputs.spike_table(
        raster.times, raster.ids, raster.n_units, n_period, DT, n_delay=delay_steps
    )
    got = raster.dense(DT, shift_seconds=delay_steps * DT)
    np.testing.assert_array_equal(got, spec)
    assert got.any()


def test_window_tables_by_hand():
    # Unit 0: [1.0, 2.5) ms; unit 1: [3.0, 5.0) ms, ending at the period end.
    open_t, end_t = inputs.window_tables([0.001, 0.003], [0.0025, 0.005], [0, 1], 2, 50, DT)
    np.testing.assert_array_equal(np.flatnonzero(open_t[:, 0]), np.arange(10, 25))
    np.testing.assert_array_equal(np.flatnonzero(open_t[:, 1]), np.arange(30, 50))
    np.testing.assert_array_equal(np.flatnonzero(end_t[:, 0]), [25])
    np.testing.assert_array_equal(np.flatnonzero(end_t[:, 1]), [0])
    with pytest.raises(ValueError, match="overlap or touch"):
        inputs.window_tables([0.001, 0.002], [0.002, 0.003], [0, 0], 1, 50, DT)
    with pytest.raises(ValueError, match="overlap or touch"):
        inputs.window_tables([0.001, 0.002], [0.0025, 0.003], [0, 0], 1, 50, DT)


# ------------------------------------------------------- weights and feedback


def _net(hidden, feedback="symmetric", seed=5, n_in=3, w0=300 * mV):
    params = ModelParameters(learning=LearningParameters(w0=w0))
    return SuperSpikeNetwork(
        n_in=n_in, hidden=hidden, n_out=2, feedback=feedback, params=params, seed=seed
    )


@pytest.mark.parametrize("hidden", [(), (5,), (6, 4)])
@pytest.mark.parametrize("seed", [0, 5])
def test_package_initial_weights_follow_the_spec(hidden, seed):
    # w0 = 300 mV over 3 inputs: sd 173 mV, so the clipping at 100 mV shows.
    net = _net(hidden, seed=seed)
    sizes = [3, *hidden, 2]
    spec = inputs.initial_weights(sizes, 300.0, 100.0, seed)
    got = net.initial_weights()
    assert len(got) == len(spec) == len(sizes) - 1
    for w, w_spec in zip(got, spec, strict=True):
        np.testing.assert_array_equal(w, w_spec)
    assert np.abs(got[0]).max() == 100.0
    # The seed matters, and the first draw is the first connection's.
    other = inputs.initial_weights(sizes, 300.0, 100.0, seed + 1)
    assert not np.array_equal(got[0], other[0])


def test_spec_initial_weights_scale_with_fan_in():
    (w,) = inputs.initial_weights([400, 300], 50.0, 100.0, 2)
    assert w.std() == pytest.approx(50.0 / 20.0, rel=0.02)


@pytest.mark.parametrize("hidden", [(5,), (6, 4)])
@pytest.mark.parametrize("feedback", ["random", "uniform"])
def test_package_feedback_matrices_follow_the_spec(hidden, feedback):
    net = _net(hidden, feedback=feedback, seed=7)
    sizes = [3, *hidden, 2]
    spec = inputs.feedback_matrices(sizes, feedback, 7)
    got = net.feedback_matrices()
    assert [b.shape for b in got] == [(sizes[l + 1], sizes[l]) for l in range(1, len(sizes) - 1)]
    for b, b_spec in zip(got, spec, strict=True):
        np.testing.assert_array_equal(b, b_spec)
    if feedback == "random":
        assert not np.array_equal(got[0], inputs.feedback_matrices(sizes, feedback, 8)[0])


def test_run_oracle_inputs_span_the_schedule():
    """The oracle's run covers the schedule's K update intervals and no more."""
    from .helpers import oracle_inputs

    task = small_task(rate=40 * Hz)
    net = small_network(task)
    given = oracle_inputs(net, task, SHORT)
    # SHORT: 40 ms burn-in + 9 blocks of 40 ms at t_b = 20 ms: K = 20.
    assert given["n_steps"] == 20 * 200
    assert given["lr"].size == 21
    assert given["arrive"].shape == (4000, task.n_in)
    np.testing.assert_array_equal(given["arrive"][1000:2000], given["arrive"][:1000])
