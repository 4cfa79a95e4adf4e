"""The package's messages go through logging: shown by default, silenced and redirected
as Brian2's are, and ``-q``/``-v`` on the command line.

The library's messages are those of a compile of a small fake project (see
tests/test_compile_messages.py); the command line's wiring is checked with a
stand-in command that logs at each level.
"""

import logging

import pytest

from superspike_brian import cli, logs
from superspike_brian.cli import commands
from superspike_brian.devices import compiler

from .test_compile_messages import project  # noqa: F401 - the fake project fixture

ROOT = logging.getLogger(logs.ROOT)


@pytest.fixture(autouse=True)
def _restore_logging():
    level, handlers = ROOT.level, list(ROOT.handlers)
    yield
    ROOT.setLevel(level)
    ROOT.handlers[:] = handlers


def _compile(project):  # noqa: F811
    return compiler.compile_project(project, what="the fake", device="cpp_standalone")


def test_messages_are_shown_at_info_by_default(project, capsys):  # noqa: F811
    _compile(project)
    captured = capsys.readouterr()
    assert "compiling the fake: 3 files" in captured.err
    assert "compiled 3 files in" in captured.err and captured.out == ""


def test_a_level_above_info_silences_them_as_for_brian2(project, capsys):  # noqa: F811
    logging.getLogger("superspike_brian").setLevel(logging.WARNING)
    _compile(project)
    assert capsys.readouterr().err == ""


def test_a_users_handler_receives_them_with_the_modules_name(project, capsys):  # noqa: F811
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    ROOT.removeHandler(logs.HANDLER)
    ROOT.addHandler(Keep())
    _compile(project)
    assert capsys.readouterr().err == ""
    names = {r.name for r in records}
    assert names == {"superspike_brian.devices.compiler"}
    assert any(r.getMessage().startswith("compiling the fake") for r in records)
    assert {r.levelno for r in records} == {logging.INFO}


def test_debug_shows_the_make_command(project, capsys):  # noqa: F811
    logs.set_level("DEBUG")
    _compile(project)
    err = capsys.readouterr().err
    assert f"make -j{compiler.available_cores()} in {project}" in err


def test_a_wrong_level_is_named():
    with pytest.raises(ValueError, match="level must be one of DEBUG, INFO"):
        logs.set_level("LOUD")


@pytest.fixture
def stand_in(monkeypatch):
    """``superspike report`` replaced by a command that logs at every level."""
    seen = {}

    def fake(args):
        seen["argv"] = args.argv
        log = logs.get_logger("superspike_brian.cli.commands")
        log.debug("detail")
        log.info("progress")
        log.info("results in x", extra=logs.STDOUT)
        log.warning("careful")
        return 0

    monkeypatch.setattr(commands, "cmd_report", fake)
    return seen


@pytest.mark.parametrize(
    "flags, err, out",
    [
        ([], ["progress", "careful"], ["results in x"]),
        (["-q"], ["careful"], []),
        (["--verbose"], ["detail", "progress", "careful"], ["results in x"]),
    ],
)
def test_quiet_and_verbose_on_the_command_line(stand_in, capsys, flags, err, out):
    assert cli.main([*flags, "report", "somewhere"]) == 0
    captured = capsys.readouterr()
    assert captured.err.split() == err and captured.out.split("\n")[:-1] == out
    # What a run records for --resume is the command, not how loud it was.
    assert stand_in["argv"] == ["report", "somewhere"]
    assert ROOT.level == logging.INFO, "the command line left its level behind"


def test_errors_are_shown_with_quiet(tmp_path, capsys):
    assert cli.main(["-q", "report", str(tmp_path / "nothing")]) == 2
    assert "superspike: error:" in capsys.readouterr().err
