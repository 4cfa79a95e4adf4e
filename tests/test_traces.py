"""Packed spike tables: every bit comes back, in numpy and in generated code."""

import numpy as np
import pytest
from brian2 import NeuronGroup, SpikeMonitor, TimedArray, ms, run, start_scope

from superspike_brian import traces


def test_pack_table_round_trip():
    rng = np.random.default_rng(0)
    dense = rng.random((300, 131)) < 0.3
    packed = traces.pack_table(dense)
    assert packed.shape == (300, 3) and packed.dtype == np.float64
    i = np.arange(131)
    bits = packed[:, i // 52] % 2.0 ** (i % 52 + 1) >= 2.0 ** (i % 52)
    np.testing.assert_array_equal(bits, dense)
    full = np.ones((2, 52), dtype=bool)  # the largest value, 2**52 - 1, is exact
    assert traces.pack_table(full)[0, 0] == 2.0**52 - 1
    with pytest.raises(ValueError, match="shape \\(steps, units\\)"):
        traces.pack_table(np.zeros(5, dtype=bool))


@pytest.mark.parametrize("target", ["numpy", "cython"])
def test_table_condition_fires_on_the_table_spikes(target):
    from brian2 import prefs

    start_scope()
    prefs.codegen.target = target
    rng = np.random.default_rng(1)
    n_steps, n = 40, 60
    dense = rng.random((n_steps, n)) < 0.2
    table = TimedArray(traces.pack_table(dense), dt=0.1 * ms)
    g = NeuronGroup(
        n,
        traces.STEP_OFFSET_EQUATION,
        threshold=traces.table_condition("table", n_steps),
        namespace={"table": table},
    )
    mon = SpikeMonitor(g)
    try:
        run(n_steps * 0.1 * ms)
    finally:
        prefs.codegen.target = "numpy"
    got = np.zeros_like(dense)
    got[np.round(np.asarray(mon.t / ms) / 0.1).astype(int), np.asarray(mon.i)] = True
    np.testing.assert_array_equal(got, dense)
