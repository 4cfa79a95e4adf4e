"""``train --init``: the source's settings unless the command line says otherwise, and said."""

import json

from brian2 import mV

from superspike_brian import ModelParameters, SuperSpikeNetwork, cli
from superspike_brian.interop import nir

from .helpers import short_train_options, small_task


def _random_feedback_nir(path):
    """A NIR file of a random-feedback network with a regularizer of its own strength."""
    task = small_task()
    params = ModelParameters().replace(rho=3e-6 / mV, a=2.0, r0=0.5 * mV)
    net = SuperSpikeNetwork(
        n_in=task.n_in, hidden=(5,), n_out=task.n_out, feedback="random", params=params, seed=7
    )
    nir.write(path, nir.to_nir(net))
    return task


def _network(out):
    return json.loads((out / "config.json").read_text())["network"]


def test_init_from_a_random_feedback_nir_file_keeps_its_feedback_and_regularizer(tmp_path, capsys):
    source = tmp_path / "net.nir"
    task = _random_feedback_nir(source)
    common = short_train_options(task, tmp_path)
    out = tmp_path / "from-nir"
    assert cli.main(["train", "--init", str(source), *common, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    net = _network(out)
    assert net["feedback"] == "random" and net["regularizer"] is True and net["seed"] == 7
    assert net["params_si"]["regularizer"]["rho"] == 3e-3  # 3e-6/mV in 1/V
    assert net["params_si"]["regularizer"]["a"] == 2.0
    assert net["params_si"]["learning"]["r0"] == 0.5e-3
    took = f"--init {source}: took its layers 20 -> 5 -> 3; feedback random;"
    took += " regularizer on (rho 3e-06/mV, a 2); seed 7"
    assert took in err
    assert f"--init {source}: the command line changed nothing" in err
    # What the command line gives changes it, and is said with the source's value.
    again = tmp_path / "symmetric"
    argv = ["train", "--init", str(source), *common, "--feedback", "symmetric"]
    assert cli.main([*argv, "--no-regularizer", "--r0", "1", "--out", str(again)]) == 0
    err = capsys.readouterr().err
    net = _network(again)
    assert net["feedback"] == "symmetric" and net["regularizer"] is False
    assert net["params_si"]["learning"]["r0"] == 1e-3
    changed = err.split("the command line changed ")[1].splitlines()[0]
    assert "--feedback symmetric (it has random)" in changed
    assert "--r0 1 (it has 0.5)" in changed
    assert "regularizer off (it has on (rho 3e-06/mV, a 2))" in changed
