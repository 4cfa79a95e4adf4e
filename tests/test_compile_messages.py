"""A compile says what, where, how many files and how long; Ctrl-C stops it in one line.

The messages and the timing record are checked on a small fake project (a
makefile whose "compiler" copies files), the interruption on a real
``superspike train`` whose compile is stopped with SIGINT to its process group,
as a terminal's Ctrl-C does.
"""

import json
import os
import signal
import subprocess
import sys

import pytest

from superspike_brian.devices import compiler

FAKE_CC = """\
#!/bin/sh
# A compiler that copies its source to its object: "-c SRC -o OBJ".
[ -f FAIL ] && { echo "error: told to fail" >&2; exit 1; }
cp "$2" "$4"
"""

MAKEFILE = """\
OBJS = a.o b.o c.o
main: $(OBJS)
\tcat $(OBJS) > main
%.o: %.src
\t./cc -c $< -o $@
"""


@pytest.fixture
def project(tmp_path):
    d = tmp_path / "project"
    d.mkdir()
    (d / "cc").write_text(FAKE_CC)
    (d / "cc").chmod(0o755)
    (d / "makefile").write_text(MAKEFILE)
    for name in "abc":
        (d / f"{name}.src").write_text(name)
    return d


def test_a_compile_says_its_size_estimate_and_progress_and_records_its_time(project, tmp_path):
    said = []
    root = tmp_path / "root"
    first = compiler.compile_project(
        project, what="the fake", device="cpp_standalone", say=said.append, root=root, interval=0
    )
    assert not first.cached and first.n_files == 3
    assert said[0].startswith(f"compiling the fake: 3 files with make -j{os.cpu_count()}")
    assert str(project) in said[0] and "no earlier compile on this machine" in said[0]
    assert said[-1].startswith("compiled 3 files in ")
    record = json.loads((root / compiler.TIMES_FILE).read_text())
    (host,) = record
    assert set(record[host]["cpp_standalone"]) == {"3"}
    # Two sources changed: the estimate scales the 3-file compile to 2 files.
    seconds = record[host]["cpp_standalone"]["3"]["seconds"]
    for name in "ab":
        (project / f"{name}.src").write_text(name * 2)
    said.clear()
    compiler.compile_project(
        project, what="the fake", device="cpp_standalone", say=said.append, root=root
    )
    assert ": 2 files with" in said[0]
    assert f"about {seconds * 2 / 3:.0f} s, scaled from a compile of 3 files here" in said[0]
    # Nothing changed: nothing compiled, nothing said.
    said.clear()
    again = compiler.compile_project(
        project, what="the fake", device="cpp_standalone", say=said.append, root=root
    )
    assert again.cached and said == []


def test_progress_counts_the_object_files_done(project, tmp_path):
    said = []
    # A slow compiler: progress lines come while make runs.
    (project / "cc").write_text(FAKE_CC.replace('cp "$2"', 'sleep 0.3; cp "$2"'))
    compiler.compile_project(
        project,
        what="the fake",
        device="cpp_standalone",
        say=said.append,
        root=tmp_path,
        interval=0,
        poll=0.05,
    )
    counts = [int(s.split()[1]) for s in said if s.startswith("  compiled ")]
    assert counts and counts == sorted(counts) and counts[-1] <= 3
    assert all(s.endswith(f"of 3 files after {s.split()[-2]} s") for s in said[1:-1])


def test_a_failed_compile_names_make_log(project, tmp_path):
    (project / "FAIL").write_text("")
    with pytest.raises(compiler.CompileError, match="make.log") as failed:
        compiler.compile_project(
            project, what="the fake", device="cpp_standalone", say=lambda s: None, root=tmp_path
        )
    assert "error: told to fail" in str(failed.value)
    assert "clean=True" not in str(failed.value)


def test_ctrl_c_while_compiling_is_one_line_and_the_run_resumes_with_its_options(
    tmp_path, monkeypatch, capsys
):
    out = tmp_path / "run"
    env = {**os.environ, "SUPERSPIKE_BUILD_DIR": str(tmp_path / "empty-cache")}
    argv = ["train", "--duration", "1", "--block", "1", "--burn-in", "1", "--out", str(out)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "superspike_brian.cli", *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        before = []
        for line in proc.stderr:
            before.append(line)
            if line.startswith("compiling "):
                break
        assert before and before[-1].startswith("compiling the cpp_standalone binary"), before
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the whole group
        _, after = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130
    lines = [line for line in after.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("  compiled ")]  # progress
    assert len(lines) == 1, after
    assert lines[0].startswith("interrupted while compiling (")
    assert lines[0].endswith(f"resume with: superspike train --resume {out}")
    for spew in ("make", "g++", "clean=True", "Traceback", "Error"):
        assert spew not in after
    # No compiler is left running in the build directory.
    build = next((tmp_path / "empty-cache").glob("cpp_standalone-*"))
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(build) not in ps
    # The resume names the options it starts again with (no checkpoint yet); the
    # training itself is not run here (it would compile).
    from superspike_brian import cli
    from superspike_brian.cli import commands

    started = []
    monkeypatch.setattr(commands, "_run_train", lambda args, argv, out: started.append(argv) or 0)
    assert cli.main(["train", "--resume", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{out} has no checkpoint" in err
    assert err.strip().endswith(f"as superspike {' '.join(argv)}")
    assert started == [argv]


def test_a_sweep_passes_on_the_compile_lines_of_its_runs_logs(tmp_path):
    import time
    from types import SimpleNamespace

    from superspike_brian.sweep.compile_echo import CompileEcho

    def spec(condition, seed):
        return SimpleNamespace(
            condition=condition, seed=seed, run_dir=lambda out: out / condition / f"seed-{seed}"
        )

    fresh, resumed = spec("feedback-random", 1), spec("feedback-random", 2)
    for s, old in ((fresh, "compiling an old attempt\n"), (resumed, "compiling before\n")):
        s.run_dir(tmp_path).mkdir(parents=True)
        (s.run_dir(tmp_path) / "log.txt").write_text(old)
    (resumed.run_dir(tmp_path) / "checkpoint.npz").write_text("")
    past = time.time() - 60
    os.utime(fresh.run_dir(tmp_path) / "log.txt", (past, past))
    said = []
    echoing = CompileEcho([fresh, resumed], tmp_path, said.append)
    echoing.look([fresh, resumed], tmp_path)
    assert said == []  # neither log was written by this sweep yet
    (fresh.run_dir(tmp_path) / "log.txt").write_text(
        "$ superspike train ...\ncompiling the cpp_standalone binary: 54 files\n"
        "  compiled 20 of 54 files after 15 s\nblock 0\n"
    )
    with open(resumed.run_dir(tmp_path) / "log.txt", "a") as log:
        log.write("compiled 54 files in 30.0 s\n")
    echoing.look([fresh, resumed], tmp_path)
    assert said == [
        "[compile] feedback-random seed 1: compiling the cpp_standalone binary: 54 files",
        "[compile] feedback-random seed 1: compiled 20 of 54 files after 15 s",
        "[compile] feedback-random seed 2: compiled 54 files in 30.0 s",
    ]
    echoing.look([fresh, resumed], tmp_path)
    assert len(said) == 3  # each line once
