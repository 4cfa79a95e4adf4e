"""The single-neuron task (paper Fig 2) is learned as in the paper, and not when learning is broken.

Network seeds 1-5 (those of ``make run``) on the built-in task (task seed 1),
with the reference implementation's schedule (10 s burn-in, 80 blocks of 10 s,
r0/10 from block 20). Measured (``benchmarks/single_neuron_spread.py``,
``benchmarks/results/2026-12-02-single-neuron-spread.json``) and, for the
surrogate derivative replaced by 1, with the same runs and that one change:

====  ==============================  ==============================
seed  late cost / all five within     sigma' = 1: late cost /
      1 ms in the last period         all five within 1 ms
====  ==============================  ==============================
1     1.85 / no (2 missing, 3 extra)  0.60 / no
2     0.12 / yes                      0.32 / no
3     0.14 / yes                      0.55 / no
4     0.20 / yes                      0.53 / no
5     1.52 / no                       0.46 / no
====  ==============================  ==============================

(late cost: median of blocks 40-79; runs without the error delay.) With the
error reaching the accumulator 2 steps late (``error_delay``, merged into main
while this test was written) the same seeds gave 1.89 / no, 0.12 / yes,
0.15 / yes, 0.22 / no (1 missing, 1 extra), 1.48 / no: median 0.22, 2 of 5
within 1 ms. Over network seeds 1-20 (without the delay) the late cost has
median 0.19 (quartiles 0.15-0.39, at most 1.85) and 12 of the 20 seeds hit all
five target spikes within 1 ms. Thresholds: the median late cost of the five
seeds below 0.35, every seed below 2.5, and at least 1 of the 5 seeds with all
five spikes within 1 ms (the count alone would be weak, at 2 of 5 with the
delay, without slack: per-seed results move with any change of the rule or the
compiler). A zeroed or sign-flipped error leaves the neuron silent at a cost of
10 (``test_broken_learning_fails``; the mutation check,
``python tests/mutations.py --learning``, applies all three faults to the
learning tests).

The surrogate derivative replaced by 1 is not detected here. With the error
delay, the same five runs with sigma' = 1 gave late costs 0.47 / 0.56 / 0.28 /
0.25 / 0.33 (median 0.33, 3 of 5 within 1 ms; measured 2026-12-03 by setting
``neurons.SURROGATE_CODE`` before training, build folder of its own): one
neuron learns this task about as well without the surrogate's gating, so the
thresholds above cannot separate the two columns without being tuned to these
seeds. The hidden-layer and XOR learning tests catch sigma' = 1 (the mutation
check's learning table, ``benchmarks/results/``).
"""

import numpy as np
import pytest
from brian2 import second

from superspike_brian import Schedule, SuperSpikeNetwork, Trainer, single_neuron_task
from superspike_brian.model import eligibility, error

SCHEDULE = Schedule(burn_in=10 * second, block=10 * second, n_blocks=80, decay_at=(20,))
#: Shorter schedule of the broken-learning checks: a silent neuron stays silent.
SHORT_SCHEDULE = Schedule(burn_in=10 * second, block=10 * second, n_blocks=30)
SEEDS = (1, 2, 3, 4, 5)
LATE_BLOCKS = slice(40, 80)
MEDIAN_LATE_COST = 0.35
MAX_LATE_COST = 2.5
MIN_WITHIN_1MS = 1


def _train(seed, schedule=SHORT_SCHEDULE, task_seed=None):
    task = single_neuron_task(seed=seed if task_seed is None else task_seed)
    net = SuperSpikeNetwork(n_in=100, n_out=1, seed=seed)
    trainer = Trainer(net, task, device="cpp_standalone", schedule=schedule, progress=False)
    return task, trainer, trainer.run()


def _last_period_match(task, trainer, history):
    """Target spikes matched within 1 ms in the last period of the run."""
    last = trainer.timeline.duration - task.period
    t, i = history.spikes["output"]
    return task.match(t, i, start=np.floor(last / task.period + 1e-9) * task.period)


@pytest.mark.slow
def test_single_neuron_learns():
    late, within = [], []
    for seed in SEEDS:
        task, trainer, h = _train(seed, SCHEDULE, task_seed=1)
        cost = h.metric("cost")
        assert cost[0] == pytest.approx(10.0, rel=0.05), "silent start: 5 missed spikes"
        late.append(float(np.median(cost[LATE_BLOCKS])))
        within.append(_last_period_match(task, trainer, h)["exact"])
    summary = f"late costs {np.round(late, 3).tolist()}, all five within 1 ms {within}"
    assert np.median(late) < MEDIAN_LATE_COST, summary
    assert max(late) < MAX_LATE_COST, summary
    assert sum(within) >= MIN_WITHIN_1MS, summary


@pytest.mark.slow
@pytest.mark.parametrize("broken", ["sign flipped", "error zeroed"])
def test_broken_learning_fails(broken, tmp_path, monkeypatch):
    if broken == "sign flipped":
        monkeypatch.setattr(error, "ON_TARGET", "er -= 1")
        monkeypatch.setattr(error, "OUTPUT_RESET", "er += 1")
    else:
        monkeypatch.setattr(
            eligibility,
            "ELIGIBILITY_EQUATIONS",
            eligibility.ELIGIBILITY_EQUATIONS.replace("err_post * lam", "0 * err_post * lam"),
        )
    _, _, h = _train(1)
    assert h.metric("cost")[-1] > 5.0
