"""Damaged files of a run: cut short or with a flipped bit, each is refused by name.

Every file a run leaves (checkpoint, record parts, config, metrics, results) is
damaged at many places, one at a time; reading it back either refuses it with a
ValueError that names the file, or gives exactly what the undamaged file gave
(a flip where nothing is read, such as a zip field numpy ignores, or a
cut of the last newline): never a
traceback of numpy, zipfile or json, never a different result.
``SUPERSPIKE_FAULT_POSITIONS`` sets the flips per file (default 60).
"""

import json
import os

import numpy as np
import pytest
from brian2 import Hz, ms

from superspike_brian import cli, load_run
from superspike_brian.integrity import CorruptFile, digest_arrays, digest_json
from superspike_brian.tasks.single_neuron import frozen_poisson
from superspike_brian.tasks.spikeio import write_ras
from superspike_brian.training import checkpoint

FLIPS = int(os.environ.get("SUPERSPIKE_FAULT_POSITIONS", "60"))

RUN_FILES = [
    "config.json",
    "metrics.csv",
    "weights.npz",
    "spikes.npz",
    "voltage.npz",
    "task.npz",
]
CHECKPOINT_FILES = ["checkpoint.npz", "checkpoint_records/part-00001.npz"]


def _argv(files, out, duration="1.5"):
    return [
        "train",
        "--input",
        str(files / "in.ras"),
        "--target",
        str(files / "tgt.ras"),
        "--period",
        "0.5",
        "--hidden",
        "0",
        "--learn",
        "controller",
        "--duration",
        duration,
        "--block",
        "0.5",
        "--burn-in",
        "0.5",
        "--out",
        str(out),
    ]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A finished run of the command line (three blocks), made once."""
    files = tmp_path_factory.mktemp("files")
    write_ras(files / "in.ras", frozen_poisson(20, 20 * Hz, 500 * ms, seed=1))
    (files / "tgt.ras").write_text("0.1 0\n0.2 1\n0.3 0\n")
    out = files / "run"
    assert cli.main(_argv(files, out)) == 0
    return out


def _whole_run(out):
    """A digest of everything load_run reads (config, metrics, arrays, task)."""
    run = load_run(out)
    h = run.history
    arrays = {f"w{k}": w for k, w in enumerate(h.weights)}
    arrays.update({f"w0_{k}": w for k, w in enumerate(h.initial_weights)})
    for name, (t, i) in h.spikes.items():
        arrays[f"{name}_t"], arrays[f"{name}_i"] = t, i
    arrays["sq"], arrays["cost"] = h.sq, h.cost
    for key, (t, u) in h.voltage.items():
        arrays[f"v_{key}_t"], arrays[f"v_{key}_u"] = t, u
    for kind in ("input", "target"):
        r = getattr(run.task, kind)
        arrays[f"{kind}_t"], arrays[f"{kind}_i"] = r.times, r.ids
    return digest_json([run.config, h.metrics, digest_arrays(arrays)])


def _whole_checkpoint(out, fingerprint):
    state = checkpoint.load(out, fingerprint)
    arrays = {f"n/{k}": v for k, v in state.network.items()}
    arrays.update({f"v{k}": v for k, v in enumerate(state.optimizer_v)})
    for name, (t, i) in state.recording.spike_arrays().items():
        arrays[f"{name}_t"], arrays[f"{name}_i"] = t, i
    arrays["sq"] = state.recording.sq(np.zeros(state.recording.sq_rows[0].shape[1]))
    return digest_json([state.k_done, state.run_s, state.record_parts, digest_arrays(arrays)])


def _damages(size, n):
    """(kind, where) of every damage done to a file of ``size`` bytes: bit flips, cuts."""
    positions = sorted(set(np.linspace(0, size - 1, n).astype(int)))
    flips = [("flip", (p, p % 8)) for p in positions]
    cuts = [("cut", n) for n in sorted({0, 1, size // 2, size - 1})]
    return flips + cuts


def _damage(path, kind, where):
    data = bytearray(path.read_bytes())
    if kind == "flip":
        pos, bit = where
        data[pos] ^= 1 << bit
    else:
        data = data[:where]
    path.write_bytes(bytes(data))


def _check_every_damage(out, name, read):
    """Damage ``out/name`` everywhere; each read is refused by name or equals the original."""
    path = out / name
    original, expected = path.read_bytes(), read()
    refused = same = 0
    try:
        for kind, where in _damages(len(original), FLIPS):
            _damage(path, kind, where)
            try:
                got = read()
            except ValueError as exc:
                assert path.name in str(exc), (kind, where, str(exc))
                assert "\n" not in str(exc)
                refused += 1
            else:
                assert got == expected, (kind, where)
                same += 1
            finally:
                path.write_bytes(original)
    finally:
        path.write_bytes(original)
    assert refused > 0
    return refused, same


@pytest.mark.parametrize("name", RUN_FILES)
def test_damaged_run_files_are_refused_by_name(run_dir, name):
    refused, same = _check_every_damage(run_dir, name, lambda: _whole_run(run_dir))
    print(f"{name}: {refused} refused, {same} read the same")


@pytest.mark.parametrize("name", CHECKPOINT_FILES)
def test_damaged_checkpoints_are_refused_by_name(run_dir, name):
    fingerprint = load_run(run_dir).trainer(progress=False).fingerprint()
    refused, same = _check_every_damage(
        run_dir, name, lambda: _whole_checkpoint(run_dir, fingerprint)
    )
    print(f"{name}: {refused} refused, {same} read the same")


def test_a_changed_number_is_caught_by_the_checksum(run_dir):
    """Still valid JSON and CSV, but not what was written: refused, not read."""
    config = run_dir / "config.json"
    text = config.read_text()
    try:
        config.write_text(text.replace('"hidden": []', '"hidden": [4]', 1))
        assert config.read_text() != text
        with pytest.raises(CorruptFile, match="config.json is damaged"):
            load_run(run_dir)
        # A flip in the key of the checksum itself (found with 400 flips per file).
        config.write_text(text.replace('"checksum"', '"c(ecksum"'))
        with pytest.raises(CorruptFile, match="config.json is damaged"):
            load_run(run_dir)
    finally:
        config.write_text(text)
    metrics = run_dir / "metrics.csv"
    rows = metrics.read_text()
    try:
        lines = rows.splitlines()
        cells = lines[1].split(",")
        cells[2] = "123"  # the cost of block 0
        lines[1] = ",".join(cells)
        metrics.write_text("\n".join(lines) + "\n")
        assert metrics.read_text() != rows
        with pytest.raises(CorruptFile, match="metrics.csv is damaged.*checksum"):
            load_run(run_dir)
    finally:
        metrics.write_text(rows)


def test_the_command_line_names_the_damaged_file(run_dir, tmp_path, capsys):
    import shutil

    for name in ("checkpoint.npz", "config.json", "weights.npz"):
        out = tmp_path / name
        shutil.copytree(run_dir, out)
        path = out / name
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x10
        path.write_bytes(bytes(data))
        command = (
            ["report", str(out)]
            if name == "weights.npz"
            else ["train", "--resume", str(out), "--duration", "2"]
        )
        assert cli.main(command) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err[-1].startswith("superspike: error: ") and str(path) in err[-1], err
        assert "Traceback" not in "\n".join(err)


def test_checkpoints_of_format_3_still_read(run_dir, tmp_path):
    """A checkpoint written before checksums (format 3) reads back the same."""
    import shutil

    out = tmp_path / "old"
    shutil.copytree(run_dir, out)
    fingerprint = load_run(out).trainer(progress=False).fingerprint()
    expected = _whole_checkpoint(out, fingerprint)
    with np.load(out / checkpoint.FILENAME) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(str(arrays["meta"]))
    for key in ("checksum", "record_checksums"):
        del meta[key]
    meta["format"] = 3
    arrays["meta"] = np.array(json.dumps(meta))
    # Before format 5 the rule's neuron state was named after the layers themselves.
    old_names = {"network/superspike_cost.sq": "network/cost.sq"}
    for key in arrays:
        group, _, var = key.rpartition(".")
        if group.endswith("_ss") and var in ("z", "zt", "zh", "er", "err", "got", "pending"):
            old_names[key] = f"{group[: -len('_ss')]}.{var}"
    assert len(old_names) > 2, sorted(arrays)
    old = {old_names.get(k, k): v for k, v in arrays.items()}
    np.savez(out / checkpoint.FILENAME, **old)
    assert _whole_checkpoint(out, fingerprint) == expected
    meta["format"] = 4  # format 4 without its checksum: refused
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(out / checkpoint.FILENAME, **arrays)
    with pytest.raises(CorruptFile, match="checkpoint.npz is damaged"):
        checkpoint.load(out, fingerprint)


def test_every_reader_of_a_run_checks_its_checksums(run_dir, tmp_path):
    """The reproduction's measures and a sweep's rows read through rundir: a changed
    number in metrics.csv or config.json is not measured as if it were the run's."""
    import shutil

    from superspike_brian import rundir
    from superspike_brian.reproduce.measures import run_measures

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    assert run_measures(copy)["cost"] == [float(c) for c in rundir.read_metrics(copy)["cost"]]
    assert len(rundir.metric_rows(copy)) == 4  # the burn-in and three blocks
    metrics = copy / "metrics.csv"
    lines = metrics.read_text().splitlines()
    cells = lines[1].split(",")
    cells[2] = "123"  # the cost of block 0: still a table of numbers
    lines[1] = ",".join(cells)
    metrics.write_text("\n".join(lines) + "\n")
    assert rundir.metric_rows(copy) == []  # a sweep counts it as not finished
    with pytest.raises(CorruptFile, match="metrics.csv is damaged.*checksum"):
        rundir.read_metrics(copy)
    shutil.copy(run_dir / "metrics.csv", metrics)
    config = copy / "config.json"
    config.write_text(config.read_text().replace('"hidden": []', '"hidden": [4]', 1))
    with pytest.raises(CorruptFile, match="config.json is damaged"):
        run_measures(copy)


def test_an_overwrite_removes_the_runs_records_but_not_the_log_being_written(run_dir, tmp_path):
    import shutil

    from superspike_brian import rundir

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    for name in (rundir.STATUS_FILE, rundir.XOR_FILE, rundir.LOG_FILE):
        (copy / name).write_text("{}")
    assert rundir.is_run(copy) and not rundir.is_run(tmp_path)
    rundir.prepare(copy, overwrite=True)
    left = sorted(p.name for p in copy.iterdir() if p.name != ".writer.lock")
    assert left == [rundir.LOG_FILE], left
    assert not rundir.is_run(copy)
    # status.json alone is a run's record: nothing is written over it unasked.
    (copy / rundir.STATUS_FILE).write_text('{"status": "failed"}')
    with pytest.raises(ValueError, match="--overwrite"):
        rundir.prepare(copy)
