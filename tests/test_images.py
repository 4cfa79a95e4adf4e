"""Tests of the targets drawn from images (complex-pattern task, Figs 6-8)."""

import numpy as np
import pytest
from brian2 import Hz, ms, mV, second
from PIL import Image

from superspike_brian.tasks.pattern import image_to_raster, pattern_task, render_word, save_image
from superspike_brian.tasks.spikeio import SpikeRaster
from superspike_brian.tasks.task import Task

DT = 1e-4  # seconds, the default grid of image_to_raster

# A 3x4 picture: dark pixels at (row, column) (0, 0), (1, 2), (2, 1), (2, 3).
TINY = np.array(
    [
        [0.0, 1.0, 1.0, 1.0],
        [1.0, 1.0, 0.1, 1.0],
        [1.0, 0.2, 1.0, 0.0],
    ]
)
# Over a 40 ms period the 4 columns are 10 ms bins centred at 5, 15, 25, 35 ms.
TINY_IDS = np.array([0, 2, 1, 2])
TINY_TIMES = np.array([0.005, 0.015, 0.025, 0.035])


def _on_grid(times, dt=DT):
    return np.allclose(times / dt, np.round(times / dt), rtol=0, atol=1e-6)


def test_tiny_image_without_jitter_hits_bin_centres():
    r = image_to_raster(TINY, 40 * ms, jitter=0 * ms)
    assert isinstance(r, SpikeRaster)
    assert r.n_units == 3
    assert r.duration == pytest.approx(0.04)
    # Sorted by time: (0, 5 ms), (2, 15 ms), (1, 25 ms), (2, 35 ms).
    np.testing.assert_array_equal(r.ids, TINY_IDS)
    np.testing.assert_allclose(r.times, TINY_TIMES, rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_tiny_image_with_jitter_stays_near_bin_centres(seed):
    jitter = 2e-3
    r = image_to_raster(TINY, 40 * ms, jitter=jitter * second, seed=seed)
    order = np.argsort(TINY_TIMES)
    # 2 ms of jitter cannot move a spike out of its 10 ms bin, so the time
    # order, hence the pairing with the expected spikes, is kept.
    np.testing.assert_array_equal(r.ids, TINY_IDS[order])
    assert np.all(np.abs(r.times - TINY_TIMES[order]) <= jitter + DT / 2 + 1e-12)
    assert _on_grid(r.times)
    # The jitter does move spikes (4 exact centres are unlikely).
    assert not np.allclose(r.times, TINY_TIMES[order])


def test_same_seed_same_raster():
    a = image_to_raster(TINY, 40 * ms, seed=3)
    b = image_to_raster(TINY, 40 * ms, seed=3)
    c = image_to_raster(TINY, 40 * ms, seed=4)
    assert a == b
    assert a != c


def test_dark_threshold_is_strict():
    image = np.array([[0.2, 0.4, 0.5, 0.6, 0.9]])
    counts = {
        t: image_to_raster(image, 50 * ms, dark_threshold=t, jitter=0 * ms).n_spikes
        for t in (0.3, 0.5, 0.55, 0.7, 0.95)
    }
    # "Darker than": a pixel equal to the threshold (0.5) is not dark.
    assert counts == {0.3: 1, 0.5: 2, 0.55: 3, 0.7: 4, 0.95: 5}
    r = image_to_raster(image, 50 * ms, dark_threshold=0.45, jitter=0 * ms)
    np.testing.assert_allclose(r.times, [0.005, 0.015], rtol=0, atol=1e-12)


def test_spikes_stay_inside_the_period():
    # Dark first and last columns and a jitter larger than a bin: spikes
    # pushed out of the period are clipped to its first and last step.
    image = np.ones((50, 10))
    image[:, 0] = 0.0
    image[:, -1] = 0.0
    r = image_to_raster(image, 10 * ms, jitter=5 * ms, seed=2)
    assert np.all(r.times >= 0)
    assert np.all(r.times < 0.01)
    assert r.times.min() == 0.0
    assert r.times.max() == pytest.approx(0.01 - DT)
    assert _on_grid(r.times)
    # No unit has two spikes on one step.
    steps = r.to_steps(DT)
    assert len({(i, s) for i, s in zip(r.ids, steps, strict=True)}) == r.n_spikes


def test_n_units_resamples_rows_by_nearest():
    # Row k is dark in column k only, so a spike's time tells its source row.
    image = np.ones((4, 4))
    image[np.arange(4), np.arange(4)] = 0.0
    period = 40 * ms
    same = image_to_raster(image, period, n_units=4, jitter=0 * ms)
    assert same == image_to_raster(image, period, jitter=0 * ms)

    # Shrinking: unit i takes row floor((i + 0.5) * 4 / 2) = 1, 3.
    half = image_to_raster(image, period, n_units=2, jitter=0 * ms)
    assert half.n_units == 2
    np.testing.assert_array_equal(half.ids, [0, 1])
    np.testing.assert_allclose(half.times, [0.015, 0.035], rtol=0, atol=1e-12)

    # Growing: every row is repeated twice.
    double = image_to_raster(image, period, n_units=8, jitter=0 * ms)
    assert double.n_units == 8
    np.testing.assert_array_equal(double.ids, np.arange(8))
    np.testing.assert_allclose(double.times, np.repeat([0.005, 0.015, 0.025, 0.035], 2), atol=1e-12)


def test_colour_alpha_and_integer_arrays():
    period = 30 * ms
    # RGB: pure red has luminance 0.299 (dark), pure green 0.587 (light).
    rgb = np.zeros((1, 3, 3))
    rgb[0, 0] = [1, 0, 0]
    rgb[0, 1] = [0, 1, 0]
    rgb[0, 2] = [1, 1, 1]
    r = image_to_raster(rgb, period, jitter=0 * ms)
    np.testing.assert_allclose(r.times, [0.005], atol=1e-12)
    # RGBA: transparent black is background, opaque black is a spike.
    rgba = np.zeros((1, 3, 4))
    rgba[0, :, 3] = [0.0, 1.0, 0.0]
    r = image_to_raster(rgba, period, jitter=0 * ms)
    np.testing.assert_allclose(r.times, [0.015], atol=1e-12)
    # uint8 levels are scaled by 255; a (h, w, 1) array is gray.
    levels = np.array([[[0], [200], [100]]], dtype=np.uint8)
    r = image_to_raster(levels, period, jitter=0 * ms)
    np.testing.assert_allclose(r.times, [0.005, 0.025], atol=1e-12)
    # Booleans: False is black.
    r = image_to_raster(np.array([[True, False, True]]), period, jitter=0 * ms)
    np.testing.assert_allclose(r.times, [0.015], atol=1e-12)


def test_render_word_reads_back_through_png(tmp_path):
    word = render_word()
    assert word.shape == (100, 350)
    assert word.dtype == np.float64
    assert word.min() == 0.0
    assert word.max() == 1.0
    dark = word < 0.5
    # Plenty of ink, but a white margin all round (no letter is clipped).
    assert 0.1 < dark.mean() < 0.6
    assert not (dark[0].any() or dark[-1].any() or dark[:, 0].any() or dark[:, -1].any())

    path = tmp_path / "word.png"
    save_image(path, word)
    with Image.open(path) as png:
        assert png.format == "PNG"
        assert png.mode == "L"
        assert png.size == (350, 100)
    period = 3500 * ms
    from_file = image_to_raster(path, period)
    from_array = image_to_raster(word, period)
    assert from_file.n_units == 100
    assert from_file.n_spikes == dark.sum()
    # 8-bit quantisation moves no pixel across the 0.5 threshold here.
    assert from_file == from_array
    # Every unit with ink in its row has spikes, the others are silent.
    np.testing.assert_array_equal(from_file.spike_counts(), dark.sum(axis=1))
    assert image_to_raster(str(path), period) == from_file


def test_render_word_other_sizes_and_text():
    small = render_word("AB", height=20, width=40)
    assert small.shape == (20, 40)
    assert (small < 0.5).any()
    assert not np.array_equal(render_word("IO", height=20, width=40), small)


def test_jpeg_file(tmp_path):
    # A black square on white: JPEG blurs the edges, not the inside.
    pixels = np.full((16, 32), 255, dtype=np.uint8)
    pixels[4:12, 8:24] = 0
    path = tmp_path / "square.jpg"
    Image.fromarray(pixels).save(path, quality=95)
    r = image_to_raster(path, 32 * ms, jitter=0 * ms)
    assert r.n_units == 16
    counts = r.spike_counts()
    assert np.all(counts[5:11] == 16)
    assert np.all(counts[:3] == 0) and np.all(counts[13:] == 0)


def test_pattern_task_default_sizes():
    task = pattern_task()
    assert isinstance(task, Task)
    assert task.name.startswith("pattern")
    assert (task.n_in, task.n_out) == (100, 100)
    assert task.period == pytest.approx(3.5)
    assert task.input.duration == task.target.duration == task.period
    assert task.input.n_spikes > 0
    assert task.target == image_to_raster(render_word(), 3500 * ms, jitter=1 * ms, seed=1)
    assert _on_grid(task.target.times)


def test_pattern_task_sizes_and_resampled_image(tmp_path):
    task = pattern_task(n_in=20, n_out=40, period=1000 * ms, input_rate=10 * Hz, seed=2)
    assert (task.n_in, task.n_out) == (20, 40)
    assert task.period == pytest.approx(1.0)
    assert task.target.n_spikes > 0

    # A 4-row image file given to 8 output units: rows are repeated.
    image = np.ones((4, 10))
    image[:, 3] = 0.0
    path = tmp_path / "bar.png"
    save_image(path, image)
    task = pattern_task(n_in=5, n_out=8, period=100 * ms, image=path, jitter=0 * ms)
    assert task.name == "pattern(bar, seed=1)"
    assert task.n_out == 8
    np.testing.assert_array_equal(task.target.spike_counts(), np.ones(8))
    np.testing.assert_allclose(task.target.times, 0.035, atol=1e-12)


def test_missing_and_unreadable_files(tmp_path):
    missing = tmp_path / "nowhere.png"
    with pytest.raises(FileNotFoundError, match=r"image file .*nowhere\.png does not exist"):
        image_to_raster(missing, 100 * ms)
    fake = tmp_path / "notes.png"
    fake.write_text("this is text, not a picture\n")
    with pytest.raises(ValueError, match=r"notes\.png is not a readable image \(PNG or JPEG"):
        image_to_raster(fake, 100 * ms)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.jpg is not a readable image"):
        image_to_raster(empty, 100 * ms)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        pattern_task(image=missing)


@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (np.zeros(5), ValueError, r"image must be a 2-D \(height, width\) or 3-D .*shape \(5,\)"),
        (np.zeros((0, 5)), ValueError, r"image must not be empty, got shape \(0, 5\)"),
        (np.zeros((3, 0)), ValueError, "image must not be empty"),
        (np.zeros((2, 2, 2, 2)), ValueError, "image must be a 2-D"),
        (np.zeros((2, 2, 5)), ValueError, r"1 \(gray\), 2 .* channels, got 5"),
        (np.full((2, 2), 255.0), ValueError, r"image values must be in \[0, 1\].*255"),
        (np.full((2, 2), -0.1), ValueError, r"image values must be in \[0, 1\]"),
        (np.full((2, 2), np.nan), ValueError, "image must have finite values"),
        (np.array([["a", "b"]]), TypeError, "image must be a path to a PNG or JPEG file"),
        (None, TypeError, "image must be a path to a PNG or JPEG file"),
    ],
)
def test_bad_arrays(image, error, match):
    with pytest.raises(error, match=match):
        image_to_raster(image, 100 * ms)


def test_no_dark_pixel():
    with pytest.raises(ValueError, match=r"no pixel darker than dark_threshold=0.5"):
        image_to_raster(np.full((3, 4), 0.8), 40 * ms)
    with pytest.raises(
        ValueError, match=r"darker than dark_threshold=0.1 \(its darkest pixel is 0.2"
    ):
        image_to_raster(np.full((3, 4), 0.2), 40 * ms, dark_threshold=0.1)
    # The only dark row is dropped by resampling 4 rows to 1 (row 2 is kept).
    image = np.ones((4, 4))
    image[0, 0] = 0.0
    with pytest.raises(ValueError, match=r"no dark pixel is left after resampling .*n_units=1"):
        image_to_raster(image, 40 * ms, n_units=1)


@pytest.mark.parametrize("threshold", [0, 0.0, 1, 1.0, 1.5, -0.2, float("nan")])
def test_bad_threshold(threshold):
    with pytest.raises(ValueError, match=r"dark_threshold must be a number in \(0, 1\)"):
        image_to_raster(TINY, 40 * ms, dark_threshold=threshold)


@pytest.mark.parametrize("threshold", ["0.5", None, True])
def test_threshold_of_wrong_type(threshold):
    with pytest.raises(TypeError, match=r"dark_threshold must be a number in \(0, 1\)"):
        image_to_raster(TINY, 40 * ms, dark_threshold=threshold)


def test_bad_period_and_times():
    with pytest.raises(
        TypeError, match=r"period must be a quantity in units of ms \(e.g. 40\*ms\)"
    ):
        image_to_raster(TINY, 40)
    with pytest.raises(TypeError, match=r"period .*\(time\).*\(voltage\)"):
        image_to_raster(TINY, 40 * mV)
    with pytest.raises(ValueError, match="period must be positive"):
        image_to_raster(TINY, 0 * ms)
    with pytest.raises(ValueError, match="period must be positive"):
        image_to_raster(TINY, -40 * ms)
    with pytest.raises(ValueError, match=r"period \(0.04005 s\) is not a multiple of dt"):
        image_to_raster(TINY, 40.05 * ms, dt=0.1 * ms)
    with pytest.raises(ValueError, match="jitter must be non-negative"):
        image_to_raster(TINY, 40 * ms, jitter=-1 * ms)
    with pytest.raises(TypeError, match="jitter must be a quantity"):
        image_to_raster(TINY, 40 * ms, jitter=0.001)
    with pytest.raises(ValueError, match="dt must be positive"):
        image_to_raster(TINY, 40 * ms, dt=0 * ms)
    with pytest.raises(ValueError, match=r"image has 4 columns but period holds only 2 steps"):
        image_to_raster(TINY, 2 * ms, dt=1 * ms)
    with pytest.raises(ValueError, match="n_units must be an integer >= 1"):
        image_to_raster(TINY, 40 * ms, n_units=0)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        image_to_raster(TINY, 40 * ms, seed=-1)


def test_bad_render_and_save_arguments(tmp_path):
    with pytest.raises(ValueError, match="text must contain a visible character"):
        render_word("   ")
    with pytest.raises(ValueError, match="text must be a single line"):
        render_word("SP\nIKE")
    with pytest.raises(TypeError, match="text must be a string"):
        render_word(42)
    with pytest.raises(ValueError, match="height must be an integer >= 1"):
        render_word(height=0)
    with pytest.raises(TypeError, match="width must be an integer >= 1"):
        render_word(width=350.0)
    with pytest.raises(ValueError, match=r"array must be a 2-D"):
        save_image(tmp_path / "x.png", np.zeros(3))
    with pytest.raises(ValueError, match=r"array values must be in \[0, 1\]"):
        save_image(tmp_path / "x.png", np.full((2, 2), 2.0))


def test_bad_pattern_task_arguments():
    with pytest.raises(ValueError, match="n_out must be an integer >= 1"):
        pattern_task(n_out=0)
    with pytest.raises(ValueError, match="n_in must be an integer >= 1"):
        pattern_task(n_in=0)
    with pytest.raises(TypeError, match="period must be a quantity"):
        pattern_task(period=3.5)
    with pytest.raises(ValueError, match="input_rate must be non-negative"):
        pattern_task(input_rate=-5 * Hz)
    with pytest.raises(ValueError, match="no pixel darker"):
        pattern_task(image=np.ones((10, 10)), period=100 * ms)
