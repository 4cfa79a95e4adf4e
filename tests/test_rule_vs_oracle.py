"""The SuperSpike component on networks a user builds agrees with the graph oracle.

Four shapes the paper does not cover (a recurrent hidden population, a skip
connection beside a hidden layer, two hidden populations in parallel, a neuron
model with an adaptive threshold), each written as plain Brian2 code with the
rule attached (``tests/graphs.py``), against ``oracle.simulate_graph`` run
from the spec: spike steps identical, weights and cost to 1e-9 relative, the
tolerances of the chain's oracle tests.
"""

import numpy as np
import pytest

from . import graphs

RTOL = 1e-9


def _compare(got, ref):
    total = 0
    for name, spikes in ref["spikes"].items():
        np.testing.assert_array_equal(got.spikes[name], spikes, err_msg=f"spikes of {name}")
        total += len(spikes)
    assert total > 20, "the test network should spike"
    moved = 0.0
    for k, (w, w_ref) in enumerate(zip(got.weights, ref["weights"], strict=True)):
        scale = np.abs(w_ref).max()
        np.testing.assert_allclose(w, w_ref, rtol=RTOL, atol=RTOL * scale, err_msg=f"weights {k}")
        initial = got.rule.values.weights[k] * ref["masks"][k]
        moved = max(moved, np.abs(w - initial).max())
    assert moved > 1.0, "weights should have learned (mV)"
    want = dict(zip(np.round(ref["cost_times"], 9), ref["cost"], strict=True))
    for t, c in zip(got.cost_times[1:], got.cost[1:], strict=True):
        assert c == pytest.approx(want[round(float(t), 9)], rel=RTOL)


@pytest.mark.parametrize(
    "shape,feedback,regularizer",
    [
        ("recurrent", "random", True),
        ("skip", "symmetric", False),
        ("parallel", "uniform", False),
        # Each feedback mode is covered above; the neuron model of its own once.
        ("adaptive", "random", True),
    ],
)
def test_component_matches_graph_oracle(shape, feedback, regularizer):
    ref = graphs.oracle_run(shape, feedback, regularizer)
    _compare(graphs.run(shape, feedback, regularizer), ref)
