"""Standalone projects: CUDA code generation without a GPU, and results read back."""

import json
import os
import shutil
import subprocess

import numpy as np
import pytest
from brian2 import ms, second

import superspike_brian
from superspike_brian import Schedule, SuperSpikeNetwork, Trainer, cli, rundir, single_neuron_task
from superspike_brian.devices import codegen
from superspike_brian.tasks.pattern import pattern_task
from superspike_brian.training.collect import read_description

from .helpers import SHORT, run_oracle, small_network, small_task

SHORT_RUN = Schedule(burn_in=1 * second, block=1 * second, n_blocks=1)


def _models():
    sn = single_neuron_task(seed=1)
    pt = pattern_task(n_in=20, n_out=10, period=500 * ms, seed=1)
    return {
        "single_neuron": (SuperSpikeNetwork(n_in=100, n_out=1), sn),
        "hidden_layer": (SuperSpikeNetwork(n_in=100, hidden=(4,), feedback="random"), sn),
        "pattern": (SuperSpikeNetwork(n_in=20, hidden=(16,), n_out=10), pt),
    }


@pytest.mark.parametrize("name", ["single_neuron", "hidden_layer", "pattern"])
def test_cuda_code_generation_without_gpu(name, tmp_path):
    net, task = _models()[name]
    d = Trainer(net, task, device="cuda_standalone", schedule=SHORT_RUN, progress=False).generate(
        tmp_path / name
    )
    assert (d / "main.cu").exists() and (d / "README.md").exists()
    makefile = (d / "makefile").read_text()
    assert "-std=c++17" in makefile and "-std=c++11" not in makefile
    assert "sm_90" in makefile
    manifest = json.loads((d / "manifest.json").read_text())
    assert manifest["device"] == "cuda_standalone"
    assert {"output_t", "output_i", "cost_sq", "conn_1_w"} <= set(manifest["arrays"])
    # Every recorded quantity has its own result file.
    files = [e["file"] for e in manifest["arrays"].values()]
    assert len(set(files)) == len(files)
    # Described by JSON and .npz files (no pickles), read back to the same objects.
    assert not [p.name for p in d.rglob("*") if p.suffix in (".pkl", ".pickle")]
    network, read_task, schedule = read_description(d)
    assert network.config() == net.config()
    for a, b in zip(network.initial_weights(), net.initial_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert read_task.name == task.name and read_task.kind == task.kind
    expected = rundir.task_arrays(task)
    got = rundir.task_arrays(read_task)
    assert set(got) == set(expected)
    for key, value in expected.items():
        np.testing.assert_array_equal(got[key], value)
    assert schedule.to_config() == SHORT_RUN.to_config()


def test_a_project_described_by_a_pickle_is_refused_in_one_line(tmp_path, capsys):
    """Projects of 0.1.0 carried a pickle; it is never loaded (it could run any code)."""
    old = tmp_path / "old"
    old.mkdir()
    (old / "superspike.pkl").write_bytes(b"not to be unpickled")
    assert cli.main(["collect", str(old), "--out", str(tmp_path / "run")]) != 0
    err = capsys.readouterr().err
    assert "0.1.0 or earlier" in err and "superspike.pkl" in err and "Traceback" not in err
    assert not (tmp_path / "run").exists()
    (old / "superspike.pkl").unlink()
    with pytest.raises(ValueError, match="not a complete generated project"):
        read_description(old)


def test_cpp_project_runs_and_collects_like_the_trainer(tmp_path, monkeypatch):
    task = small_task()
    net = small_network(task, hidden=(5,))
    trainer = Trainer(
        net,
        task,
        device="cpp_standalone",
        schedule=SHORT,
        progress=False,
    )
    direct = trainer.run()
    project = trainer.generate(tmp_path / "proj", compile=True)
    subprocess.run(["./main"], cwd=project, check=True, capture_output=True)
    out = tmp_path / "run"
    # Collected by a later version of the package than the one that generated it.
    generated_by = json.loads((project / "config.json").read_text())["package"]["version"]
    with monkeypatch.context() as later:
        later.setattr(superspike_brian, "__version__", "99.0.0")
        rundir._package_info.cache_clear()
        assert cli.main(["collect", str(project), "--out", str(out)]) == 0
    rundir._package_info.cache_clear()
    collected_by = json.loads((out / "config.json").read_text())["package"]["version"]
    assert (generated_by, collected_by) == (superspike_brian.__version__, "99.0.0")
    w = np.load(out / "weights.npz")
    for l, w_direct in enumerate(direct.weights, start=1):
        np.testing.assert_array_equal(w[f"w_final_{l}"], w_direct)
    metrics = (out / "metrics.csv").read_text().splitlines()
    assert len(metrics) == len(direct.metrics) + 1
    assert (out / "raster.png").exists()


def test_factorized_project_compiles_after_moving_and_matches_oracle(tmp_path):
    """A generated factorized project carries its C++ engine: moved elsewhere, it
    compiles, runs and gives the oracle's weights."""
    task = small_task()
    net = small_network(task, hidden=(5,), feedback="random", regularizer=True)
    ref = run_oracle(net, task, SHORT)
    trainer = Trainer(
        net, task, device="cpp_standalone", engine="factorized", schedule=SHORT, progress=False
    )
    generated = trainer.generate(tmp_path / "generated")
    project = tmp_path / "moved"
    shutil.move(generated, project)
    subprocess.run(["make", "-j2"], cwd=project, check=True, capture_output=True)
    subprocess.run(["./main"], cwd=project, check=True, capture_output=True)
    out = tmp_path / "run"
    assert cli.main(["collect", str(project), "--out", str(out)]) == 0
    w = np.load(out / "weights.npz")
    for l, w_ref in enumerate(ref["weights"], start=1):
        scale = np.abs(w_ref).max()
        np.testing.assert_allclose(w[f"w_final_{l}"], w_ref, rtol=1e-9, atol=1e-9 * scale)


def test_bad_codegen_input(tmp_path, capsys):
    with pytest.raises(ValueError, match="compute capability must look like 9.0"):
        codegen.check_compute_capability("sm90")
    net, task = _models()["single_neuron"]
    with pytest.raises(ValueError, match="standalone project"):
        Trainer(net, task, device="runtime", progress=False).generate(tmp_path / "x")
    rc = cli.main(
        [
            "codegen",
            "--device",
            "cuda_standalone",
            "--compute-capability",
            "nine",
            "--out",
            str(tmp_path / "y"),
        ]
    )
    assert rc == 2 and "compute capability" in capsys.readouterr().err


@pytest.mark.skipif(codegen.gpu_available(), reason="a GPU is present here")
def test_cuda_run_without_gpu_says_how_to_generate(tmp_path):
    net, task = _models()["single_neuron"]
    trainer = Trainer(net, task, device="cuda_standalone", schedule=SHORT_RUN, progress=False)
    with pytest.raises(RuntimeError, match="superspike codegen .* --compile"):
        trainer.run()


@pytest.mark.slow
@pytest.mark.skipif(
    not (shutil.which("nvcc") and os.environ.get("SUPERSPIKE_TEST_NVCC") == "1"),
    reason="compiling with nvcc takes 6-10 minutes: set SUPERSPIKE_TEST_NVCC=1 to run it",
)
def test_cuda_project_compiles_with_nvcc(tmp_path):
    net, task = _models()["single_neuron"]
    d = Trainer(net, task, device="cuda_standalone", schedule=SHORT_RUN, progress=False).generate(
        tmp_path / "cuda", compile=True
    )
    assert (d / "main").exists()


def test_cuda_makefile_takes_curand_from_make_variables(tmp_path, monkeypatch):
    """The generating machine's cuRAND paths become overridable defaults, not literals."""
    inc, lib = tmp_path / "gen" / "include", tmp_path / "gen" / "lib"
    monkeypatch.setattr(codegen, "curand_paths", lambda: (inc, lib))
    (tmp_path / "makefile").write_text(
        "all:\n"
        f"\t@echo nvcc -std=c++11 -I{inc} -c main.cu\n"
        f"\t@echo nvcc -o main main.o -L{lib} -Xlinker -rpath,{lib} -lcurand\n"
    )
    codegen.patch_makefile(tmp_path)
    text = (tmp_path / "makefile").read_text()
    assert "-std=c++17" in text and "c++11" not in text
    # The old paths stay only as the defaults of the two variables.
    assert text.count(str(inc)) == 1 and text.count(str(lib)) == 1

    def build(*variables):
        run = subprocess.run(
            ["make", "-s", *variables], cwd=tmp_path, capture_output=True, text=True, check=True
        )
        return run.stdout

    here = build()
    assert f"-I{inc}" in here and f"-L{lib}" in here and f"-rpath,{lib}" in here
    other = build("CURAND_INC=/opt/cu/include", "CURAND_LIB=/opt/cu/lib")
    assert "-I/opt/cu/include" in other and "-L/opt/cu/lib -Xlinker -rpath,/opt/cu/lib" in other
    assert str(inc) not in other and str(lib) not in other
    toolkit = build("CURAND_INC=", "CURAND_LIB=")
    assert "-I" not in toolkit and "-L" not in toolkit and "rpath" not in toolkit
    assert "-lcurand" in toolkit
