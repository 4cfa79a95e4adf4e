"""NIR export and import: round trip, nir's own reader, refused graphs and files."""

import numpy as np
import pytest

from superspike_brian import SuperSpikeNetwork, cli, load_run
from superspike_brian.interop.nir import NirError, from_nir, to_nir
from superspike_brian.training.evaluate import evaluate, trained_network

from .helpers import short_train_options
from .test_evaluate import _trained_run

nir = pytest.importorskip("nir")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    base = tmp_path_factory.mktemp("nir")
    task, history, _ = _trained_run(base / "run")
    path = base / "net.nir"
    assert cli.main(["export", str(base / "run"), "--format", "nir", "--out", str(path)]) == 0
    return {"run": base / "run", "path": path, "task": task, "history": history}


def test_the_file_is_read_by_nir_and_holds_the_mapped_network(exported):
    graph = nir.read(str(exported["path"]))
    kinds = {name: type(node).__name__ for name, node in graph.nodes.items()}
    assert kinds == {
        "input": "Input",
        "w_1": "Linear",
        "layer_1": "CubaLIF",
        "w_2": "Linear",
        "layer_2": "CubaLIF",
        "output": "Output",
    }
    assert list(graph.nodes["input"].input_type["input"]) == [20]
    assert list(graph.nodes["output"].output_type["output"]) == [3]
    net = load_run(exported["run"]).network
    p = net.params.neuron
    lif = graph.nodes["layer_1"]
    np.testing.assert_array_equal(lif.tau_syn, np.full(5, float(p.tau_syn)))
    np.testing.assert_array_equal(lif.v_leak, np.full(5, float(p.U_rest)))
    np.testing.assert_array_equal(lif.v_reset, np.full(5, float(p.U_rest)))
    np.testing.assert_array_equal(lif.v_threshold, np.full(5, float(p.theta)))
    np.testing.assert_array_equal(lif.r, np.ones(5))
    assert float(lif.metadata["tau_ref_s"]) == float(p.tau_ref)
    assert float(graph.nodes["w_2"].metadata["delay_s"]) == float(p.delay)
    # A spike through W raises I by W/tau_syn (Dirac input): that is our jump w.
    w_final = exported["history"].weights[1]
    np.testing.assert_allclose(
        graph.nodes["w_2"].weight / float(p.tau_syn) * 1e3, w_final, rtol=1e-14
    )


def test_export_then_import_gives_the_same_spikes(exported):
    original = trained_network(load_run(exported["run"]))
    imported = from_nir(exported["path"])
    assert imported.layer_sizes == original.layer_sizes
    assert imported.params == original.params
    assert (imported.feedback, imported.seed) == (original.feedback, original.seed)
    assert imported.initial_source.startswith("nir:")
    for a, b in zip(imported.initial_weights(), original.initial_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=0)
    task = exported["task"]
    a = evaluate(original, task, 2 * task.period, device="runtime")
    b = evaluate(imported, task, 2 * task.period, device="runtime")
    for name, (t, i) in a.spikes.items():
        assert len(t) > 0, name
        np.testing.assert_array_equal(b.spikes[name][0], t)
        np.testing.assert_array_equal(b.spikes[name][1], i)


def _graph():
    return to_nir(SuperSpikeNetwork(n_in=6, hidden=[4], n_out=2, seed=2))


def test_unsupported_nodes_and_structures_are_refused_with_the_node_named():
    g = _graph()
    g.nodes["layer_1"] = nir.LIF(
        tau=np.full(4, 0.01), r=np.ones(4), v_leak=np.zeros(4), v_threshold=np.ones(4)
    )
    with pytest.raises(NirError, match="node 'layer_1' is a LIF node"):
        from_nir(g)
    g = _graph()
    g.nodes["conv"] = nir.Conv1d(
        input_shape=6,
        weight=np.ones((1, 1, 1)),
        stride=1,
        padding=0,
        dilation=1,
        groups=1,
        bias=np.zeros(1),
    )
    with pytest.raises(NirError, match="node 'conv' is a Conv1d node"):
        from_nir(g)
    g = _graph()
    g.nodes["w_rec"] = nir.Linear(weight=np.ones((4, 4)))
    g.edges += [("layer_1", "w_rec"), ("w_rec", "layer_1")]
    with pytest.raises(NirError, match="node 'layer_1' has 2 inputs .*recurrent"):
        from_nir(g)
    g = _graph()
    g.nodes["layer_2"].tau_mem = np.array([0.01, 0.02])
    with pytest.raises(NirError, match="node 'layer_2': tau_mem differs between units"):
        from_nir(g)


def test_a_file_that_is_not_nir_gets_a_clear_message(tmp_path, capsys):
    bad = tmp_path / "weights.nir"
    bad.write_text("not a NIR graph\n")
    with pytest.raises(NirError, match="weights.nir is not a NIR file"):
        from_nir(bad)
    rc = cli.main(["train", "--init", str(bad), "--duration", "10", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert rc == 2 and "is not a NIR file" in err and "Traceback" not in err


def test_train_init_nir_starts_from_the_exported_weights(exported, tmp_path, capsys):
    out = tmp_path / "from-nir"
    options = short_train_options(exported["task"], tmp_path)
    argv = ["train", "--init", str(exported["path"]), *options, "--out", str(out)]
    assert cli.main(argv) == 0, capsys.readouterr().err
    again = load_run(out)
    assert again.network.config()["initial_source"].startswith("nir:")
    for w_init, w_final in zip(
        again.history.initial_weights, exported["history"].weights, strict=True
    ):
        np.testing.assert_allclose(w_init, w_final, rtol=1e-14, atol=0)
