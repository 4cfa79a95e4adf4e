"""Chunks of a block-by-block run: where executions start and end, and that it does not matter."""

import pytest
from brian2 import ms, second

from superspike_brian.training import loop
from superspike_brian.training.schedule import Schedule, timeline
from superspike_brian.training.trainer import Trainer

from .helpers import assert_same_results, small_network, small_task

TL = timeline(Schedule(burn_in=1.5 * second, block=1 * second, n_blocks=7), 0.5 * second, 0.1 * ms)


def test_blocks_per_chunk_brings_the_fixed_cost_to_the_target():
    # 0.24 s per execution against 1.2 s of simulation per block: 10 blocks give 2 %.
    assert loop.blocks_per_chunk(0.24, 1.2, target=0.02) == 10
    assert loop.blocks_per_chunk(0.001, 1.2) == 1
    assert loop.blocks_per_chunk(5.0, 0.01) == loop.MAX_BLOCKS_PER_CHUNK
    assert loop.blocks_per_chunk(0.1, 0.0) == loop.MAX_BLOCKS_PER_CHUNK


@pytest.mark.parametrize(("capacity", "blocks"), [(1, 1), (2, 1), (4, 3), (32, 16), (6, 2)])
def test_chunks_cover_the_run_and_end_where_blocks_end(capacity, blocks):
    split = TL.n_updates - 1  # where the last period's membrane is recorded
    pieces = loop.chunks(TL, 0, capacity, blocks, split)
    starts = [k for k, _ in pieces]
    assert split in starts
    assert starts[0] == 0 and sum(n for _, n in pieces) == TL.n_updates
    assert all(a + n == b for (a, n), b in zip(pieces, starts[1:], strict=False))
    assert all(0 < n <= capacity for _, n in pieces)
    ends = {TL.block_end(b) for b in range(TL.n_blocks + 1)}
    for k, n in pieces:
        # A chunk never crosses a block end; it spans at most `blocks` of them.
        inside = [e for e in ends if k < e < k + n]
        assert len(inside) <= blocks - 1
        if k < TL.n_burn:
            assert k + n <= TL.n_burn


def _trainer(net, task, build):
    return Trainer(
        net,
        task,
        device="cpp_standalone",
        schedule=Schedule(burn_in=40 * ms, block=40 * ms, n_blocks=9),
        build_dir=build,
        progress=False,
    )


def test_results_do_not_depend_on_how_many_blocks_an_execution_runs(tmp_path, monkeypatch):
    task = small_task()
    net = small_network(task, hidden=(5,), feedback="random", regularizer=True)
    build = tmp_path / "build"
    runs = {}
    for blocks in (1, 4):
        monkeypatch.setattr(loop, "blocks_per_chunk", lambda *args, b=blocks: b)
        runs[blocks] = _trainer(net, task, build).run(out=tmp_path / f"b{blocks}", figures=False)
    one, four = runs[1], runs[4]
    # The burn-in, then 9 blocks one by one or four by four (and maybe one more
    # execution that starts where the last period's membrane is recorded).
    assert one.timing["executions"] >= 10 and four.timing["executions"] <= 1 + 3 + 1
    assert_same_results(one, four)
    assert one.voltage["after"][1].size > 0
