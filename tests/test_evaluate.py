"""A trained network on new input (superspike evaluate), and training from trained weights
(superspike train --init RUN)."""

import json

import numpy as np
import pytest
from brian2 import ms

from superspike_brian import Schedule, Trainer, cli, load_run
from superspike_brian.tasks.spikeio import write_ras

from .helpers import short_train_options, small_network, small_task


def _trained_run(out, learning_off_periods=3):
    """A short runtime training whose last ``learning_off_periods`` periods learn nothing.

    The state at the start of a period carries the periods before, so the last
    period of a training is that of a network with fixed final weights only
    when the periods before it had those weights too: an evaluation from a
    fresh state reaches the training's state, up to differences that shrink by
    exp(-period/tau_mem) per period for units that do not spike, after two
    periods (with one, a hidden spike near threshold came one step apart).
    """
    task = small_task()
    net = small_network(task, hidden=(5,))
    schedule = Schedule(burn_in=100 * ms, block=100 * ms, n_blocks=4, decay_at=())
    trainer = Trainer(net, task, device="runtime", schedule=schedule, progress=False)
    per_period = int(round(task.period / float(net.params.learning.t_update)))
    for rates in trainer.schedule_rates:
        assert rates[: -learning_off_periods * per_period].any()  # it does learn before
        rates[-learning_off_periods * per_period :] = 0.0
    history = trainer.run(out=out, figures=False)
    return task, history, float(schedule.duration / ms) * 1e-3


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("evaluate") / "run"
    task, history, duration = _trained_run(out)
    return {"out": out, "task": task, "history": history, "duration": duration}


def test_evaluate_on_the_training_input_reproduces_the_last_period(trained, tmp_path, capsys):
    run, task = trained["out"], trained["task"]
    period = task.period
    ev = tmp_path / "eval"
    assert cli.main(["evaluate", str(run), "--duration", str(3 * period), "--out", str(ev)]) == 0
    assert "cost" in capsys.readouterr().out
    spikes = np.load(ev / "spikes.npz")
    summary = json.loads((ev / "evaluation.json").read_text())
    assert summary["duration_s"] == pytest.approx(3 * period)
    assert summary["cost"] is not None and summary["cost"] >= 0
    assert (ev / "raster.png").stat().st_size > 0
    start = trained["duration"] - period
    for name, (t, i) in trained["history"].spikes.items():
        last = t >= start - 1e-9
        third = spikes[f"{name}_t"] >= 2 * period - 1e-9
        assert last.sum() > 0, name
        # Spike steps and units of the last training period, one by one.
        np.testing.assert_array_equal(
            np.round((spikes[f"{name}_t"][third] - 2 * period) * 1e4).astype(int),
            np.round((t[last] - start) * 1e4).astype(int),
        )
        np.testing.assert_array_equal(spikes[f"{name}_i"][third], i[last])
    # The same run again is refused unless asked.
    assert cli.main(["evaluate", str(run), "--out", str(ev)]) == 2
    assert "already holds an evaluation" in capsys.readouterr().err


def test_evaluate_new_input_without_target_gives_no_cost(trained, tmp_path, capsys):
    from brian2 import Hz

    from superspike_brian.tasks.single_neuron import frozen_poisson

    period = trained["task"].period
    inp = tmp_path / "new.ras"
    write_ras(inp, frozen_poisson(20, 40 * Hz, period * 1000 * ms, seed=11))
    ev = tmp_path / "eval"
    assert cli.main(["evaluate", str(trained["out"]), "--input", str(inp), "--out", str(ev)]) == 0
    summary = json.loads((ev / "evaluation.json").read_text())
    assert summary["cost"] is None and summary["target"] is None
    assert summary["rates_hz"]["hidden_1"] > 0
    rc = cli.main(
        [
            "evaluate",
            str(trained["out"]),
            "--input",
            str(tmp_path / "no.ras"),
            "--out",
            str(tmp_path / "e2"),
        ]
    )
    assert rc == 2 and "no.ras" in capsys.readouterr().err


def test_train_init_run_starts_from_its_final_weights(trained, tmp_path, capsys):
    common = short_train_options(trained["task"], tmp_path)
    out = tmp_path / "again"
    rc = cli.main(["train", "--init", str(trained["out"]), *common, "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    again = load_run(out)
    assert again.network.hidden == (5,)
    for w_init, w_final in zip(
        again.history.initial_weights, trained["history"].weights, strict=True
    ):
        np.testing.assert_array_equal(w_init, w_final)
    config = json.loads((out / "config.json").read_text())
    assert config["network"]["initial_source"] == f"run:{trained['out'].resolve()}"
    # Layers that differ from the run's are refused, both named.
    rc = cli.main(
        [
            "train",
            "--init",
            str(trained["out"]),
            "--hidden",
            "7",
            *common,
            "--out",
            str(tmp_path / "wrong"),
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2 and "[20, 5, 3]" in err and "[20, 7, 3]" in err
    rc = cli.main(
        ["train", "--init", str(tmp_path / "nothing"), *common, "--out", str(tmp_path / "x")]
    )
    assert rc == 2 and "--init" in capsys.readouterr().err
