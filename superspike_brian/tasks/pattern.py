"""Target spike rasters drawn from images, for the complex-pattern task.

Figs 6-8 of Zenke & Ganguli (2018) train a layer of output neurons to draw a
picture: every output neuron stands for one pixel row, time runs along the
pixel columns, and every dark pixel is a target spike. This module turns a
grayscale image (a PNG or JPEG file, or a numpy array) into such a target
`SpikeRaster` and builds the task around it, with the project's own default
picture, the word "SPIKE" drawn by matplotlib (no third-party image ships with
the package).

Mapping
-------
* Row ``i`` of the image (row 0 at the top) is output unit ``i``, so the raster
  plot of the target, with unit 0 at the top, shows the picture upright.
* The ``W`` columns of the image split the period into ``W`` equal bins; a dark
  pixel in column ``c`` is one spike at the bin centre ``(c + 0.5) * period / W``,
  moved by a uniform random offset in ``[-jitter, jitter]`` and put on the
  ``dt`` grid.

The authors' script (``mktarget.py`` of their benchmark suite) differs in
details that do not matter for learning: it counts only pure black pixels as
spikes, puts each spike uniformly anywhere inside its column, and numbers the
units from the bottom row up.

Examples
--------
>>> import numpy as np
>>> from brian2 import ms
>>> image = np.array([[0.0, 1.0], [1.0, 0.0]])  # dark top-left and bottom-right
>>> r = image_to_raster(image, 10 * ms, jitter=0 * ms)
>>> r.ids, r.times
(array([0, 1]), array([0.0025, 0.0075]))
"""

import numbers
import os

import matplotlib.image
import numpy as np
from brian2 import Hz, ms, second
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from superspike_brian.tasks.single_neuron import frozen_poisson
from superspike_brian.tasks.spikeio import SpikeRaster
from superspike_brian.tasks.task import Task
from superspike_brian.validation import check_positive_int, check_quantity, steps_of

__all__ = ["image_to_raster", "pattern_task", "render_word", "save_image"]

# Complex-pattern task of Figs 6-8 [Zenke & Ganguli 2018, §3.3]: 100 inputs at
# 5 Hz, 100 output units (one per pixel row), a 3.5 s period.
N_IN = 100
N_OUT = 100
INPUT_RATE = 5 * Hz
PERIOD = 3500 * ms

#: Default text, size (pixels) of the project's own target picture: 350
#: columns over the 3.5 s period give one 10 ms time bin per column, the
#: resolution of the authors' targets.
WORD = "SPIKE"
WORD_HEIGHT = 100
WORD_WIDTH = 350

DARK_THRESHOLD = 0.5
JITTER = 1 * ms
DT = 0.1 * ms

# ITU-R BT.601 luma weights, those of Pillow's "L" conversion, so that a
# colour image reads as it would after conversion to grayscale in an editor.
_LUMA = np.array([0.299, 0.587, 0.114])

# Rendering: the ink of the word fills at most this fraction of the picture's
# width and height, leaving a margin so that no letter touches the border.
_FILL_WIDTH = 0.9
_FILL_HEIGHT = 0.7
_DPI = 100
# A pixel whose luminance is below this counts as ink when measuring the
# rendered text (anti-aliased edges included).
_INK = 0.99
# Decimals to which grid times are rounded, as SpikeRaster.on_grid does, so
# that written .ras files read back to the same steps.
_TIME_DECIMALS = 12


def image_to_raster(
    image,
    period,
    *,
    n_units=None,
    dark_threshold=DARK_THRESHOLD,
    jitter=JITTER,
    dt=DT,
    seed=1,
):
    """Turn a grayscale image into a target spike raster.

    Row ``i`` of the image (row 0 at the top) becomes unit ``i``; the columns
    split `period` into equal time bins; every pixel darker than
    `dark_threshold` becomes one spike at the centre of its column's bin, plus
    a uniform random jitter, put on the `dt` grid.

    Parameters
    ----------
    image : str, path-like or array_like
        A PNG or JPEG file (read with `matplotlib.image.imread`), or an array
        of shape ``(height, width)`` (gray) or ``(height, width, channels)``
        with 1 (gray), 2 (gray, alpha), 3 (RGB) or 4 (RGBA) channels. Floats
        and signed integers must lie in ``[0, 1]`` (0 black, 1 white);
        unsigned integers are scaled by their maximum (255 for ``uint8``);
        booleans are 0 or 1. Colour is converted to luminance (ITU-R BT.601
        weights) and transparent pixels are composited over white, so they
        count as background.
    period : `Quantity`
        Length of the raster (time units, e.g. ``3500*ms``), > 0 and a
        multiple of `dt`.
    n_units : int, optional
        Number of output units. When it differs from the image height, the
        rows are resampled by nearest neighbour (unit ``i`` takes the image
        row under its centre, ``floor((i + 0.5) * height / n_units)``): rows
        are dropped when shrinking and repeated when growing. Default: the
        image height.
    dark_threshold : float, optional
        A pixel whose luminance is strictly below this value is dark, i.e. a
        spike; in the open interval ``(0, 1)``. Default: 0.5.
    jitter : `Quantity`, optional
        Half-width of the uniform random offset added to every spike time
        (time units), >= 0; 0 puts every spike at its bin centre. Default:
        1 ms.
    dt : `Quantity`, optional
        Time grid of the returned spike times (time units), > 0; normally the
        simulation step. Default: 0.1 ms.
    seed : int, optional
        Seed of the jitter (`numpy.random.default_rng`), >= 0. Default: 1.

    Returns
    -------
    SpikeRaster
        `n_units` units, duration `period`, times on the `dt` grid and inside
        ``[0, period)``: a spike that the jitter would push out of the period
        is clipped to its first or last step. A unit never has two spikes on
        the same step (coinciding spikes are merged).

    Raises
    ------
    FileNotFoundError
        If `image` is a path to a file that does not exist.
    ValueError
        If the file is not a readable image, the array is empty, not 2-D or
        3-D, has an unsupported number of channels or values outside
        ``[0, 1]``, `dark_threshold` is outside ``(0, 1)``, `period` is not
        positive or not a multiple of `dt`, the image has more columns than
        `period` has steps of `dt` (columns would merge), or no pixel is dark.
    TypeError
        If `image` is neither a path nor a numeric array, or `period`,
        `jitter`, `dt` are not time quantities, or `dark_threshold` is not a
        number.
    """
    gray = _load_gray(image)
    height, width = gray.shape
    if n_units is None:
        n_units = height
    n_units = check_positive_int("n_units", n_units)
    threshold = _check_threshold(dark_threshold)
    check_quantity("period", period, ms, positive=True, typical=PERIOD)
    check_quantity("jitter", jitter, ms, nonnegative=True, typical=JITTER)
    check_quantity("dt", dt, ms, positive=True, typical=DT)
    n_steps = steps_of("period", period, dt)
    seed = check_positive_int("seed", seed, minimum=0)
    if width > n_steps:
        # Several columns would share one step and the picture would be
        # squeezed without notice.
        raise ValueError(
            f"image has {width} columns but period holds only {n_steps} steps of dt; "
            f"use a longer period, a smaller dt or a narrower image"
        )

    dark = gray < threshold
    if not dark.any():
        raise ValueError(
            f"image has no pixel darker than dark_threshold={threshold:g} (its darkest "
            f"pixel is {gray.min():.3g}), so the target would be empty"
        )
    if n_units != height:
        rows = np.minimum(
            ((np.arange(n_units) + 0.5) * height / n_units).astype(np.int64), height - 1
        )
        dark = dark[rows]
        if not dark.any():
            raise ValueError(
                f"no dark pixel is left after resampling the {height} image rows to "
                f"n_units={n_units}; use more units or a bolder image"
            )

    period_s = float(np.asarray(period / second))
    dt_s = float(np.asarray(dt / second))
    jitter_s = float(np.asarray(jitter / second))
    # Row-major order (unit by unit, then column by column) fixes which pixel
    # gets which random offset, so the same seed gives the same raster.
    ids, cols = np.nonzero(dark)
    times = (cols + 0.5) * (period_s / width)
    rng = np.random.default_rng(seed)
    times = times + rng.uniform(-jitter_s, jitter_s, size=times.size)
    # Round half up, as SpikeRaster.to_steps does, then keep the spikes in
    # the period rather than wrapping them to its other end.
    steps = np.clip(np.floor(times / dt_s + 0.5).astype(np.int64), 0, n_steps - 1)
    # A neuron cannot fire twice in one step: merge spikes of a unit that
    # the jitter put on the same step.
    pairs = np.unique(np.stack([ids.astype(np.int64), steps], axis=1), axis=0)
    times = np.round(pairs[:, 1] * dt_s, _TIME_DECIMALS)
    return SpikeRaster(times, pairs[:, 0], n_units, period_s)


def render_word(text=WORD, *, height=WORD_HEIGHT, width=WORD_WIDTH):
    """Draw a word in black on white, the project's own target picture.

    The text is drawn in bold DejaVu Sans (bundled with matplotlib), scaled so
    that its ink fills 90 % of the width or 70 % of the height, whichever is
    reached first, and centred. Edges are anti-aliased, so border pixels are
    gray.

    Parameters
    ----------
    text : str, optional
        The word (or any single line of text) to draw; must contain a visible
        character. Default: ``"SPIKE"``.
    height : int, optional
        Height of the picture in pixels, >= 1: the number of output units of
        the task. Default: 100.
    width : int, optional
        Width of the picture in pixels, >= 1: the number of time bins of the
        period. Default: 350.

    Returns
    -------
    numpy.ndarray of float64, shape (height, width)
        Luminance in ``[0, 1]``: 0 black (ink), 1 white.

    Raises
    ------
    TypeError
        If `text` is not a string or `height`, `width` are not integers.
    ValueError
        If `text` is blank or the picture is too small for any of its ink to
        show.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__} {text!r}")
    if not text.strip():
        raise ValueError(f"text must contain a visible character, got {text!r}")
    if "\n" in text:
        raise ValueError(f"text must be a single line, got {text!r}")
    height = check_positive_int("height", height)
    width = check_positive_int("width", width)

    # Font metrics (ascent, descent, side bearings) make the text box larger
    # than its ink, so the size and position are fitted on the rendered ink:
    # render, measure, rescale, render, measure, recentre, render.
    fontsize = 72.0 * height / _DPI  # one picture height, in points
    gray = _draw_text(text, height, width, fontsize, 0.5, 0.5)
    box = _ink_box(gray)
    if box is not None:
        ink_h, ink_w = box[1] - box[0], box[3] - box[2]
        fontsize *= min(_FILL_WIDTH * width / ink_w, _FILL_HEIGHT * height / ink_h)
        gray = _draw_text(text, height, width, fontsize, 0.5, 0.5)
        box = _ink_box(gray)
    if box is None:
        raise ValueError(
            f"text {text!r} leaves no ink in a {height}x{width} picture; "
            f"use a larger height and width"
        )
    # Shift the ink centre to the picture centre (figure coordinates run
    # bottom-up, pixel rows top-down).
    x = 0.5 + (width / 2 - (box[2] + box[3]) / 2) / width
    y = 0.5 - (height / 2 - (box[0] + box[1]) / 2) / height
    return _draw_text(text, height, width, fontsize, x, y)


def save_image(path, array):
    """Write a picture as an 8-bit grayscale PNG file.

    Parameters
    ----------
    path : str or path-like
        File to write; it is written as PNG whatever its extension and
        replaced if it exists. Its directory must exist.
    array : array_like
        The picture, in any form `image_to_raster` accepts for an array
        (gray, gray and alpha, RGB or RGBA; values in ``[0, 1]``, or unsigned
        integers). Colour is converted to luminance and transparency
        composited over white.

    Returns
    -------
    None

    Raises
    ------
    ValueError, TypeError
        If `array` is not a valid picture (see `image_to_raster`).
    FileNotFoundError
        If the directory of `path` does not exist.

    Notes
    -----
    Luminance is quantised to 256 levels, so a picture read back differs from
    `array` by at most 1/510; only pixels within that distance of a
    threshold can change side.
    """
    gray = _as_gray(array, "array")
    levels = np.round(gray * 255.0).astype(np.uint8)
    # A 2-D uint8 array becomes a Pillow "L" (8-bit grayscale) image.
    Image.fromarray(levels).save(os.fspath(path), format="PNG")


def pattern_task(
    *,
    n_in=N_IN,
    n_out=N_OUT,
    period=PERIOD,
    input_rate=INPUT_RATE,
    image=None,
    seed=1,
    jitter=JITTER,
    dt=DT,
):
    """The complex-pattern task of Figs 6-8 of the paper: frozen Poisson input,
    a picture as target.

    Parameters
    ----------
    n_in : int, optional
        Number of input units, >= 1. Default: 100.
    n_out : int, optional
        Number of output units, >= 1: one per pixel row. The default picture
        is drawn `n_out` pixels high; a given `image` whose height differs is
        resampled to `n_out` rows (nearest row, see `image_to_raster`).
        Default: 100.
    period : `Quantity`, optional
        Length of one period (time units), > 0 and a multiple of `dt`; the
        image columns are spread over it. Default: 3500 ms.
    input_rate : `Quantity`, optional
        Rate of every input unit (frequency units), >= 0. Default: 5 Hz.
    image : str, path-like or array_like, optional
        The target picture, a PNG/JPEG file or an array (see
        `image_to_raster`). Default: ``render_word(height=n_out)``, the word
        "SPIKE" in 350 columns (10 ms per column over the default period).
    seed : int, optional
        Seed of the input raster and of the target jitter, >= 0. Default: 1.
    jitter : `Quantity`, optional
        Half-width of the uniform jitter of the target spikes (time units),
        >= 0. Default: 1 ms.
    dt : `Quantity`, optional
        Time grid of the target spikes (time units), > 0. Default: 0.1 ms.

    Returns
    -------
    Task
        Named ``"pattern(seed=...)"``, or ``"pattern(<file stem>, seed=...)"``
        for an image file.

    Raises
    ------
    FileNotFoundError, ValueError, TypeError
        As `image_to_raster` and `frozen_poisson`, e.g. for ``n_out < 1``, a
        missing or unreadable image file, or an image without a dark pixel.
    """
    # Checked here so that errors name this function's parameters, not those
    # of frozen_poisson.
    n_in = check_positive_int("n_in", n_in)
    n_out = check_positive_int("n_out", n_out)
    check_quantity("input_rate", input_rate, Hz, nonnegative=True, typical=INPUT_RATE)
    seed = check_positive_int("seed", seed, minimum=0)
    if image is None:
        image = render_word(height=n_out)
        name = f"pattern(seed={seed})"
    elif isinstance(image, (str, os.PathLike)):
        stem = os.path.splitext(os.path.basename(os.fspath(image)))[0]
        name = f"pattern({stem}, seed={seed})"
    else:
        name = f"pattern(seed={seed})"
    target = image_to_raster(image, period, n_units=n_out, jitter=jitter, dt=dt, seed=seed)
    inputs = frozen_poisson(n_in, input_rate, period, seed)
    return Task(name=name, input=inputs, target=target, period=inputs.duration, kind="pattern")


def _load_gray(image):
    """Luminance of an image file or array, a float64 (height, width) array."""
    if isinstance(image, (str, os.PathLike)):
        path = os.fspath(image)
        if not os.path.exists(path):
            raise FileNotFoundError(f"image file {path} does not exist")
        try:
            pixels = matplotlib.image.imread(path)
        except Exception as err:
            # Decoders report a bad file in many ways (Pillow raises
            # SyntaxError for a file that is not a PNG); to the user they all
            # mean the same thing.
            raise ValueError(
                f"image file {path} is not a readable image (PNG or JPEG expected): {err}"
            ) from err
        return _as_gray(pixels, f"image file {path}")
    return _as_gray(image, "image")


def _as_gray(image, name):
    """Luminance in [0, 1] of a gray/RGB(A) array; `name` is used in errors."""
    try:
        arr = np.asarray(image)
    except (TypeError, ValueError) as err:  # ragged nested lists
        raise TypeError(f"{name} must be a path to a PNG or JPEG file or an array: {err}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be a path to a PNG or JPEG file or a numeric array, "
            f"got {type(image).__name__} of dtype {arr.dtype}"
        )
    if arr.ndim not in (2, 3):
        raise ValueError(
            f"{name} must be a 2-D (height, width) or 3-D (height, width, channels) "
            f"array, got shape {arr.shape}"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if arr.dtype.kind == "u":
        # Images come as 8- or 16-bit levels (JPEG from imread is uint8).
        values = arr / float(np.iinfo(arr.dtype).max)
    else:
        values = arr.astype(np.float64)
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name} must have finite values")
        low, high = values.min(), values.max()
        if low < 0 or high > 1:
            raise ValueError(
                f"{name} values must be in [0, 1] (0 black, 1 white), got values from "
                f"{low:g} to {high:g}; divide 8-bit levels by 255"
            )
    if values.ndim == 2:
        return values
    channels = values.shape[2]
    if channels == 1:
        return values[:, :, 0]
    if channels == 2:
        gray, alpha = values[:, :, 0], values[:, :, 1]
    elif channels in (3, 4):
        gray = _luminance(values[:, :, :3])
        if channels == 3:
            return gray
        alpha = values[:, :, 3]
    else:
        raise ValueError(
            f"{name} must have 1 (gray), 2 (gray, alpha), 3 (RGB) or 4 (RGBA) channels, "
            f"got {channels} (shape {arr.shape})"
        )
    # Over a white background a transparent pixel is white, i.e. no spike.
    return gray * alpha + (1.0 - alpha)


def _luminance(rgb):
    """Luminance of an RGB array, exact for gray pixels stored as RGB."""
    # The BT.601 weights sum to 1 only up to rounding: white would come out
    # as 0.9999999999999999. Gray images (all channels equal, e.g. a gray
    # picture saved as RGB) keep their exact value.
    if np.array_equal(rgb[:, :, 0], rgb[:, :, 1]) and np.array_equal(rgb[:, :, 0], rgb[:, :, 2]):
        return rgb[:, :, 0].copy()
    return np.clip(rgb @ _LUMA, 0.0, 1.0)


def _draw_text(text, height, width, fontsize, x, y):
    """Render `text` centred at figure coordinates (x, y); luminance array."""
    # Figure + Agg canvas, not pyplot: no global state, no GUI backend.
    fig = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    fig.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        fontsize=fontsize,
        fontweight="bold",
        family="DejaVu Sans",
        color="black",
    )
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    gray = _as_gray(rgba, "rendered text")
    # The figure size in pixels is truncated from a float product; make the
    # shape exact whatever the rounding (pad with white, crop).
    out = np.ones((height, width))
    h, w = min(height, gray.shape[0]), min(width, gray.shape[1])
    out[:h, :w] = gray[:h, :w]
    return np.clip(out, 0.0, 1.0)


def _ink_box(gray):
    """(top, bottom, left, right) pixel bounds of the ink, ends exclusive, or
    None when there is no ink."""
    ink = gray < _INK
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def _check_threshold(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"dark_threshold must be a number in (0, 1), got {type(value).__name__} {value!r}"
        )
    value = float(value)
    if not 0.0 < value < 1.0:
        raise ValueError(f"dark_threshold must be a number in (0, 1), got {value:g}")
    return value
