"""Numbers gone wrong (NaN, infinite, runaway firing) stop a run at the end of the block.

The message names the layer or variable, the block and the value; the run
directory keeps the last good checkpoint and the metrics up to it, and its
config.json says ``status: failed`` with the message.
"""

import json
import re

import numpy as np
import pytest
from brian2 import Hz, mV

from superspike_brian.devices.session import Session
from superspike_brian.rundir import read_metrics
from superspike_brian.training import checkpoint, health
from superspike_brian.training.history import History
from superspike_brian.training.trainer import Trainer

from .helpers import SHORT, small_network, small_task


def test_checks_name_layer_block_and_value():
    with pytest.raises(
        health.NumericalFault, match="after block 3: layer hidden_1 fired at 612 Hz"
    ):
        health.check_rates(3, {"output": 5.0, "hidden_1": 612.0}, last_good=2)
    health.check_rates(3, {"output": 499.0})
    with pytest.raises(
        health.NumericalFault, match=r"block 4: output\.v holds nan .1 of 3.*block 3"
    ):
        health.check_finite(4, {"output.v": np.array([0.0, np.nan, 1.0])}, last_good=3)
    with pytest.raises(health.NumericalFault, match=r"optimizer\.v\[1\] holds inf"):
        health.check_finite(1, {"optimizer.v": [np.zeros(2), np.array([np.inf])]})
    health.check_finite(1, {"ok": np.zeros(3), "flags": np.array([True]), "none": None})
    history = History(initial_weights=[np.zeros(2)], weights=[np.array([1.0, -np.inf])])
    history.metrics = [{"block": 0, "output_rate_hz": 3.0}, {"block": 1, "output_rate_hz": 3.0}]
    with pytest.raises(health.NumericalFault, match=r"block 1: weights holds -inf"):
        health.check_history(history)
    history.metrics[0]["hidden_1_rate_hz"] = 800.0
    with pytest.raises(health.NumericalFault, match="block 0: layer hidden_1 fired at 800 Hz"):
        health.check_history(history)


def _left_behind(out, trainer, bad_block, message):
    """The run directory after a fault: the checkpoint and metrics of the last good block."""
    state = checkpoint.load(out, trainer.fingerprint())
    tl = trainer.timeline
    good = tl.block_done(state.k_done)
    assert good is not None and good < bad_block
    assert f"last good checkpoint (after block {good}) is kept" in message
    assert list(read_metrics(out)["block"]) == list(range(good + 1))
    config = json.loads((out / "config.json").read_text())
    assert config["status"] == "failed" and config["fault"] == message
    assert not (out / "weights.npz").exists()


def test_nan_in_the_state_stops_the_controller_at_the_end_of_its_block(tmp_path, monkeypatch):
    task = small_task()
    net = small_network(task, hidden=(5,), feedback="random", regularizer=True)
    trainer = Trainer(
        net,
        task,
        device="cpp_standalone",
        learn="controller",
        schedule=SHORT,
        progress=False,
    )
    read_state = Session.read_state
    calls = []

    def overflowing(self, duration):
        # A membrane overflows in the 7th interval, the first of block 3 (burn-in and
        # blocks: 2 intervals each); the NaN goes on into the binary's next execution.
        state = read_state(self, duration)
        calls.append(1)
        if len(calls) == 7:
            key = next(k for k in state if k == "hidden_1.U")
            state[key][1] = np.nan
        return state

    monkeypatch.setattr(Session, "read_state", overflowing)
    out = tmp_path / "run"
    with pytest.raises(health.NumericalFault) as info:
        trainer.run(out=out, figures=False)
    message = str(info.value)
    assert message.startswith("the run stopped after block 3: hidden_1.U holds nan")
    assert ".U holds nan (1 of 5 values not finite)" in message
    _left_behind(out, trainer, 3, message)
    assert "after block 2" in message


def test_runaway_firing_stops_a_run_that_learns_inside(tmp_path, monkeypatch):
    """A learning rate far too large drives the output above the limit (lowered here,
    as the model's 5 ms refractory period keeps units below 200 Hz)."""
    task = small_task()
    net = small_network(task, hidden=(5,), r0=2000 * mV)
    trainer = Trainer(
        net, task, device="cpp_standalone", learn="inside", schedule=SHORT, progress=False
    )
    monkeypatch.setattr(health, "MAX_RATE", 60 * Hz)
    out = tmp_path / "run"
    with pytest.raises(health.NumericalFault) as info:
        trainer.run(out=out, figures=False)
    message = str(info.value)
    found = re.search(r"layer (output|hidden_1) fired at (\d+) Hz, above 60 Hz .runaway", message)
    assert found and int(found.group(2)) > 60, message
    bad = int(message.split("after block ")[1].split(":")[0])
    assert bad >= 1
    _left_behind(out, trainer, bad, message)
