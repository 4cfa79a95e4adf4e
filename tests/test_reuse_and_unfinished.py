"""A trained run's binary is reused; unfinished and missing runs answer in one line.

One short cpp_standalone training (the built-in single-neuron task, 1 s blocks)
is compiled once for the module, with a build cache of its own and ``g++``
behind a shim that logs every call with its folder: ``evaluate`` and ``train
--init`` of that run must run its binary as it is (its mtime unchanged, no
compiler call in a build directory; Brian2 itself calls the compiler at start to
test flags, in temporary folders). The
same run, marked as interrupted, serves the one-line answers of every command
to an unfinished run.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from superspike_brian import cli, load_run, rundir

SHIM = """#!/bin/sh
echo "$(pwd -P): $0 $*" >> "{log}"
exec "{real}" "$@"
"""

SHORT = ["--duration", "2", "--block", "1", "--burn-in", "1"]


def _cli(args, env):
    return subprocess.run(
        [sys.executable, "-m", "superspike_brian.cli", *args],
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("reuse")
    shims = root / "shims"
    shims.mkdir()
    log = root / "compiler-calls.txt"
    for name in ("g++", "c++", "cc", "gcc"):
        real = shutil.which(name)
        if real:
            (shims / name).write_text(SHIM.format(log=log, real=real))
            (shims / name).chmod(0o755)
    env = {
        **os.environ,
        "SUPERSPIKE_BUILD_DIR": str(root / "cache"),
        "PATH": f"{shims}:{os.environ['PATH']}",
    }
    run = root / "run"
    done = _cli(["train", *SHORT, "--out", str(run)], env)
    assert done.returncode == 0, done.stderr
    assert "compiling the cpp_standalone binary" in done.stderr
    (build,) = (root / "cache").glob("cpp_standalone-*")
    trained = {"root": root, "run": run, "env": env, "log": log, "build": build}
    assert len(_project_compiles(trained)) > 10  # the shim saw the compile
    return trained


def _project_compiles(trained):
    """The compiler calls made in a build directory of the module's cache."""
    cache = str((trained["root"] / "cache").resolve())
    return [line for line in trained["log"].read_text().splitlines() if line.startswith(cache)]


def _binary(build):
    files = [build / "main", *sorted(build.glob("**/*.o"))]
    return {str(f): f.stat().st_mtime_ns for f in files}


def test_evaluate_runs_the_runs_binary_without_compiling(trained, tmp_path):
    before, calls = _binary(trained["build"]), _project_compiles(trained)
    ev = tmp_path / "eval"
    done = _cli(
        ["evaluate", str(trained["run"]), "--duration", "1", "--out", str(ev)], trained["env"]
    )
    assert done.returncode == 0, done.stderr
    assert "compiling" not in done.stderr
    assert "nothing compiled: the run's compiled binary ran it" in done.stdout
    assert _binary(trained["build"]) == before
    assert _project_compiles(trained) == calls  # no compiler process ran
    assert [d.name for d in trained["build"].parent.glob("cpp_standalone-*")] == [
        trained["build"].name
    ]
    summary = json.loads((ev / "evaluation.json").read_text())
    assert summary["duration_s"] == 1 and summary["cost"] is not None


def test_train_init_from_the_run_takes_its_settings_and_its_binary(trained, tmp_path):
    before, calls = _binary(trained["build"]), _project_compiles(trained)
    out = tmp_path / "again"
    done = _cli(["train", "--init", str(trained["run"]), *SHORT, "--out", str(out)], trained["env"])
    assert done.returncode == 0, done.stderr
    assert f"--init {trained['run']}: took its layers 100 -> 1" in done.stderr
    assert f"--init {trained['run']}: the command line changed nothing" in done.stderr
    assert _binary(trained["build"]) == before and _project_compiles(trained) == calls


def test_evaluate_refuses_options_it_cannot_honour(trained, tmp_path, capsys):
    for extra, flag in (
        (["--period", "0.3"], "--period"),
        (["--target", str(tmp_path / "t.ras")], "--target"),
        (["--input-id-offset", "1"], "--input-id-offset"),
        (["--target-id-offset", "1"], "--target-id-offset"),
    ):
        rc = cli.main(["evaluate", str(trained["run"]), *extra, "--out", str(tmp_path / "e")])
        err = capsys.readouterr().err.strip()
        assert rc == 2 and err.startswith(f"superspike: error: {flag} applies to")
        assert len(err.splitlines()) == 1
    assert not (tmp_path / "e").exists()


def test_a_loaded_run_prints_in_one_line(trained):
    text = repr(load_run(trained["run"]))
    assert "\n" not in text and len(text) < 400
    assert text.startswith(f"Run({str(trained['run'])!r}: 100 -> 1, symmetric feedback")


@pytest.fixture(scope="module")
def unfinished(trained):
    """The trained run as a run interrupted after its checkpoint at block 1."""
    out = trained["root"] / "unfinished"
    shutil.copytree(trained["run"], out)
    config = rundir.read_config(out)
    rundir.write_config(out, dict(config, status="running"))
    for name in ("weights.npz", "spikes.npz", "voltage.npz", "task.npz"):
        (out / name).unlink()
    return out


def test_every_command_answers_an_unfinished_run_in_one_line(unfinished, tmp_path, capsys):
    line = f"{unfinished} is unfinished (last checkpoint at block 2): resume with"
    line += f" `superspike train --resume {unfinished}`"
    for argv in (
        ["report", str(unfinished)],
        ["evaluate", str(unfinished), "--out", str(tmp_path / "e")],
        ["export", str(unfinished), "--out", str(tmp_path / "x.nir")],
        ["train", "--init", str(unfinished), "--device", "runtime", "--out", str(tmp_path / "i")],
    ):
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert err.endswith(line) and len(err.splitlines()) == 1, (argv, err)
    with pytest.raises(rundir.RunUnfinished) as stopped:
        load_run(unfinished)
    assert str(stopped.value) == line


def test_every_command_answers_a_missing_run_in_one_line(tmp_path, capsys):
    missing = tmp_path / "does-not-exist"
    for argv in (
        ["report", str(missing)],
        ["evaluate", str(missing), "--out", str(tmp_path / "e")],
        ["export", str(missing), "--out", str(tmp_path / "x.nir")],
        ["train", "--resume", str(missing)],
        ["train", "--init", str(missing), "--out", str(tmp_path / "i")],
    ):
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert f"{missing} does not exist" in err and len(err.splitlines()) == 1, (argv, err)
    with pytest.raises(rundir.RunMissing, match=f"^{missing} does not exist$"):
        load_run(missing)
    assert not missing.exists()  # nobody created it
