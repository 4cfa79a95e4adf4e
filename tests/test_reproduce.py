"""`superspike reproduce`: the experiment table, the claims on synthetic results, the report."""

import json
import math
import re

import numpy as np
import pytest

from superspike_brian import cli
from superspike_brian.reporting.reference import spread
from superspike_brian.reproduce import claims
from superspike_brian.reproduce.experiments import experiments, oxford_files, ssbm_files
from superspike_brian.reproduce.measures import late_median, match_last_period
from superspike_brian.reproduce.report import SECTIONS

# --------------------------------------------------------------------------- experiments


def test_full_scale_has_the_papers_seeds_and_conditions(tmp_path):
    exps = {e.key: e for e in experiments("full", tmp_path)}
    assert list(exps) == ["fig2", "fig4", "fig5", "fig6", "fig7", "fig8"]
    assert len(exps["fig2"].sweep("fig2-builtin").seeds) == 21
    for h in (4, 8):
        sweep = exps["fig4"].sweep(f"fig4-h{h}")
        assert len(sweep.seeds) == 20
        assert sweep.grid == {"feedback": ["symmetric", "random", "uniform"]}
    assert len(exps["fig5"].sweep("fig5-hidden").seeds) == 20
    assert exps["fig5"].sweep("fig5-none").program == "xor"
    assert exps["fig6"].sweep("fig6").grid["hidden"] == [
        "0",
        "8",
        "16",
        "32",
        "64",
        "128",
        "256",
        "512",
    ]
    fig7 = [s.name for s in exps["fig7"].sweeps]
    assert len(fig7) == 7 and all(len(s.seeds) == 5 for s in exps["fig7"].sweeps)
    assert "--fixed-hidden" in exps["fig7"].sweep("fig7-fixed").base
    assert "--linear-hidden" in exps["fig7"].sweep("fig7-linear").base
    assert len(exps["fig8"].sweeps[0].seeds) == 3
    # Without data the authors' Fig 2 sweep is left out.
    assert [s.name for s in exps["fig2"].sweeps] == ["fig2-builtin"]


def _write_ras(path, times, ids):
    order = np.argsort(times, kind="stable")
    lines = [f"{times[k]:.6f} {int(ids[k])}" for k in order]
    path.write_text("\n".join(lines) + "\n")


def ssbm_standins(folder, seed=7):
    """Small synthetic stand-ins for SSBM's poisson/ and oxford/, with the real shapes.

    poisson/: 100 inputs at 5 Hz over 0.5 s, five target spikes of unit 0;
    oxford/: 200 inputs at 5 Hz over 1.89 s, 400 target spikes with ids 1..200.
    """
    rng = np.random.default_rng(seed)
    for sub, n_in, period in (("poisson", 100, 0.5), ("oxford", 200, 1.89)):
        (folder / sub).mkdir(parents=True)
        n = rng.poisson(n_in * 5 * period)
        _write_ras(folder / sub / "input.ras", rng.uniform(0, period, n), rng.integers(0, n_in, n))
    _write_ras(folder / "poisson" / "target.ras", np.arange(1, 6) * 0.083, np.zeros(5))
    t, ids = rng.uniform(0, 1.89, 400), rng.integers(1, 201, 400)
    ids[0] = 200  # the largest id, read as unit 199 with the offset of 1
    _write_ras(folder / "oxford" / "target.ras", t, ids)
    return folder


def test_data_dir_adds_the_authors_data_sets(tmp_path):
    data = ssbm_standins(tmp_path / "ssbm")
    assert ssbm_files(data)[0].name == "input.ras"
    assert ssbm_files(data / "poisson") is not None
    assert ssbm_files(tmp_path / "nothing") is None
    assert oxford_files(data)[0].parent.name == "oxford" and oxford_files(data / "poisson") is None
    assert ssbm_files(data / "oxford") is None  # the same file names, another task
    exps = {e.key: e for e in experiments("full", tmp_path / "out", data)}
    assert [s.name for s in exps["fig2"].sweeps] == ["fig2-builtin", "fig2-ssbm"]
    names = [s.name for s in exps["fig4"].sweeps]
    assert names == ["fig4-h4", "fig4-h8", "fig4-ssbm-h4", "fig4-ssbm-h8"]
    for h in (4, 8):
        sweep = exps["fig4"].sweep(f"fig4-ssbm-h{h}")
        assert len(sweep.seeds) == 20 and sweep.grid["feedback"] == [
            "symmetric",
            "random",
            "uniform",
        ]
        base = list(sweep.base)
        assert base[base.index("--input") + 1].endswith("poisson/input.ras")
        assert base[base.index("--duration") + 1] == "800" and "--hidden" in base
    fig6 = exps["fig6"].sweep("fig6-oxford")
    assert fig6.grid["hidden"] == ["0", "8", "16", "32", "64", "128", "256", "512"]
    assert len(fig6.seeds) == 5
    base = " ".join(fig6.base)
    for option in (
        "--period 1.89 --target-id-offset 1",
        "--n-in 200 --n-out 200",
        "--duration 1000 --device cpp_standalone --block 20 --burn-in 20",
        "--engine factorized --learn inside",
    ):
        assert option in base, option
    assert base.split("--input ")[1].split()[0].endswith("oxford/input.ras")
    fig7 = [s.name for s in exps["fig7"].sweeps if "oxford" in s.name]
    assert fig7 == [
        f"fig7-oxford-{c}" for c in ("random-reg", "random-noreg", "uniform", "fixed", "linear")
    ]
    assert "--no-regularizer" in exps["fig7"].sweep("fig7-oxford-random-noreg").base
    aliases = {a.name: (a.source, a.match) for a in exps["fig7"].aliases}
    assert aliases == {
        "fig7-oxford-symmetric": ("fig6-oxford", {"hidden": "256"}),
        "fig7-oxford-none": ("fig6-oxford", {"hidden": "0"}),
    }
    fig8 = exps["fig8"].sweep("fig8-oxford")
    assert len(fig8.grid["regularizer"]) == 6 and len(fig8.seeds) == 3
    # poisson/ alone: Figs 2 and 4 on it, nothing on Oxford.
    only = {e.key: e for e in experiments("full", tmp_path / "out", data / "poisson")}
    assert [s.name for s in only["fig6"].sweeps] == ["fig6"] and not only["fig7"].aliases
    assert "fig4-ssbm-h8" in [s.name for s in only["fig4"].sweeps]
    with pytest.raises(ValueError, match="--scale"):
        experiments("huge", tmp_path)


def test_the_same_data_spelled_another_way_gives_the_same_sweeps(tmp_path, monkeypatch):
    data = ssbm_standins(tmp_path / "ssbm")
    monkeypatch.chdir(tmp_path / "ssbm" / "poisson")
    relative = experiments("full", tmp_path / "paper", "..")
    absolute = experiments("full", tmp_path / "paper", data)
    sweeps = [(s.name, s.base) for e in relative for s in e.sweeps]
    assert sweeps == [(s.name, s.base) for e in absolute for s in e.sweeps]
    assert any("ssbm" in s for s, _ in sweeps) and not any(".." in " ".join(b) for _, b in sweeps)


def test_bad_data_dir_gets_one_line_naming_the_option_and_the_form(tmp_path, capsys):
    from superspike_brian.reproduce.runner import check_data_dir

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="holds neither poisson/ nor oxford/"):
        check_data_dir(empty)
    data = ssbm_standins(tmp_path / "ssbm")
    check_data_dir(data)  # the stand-ins are read as the runs read them
    (data / "oxford" / "target.ras").write_text("0.1 201\n")  # beyond 200 outputs
    with pytest.raises(ValueError, match="--data-dir .*oxford/"):
        check_data_dir(data)
    (data / "oxford" / "target.ras").unlink()
    out = tmp_path / "paper"
    argv = ["reproduce", "--scale", "tiny", "--out", str(out), "--data-dir", str(data)]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "oxford/ lacks target.ras" in err and "--data-dir" in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()


# --------------------------------------------------------------------------- measures


def test_late_median_and_last_period_match():
    cost = [10.0] + [5.0] * 40 + [0.1] * 40  # blocks 0..80: the late half is 40-79
    assert late_median(cost) == pytest.approx(0.1)
    target_t, target_i = np.array([0.1, 0.3]), np.array([0, 0])
    end, period = 2.0, 0.5
    hit = np.array([1.5 + 0.1005, 1.5 + 0.2995])
    assert match_last_period(hit, [0, 0], target_t, target_i, period, end)
    # One output spike 2 ms off, then one extra spike: both miss.
    off = np.array([1.5 + 0.102, 1.5 + 0.3])
    assert not match_last_period(off, [0, 0], target_t, target_i, period, end)
    extra = np.append(hit, 1.5 + 0.45)
    assert not match_last_period(extra, [0, 0, 0], target_t, target_i, period, end)
    # Spikes of earlier periods do not count.
    assert not match_last_period(hit - 0.5, [0, 0], target_t, target_i, period, end)


def test_feedback_signs_are_the_network_seeds_draw():
    from superspike_brian.feedforward.network import SuperSpikeNetwork
    from superspike_brian.reproduce.measures import _feedback
    from superspike_brian.reproduce.selection import all_feedback_negative

    def config(seed, feedback="random"):
        net = {"feedback": feedback, "hidden": [4], "n_in": 100, "n_out": 1, "seed": seed}
        return {"network": net}

    for seed in (1, 55):
        n_negative, signs = _feedback(config(seed))
        net = SuperSpikeNetwork(n_in=100, hidden=(4,), n_out=1, feedback="random", seed=seed)
        b = net.feedback_matrices()[0][0]
        assert signs == "".join("+" if x > 0 else "-" for x in b)
        assert n_negative == int(np.sum(b < 0))
    # Seed 55 draws all four negative (seeds 1-20 of the full scale draw none).
    row = dict(zip(("fb_negative", "feedback_signs"), _feedback(config(55))), n_hidden=4)
    assert row["feedback_signs"] == "----" and all_feedback_negative(row)
    assert not all_feedback_negative(dict(row, feedback_signs="---+"))
    assert _feedback(config(55, "symmetric")) == (0, None)


# --------------------------------------------------------------------------- claims


def _curve_row(cost, block=10.0, burn_in=10.0, **extra):
    t = [burn_in + k * block for k in range(len(cost))]
    row = {
        "time_s": t,
        "cost": list(cost),
        "hidden_rate_hz": [0.0] * len(cost),
        "late_median": late_median(cost),
        "learned": float(np.mean(cost[-5:])) < 2.0,
        "final_mean": float(np.mean(cost[-10:])),
        "hidden_onset_s": None,
        "final_hidden_rate_hz": None,
    }
    row.update(extra)
    return row


def _verdict(check, results):
    measured, verdict = check(results)
    assert isinstance(measured, str) and measured
    return verdict


def _hand_written_rank_test(a, b):
    """The Mann-Whitney test claims.py computed by hand before scipy (copied to compare)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    n1, n2 = a.size, b.size
    if n1 == 0 or n2 == 0:
        return 1.0
    values = np.concatenate([a, b])
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(values.size)
    sorted_values = values[order]
    i = 0
    ties = 0.0
    while i < values.size:
        j = i
        while j + 1 < values.size and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t**3 - t
        i = j + 1
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    n = n1 + n2
    var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(var)
    return float(math.erfc(max(z, 0.0) / math.sqrt(2)))


def _hand_written_spearman(x, y):
    """The rank correlation of claims.py before scipy: ties were not averaged."""
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    return float(np.corrcoef(rx, ry)[0, 1])


def test_statistics_are_scipys_and_unchanged_without_ties():
    from superspike_brian.reproduce.stats import spearman

    rng = np.random.default_rng(3)
    a, b = rng.exponential(1.0, 19), rng.exponential(3.0, 21)
    assert claims.rank_test(a, b) == pytest.approx(_hand_written_rank_test(a, b), rel=1e-12)
    assert claims.rank_test(b, a) == pytest.approx(_hand_written_rank_test(b, a), rel=1e-12)
    a[:3] = b[:3]  # ties across the samples: both corrected them the same way
    assert claims.rank_test(a, b) == pytest.approx(_hand_written_rank_test(a, b), rel=1e-12)
    assert claims.rank_test(a, a) == pytest.approx(1.0)
    assert claims.rank_test([], b) == 1.0
    assert claims.rank_test([2.0, 2.0], [2.0]) == 1.0  # all tie: no ranks to compare
    x, y = np.array([8, 16, 32, 64, 128]), np.array([9.8, 5.5, 5.9, 2.5, 1.7])
    assert spearman(x, y) == pytest.approx(_hand_written_spearman(x, y), rel=1e-12)
    # Tied costs now share their average rank (the hand-written one ranked them apart,
    # here into a perfect order).
    tied = np.array([9.8, 5.5, 5.5, 2.5, 1.7])
    assert spearman(x, tied) == pytest.approx(-0.9746794, rel=1e-6)
    assert _hand_written_spearman(x, tied) == pytest.approx(-1.0, rel=1e-9)


def test_single_neuron_claims_on_synthetic_seeds():
    ref = spread("single_neuron").late_medians
    # 81 rows (burn-in + 80 blocks of 10 s) whose late median is each reference value.
    like_ref = [_curve_row([10.0] * 30 + [max(v, 1e-30)] * 51) for v in ref]
    results = {"fig2": like_ref}
    assert _verdict(claims.single_neuron_learns, results) == claims.FAILS  # 10 at 250 s
    assert _verdict(claims.single_neuron_spread, results) == claims.HOLDS
    learned = [_curve_row([10.0] * 5 + [0.5] * 76) for _ in range(5)]
    assert _verdict(claims.single_neuron_learns, {"fig2": learned}) == claims.HOLDS
    far = [_curve_row([10.0] * 81) for _ in range(21)]
    assert _verdict(claims.single_neuron_spread, {"fig2": far}) == claims.FAILS
    # Each data set is judged on its own rows; a short run is inconclusive.
    short = {"fig2-builtin": far, "fig2-ssbm": [_curve_row([10.0, 5.0, 4.0])]}
    table = {(r.claim, r.data): r for r in claims.evaluate(short)}
    spread_claim = claims.CLAIMS[1].text
    assert table[(spread_claim, "built-in")].verdict == claims.FAILS
    assert table[(spread_claim, "authors")].verdict == claims.INCONCLUSIVE


def _fig4_rows(n, failed, negative_failed, negative_learned=0, hidden=4, onset=40.0):
    rows = []
    for k in range(n):
        fail = k < failed
        cost = [10.0] * 81 if fail else [10.0] * 10 + [0.5] * 71
        neg = k < negative_failed if fail else k - failed < negative_learned
        row = _curve_row(
            cost,
            feedback="random",
            fb_negative=hidden if neg else 0,
            n_hidden=hidden,
            hidden_onset_s=10.0 + onset,
        )
        rows.append(row)
    return rows


def test_fig4_failure_mode_claims():
    ok = {"fig4-h4": _fig4_rows(20, failed=2, negative_failed=2)}
    assert _verdict(claims.failure_mode, ok) == claims.HOLDS
    unexplained = {"fig4-h4": _fig4_rows(20, failed=2, negative_failed=0)}
    assert _verdict(claims.failure_mode, unexplained) == claims.FAILS
    many = {"fig4-h4": _fig4_rows(20, failed=10, negative_failed=10)}
    assert _verdict(claims.failure_mode, many) == claims.FAILS
    none = {"fig4-h4": _fig4_rows(20, failed=0, negative_failed=0)}
    assert _verdict(claims.failure_mode, none) == claims.INCONCLUSIVE
    survived = {"fig4-h4": _fig4_rows(20, failed=0, negative_failed=0, negative_learned=1)}
    assert _verdict(claims.failure_mode, survived) == claims.FAILS
    both = {**ok, "fig4-h8": _fig4_rows(20, failed=0, negative_failed=0, hidden=8)}
    assert _verdict(claims.eight_hidden_rarely, both) == claims.HOLDS
    worse = {**ok, "fig4-h8": _fig4_rows(20, failed=4, negative_failed=0, hidden=8)}
    assert _verdict(claims.eight_hidden_rarely, worse) == claims.FAILS
    assert _verdict(claims.hidden_onset, ok) == claims.HOLDS
    late = {"fig4-h4": _fig4_rows(5, failed=0, negative_failed=0, onset=300.0)}
    assert _verdict(claims.hidden_onset, late) == claims.FAILS
    assert _verdict(claims.random_refined, ok) == claims.HOLDS


def test_symmetric_like_uniform():
    good = [_curve_row([10.0] * 10 + [0.5] * 71, feedback=f) for f in ("symmetric",) * 4]
    uni_good = [dict(r, feedback="uniform") for r in good]
    uni_bad = [dict(r, feedback="uniform", learned=False) for r in good]
    assert _verdict(claims.symmetric_like_uniform, {"fig4-h4": good + uni_good}) == claims.HOLDS
    assert _verdict(claims.symmetric_like_uniform, {"fig4-h4": good + uni_bad}) == claims.FAILS


def _xor(test, ttp=None, perfect=0):
    return {"xor": {"test": test, "trials_to_100": ttp, "test_perfect_blocks": perfect}}


def test_xor_claims():
    results = {
        "fig5-hidden": [
            *[dict(_xor(1.0, 400, 3), feedback="random") for _ in range(3)],
            dict(_xor(0.7), feedback="random"),
            *[dict(_xor(1.0, 150, 3), feedback="symmetric") for _ in range(4)],
            *[dict(_xor(0.6), feedback="uniform") for _ in range(4)],
        ],
        "fig5-none": [_xor(0.75) for _ in range(4)],
    }
    for check in (
        claims.xor_random_perfect,
        claims.xor_none_cannot,
        claims.xor_symmetric_fast,
        claims.xor_uniform_worse,
    ):
        assert _verdict(check, results) == claims.HOLDS, check.__name__
    results["fig5-none"].append(_xor(0.96))
    assert _verdict(claims.xor_none_cannot, results) == claims.FAILS


def _pattern(cost, rate=None, **extra):
    return {"final_mean": cost, "final_hidden_rate_hz": rate, **extra}


def test_pattern_claims():
    costs = {0: 50.0, 8: 60.0, 32: 40.0, 128: 30.0, 512: 20.0}
    fig6 = [_pattern(c + s, hidden=str(h)) for h, c in costs.items() for s in (0.0, 1.0)]
    fig7 = {
        "symmetric": (20.0, 10.0),
        "random-reg": (35.0, 15.0),
        "random-noreg": (60.0, 80.0),
        "uniform": (90.0, 5.0),
        "fixed": (45.0, 10.0),
        "linear": (40.0, 12.0),
        "none": (50.0, None),
    }
    results = {"fig6": fig6}
    for name, (cost, rate) in fig7.items():
        results[f"fig7-{name}"] = [_pattern(cost + s, rate) for s in (0.0, 1.0, 2.0)]
    results["fig8"] = [_pattern(c, regularizer=g) for g, c in (("1e-6,4", 30.0), ("1e-5,1", 70.0))]
    holds = [
        claims.pattern_n32_matches,
        claims.pattern_wider_better,
        claims.random_worse_than_none,
        claims.random_rates_high,
        claims.regularizer_helps,
        claims.uniform_worst,
        claims.linear_degrades,
        claims.fixed_degrades,
        claims.regularizer_grid,
    ]
    for check in holds:
        assert _verdict(check, results) == claims.HOLDS, check.__name__
    # Flip orderings: each claim turns.
    results["fig7-uniform"] = [_pattern(10.0, 5.0)]
    assert _verdict(claims.uniform_worst, results) == claims.FAILS
    results["fig7-random-reg"] = [_pattern(70.0, 15.0)]
    assert _verdict(claims.regularizer_helps, results) == claims.FAILS
    results["fig6"] = [_pattern(c, hidden=str(h)) for h, c in {0: 10.0, 8: 5.0, 512: 30.0}.items()]
    assert _verdict(claims.pattern_wider_better, results) == claims.FAILS
    assert _verdict(claims.pattern_n32_matches, results) == claims.FAILS


def test_no_results_mean_not_measured():
    table = claims.evaluate({})
    assert len(table) == len(claims.CLAIMS)
    assert {verdict for *_, verdict in table} == {claims.UNTESTED}


# --------------------------------------------------------------------------- command


def test_other_scale_in_the_same_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "paper"
    out.mkdir()
    (out / "reproduce.json").write_text(json.dumps({"scale": "quick"}))
    assert cli.main(["reproduce", "--scale", "tiny", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "scale 'quick'" in err and "Traceback" not in err


def test_tiny_scale_with_both_data_sets_writes_every_section(tmp_path, capsys):
    from superspike_brian.reproduce.datasets import AUTHORS, planned
    from superspike_brian.reproduce.measures import collect

    data = ssbm_standins(tmp_path / "ssbm")
    out = tmp_path / "paper"
    argv = ["reproduce", "--scale", "tiny", "--out", str(out), "--workers", "2"]
    assert cli.main([*argv, "--data-dir", str(data)]) == 0
    text = (out / "report.md").read_text()
    for heading in SECTIONS:
        assert re.search(rf"^{re.escape(heading)}", text, re.MULTILINE), heading
    assert "{_" not in text  # every measured text is formatted
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(figures) == 7
    for name in figures:
        assert (out / name).stat().st_size > 1000, name
    # One claim row per claim on the built-in tasks, one more where it ran on the authors' data.
    exps = experiments("tiny", out, data)
    results = collect(out, exps)
    authors = [c for c in claims.CLAIMS if planned(results, AUTHORS, c.sweeps)]
    assert {c.figure for c in authors} == {"Fig 2", "Fig 4", "Fig 6", "Fig 7", "Fig 8"}
    claim_rows = [line for line in text.splitlines() if re.match(r"^\| Fig \d \| ", line)]
    assert len(claim_rows) == len(claims.CLAIMS) + len(authors)
    assert "| reference implementation, same data |" in text
    assert sum("| authors' poisson |" in r for r in claim_rows) == 7
    assert sum("| Oxford (authors') |" in r for r in claim_rows) == 9
    # Fig 4 on the authors' data: the reference's rows beside, the first hidden spike exact.
    assert (
        "| reference implementation, authors' data | 100 -> 4 -> 1 | random + regularizer |" in text
    )
    (row,) = results["fig4-ssbm-h4"]
    with np.load(out / "fig4-ssbm-h4" / "feedback-random" / "seed-1" / "spikes.npz") as s:
        first = float(s["hidden_1_t"].min()) if s["hidden_1_t"].size else None
    assert row["onset_resolution"] == "spike" and row["first_hidden_spike_s"] == first
    assert re.fullmatch(r"[+-]{4}", row["feedback_signs"])
    assert not row["learned"]  # 0.5 s of training: a failure, listed with its signs
    signs = f"seed 1 (`{row['feedback_signs']}`)"
    assert f"`fig4-ssbm-h4` (100 -> 4 -> 1, authors' data): 1/1 fail: {signs}" in text
    # Oxford: the factorized engine, 200 outputs, costs on the reference's scale.
    config = json.loads((out / "fig6-oxford" / "hidden-8" / "seed-1" / "config.json").read_text())
    assert config["engine"] == "factorized" and config["task"]["n_out"] == 200
    assert [r["seed"] for r in results["fig7-oxford-symmetric"]] == [1]
    assert "Oxford (authors' data), reference scale" in text
    status = [json.loads(p.read_text()) for p in out.glob("fig*/*/seed-*/status.json")]
    seconds = sum(s["seconds"] for s in status)
    assert len(status) == 12 and seconds > 0
    assert f"Summed over the runs (each timed by its last call), {seconds:.0f} s" in text
    assert "Run time summed by part: built-in" in text
    record = json.loads((out / "reproduce.json").read_text())
    assert record["scale"] == "tiny" and record["failed_in_last_call"] == 0
    assert record["ran_in_last_call"] == record["runs"] == 12
    xor = json.loads((out / "fig5-none" / "base" / "seed-1" / "xor.json").read_text())
    assert 0.0 <= xor["test"] <= 1.0 and not math.isnan(xor["train_final"])
    # Again: everything is finished, nothing runs, the report is redrawn.
    assert cli.main([*argv, "--data-dir", str(data)]) == 0
    assert json.loads((out / "reproduce.json").read_text())["ran_in_last_call"] == 0


def test_final_mean_takes_the_last_quarter_of_short_runs():
    from superspike_brian.reproduce.measures import final_mean

    assert final_mean([9.0] + [5.0] * 30 + [1.0] * 10) == pytest.approx(1.0)  # last 10 of 40
    assert final_mean([9.0] + [5.0] * 8 + [1.0] * 2) == pytest.approx(1.0)  # last 2 of 10
    assert math.isnan(final_mean([9.0]))


def test_report_names_the_commits_brian2_and_error_delay_of_its_runs():
    from superspike_brian.reproduce.report import _provenance

    def row(commit, delay):
        return {"made_by": {"commit": commit, "brian2": "2.10.1", "error_delay": delay}}

    results = {"fig2": [row("abc", "0.2 ms")], "fig4": [row("def", "0 ms"), row("abc", "0.2 ms")]}
    (line, _) = _provenance(results)
    assert "commit abc, def " in line and "Brian2 2.10.1;" in line
    assert "error delay 0 ms, 0.2 ms " in line
    assert _provenance({"fig2": []}) == []


def test_regenerate_command_names_a_sibling_folder_relative_and_a_distant_one_absolute(
    tmp_path, monkeypatch
):
    from superspike_brian.reproduce.runner import regenerate_command

    repo = tmp_path / "project" / "checkout"
    repo.mkdir(parents=True)
    monkeypatch.chdir(repo)
    sibling = tmp_path / "project" / "shared"
    distant = tmp_path / "elsewhere" / "data"
    command = regenerate_command("quick", repo / "runs" / "paper", sibling)
    assert command.endswith("--out runs/paper --data-dir ../shared")
    assert regenerate_command("quick", "runs/p", distant).endswith(f"--data-dir {distant}")
