"""`superspike reproduce --only` and `--results`: part of a reproduction, its rows in a file."""

import json
import math
import shutil
from pathlib import Path

import pytest

from superspike_brian import cli
from superspike_brian.reproduce import archive
from superspike_brian.reproduce.claims import evaluate
from superspike_brian.reproduce.datasets import AUTHORS, BUILTIN
from superspike_brian.reproduce.experiments import Sweep, experiments
from superspike_brian.reproduce.measures import collect
from superspike_brian.reproduce.report_claims import claims_section, failures_section
from superspike_brian.reproduce.runner import select_sweeps

from .test_reproduce import ssbm_standins


def _row(condition, seed, cost, run=None, **extra):
    return {
        "condition": condition,
        "seed": seed,
        "cost": cost,
        "late_median": cost[-1],
        "run_dir": run,
        **extra,
    }


def test_rows_survive_the_file_with_nan_and_relative_run_paths(tmp_path):
    out = tmp_path / "paper"
    rows = {
        "fig4-h4": [
            _row("feedback-random", 1, [3.0, math.nan, 1.0], str(out / "fig4-h4/a/seed-1")),
            _row("feedback-random", 2, [3.0, 2.0, 0.5], str(out / "fig4-h4/a/seed-2"), fb=None),
        ],
        "alias": [_row("feedback-random", 1, [3.0, 1.0, 1.0])],
    }
    path = archive.write(out, rows, ["fig4-h4"], scale="full")
    text = path.read_text()
    assert "NaN" not in text and str(tmp_path) not in text  # plain JSON, no machine's path
    back = archive.read(path, scale="full")
    assert list(back) == ["fig4-h4"]  # aliases are their source's rows: not kept
    first, second = back["fig4-h4"]
    assert math.isnan(first["cost"][1]) and first["cost"][2] == 1.0
    assert first["run"] == "fig4-h4/a/seed-1" and second["fb"] is None
    merged = archive.merge(tmp_path / "elsewhere", {}, back)
    assert merged["fig4-h4"][0]["run_dir"] == str(tmp_path / "elsewhere/fig4-h4/a/seed-1")


def test_a_run_on_disk_wins_and_the_order_is_the_grids(tmp_path):
    disk = {"s": [_row("a", 2, [1.0]), _row("b", 1, [2.0])]}
    archived = {"s": [_row("a", 1, [9.0]), _row("a", 2, [9.0]), _row("b", 3, [9.0])]}
    merged = archive.merge(tmp_path, disk, archived)["s"]
    assert [(r["condition"], r["seed"]) for r in merged] == [("a", 1), ("a", 2), ("b", 1), ("b", 3)]
    assert merged[1]["cost"] == [1.0]  # from the disk, not the file


def test_a_sweep_is_complete_only_with_every_condition_and_seed():
    sweep = Sweep("s", "s", (), grid={"feedback": ["random", "uniform"]}, seeds=(1, 2))
    have = [_row(f"feedback-{m}", s, [1.0]) for m in ("random", "uniform") for s in (1, 2)]
    assert archive.complete(sweep, {"s": have})
    assert not archive.complete(sweep, {"s": have[:-1]})
    assert not archive.complete(sweep, {})


def test_only_selects_by_pattern_and_names_the_sweeps_when_nothing_matches(tmp_path):
    sweeps = [s for e in experiments("full", tmp_path) for s in e.sweeps]
    assert [s.name for s in select_sweeps(sweeps, "fig4*")] == ["fig4-h4", "fig4-h8"]
    assert len(select_sweeps(sweeps, None)) == len(sweeps)
    with pytest.raises(ValueError, match=r"--only 'fig9' matches no sweep.*fig2-builtin"):
        select_sweeps(sweeps, "fig4*,fig9")


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "does not exist"),
        ("{", "is not a reproduction's results.json"),
        ('{"format": 99, "rows": {}}', "expected a results.json of format 1"),
        ('{"format": 1, "scale": "quick", "rows": {}}', "holds runs of scale 'quick'"),
    ],
)
def test_a_bad_results_file_is_one_line(tmp_path, capsys, content, expected):
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content)
    argv = ["reproduce", "--scale", "tiny", "--out", str(tmp_path), "--results", str(path)]
    assert cli.main([*argv, "--report-only"]) == 2
    err = capsys.readouterr().err
    assert "--results" in err and expected in err and "Traceback" not in err


def _claims_and_tables(report):
    """The report without its regeneration command (which names --results) and the
    wall time of its last call."""
    lines = report.read_text().splitlines()
    start = lines.index("```bash")
    return [line for line in lines[:start] + lines[start + 3 :] if "The last call took" not in line]


def test_part_of_a_reproduction_then_its_report_from_the_results_file(tmp_path, capsys):
    out = tmp_path / "paper"
    argv = ["reproduce", "--scale", "tiny", "--out", str(out), "--workers", "2"]
    assert cli.main([*argv, "--only", "fig2*,fig4*"]) == 0
    ran = sorted(p.name for p in out.iterdir() if (p / "sweep.json").exists())
    assert ran == ["fig2-builtin", "fig4-h4"]
    record = json.loads((out / "reproduce.json").read_text())
    assert record["ran_in_last_call"] == record["runs"] == 2
    report = out / "report.md"
    assert "2 of " in report.read_text()  # the other sweeps are counted as missing
    before = _claims_and_tables(report)

    # The runs of Fig 4 gone (a wiped scratch folder): their rows come from the file.
    kept = tmp_path / "results.json"
    shutil.copy(out / "results.json", kept)
    shutil.rmtree(out / "fig4-h4")
    assert cli.main([*argv, "--only", "fig4*", "--results", str(kept)]) == 0
    assert "not run, every run in --results: fig4-h4" in capsys.readouterr().out
    assert not (out / "fig4-h4").exists()
    assert json.loads((out / "reproduce.json").read_text())["ran_in_last_call"] == 0
    assert _claims_and_tables(report) == before
    assert "--results" in report.read_text()  # the regeneration command names the file
    # Redrawn without --results: the file recorded by the last call is read again.
    assert cli.main(["reproduce", "--scale", "tiny", "--out", str(out), "--report-only"]) == 0
    assert _claims_and_tables(report) == before

    # Fig 2's runs gone too: its numbers stay, its rasters (spikes) cannot be drawn.
    shutil.rmtree(out / "fig2-builtin")
    assert cli.main(["reproduce", "--scale", "tiny", "--out", str(out), "--report-only"]) == 0
    text = report.read_text()
    assert "Rasters not drawn: some runs of `fig2-builtin` are not on disk" in text
    assert sum(a != b for a, b in zip(_claims_and_tables(report), before)) == 1

    # A file that holds only some runs: only the others run.
    partial = tmp_path / "partial.json"
    data = json.loads(kept.read_text())
    data["rows"]["fig4-h4"] = []
    partial.write_text(json.dumps(data))
    assert cli.main([*argv, "--only", "fig2*,fig4*", "--results", str(partial)]) == 0
    record = json.loads((out / "reproduce.json").read_text())
    assert record["ran_in_last_call"] == record["runs"] == 1  # fig4's run; fig2's is in the file
    assert (out / "fig4-h4").exists() and not (out / "fig2-builtin").exists()


def test_the_committed_full_report_is_what_the_code_draws_from_its_rows(tmp_path):
    """docs/reproduction/full: its claims and failures, redrawn from its results.json."""
    docs = Path(__file__).parents[1] / "docs" / "reproduction" / "full"
    exps = experiments("full", tmp_path, ssbm_standins(tmp_path / "ssbm"))
    results = collect(tmp_path, exps, archive.read(docs / "results.json", scale="full"))
    sweeps = [s for e in exps for s in e.sweeps]
    assert all(archive.complete(s, results) for s in sweeps)  # all 538 runs
    table = evaluate(results)
    assert {r.data for r in table} == {BUILTIN, AUTHORS}
    report = (docs / "report.md").read_text()
    for line in claims_section(table) + failures_section(table):
        assert line in report, line
