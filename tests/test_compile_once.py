"""One compiled binary per model structure, runs block by block, resumable and extendable.

A second run that changes only data (seed, duration, learning rate, regularizer
strength, spike tables of the same shape) runs the cached binary, and gives
bit for bit what a fresh build of the same configuration gives. A run that
learns inside the simulation advances block by block with its whole state
carried, so a killed run resumes and a finished one continues.
"""

import dataclasses
import json
import os
import threading
import time

import numpy as np
import pytest
from brian2 import ms, mV

from superspike_brian import Schedule, Task, devices
from superspike_brian.training import checkpoint, loop
from superspike_brian.training.trainer import Trainer

from .helpers import assert_same_results, small_network, small_task

SHORT = Schedule(burn_in=20 * ms, block=40 * ms, n_blocks=4, decay_at=(2,))
LONGER = dataclasses.replace(SHORT, n_blocks=7)


class Interrupted(Exception):
    pass


def _trainer(net, task, build, schedule=SHORT, engine="synaptic"):
    return Trainer(
        net,
        task,
        device="cpp_standalone",
        engine=engine,
        schedule=schedule,
        build_dir=build,
        progress=False,
    )


def _binary_state(build):
    """Modification times of the binary and of every object file."""
    files = [build / "main", *sorted(build.glob("code_objects/*.o"))]
    return {str(f): os.stat(f).st_mtime_ns for f in files}


def _other_data(task, seed):
    """A task of the same shape with other input spikes."""
    other = small_task(seed=seed)
    return Task("other", other.input, task.target, task.period)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A model compiled once, and its first run."""
    build = tmp_path_factory.mktemp("compile-once") / "build"
    task = small_task()
    net = small_network(task, hidden=(5,), feedback="random", regularizer=True)
    first = _trainer(net, task, build).run()
    assert first.timing["cached"] is False and first.timing["compile_s"] > 0
    return build, net, task, first


def _changed(net, task, change):
    """The network, task and schedule of a run that differs from the first only in data."""
    schedule = LONGER if "duration" in change else SHORT
    if "seed" in change:
        net = dataclasses.replace(net, seed=11)
    if "r0" in change:
        net = dataclasses.replace(net, params=net.params.replace(r0=0.5 * mV))
    if "rho" in change:
        net = dataclasses.replace(net, params=net.params.replace(rho=3e-3 / mV))
    if "data" in change:
        task = _other_data(task, seed=8)
    return net, task, schedule


@pytest.mark.parametrize("change", ["seed", "duration", "r0", "rho", "data"])
def test_data_changes_run_the_cached_binary(change, built):
    build, net, task, first = built
    before = _binary_state(build)
    net, task, schedule = _changed(net, task, (change,))
    second = _trainer(net, task, build, schedule).run()
    assert second.timing["cached"] is True
    assert _binary_state(build) == before, "nothing may be compiled again"
    if change == "duration":
        assert len(second.metrics) == LONGER.n_blocks + 1
    else:
        moved = max(np.abs(a - b).max() for a, b in zip(first.weights, second.weights))
        assert moved > 0, "the change must change the result"


def test_the_cached_binary_gives_the_results_of_a_fresh_build(built, tmp_path):
    build, net, task, _ = built
    net, task, schedule = _changed(net, task, ("seed", "duration", "r0", "rho", "data"))
    cached = _trainer(net, task, build, schedule).run()
    fresh = _trainer(net, task, tmp_path / "fresh", schedule).run()
    assert cached.timing["cached"] is True and fresh.timing["cached"] is False
    assert_same_results(fresh, cached)


def test_a_structure_change_compiles(built):
    build, net, task, _ = built
    other = small_network(task, hidden=(6,), feedback="random", regularizer=True)
    assert _trainer(other, task, build).run().timing["cached"] is False
    assert _trainer(net, task, None).build_directory() != (
        _trainer(other, task, None).build_directory()
    )
    # Back to the first structure: compiled again, into the same directory.
    assert _trainer(net, task, build).run().timing["cached"] is False


@pytest.mark.parametrize("engine", ["synaptic", "factorized"])
def test_inside_run_killed_after_a_block_resumes_bit_for_bit(engine, tmp_path, monkeypatch):
    task = small_task()
    net = small_network(task, hidden=(5,), feedback="random", regularizer=True)
    build = tmp_path / "build"
    whole = _trainer(net, task, build, engine=engine).run(out=tmp_path / "whole", figures=False)

    save, calls = checkpoint.save, []

    def save_then_die(out, state, fingerprint, n_updates):
        save(out, state, fingerprint, n_updates)
        calls.append(state.k_done)
        if len(calls) == 3:
            raise Interrupted

    monkeypatch.setattr(checkpoint, "save", save_then_die)
    # Executions of two blocks: the kill comes after block 4, in a run chunked
    # otherwise than the uninterrupted one (as many blocks as its timing asks).
    monkeypatch.setattr(loop, "blocks_per_chunk", lambda *args: 2)
    out = tmp_path / "broken"
    with pytest.raises(Interrupted):
        _trainer(net, task, build, engine=engine).run(out=out, figures=False)
    monkeypatch.setattr(checkpoint, "save", save)
    assert json.loads((out / "config.json").read_text())["status"] == "running"
    resumed = _trainer(net, task, build, engine=engine).run(out=out, resume=True, figures=False)
    assert_same_results(whole, resumed)

    # A finished run continues with a longer schedule, as one longer run would.
    longer = _trainer(net, task, build, LONGER, engine).run(out=out, resume=True, figures=False)
    once = _trainer(net, task, build, LONGER, engine).run()
    assert_same_results(once, longer)


def test_a_shorter_schedule_cannot_continue_a_run(built, tmp_path):
    build, net, task, _ = built
    _trainer(net, task, build, LONGER).run(out=tmp_path / "run", figures=False)
    with pytest.raises(ValueError, match="more than the .* of this schedule"):
        _trainer(net, task, build, SHORT).run(out=tmp_path / "run", resume=True)


def test_build_lock_waits_for_its_holder_and_says_so(tmp_path):
    said, order = [], []
    with devices.build_lock(tmp_path):

        def second():
            with devices.build_lock(tmp_path, say=said.append, poll=0.05):
                order.append("second")

        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.3)
        order.append("first done")
    t.join(5)
    assert order == ["first done", "second"]
    assert said and f"process {os.getpid()}" in said[0]


def test_a_lock_file_of_a_dead_process_does_not_block(tmp_path):
    # As versions before filelock left it (their flock died with the process).
    (tmp_path / ".lock").write_text("process 999999999\n")
    said = []
    with devices.build_lock(tmp_path, say=said.append):
        assert f"\npid={os.getpid()}\n" in (tmp_path / ".lock").read_text()
    assert not said


def test_an_unwritable_build_directory_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(PermissionError, match="cannot use the build directory .*SUPERSPIKE_BUILD"):
        with devices.build_lock(blocker / "build"):
            pass
