"""Checkpoints and resumption: an interrupted and resumed run equals an uninterrupted one."""

import io
import json

import numpy as np
import pytest
from brian2 import ms

from superspike_brian.rundir import read_metrics
from superspike_brian.training import checkpoint
from superspike_brian.training.progress import BlockProgress
from superspike_brian.training.schedule import Schedule
from superspike_brian.training.state import Recording, RunState
from superspike_brian.training.trainer import Trainer

from .helpers import SHORT, assert_same_results, small_network, small_task


class Interrupted(Exception):
    pass


def _trainer(net, task, engine, build_dir):
    return Trainer(
        net,
        task,
        device="cpp_standalone",
        learn="controller",
        engine=engine,
        schedule=SHORT,
        build_dir=build_dir,
        progress=False,
    )


@pytest.mark.parametrize("engine", ["synaptic", "factorized"])
def test_resumed_run_equals_uninterrupted(engine, tmp_path, monkeypatch):
    task = small_task()
    net = small_network(task, hidden=(5,), feedback="random", regularizer=True)
    build = tmp_path / "build"
    whole = _trainer(net, task, engine, build).run(out=tmp_path / "whole", figures=False)

    # Kill the second run right after its third checkpoint.
    save = checkpoint.save
    calls = []

    def save_then_die(out, state, fingerprint, n_updates):
        save(out, state, fingerprint, n_updates)
        calls.append(state.k_done)
        if len(calls) == 3:
            raise Interrupted

    monkeypatch.setattr(checkpoint, "save", save_then_die)
    out = tmp_path / "broken"
    with pytest.raises(Interrupted):
        _trainer(net, task, engine, build).run(out=out, figures=False)
    monkeypatch.setattr(checkpoint, "save", save)

    # What the killed run left behind: its config, the blocks done, a checkpoint.
    assert json.loads((out / "config.json").read_text())["status"] == "running"
    partial = read_metrics(out)
    assert list(partial["block"]) == [0, 1, 2]
    np.testing.assert_array_equal(partial["cost"], read_metrics(tmp_path / "whole")["cost"][:3])
    assert (out / checkpoint.FILENAME).exists()

    resumed = _trainer(net, task, engine, build).run(out=out, resume=True, figures=False)
    assert_same_results(whole, resumed)  # bit for bit
    assert json.loads((out / "config.json").read_text())["status"] == "complete"
    # The final state stays, to continue the run with a longer schedule.
    assert (
        checkpoint.load(out, _trainer(net, task, engine, build).fingerprint()).k_done
        == (SHORT.n_blocks + 1) * 2
    )
    assert read_metrics(out)["cost"].size == SHORT.n_blocks + 1


def test_checkpoint_of_another_configuration_is_refused(tmp_path, monkeypatch):
    task = small_task()
    net = small_network(task, hidden=(5,))
    trainer = _trainer(net, task, "factorized", tmp_path / "build")
    state = RunState(
        k_done=2,
        network={"superspike_cost.sq": np.zeros(task.n_out)},
        optimizer_v=[np.zeros(3)],
        engine={"m": None, "lam_r": [np.ones((5, 20))], "lam": [np.ones((5, 20))]},
        recording=Recording(
            spikes={"output": ([np.zeros(1)], [np.zeros(1, dtype=int)])},
            sq_rows=[np.zeros((1, task.n_out))],
        ),
    )
    checkpoint.save(tmp_path, state, trainer.fingerprint(), trainer.n_updates)
    back = checkpoint.load(tmp_path, trainer.fingerprint())
    assert back.k_done == 2 and back.engine["m"] is None
    np.testing.assert_array_equal(back.engine["lam"][0], np.ones((5, 20)))
    other = small_network(task, hidden=(5,), seed=6)
    with pytest.raises(ValueError, match="another configuration.*network"):
        other_trainer = _trainer(other, task, "factorized", tmp_path / "build")
        checkpoint.load(tmp_path, other_trainer.fingerprint())
    (tmp_path / checkpoint.FILENAME).write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="cannot read the checkpoint"):
        checkpoint.load(tmp_path, trainer.fingerprint())


def test_resume_needs_a_run_directory():
    task = small_task()
    trainer = Trainer(small_network(task), task, schedule=SHORT, progress=False)
    with pytest.raises(ValueError, match="needs the run directory"):
        trainer.run(resume=True)


def test_progress_lines_name_block_cost_rates_and_time_left():
    stream = io.StringIO()
    p = BlockProgress(4, stream=stream, bar=False)
    p.update(0, 10.0, 9.5, {"output": 2.0})
    p.update(1, 20.0, 3.25, {"output": 5.0, "hidden_1": 12.5})
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("block    1/4  t =     20.0 s  cost = 3.25")
    assert "hidden_1 12.5 Hz" in lines[1] and "left]" in lines[1]
    silent = io.StringIO()
    BlockProgress(4, stream=silent, enabled=False).update(0, 1.0, 1.0)
    assert silent.getvalue() == ""


def test_cli_resume_of_a_missing_or_complete_run(tmp_path, capsys):
    from superspike_brian.cli import main

    assert main(["train", "--resume", str(tmp_path / "nothing")]) == 2
    assert f"{tmp_path / 'nothing'} does not exist" in capsys.readouterr().err
    config = {"status": "complete", "argv": ["train", "--hidden", "0", "--out", str(tmp_path)]}
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert main(["train", "--resume", str(tmp_path)]) == 0
    assert "nothing to resume" in capsys.readouterr().out
    # A sweep starts every run with --overwrite; resuming it must not trip on that.
    config["argv"] += ["--overwrite"]
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert main(["train", "--resume", str(tmp_path)]) == 0
    assert "nothing to resume" in capsys.readouterr().out


def test_each_checkpoint_writes_only_its_block_and_reads_back_whole(tmp_path):
    task = small_task()
    net = small_network(task, hidden=(5,))
    trainer = _trainer(net, task, "synaptic", tmp_path / "build")
    out = tmp_path / "run"
    trainer.run(out=out, figures=False)
    parts = sorted((out / checkpoint.RECORDS).iterdir())
    assert len(parts) == SHORT.n_blocks + 1  # the burn-in's and one per block
    spikes = np.load(out / "spikes.npz")
    block = 0.04  # SHORT: 40 ms burn-in and blocks
    ends = [block * (b + 1) for b in range(SHORT.n_blocks + 1)]
    total = 0
    for k, part in enumerate(parts):
        with np.load(part) as data:
            t = data["spikes/output/t"]
            assert np.all((t >= ends[k] - block - 1e-9) & (t < ends[k] + 1e-9)), part.name
            total += t.size
    assert total == spikes["output_t"].size
    state = checkpoint.load(out, trainer.fingerprint())
    t, i = state.recording.spike_arrays()["output"]
    np.testing.assert_array_equal(t, spikes["output_t"])
    np.testing.assert_array_equal(i, spikes["output_i"])
    # A part that cannot be read is named, not a numpy traceback.
    parts[3].write_bytes(b"truncated")
    with pytest.raises(ValueError, match=f"cannot read the checkpoint .*{parts[3].name}"):
        checkpoint.load(out, trainer.fingerprint())
    # --overwrite leaves no part of the old run behind.
    shorter = Trainer(
        net,
        task,
        device="cpp_standalone",
        learn="controller",
        schedule=Schedule(burn_in=40 * ms, block=40 * ms, n_blocks=2),
        build_dir=tmp_path / "build",
        progress=False,
    )
    shorter.run(out=out, overwrite=True, figures=False)
    assert len(list((out / checkpoint.RECORDS).iterdir())) == 3


def test_checkpoint_keeps_every_piece_of_state(tmp_path):
    """Every field of RunState that a resumed run needs comes back from the checkpoint exactly."""
    rng = np.random.default_rng(0)
    state = RunState(
        k_done=6,
        network={
            name: rng.random(12) for name in ("conn_1.w", "conn_1.lam", "output.U", "cost.sq")
        },
        optimizer_v=[rng.random(12), rng.random(4)],
        engine={key: [rng.random(12), rng.random(4)] for key in ("m", "lam_r", "lam")},
        run_s=1.5,
        gradient_s=0.25,
        sim_s=0.5,
    )
    state.recording.add(
        {
            "spikes": {"output": (np.array([0.01, 0.02]), np.array([1, 0]))},
            "sq": rng.random((2, 3)),
            "vt": np.array([0.0, 1e-4]),
            "vU": rng.random((3, 2)),
        }
    )
    fingerprint = {"task": "small", "schedule": "short"}
    checkpoint.save(tmp_path, state, fingerprint, n_updates=10)
    back = checkpoint.load(tmp_path, fingerprint)
    assert back.k_done == 6
    assert (back.run_s, back.gradient_s, back.sim_s) == (1.5, 0.25, 0.5)
    assert sorted(back.network) == sorted(state.network)
    for name, value in state.network.items():
        np.testing.assert_array_equal(back.network[name], value, err_msg=name)
    for a, b in zip(back.optimizer_v, state.optimizer_v, strict=True):
        np.testing.assert_array_equal(a, b)
    assert sorted(back.engine) == sorted(state.engine)
    for key, values in state.engine.items():
        for a, b in zip(back.engine[key], values, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=key)
    t, i = back.recording.spike_arrays()["output"]
    np.testing.assert_array_equal(t, [0.01, 0.02])
    np.testing.assert_array_equal(i, [1, 0])
    np.testing.assert_array_equal(back.recording.sq(np.zeros(3))[:2], state.recording.sq_rows[0])
    np.testing.assert_array_equal(back.recording.voltage()[1], state.recording.voltage()[1])
