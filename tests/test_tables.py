"""Packed spike tables: the network reads back exactly the boolean table."""

import numpy as np
import pytest
from brian2 import NeuronGroup, SpikeMonitor, TimedArray, ms, run, start_scope

from superspike_brian.model import tables, traces


@pytest.mark.parametrize("n_units", [1, 51, 52, 53, 200])
def test_pack_keeps_every_bit(n_units):
    rng = np.random.default_rng(n_units)
    table = rng.random((97, n_units)) < 0.3
    table[:, -1] = True  # the highest bit of the last word, set everywhere
    packed = tables.pack(table)
    assert packed.shape == (97, -(-n_units // tables.BITS))
    assert packed.dtype == np.float64 and packed.max() < 2.0**53
    np.testing.assert_array_equal(tables.unpack(packed, n_units), table)


@pytest.mark.parametrize("target", ["numpy", "cython"])
def test_units_fire_exactly_where_their_table_says(target):
    """The threshold condition of the model, evaluated by Brian2 on a packed table."""
    from brian2 import prefs

    if target == "cython":
        pytest.importorskip("Cython")
    prefs.codegen.target = target
    try:
        start_scope()
        n_steps, n_units = 40, 120
        rng = np.random.default_rng(3)
        table = rng.random((n_steps, n_units)) < 0.2
        table[:, 51] = table[:, 52] = table[:, 103] = True  # word edges
        spike_table = TimedArray(tables.pack(table), dt=0.1 * ms)
        group = NeuronGroup(
            n_units,
            traces.STEP_OFFSET_EQUATION,
            threshold=traces.table_condition("spike_table", n_steps),
            dt=0.1 * ms,
            namespace={"spike_table": spike_table},
        )
        group.step_offset = 7
        mon = SpikeMonitor(group)
        run(n_steps * 0.1 * ms)
        got = np.zeros_like(table)
        steps = np.round(np.asarray(mon.t / (0.1 * ms))).astype(int)
        got[(steps + 7) % n_steps, np.asarray(mon.i)] = True
        np.testing.assert_array_equal(got, table)
    finally:
        prefs.codegen.target = "auto"
