"""A hidden layer learns the Fig 4 task (100 -> 4 -> 1) from a silent start.

Symmetric feedback on the project's own single-neuron task, network and task
seed s, 300 s of training (10 s burn-in, 30 blocks of 10 s), default model
(error delay 0.2 ms). Final costs measured for seeds 1-6 (this test's
``_train`` for each seed):

====  =========  =========================
seed  final      sigma' = 1 in the hidden
      cost       layer (same runs)
====  =========  =========================
1     3.6        1.5e-7
2     1.0e-6     4.5e-8
3     0.24       1.3e-9
4     4.0e-4     1.5
5     0.77       0.037
6     2.7e-9     0.021
====  =========  =========================

Half the seeds match the target spike for spike (cost below 0.01), as the
reference implementation does (docs/data.md); the others stop on a plateau
(seed 1 above 1). Thresholds for seeds 1-3: the median final cost below 1 and
at least one exact match (before the error delay the same seeds gave 0.058,
2.7e-7 and 4.4e-7). At 300 s the spread over seeds is wider than the effect
of sigma' = 1, so this test does not claim to detect that ablation. With the
hidden layer fixed (its weights do not learn, the Fig 7 ablation) the silent
hidden units never drive the output and the cost stays at 10
(``test_fails_when_hidden_learning_is_broken``).
"""

import numpy as np
import pytest
from brian2 import second

from superspike_brian import Schedule, SuperSpikeNetwork, Trainer, single_neuron_task

SCHEDULE = Schedule(burn_in=10 * second, block=10 * second, n_blocks=30)


def _train(seed, tmp_path, **kw):
    task = single_neuron_task(seed=seed)
    net = SuperSpikeNetwork(n_in=100, hidden=(4,), n_out=1, feedback="symmetric", seed=seed, **kw)
    return Trainer(
        net,
        task,
        device="cpp_standalone",
        schedule=SCHEDULE,
        progress=False,
    ).run()


@pytest.mark.slow
def test_symmetric_feedback_learns_from_silent_start(tmp_path):
    finals = []
    for seed in (1, 2, 3):
        h = _train(seed, tmp_path)
        cost = h.metric("cost")
        assert cost[0] == pytest.approx(10.0, rel=0.05)
        assert h.metrics[0]["output_rate_hz"] == 0.0, "starts silent"
        finals.append(cost[-1])
    assert np.median(finals) < 1.0, f"final costs {finals}"
    assert np.sum(np.array(finals) < 0.01) >= 1, f"an exact match expected: {finals}"


@pytest.mark.slow
def test_fails_when_hidden_learning_is_broken(tmp_path):
    h = _train(2, tmp_path, fixed=(1,))
    assert h.metric("cost")[-1] > 5.0
