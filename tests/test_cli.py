"""The command line: bad input fails fast with a message naming the problem."""

import pytest

from superspike_brian import cli
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
        (["--duration", "1.5"], "must be a multiple of --block"),
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
