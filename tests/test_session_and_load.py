"""The session (runtime), and a run directory read back with load_run."""

import json

import numpy as np
import pytest

from superspike_brian import load_run
from superspike_brian.devices.session import Session, set_clock
from superspike_brian.feedforward.builder import build_model
from superspike_brian.feedforward.values import model_values
from superspike_brian.training.trainer import Trainer

from .helpers import SHORT, small_network, small_task


def test_runtime_session_chunks_records_and_state():
    """Two executions of one interval record what a single execution of two records."""
    task = small_task()
    net = small_network(task, hidden=(5,))
    tb = float(net.params.learning.t_update)
    lrs = [np.zeros(3)] * net.n_connections
    chunks = []
    with Session("runtime") as session:
        set_clock(net)
        model = build_model(net, task, model_values(net, task, lrs), learn="controller")
        session.prepare(model, [(tb, True)])
        w = session.get("conn_1", "w")
        session.set("conn_1", "w", w * 1.5)
        np.testing.assert_array_equal(session.get("conn_1", "w"), w * 1.5)
        for k in range(2):
            session.execute()
            chunks.append(session.records(k * tb))
    with Session("runtime") as session:
        set_clock(net)
        model = build_model(net, task, model_values(net, task, lrs), learn="controller")
        model.connections[0].w_[:] = w * 1.5
        session.prepare(model, [(2 * tb, True)])
        session.execute()
        whole = session.records(0.0)
    for name, (t, i) in whole["spikes"].items():
        assert len(t) > 0
        np.testing.assert_array_equal(np.concatenate([c["spikes"][name][0] for c in chunks]), t)
        np.testing.assert_array_equal(np.concatenate([c["spikes"][name][1] for c in chunks]), i)
    np.testing.assert_array_equal(np.vstack([c["sq"] for c in chunks]), whole["sq"])
    assert chunks[1]["vt"][0] == pytest.approx(tb)


def test_a_session_needs_a_directory_for_standalone():
    with pytest.raises(ValueError, match="needs a project directory"):
        Session("cpp_standalone")


def test_values_of_another_shape_are_refused():
    task = small_task()
    net = small_network(task)
    lrs = [np.zeros(3)]
    with Session("runtime"):
        set_clock(net)
        model = build_model(net, task, model_values(net, task, lrs))
        other = small_task(n_in=21)
        wider = small_network(other)
        with pytest.raises(ValueError, match="do not fit a model built for"):
            model.value_args(model_values(wider, other, lrs))


def test_load_run_recreates_network_task_schedule_and_results(tmp_path):
    task = small_task()
    net = small_network(task, hidden=(5,), feedback="random", regularizer=True)
    trainer = Trainer(
        net, task, device="runtime", schedule=SHORT, progress=False, engine="factorized"
    )
    history = trainer.run(out=tmp_path / "run", figures=False)
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["engine"] == "factorized" and config["learn"] == "controller"
    assert config["package"]["name"] == "superspike-brian" and config["status"] == "complete"

    run = load_run(tmp_path / "run")
    assert run.network.config() == net.config()
    assert run.network.params == net.params
    assert run.schedule == SHORT
    assert run.task.input == task.input and run.task.target == task.target
    assert run.task.period == task.period and run.task.kind == task.kind
    assert run.options["engine"] == "factorized"
    for a, b in zip(run.history.weights, history.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert run.history.metric("block").tolist() == history.metric("block").tolist()
    # Run again from the directory alone: the same weights, bit for bit.
    again = run.trainer(progress=False).run()
    for a, b in zip(again.weights, history.weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_load_run_of_something_else_names_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a run directory"):
        load_run(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="config.json is damaged: not valid JSON"):
        load_run(tmp_path)
    (tmp_path / "config.json").write_text('{"format": 1}')
    with pytest.raises(ValueError, match="has format 1"):
        load_run(tmp_path)
