"""The command line: bad input fails fast with a message naming the problem."""

import argparse
import json

import pytest

from superspike_brian import cli
from superspike_brian.cli.build import _train_parser, resume_args
from superspike_brian.tasks.pattern import render_word, save_image
from superspike_brian.tasks.single_neuron import frozen_poisson
from superspike_brian.tasks.spikeio import write_ras


@pytest.fixture
def files(tmp_path):
    from brian2 import Hz, ms

    inp = tmp_path / "in.ras"
    write_ras(inp, frozen_poisson(20, 10 * Hz, 500 * ms, seed=1))
    tgt = tmp_path / "tgt.ras"
    tgt.write_text("0.1 0\n0.2 1\n")
    png = tmp_path / "word.png"
    save_image(png, render_word("AB", height=10, width=40))
    bad_png = tmp_path / "notimage.png"
    bad_png.write_text("hello")
    return {"in": inp, "tgt": tgt, "png": png, "bad_png": bad_png, "dir": tmp_path}


def _run(argv, capsys):
    try:
        rc = cli.main(argv)
    except SystemExit as exc:  # argparse and early checks
        rc = exc.code if isinstance(exc.code, int) else 2
        msg = str(exc.code) if not isinstance(exc.code, int) else ""
        return rc, msg + capsys.readouterr().err
    return rc, capsys.readouterr().err


def _train(files, *extra):
    return [
        "train",
        "--input",
        str(files["in"]),
        "--target",
        str(files["tgt"]),
        "--period",
        "0.5",
        "--duration",
        "1",
        "--block",
        "1",
        "--burn-in",
        "0.5",
        *extra,
    ]


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--device", "gpu"], "--device: invalid choice: 'gpu' .choose from 'runtime', 'cpp"),
        (["--hidden", "4", "--feedback", "sideways"], "--feedback: invalid choice: 'sideways'"),
        (["--feedback", "random"], "needs a hidden layer"),
        (["--hidden", "4,x"], "--hidden must be 0 or layer sizes"),
        (["--regularizer", "-1"], "--regularizer must be"),
        (["--engine", "magic"], "--engine: invalid choice: 'magic' .choose from 'synaptic'"),
        (["--duration", "1.5"], "--duration 1.5 s must be a whole number of --block 1 s"),
        (["--block", "0.3", "--duration", "0.9"], "block .* is not a multiple of t_update"),
    ],
)
def test_bad_options_fail_before_running(files, capsys, extra, message):
    rc, err = _run(_train(files, *extra), capsys)
    assert rc != 0
    assert __import__("re").search(message, err), err


def test_missing_and_malformed_files(files, capsys):
    argv = _train(files)
    argv[2] = str(files["dir"] / "nope.ras")
    rc, err = _run(argv, capsys)
    assert rc == 2 and "nope.ras" in err
    files["tgt"].write_text("0.1 0 7\n")
    rc, err = _run(_train(files), capsys)
    assert rc == 2 and "line 1" in err


def test_image_targets(files, capsys):
    argv = _train(files)
    argv[4] = str(files["dir"] / "missing.png")
    rc, err = _run(argv, capsys)
    assert rc == 2 and "does not exist" in err
    argv[4] = str(files["bad_png"])
    rc, err = _run(argv, capsys)
    assert rc == 2 and "not a readable image" in err
    # Picture rows are resampled to --n-out, but target ids beyond --n-out are an error.
    argv = _train(files, "--n-out", "1")
    rc, err = _run(argv, capsys)
    assert rc == 2 and "target" in err.lower()


def test_resume_refuses_other_options_and_names_them(tmp_path, capsys):
    config = {
        "status": "complete",
        "argv": ["train", "--hidden", "0", "--duration", "20", "--seed", "1", "--out", "x"],
    }
    (tmp_path / "config.json").write_text(__import__("json").dumps(config))
    argv = ["train", "--resume", str(tmp_path), "--seed", "7", "--r0", "0.5"]
    rc, err = _run(argv, capsys)
    assert rc == 2
    assert "--r0 0.5 (the run has 1.0)" in err and "--seed 7 (the run has 1)" in err
    assert "only a longer --duration" in err
    rc, err = _run(["train", "--resume", str(tmp_path), "--duration", "10"], capsys)
    assert rc == 2 and "--duration 10.0 (the run has 20.0)" in err
    # The same options, or none: a complete run has nothing left to do.
    assert _run(["train", "--resume", str(tmp_path), "--seed", "1"], capsys)[0] == 0


def test_resume_keeps_the_runs_own_options_without_repeating_them(tmp_path):
    own = [
        *("--hidden", "4", "--feedback", "random", "--regularizer", "2e-3,2"),
        *("--r0", "0.5", "--seed", "3", "--engine", "factorized", "--block", "5"),
        *("--burn-in", "5", "--duration", "20", "--error-delay", "0.4", "--fixed-hidden"),
    ]
    run_argv = ["train", *own, "--out", str(tmp_path), "--overwrite"]
    (tmp_path / "config.json").write_text(json.dumps({"status": "running", "argv": run_argv}))
    defaults = vars(_train_parser().parse_args([]))
    original = vars(_train_parser().parse_args([*own, "--out", str(tmp_path)]))
    changed = {k for k in original if original[k] != defaults[k]}
    assert {"hidden", "feedback", "regularizer", "r0", "seed", "engine", "block"} <= changed
    assert {"burn_in", "duration", "error_delay", "fixed_hidden"} <= changed

    given = ["train", "--resume", str(tmp_path), "--duration", "40"]
    resumed, _, argv = resume_args(argparse.Namespace(resume=str(tmp_path), argv=given))
    out = str(tmp_path)
    # Only --resume and the longer duration given: the run goes on with all its own options.
    assert vars(resumed) == {**original, "duration": 40.0, "resume": out}
    longer = [("40.0" if a == "20" else a) for a in own]
    assert argv == ["train", *longer, "--out", out]


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--block", "0"], "argument --block: expected a positive number, got '0'"),
        (["--duration", "0"], "argument --duration: expected a positive number, got '0'"),
        (["--decay-at", "99"], "--decay-at 99 lies beyond the last block: the training has 1"),
        (["--reference", "bogus"], "argument --reference: invalid choice: 'bogus'"),
        (["--hidden", "200000000"], r"needs about [0-9.]+ GB of memory, and [0-9.]+ GB are"),
    ],
)
def test_ordinary_mistakes_get_one_line(files, capsys, extra, message):
    rc, err = _run(_train(files, *extra), capsys)
    assert rc == 2
    assert __import__("re").search(message, err), err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_run_directory_mistakes(files, capsys, tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("")
    rc, err = _run(_train(files, "--out", str(a_file)), capsys)
    assert rc == 2 and f"the run directory {a_file} is a file" in err
    rc, err = _run(_train(files, "--out", str(a_file / "run")), capsys)
    assert rc == 2 and f"{a_file} is a file" in err
    argv = _train(files)
    argv[2] = str(tmp_path)  # --input a directory
    rc, err = _run(argv, capsys)
    assert rc == 2 and "--input" in err and "is a directory" in err


def test_an_existing_run_is_never_overwritten_silently(files, capsys, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "config.json").write_text("{}")
    (out / "summary.png").write_bytes(b"old")
    rc, err = _run(_train(files, "--out", str(out)), capsys)
    assert rc == 2 and "holds a run already" in err and "--overwrite" in err
    assert (out / "summary.png").read_bytes() == b"old"


def test_an_empty_target_file_asks_for_the_number_of_units(files, capsys):
    files["tgt"].write_text("")
    rc, err = _run(_train(files), capsys)
    assert rc == 2 and "contains no spikes: give --n-out" in err


def test_ctrl_c_says_where_the_run_stands_and_how_to_resume(files, capsys, tmp_path, monkeypatch):
    from superspike_brian.cli import commands

    out = tmp_path / "run"

    def interrupted(args, argv, out):
        out.mkdir(exist_ok=True)  # made by the run's lock
        (out / "metrics.csv").write_text("block,time_s,cost\n0,1,10\n1,2,5\n2,3,2\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "_train", interrupted)
    rc, err = _run(_train(files, "--out", str(out)), capsys)
    assert rc == 130
    assert f"interrupted after block 2; resume with: superspike train --resume {out}" in err


def test_cuda_without_gpu_leaves_no_run_directory(files, capsys, tmp_path):
    from superspike_brian.devices.codegen import gpu_available

    if gpu_available():
        pytest.skip("a GPU is present here")
    out = tmp_path / "run"
    rc, err = _run(_train(files, "--device", "cuda_standalone", "--out", str(out)), capsys)
    assert rc == 2 and "needs an NVIDIA GPU" in err
    assert not (out / "config.json").exists()


@pytest.mark.parametrize(
    "option,rho_per_mV,a,on",
    [
        (["--regularizer", "2e-3,2"], 2e-3, 2.0, True),
        (["--regularizer", "5e-4"], 5e-4, 4.0, True),  # A keeps the model's default
        (["--no-regularizer"], None, 4.0, False),
        ([], None, 4.0, True),  # on by default with random feedback
    ],
)
def test_regularizer_option_reaches_the_network(option, rho_per_mV, a, on):
    """``--regularizer RHO,A`` sets the strength (1/mV) and the exponent of the model."""
    from brian2 import mV

    from superspike_brian import single_neuron_task
    from superspike_brian.cli.build import make_trainer
    from superspike_brian.cli.parser import build_parser

    argv = ["train", "--hidden", "4", "--feedback", "random", "--duration", "20", *option]
    trainer = make_trainer(build_parser().parse_args(argv), single_neuron_task(seed=1))
    net = trainer.network
    assert bool(net.regularizer) is on
    assert net.params.regularizer.a == a
    if rho_per_mV is not None:
        assert float(net.params.regularizer.rho * mV) == pytest.approx(rho_per_mV, rel=1e-12)
    assert trainer.config()["network"]["regularizer"] is on
