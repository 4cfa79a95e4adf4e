"""A full disk: writes that fail with ENOSPC or EIO name the file and lose nothing.

A fault-injecting writer makes the write of one chosen file fail (at the
write itself, inside :func:`superspike_brian.files.atomic_write`) during the
checkpoint, a record part, the metrics, the config or a figure. The error names
the file; the files written before are intact (the previous checkpoint loads,
metrics.csv holds the blocks done); and once the disk has room again the run
resumes and equals an uninterrupted one bit for bit.
"""

import errno
import json
import os

import pytest

from superspike_brian import files
from superspike_brian.rundir import read_metrics
from superspike_brian.training import checkpoint
from superspike_brian.training.trainer import Trainer

from .helpers import SHORT, assert_same_results, small_network, small_task


def _trainer():
    task = small_task()
    net = small_network(task, hidden=(5,), feedback="random", regularizer=True)
    return Trainer(
        net, task, device="cpp_standalone", learn="controller", schedule=SHORT, progress=False
    )


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    return _trainer().run(out=tmp_path_factory.mktemp("whole") / "run", figures=False)


class FullDisk:
    """Make the ``nth`` write of a file named ``name`` fail with ``code``."""

    def __init__(self, monkeypatch, name, nth, code=errno.ENOSPC):
        self.name, self.nth, self.code, self.seen, self.failed = name, nth, code, 0, None
        fdopen = os.fdopen

        def faulty_fdopen(fd, *args, **kwargs):
            fh = fdopen(fd, *args, **kwargs)
            target = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
            # atomic_write's temporary file: ".<name>.<random>.tmp"
            if target.startswith(f".{self.name}.") and target.endswith(".tmp"):
                self.seen += 1
                if self.seen == self.nth:
                    self.failed = target
                    fh.write = self._fail
            return fh

        monkeypatch.setattr(files.os, "fdopen", faulty_fdopen)

    def _fail(self, data):
        raise OSError(self.code, os.strerror(self.code))


@pytest.mark.parametrize(
    "name,nth,code,blocks_kept",
    [
        ("checkpoint.npz", 3, errno.ENOSPC, 3),  # metrics of block 2 written, its checkpoint not
        ("metrics.csv", 4, errno.EIO, 3),
        ("part-00002.npz", 1, errno.ENOSPC, 3),  # the record part of block 2
    ],
)
def test_a_failed_write_names_the_file_and_the_run_resumes(
    whole, tmp_path, monkeypatch, name, nth, code, blocks_kept
):
    out = tmp_path / "run"
    disk = FullDisk(monkeypatch, name, nth, code)
    with pytest.raises(OSError) as info:
        _trainer().run(out=out, figures=False)
    assert disk.failed is not None
    message = str(info.value)
    assert f"cannot write {out}" in message and name in message, message
    assert os.strerror(code) in message
    # What was written before is intact: the previous checkpoint and the metrics.
    state = checkpoint.load(out, _trainer().fingerprint())
    assert state.k_done == 2 * (blocks_kept if name == "metrics.csv" else blocks_kept - 1)
    assert list(read_metrics(out)["block"]) == list(range(blocks_kept))
    assert not [p for p in out.rglob("*.tmp")], "a temporary file was left behind"
    monkeypatch.undo()  # the disk has room again
    resumed = _trainer().run(out=out, resume=True, figures=False)
    assert_same_results(whole, resumed)
    assert json.loads((out / "config.json").read_text())["status"] == "complete"


def test_a_full_disk_while_drawing_figures_keeps_the_complete_run(whole, tmp_path, monkeypatch):
    out = tmp_path / "run"
    FullDisk(monkeypatch, "raster.png", 1)
    with pytest.raises(OSError, match=r"cannot write .*raster\.png: No space left on device"):
        _trainer().run(out=out, figures=True)
    # The results were written before the figures and are complete.
    assert json.loads((out / "config.json").read_text())["status"] == "complete"
    assert read_metrics(out)["cost"].size == SHORT.n_blocks + 1
    monkeypatch.undo()
    resumed = _trainer().run(out=out, resume=True, figures=True)
    assert_same_results(whole, resumed)
    assert (out / "raster.png").stat().st_size > 0


def test_the_command_line_says_how_to_redraw_figures_after_a_full_disk(tmp_path, monkeypatch):
    from superspike_brian.cli import commands

    def full(out, reference=None):
        raise OSError(errno.ENOSPC, f"cannot write {out}/raster.png: No space left on device")

    monkeypatch.setattr("superspike_brian.reporting.figures.make_figures", full)
    with pytest.raises(OSError, match=r"raster\.png.*superspike report .*run"):
        commands._figures(tmp_path / "run", None)
