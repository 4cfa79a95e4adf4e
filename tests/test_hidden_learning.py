"""A hidden layer learns the Fig 4 task (100 -> 4 -> 1) from a silent start.

Seeds 1-3 of the project's own single-neuron task with symmetric feedback reached
costs of 0.058, 2.7e-7 and 4.4e-7 after 300 s (10 s burn-in, 30 blocks of 10 s):
the output matches the target spike for spike, as the reference implementation
does (docs/data.md). With the surrogate derivative replaced by 1 (same runs,
that one change) the costs were 0.19, 0.20 and 1.0e-4: one exact match instead
of two. Thresholds: every seed below 1 and at least 2 of the 3 below 0.01 (an
exact match; with sigma' = 1 only one seed is). With the hidden layer
fixed (its weights do not learn, the Fig 7 ablation) the silent hidden units
never drive the output and the cost stays at 10.
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
        assert cost[-1] < 1.0, f"seed {seed}: cost {cost[-1]:.3g}"
        finals.append(cost[-1])
    assert np.sum(np.array(finals) < 0.01) >= 2, f"exact matches expected: {finals}"


@pytest.mark.slow
def test_fails_when_hidden_learning_is_broken(tmp_path):
    h = _train(2, tmp_path, fixed=(1,))
    assert h.metric("cost")[-1] > 5.0
