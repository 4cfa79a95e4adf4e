"""Generated hostile input: the ``.ras`` reader, image targets, the command line.

Property tests (hypothesis): every generated input ends either in a valid
result or in one error with a message (ValueError or TypeError from the
readers, as :mod:`superspike_brian.validation` defines them; one line
``superspike: error: ...`` or argparse's one-line usage error from the command
line, whatever characters the input holds). No other exception escapes.
``SUPERSPIKE_HYPOTHESIS_EXAMPLES`` sets the examples per test (default 200, kept
small for CI).
"""

import os

import numpy as np
import pytest
from brian2 import ms
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from superspike_brian import cli
from superspike_brian.tasks.pattern import image_to_raster
from superspike_brian.tasks.spikeio import SpikeRaster, read_ras

EXAMPLES = int(os.environ.get("SUPERSPIKE_HYPOTHESIS_EXAMPLES", "200"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ----------------------------------------------------------------------------- .ras

NUMBER_TEXTS = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "-inf", "1e400", "-0", "0x10", "1_000", "٣", "3.0", "1e-400", ""]),
)
TOKENS = st.one_of(NUMBER_TEXTS, st.text(max_size=8))
LINES = st.one_of(
    st.tuples(st.floats(0, 2, allow_nan=False), st.integers(0, 50)).map(
        lambda p: f"{p[0]!r} {p[1]}"
    ),
    st.lists(TOKENS, min_size=0, max_size=4).map(" ".join),
    st.sampled_from(["", "# comment", "   ", "\t0.1\t3", "0.1 3 # note"]),
)


@SETTINGS
@given(
    content=st.one_of(
        st.lists(LINES, max_size=12).map("\n".join).map(str.encode),
        st.binary(max_size=64),
    ),
    n_units=st.one_of(st.none(), st.integers(-2, 60)),
    duration_ms=st.one_of(st.none(), st.floats(-10, 3000)),
    id_offset=st.one_of(st.just(0), st.integers(-2, 3)),
)
# Found by a run of 3000 examples: the default duration of a huge time never ended.
@example(content=b"1e300 0", n_units=None, duration_ms=None, id_offset=0)
@example(content=b"0.0009999999999999998 0\n", n_units=None, duration_ms=None, id_offset=0)
def test_ras_reader_gives_a_raster_or_one_error(tmp_path, content, n_units, duration_ms, id_offset):
    path = tmp_path / "hostile.ras"
    path.write_bytes(content)
    duration = None if duration_ms is None else duration_ms * ms
    try:
        raster = read_ras(path, n_units=n_units, duration=duration, id_offset=id_offset)
    except (ValueError, TypeError) as exc:
        assert any(s in str(exc) for s in (str(path), "n_units", "duration", "id_offset")), exc
        return
    assert isinstance(raster, SpikeRaster)
    assert np.all(np.isfinite(raster.times)) and np.all(raster.times >= 0)
    assert np.all(raster.times < raster.duration)
    assert np.all((raster.ids >= 0) & (raster.ids < raster.n_units))


# ----------------------------------------------------------------------------- images

IMAGES = st.one_of(
    hnp.arrays(
        dtype=st.sampled_from([np.uint8, np.uint16, np.float32, np.float64, np.bool_, np.int8]),
        shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=6),
    ),
    st.lists(st.lists(st.floats(-1, 2), max_size=4), max_size=4),
    st.text(max_size=5),
)


@SETTINGS
@given(
    image=IMAGES,
    period_ms=st.floats(-1, 20),
    n_units=st.one_of(st.none(), st.integers(-1, 8)),
    threshold=st.one_of(st.floats(-0.5, 1.5), st.just(float("nan"))),
    jitter_ms=st.floats(-1, 3),
    seed=st.integers(-1, 2**40),
)
def test_image_targets_give_a_raster_or_one_error(
    image, period_ms, n_units, threshold, jitter_ms, seed
):
    try:
        raster = image_to_raster(
            image,
            period_ms * ms,
            n_units=n_units,
            dark_threshold=threshold,
            jitter=jitter_ms * ms,
            seed=seed,
        )
    except (ValueError, TypeError, FileNotFoundError) as exc:  # a str is a path
        assert str(exc)
        return
    assert isinstance(raster, SpikeRaster) and raster.n_spikes > 0
    assert np.all((raster.times >= 0) & (raster.times < raster.duration))


@SETTINGS
@given(data=st.binary(max_size=200), keep_header=st.booleans())
def test_damaged_image_files_are_refused_by_name(tmp_path, data, keep_header):
    path = tmp_path / "hostile.png"
    header = b"\x89PNG\r\n\x1a\n" if keep_header else b""
    path.write_bytes(header + data)
    with pytest.raises(ValueError, match="hostile.png"):
        image_to_raster(path, 100 * ms)


# ----------------------------------------------------------------------------- command line

OPTION_VALUES = {
    "--period": NUMBER_TEXTS,
    "--input-id-offset": NUMBER_TEXTS,
    "--n-in": NUMBER_TEXTS,
    "--n-out": NUMBER_TEXTS,
    "--task-seed": NUMBER_TEXTS,
    "--hidden": st.one_of(NUMBER_TEXTS, st.sampled_from(["4", "64,64", "4,", ",", "0,3", "4,-1"])),
    "--feedback": st.sampled_from(["symmetric", "random", "uniform", "sideways", ""]),
    "--regularizer": st.one_of(NUMBER_TEXTS, st.sampled_from(["1,2", "1,0", "nan,1", "1,2,3"])),
    "--r0": NUMBER_TEXTS,
    "--seed": NUMBER_TEXTS,
    "--duration": NUMBER_TEXTS,
    "--block": NUMBER_TEXTS,
    "--burn-in": NUMBER_TEXTS,
    "--decay-at": NUMBER_TEXTS,
    "--device": st.sampled_from(["runtime", "cpp_standalone", "cuda_standalone", "gpu"]),
    "--learn": st.sampled_from(["inside", "controller", "outside"]),
    "--engine": st.sampled_from(["synaptic", "factorized", "magic"]),
    "--input": st.sampled_from(["in.ras", "missing.ras", ".", "word.png"]),
    "--target": st.sampled_from(["tgt.ras", "missing.ras", ".", "word.png", "bad.png"]),
    "--reference": st.sampled_from(["single_neuron", "oxford_symmetric", "none"]),
}
FLAGS = ["--no-regularizer", "--float32", "--overwrite"]
ARGUMENTS = st.lists(
    st.one_of(
        st.sampled_from(sorted(OPTION_VALUES)).flatmap(
            lambda flag: OPTION_VALUES[flag].map(lambda value: [flag, value])
        ),
        st.sampled_from(FLAGS).map(lambda flag: [flag]),
        TOKENS.map(lambda token: [token]),
    ),
    max_size=6,
).map(lambda groups: [a for g in groups for a in g])


@pytest.fixture
def cli_files(tmp_path, monkeypatch):
    """Input files in the current folder; training replaced by building its pieces."""
    from brian2 import Hz

    from superspike_brian.cli import build, commands
    from superspike_brian.tasks.pattern import render_word, save_image
    from superspike_brian.tasks.single_neuron import frozen_poisson
    from superspike_brian.tasks.spikeio import write_ras

    monkeypatch.chdir(tmp_path)
    write_ras("in.ras", frozen_poisson(20, 10 * Hz, 500 * ms, seed=1))
    (tmp_path / "tgt.ras").write_text("0.1 0\n0.2 1\n")
    save_image("word.png", render_word("AB", height=4, width=20))
    (tmp_path / "bad.png").write_text("hello")

    def build_only(args, argv, out):
        # Everything a training checks and builds before it simulates.
        build.make_trainer(args, build.make_task(args))
        return 0

    monkeypatch.setattr(commands, "_train", build_only)
    return tmp_path


@SETTINGS
@given(argv=ARGUMENTS)
def test_command_line_gives_a_run_or_one_error_line(cli_files, capsys, argv):
    try:
        rc = cli.main(["train", *argv])
    except SystemExit as exc:  # argparse: a usage error, one line (or --help)
        if exc.code == 0:
            return
        assert exc.code == 2
        err = capsys.readouterr().err.strip().split("\n")
        assert len(err) == 1 and err[0].startswith("superspike"), err
        assert ": error: " in err[0] and err[0].endswith("--help)"), err
        return
    err = capsys.readouterr().err.strip().split("\n")
    if rc == 2:
        assert err[-1].startswith("superspike: error: ") and len(err[-1]) > 20, err
    else:
        assert rc == 0, (rc, err)
