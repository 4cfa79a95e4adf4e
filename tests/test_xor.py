"""The spiking XOR task (Fig 5): the classification error and learning.

The error signal is checked on hand-made output spike trains (inputs with one
strong synapse each make the output units spike where the test wants them), by
reading the jumps of ``er`` of the output group in runtime mode.
"""

import numpy as np
import pytest
from brian2 import Network, StateMonitor, defaultclock, second

from superspike_brian import devices
from superspike_brian.feedforward.builder import build_model
from superspike_brian.feedforward.network import SuperSpikeNetwork
from superspike_brian.feedforward.values import model_values
from superspike_brian.tasks.spikeio import SpikeRaster
from superspike_brian.tasks.task import Task
from superspike_brian.tasks.xor import (
    DECAY_AFTER,
    DURATION,
    XorTask,
    block_accuracy,
    classify_units,
    gap_grid,
    perfect_blocks,
    score,
    trials_to_perfect,
    unit_responses,
    xor_task,
)
from superspike_brian.training.xor import (
    evaluate,
    make_network,
    run_seeds,
    train_xor,
    training_schedule,
)

DT = 1e-4


def _hand_made_task():
    """Three windows in 200 ms; input j drives output unit j alone.

    ======  ===========  ======  =================================================
    window  steps        target  what happens
    ======  ===========  ======  =================================================
    W1      100..349     0       input 0 at 12 ms: unit 0 spikes once (correct)
    W2      600..849     1       unit 1 silent (missed: +1 at step 850);
                                 input 0 at 62 ms: unit 0 spikes (wrong: -1)
    W3      1500..1749   0       input 0 at 151 and 165 ms: two spikes of unit 0
                                 (first correct, second surplus: -1)
    --      --           --      input 1 at 120 ms: unit 1 spikes outside any
                                 window (-1)
    ======  ===========  ======  =================================================
    """
    period = 0.2
    inputs = SpikeRaster([0.012, 0.062, 0.120, 0.151, 0.165], [0, 0, 1, 0, 0], 2, period)
    target = SpikeRaster(np.array([]), np.array([], dtype=int), 2, period)
    return XorTask(
        name="hand-made",
        input=inputs,
        target=target,
        period=period,
        onsets=np.array([0.010, 0.060, 0.150]),
        patterns=np.array([0, 1, 0]),
        labels=np.array([0, 1, 0]),
    )


@pytest.fixture(scope="module")
def hand_made():
    """er jumps (steps x units) and output spikes (step, unit) over two periods.

    The model's default error delay holds: every jump comes ``n_err`` steps
    after the spike or window end that causes it (``_n_err``).
    """
    task = _hand_made_task()
    net = SuperSpikeNetwork(
        n_in=2, n_out=2, error="classification", initial=[np.diag([100.0, 100.0])]
    )
    devices.activate("runtime")
    try:
        defaultclock.dt = net.params.dt
        model = build_model(net, task, model_values(net, task, [np.zeros(1)]), learn="controller")
        mon = StateMonitor(model.rule.error_group, "er", record=True, name="er_monitor")
        # Two periods: the tables and the flag must work cyclically.
        Network(*model.objects, mon).run(2 * task.period * second, namespace=model.namespace)
        er = np.array(mon.er[:]).T  # (steps, units), at the start of each step
        t, i = model.spike_monitors[-1].t_[:], model.spike_monitors[-1].i[:]
    finally:
        devices.deactivate()
    # The value recorded at the start of step n+1 is that of step n after its
    # jumps; removing the exact decay over one step leaves the jump of step n.
    decay = np.exp(-DT / float(net.params.learning.tau_rise))
    jumps = er[1:] - er[:-1] * decay
    steps = np.round(np.asarray(t) / DT).astype(int)
    return task, jumps, list(zip(steps.tolist(), np.asarray(i).tolist(), strict=True))


def _n_err():
    return int(round(float(SuperSpikeNetwork(n_in=2, n_out=2).params.learning.error_delay) / DT))


def _expected_jumps(task, spikes, n_steps):
    """The rule of docs/discrete_time.md, written out independently."""
    d = _n_err()
    n_period = int(round(task.period / DT))
    w = int(round(task.window / DT))
    out = np.zeros((n_steps, 2))
    windows = [
        (r * n_period + int(round(o / DT)), u)
        for r in range(2)
        for o, u in zip(task.onsets, task.labels, strict=True)
    ]
    for start, u in windows:
        inside = [s for s, j in spikes if j == u and start <= s < start + w]
        if not inside and start + w + d < n_steps:
            out[start + w + d, u] += 1.0
    for s, j in spikes:
        first = any(
            u == j
            and start <= s < start + w
            and min(x for x, k in spikes if k == j and x >= start) == s
            for start, u in windows
        )
        if not first and s + d < n_steps:
            out[s + d, j] -= 1.0
    return out


def test_hand_made_trains_spike_as_designed(hand_made):
    _, _, spikes = hand_made
    units = [j for _, j in spikes]
    assert units.count(0) == 8 and units.count(1) == 2, spikes


def test_classification_error_jumps(hand_made):
    task, jumps, spikes = hand_made
    d = _n_err()
    assert d == 2
    by_unit = {0: [s for s, j in spikes if j == 0], 1: [s for s, j in spikes if j == 1]}
    s0 = by_unit[0]
    # W1: the correct spike of unit 0 gives no error, and no error at the window end.
    assert 100 <= s0[0] < 350 and jumps[s0[0] + d, 0] == pytest.approx(0.0, abs=1e-12)
    assert jumps[350 + d, 0] == pytest.approx(0.0, abs=1e-12)
    # W2: a spike of the wrong unit is -1 (d steps later); the silent target +1 at the end.
    assert 600 <= s0[1] < 850 and jumps[s0[1] + d, 0] == pytest.approx(-1.0)
    assert jumps[850 + d, 1] == pytest.approx(1.0)
    # Outside every window: -1.
    assert jumps[by_unit[1][0] + d, 1] == pytest.approx(-1.0)
    # W3: first spike free, the surplus one -1, no +1 at the end.
    assert jumps[s0[2] + d, 0] == pytest.approx(0.0, abs=1e-12)
    assert jumps[s0[3] + d, 0] == pytest.approx(-1.0)
    assert jumps[1750 + d, 0] == pytest.approx(0.0, abs=1e-12)
    # Nothing on the steps of the events themselves.
    assert jumps[s0[1], 0] == pytest.approx(0.0, abs=1e-12)
    assert jumps[850, 1] == pytest.approx(0.0, abs=1e-12)
    # Everything, both periods: exactly the rule, nothing else.
    np.testing.assert_allclose(jumps, _expected_jumps(task, spikes, len(jumps)), atol=1e-9)


def test_classification_windows_are_validated():
    task = _hand_made_task()
    bad = XorTask(
        name="overlap",
        input=task.input,
        target=task.target,
        period=task.period,
        onsets=np.array([0.010, 0.020]),
        patterns=np.array([0, 0]),
        labels=np.array([0, 0]),
    )
    net = SuperSpikeNetwork(n_in=2, n_out=2, error="classification")
    with pytest.raises(ValueError, match="overlap"):
        model_values(net, bad, [np.zeros(1)])
    with pytest.raises(ValueError, match="needs a task with windows"):
        model_values(net, Task("plain", task.input, task.target, task.period), [np.zeros(1)])
    with pytest.raises(ValueError, match="has 2 inputs and 2 outputs, the network 3 and 2"):
        model_values(SuperSpikeNetwork(n_in=3, n_out=2), task, [np.zeros(1)])
    with pytest.raises(ValueError, match="error must be one of"):
        SuperSpikeNetwork(n_in=2, n_out=2, error="hinge")


def test_xor_task_structure():
    task = xor_task(seed=3, n_trials=40)
    assert task.n_in == 100 and task.n_out == 2 and len(task.trials) == 40
    assert np.bincount(task.patterns).tolist() == [10, 10, 10, 10]
    np.testing.assert_array_equal(task.labels, [(p >> 1) ^ (p & 1) for p in task.patterns])
    gaps = np.diff(task.onsets) - 0.010
    assert gaps.min() >= 0.100 - 1e-9 and gaps.max() <= 0.200 + 1e-9
    # Same patterns, another order, for the held-out stream.
    test = xor_task(seed=3, n_trials=40, stream=1)
    assert not np.array_equal(test.patterns, task.patterns)
    # Scoring on hand-made output: the target spikes in trial 0, nothing else.
    on = task.onsets[0]
    sc = score(([on + 0.005], [task.labels[0]]), task, task.period)
    assert sc["correct"][0] and not sc["correct"][1:].any()


def test_accuracy_criteria():
    correct = np.ones(200, dtype=bool)
    correct[[10, 120]] = False  # blocks 1 and 3 of 50 spoiled
    np.testing.assert_allclose(block_accuracy(correct), [0.98, 1.0, 0.98, 1.0])
    assert perfect_blocks(correct) == 2 and trials_to_perfect(correct) == 100.0
    correct[[60, 160]] = False
    assert perfect_blocks(correct) == 0 and np.isnan(trials_to_perfect(correct))
    # A trailing part block is not scored.
    assert perfect_blocks(np.ones(99, dtype=bool)) == 1


def test_unit_responses_and_classes():
    """Hand-made hidden spikes over two periods: selective, every-pattern, silent units."""
    task = xor_task(seed=3, n_trials=40)
    times, ids = [], []
    for rep in range(2):
        for onset, p in zip(task.onsets, task.patterns, strict=True):
            t0 = rep * task.period + onset
            if p in (1, 2):  # unit 0: the two class-1 patterns (an XOR unit)
                times.append(t0 + 0.005)
                ids.append(0)
            times.append(t0 + 0.020)  # unit 1: every pattern, late in the window
            ids.append(1)
            # unit 3: pattern 3 only in the first period (half of its trials),
            # and right at the window end (outside) in every trial.
            if p == 3 and rep == 0:
                times.append(t0 + 0.001)
                ids.append(3)
            times.append(t0 + task.window)
            ids.append(3)
    # Unit 2 fires only in the gaps.
    times += [task.onsets[0] / 2, task.period + task.onsets[0] / 2]
    ids += [2, 2]
    resp = unit_responses((np.array(times), np.array(ids)), task, 4, 2 * task.period)
    np.testing.assert_allclose(resp[0], [0, 1, 1, 0])
    np.testing.assert_allclose(resp[1], [1, 1, 1, 1])
    np.testing.assert_allclose(resp[2], [0, 0, 0, 0])
    np.testing.assert_allclose(resp[3], [0, 0, 0, 0.5])
    assert classify_units(resp) == {"silent": 1, "all": 1, "selective": 2}
    assert classify_units(resp, threshold=0.6) == {"silent": 2, "all": 1, "selective": 1}
    # Only the first period: unit 3 answers to pattern 3 in every trial.
    first = unit_responses((np.array(times), np.array(ids)), task, 4, task.period)
    np.testing.assert_allclose(first[3], [0, 0, 0, 1])


def test_streams_share_one_period():
    """Gaps: an even spread over 100-200 ms in a random order, so the period is fixed."""
    grid = gap_grid(41)
    assert grid.min() == pytest.approx(0.100) and grid.max() == pytest.approx(0.200)
    np.testing.assert_allclose(grid * 1000, np.round(grid * 1000), atol=1e-9)  # whole ms
    tasks = [xor_task(seed=s, n_trials=40, stream=st) for s in (1, 2) for st in (0, 1)]
    assert len({t.period for t in tasks}) == 1
    # Every stream uses exactly the gaps of the grid, each once, in its own order.
    gaps = [
        np.concatenate(
            [[t.onsets[0]], np.diff(t.onsets) - 0.010, [t.period - t.onsets[-1] - 0.010]]
        )
        for t in tasks
    ]
    for g in gaps:
        np.testing.assert_allclose(np.sort(g), grid, atol=1e-9)
    assert not np.allclose(gaps[0], gaps[1]) and not np.allclose(gaps[0], gaps[2])


def test_training_schedule_drops_the_rate_twice():
    net = make_network(hidden=4, feedback="random")
    sched = training_schedule(net, DURATION)
    r0 = float(net.params.learning.r0)
    lr = sched.learning_rates(net.params.learning.r0, net.params.learning.t_update)
    t = np.arange(lr.size) * 0.5
    assert lr[0] == 0.0  # the first update sees nothing (burn-in of one interval)
    # Blocks start after the burn-in: the drops come 0.5 s after the nominal times.
    d1, d2 = (d + 0.5 for d in DECAY_AFTER)
    np.testing.assert_allclose(lr[(t > 0) & (t <= d1)], r0)
    np.testing.assert_allclose(lr[(t > d1) & (t <= d2)], r0 / 10)
    np.testing.assert_allclose(lr[t > d2], r0 / 100)
    # One update interval of burn-in, then whole blocks of 10 s: 800.5 s.
    assert float(sched.duration / second) == pytest.approx(DURATION + 0.5)
    constant = training_schedule(net, 300.0, decay_after=None)
    assert constant.decay_at == ()
    with pytest.raises(ValueError, match="within the training"):
        training_schedule(net, 300.0)


def test_run_seeds_checks_its_runs():
    nets = [make_network(hidden=4, seed=s) for s in (1, 2)]
    with pytest.raises(ValueError, match="one structure"):
        run_seeds(nets, [xor_task(seed=1, n_trials=40), xor_task(seed=2, n_trials=80)], 20.0)
    with pytest.raises(ValueError, match="one task per network"):
        run_seeds(nets, [xor_task(seed=1, n_trials=40)], 20.0)
    tasks = [xor_task(seed=s, n_trials=40) for s in (1, 2)]
    with pytest.raises(ValueError, match="weights"):
        run_seeds(nets, tasks, learn=False)


@pytest.mark.slow
def test_run_seeds_equals_fresh_builds(tmp_path):
    """One binary re-run with run arguments gives exactly what a fresh build gives."""
    seeds = (1, 2)
    nets = [make_network(hidden=4, feedback="random", seed=s) for s in seeds]
    tasks = [xor_task(seed=s, n_trials=40) for s in seeds]
    many = run_seeds(nets, tasks, 20.0, decay_after=10.0, build_dir=tmp_path / "many")
    # The second run is the one that differs from the build: compare it.
    # A build of its own in the same project: the values are written into the project
    # (not given as run arguments); the code is the same, so nothing compiles again.
    history, train = train_xor(
        nets[1], tasks[1], 20.0, decay_after=10.0, build_dir=tmp_path / "many"
    )
    for name in ("output", "hidden_1"):
        for a, b in zip(many[1][0].spikes[name], history.spikes[name], strict=True):
            np.testing.assert_array_equal(a, b)
    assert len(history.spikes["hidden_1"][0]) > 0
    for a, b in zip(many[1][0].weights, history.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(many[1][1]["correct"], train["correct"])
    assert not np.array_equal(many[0][0].weights[0], many[1][0].weights[0])
    test_tasks = [xor_task(seed=s, n_trials=40, stream=1) for s in seeds]
    weights = [h.weights for h, _ in many]
    tested = run_seeds(nets, test_tasks, learn=False, weights=weights, build_dir=tmp_path / "t")
    _, single = evaluate(nets[1], weights[1], test_tasks[1], build_dir=tmp_path / "t")
    for key in ("correct", "n_target", "n_other"):
        np.testing.assert_array_equal(tested[1][1][key], single[key])


HIGH = 0.9
LOW = 0.5
#: Lowest accuracy of the 100 -> 2 control over its last 200 training trials.
RESPONDS = 0.2


@pytest.mark.slow
def test_symmetric_feedback_learns_xor_and_no_hidden_layer_does_not(tmp_path):
    """Symmetric feedback learns XOR; the 100 -> 2 network does not.

    The model's schedule (800 s, r0 dropping to r0/10 at 400 s and r0/100 at
    600 s), then a held-out stream of 200 trials with learning off. Measured
    (``python models/xor.py``, the same runs; cpp_standalone):

    ======  ========================================  ====================
    seed    symmetric, 4 hidden: trials to 100 % /    no hidden layer:
            held-out accuracy                         held-out accuracy
    ======  ========================================  ====================
    1       700 / 0.945                               0.245
    2       2600 / 0.965                              0.270
    3       950 / 0.985                               0.215
    ======  ========================================  ====================

    Training reaches 100 % (a block of 50 training trials all correct) but the
    held-out stream, with fresh background spikes, keeps a few errors: no run of
    the 20 reached 200/200 (docs/xor.md). Thresholds: 100 % in training and at
    least 0.9 held-out on at least 2 of 3 seeds; at most 0.5 without hidden layer.

    The control is bounded from below too, so that it fails when it does not
    learn at all: with its initial weights the 100 -> 2 network of seed 1 is
    silent (accuracy 0.0 on its training stream and on the held-out one), and
    trained it answers, though it cannot solve XOR (accuracy over its last 200
    training trials, seeds 1-5: 0.345/0.34/0.32/0.38/0.38; with learning off
    the same 200 trials give 0.0/0.015/0.3/0.495/0.4;
    ``benchmarks/xor_controls.py``). Threshold, between the two for seed 1: at
    least 0.2 over the last 200 training trials. Held-out accuracy cannot give
    this lower side: an untrained network that always answers with one unit is
    at chance (0.5), above the trained control.
    """
    seeds = (1, 2, 3)
    nets = [make_network(hidden=4, feedback="symmetric", seed=s) for s in seeds]
    trained = run_seeds(
        nets, [xor_task(seed=s) for s in seeds], DURATION, build_dir=tmp_path / "train-4"
    )
    tested = run_seeds(
        nets,
        [xor_task(seed=s, stream=1) for s in seeds],
        learn=False,
        weights=[h.weights for h, _ in trained],
        build_dir=tmp_path / "test-4",
    )
    reached = [trials_to_perfect(sc["correct"]) for _, sc in trained]
    tests = [float(sc["correct"].mean()) for _, sc in tested]
    assert sum(np.isfinite(reached)) >= 2, f"symmetric, trials to 100 % {reached}"
    assert sum(a >= HIGH for a in tests) >= 2, f"symmetric, held-out accuracies {tests}"
    none_net = make_network(hidden=0, seed=1)
    ((history, none_train),) = run_seeds(
        [none_net], [xor_task(seed=1)], DURATION, build_dir=tmp_path / "train-0"
    )
    ((_, sc),) = run_seeds(
        [none_net],
        [xor_task(seed=1, stream=1)],
        learn=False,
        weights=[history.weights],
        build_dir=tmp_path / "test-0",
    )
    none = float(sc["correct"].mean())
    assert none <= LOW, f"no hidden layer, held-out accuracy {none}"
    late = float(none_train["correct"][-200:].mean())
    assert late >= RESPONDS, f"no hidden layer, accuracy over the last 200 training trials {late}"
