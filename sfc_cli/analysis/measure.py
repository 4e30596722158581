"""Measured errors (floating point, seeded, batched so memory does not grow with the sample count).

A sample is one output tile: an input tile d (n**dims values, flattened row-major) and a kernel g.
Random data: every sample draws its own standard-normal d and g. Image data: the tiles of the
photograph (pixels / 255, tiles at stride ``tile``) are taken in raster order, and the k-th pass
over the image uses the k-th seeded standard-normal kernel. Batch b uses numpy
``default_rng([seed, b])`` (kernel k of an image run: ``default_rng([seed, k])``), so a result is a
function of seed, samples and data: the same numbers on every run.

- ``fp16_normalized``: RMS error against an FP64 reference of the algorithm run in FP16 (inputs,
  transform outputs, products and outputs rounded to FP16; every sum accumulated in FP32), divided by
  the RMS error of direct convolution run the same way (``direct_transforms``) on the same samples.
- ``int<b>_relative``: RMS(Yq - Y) / RMS(Y) where BT d and G g are quantized to b-bit signed
  integers (-Q..Q, Q = 2**(b-1) - 1) with one scale per transform-domain position, set by the largest
  magnitude that position takes over all samples (activations) and all kernels (weights); rounding to
  nearest; products and AT in FP64.

A figure whose arithmetic overflowed on some sample (a value beyond FP16's ±65504 in the FP16 run) is
``math.inf``. A figure whose denominator is zero (every measured output zero, as on a black image, or
direct convolution exact in FP16 on every sample) is undefined: ``measure`` raises InputError.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from ..algebra.bilinear import Transforms
from ..algebra.matrix import QMatrix
from ..errors import InputError
from .bounds import input_reads, levels
from .direct import direct_transforms

BATCH = 2048
"""Samples per batch: memory is O(BATCH * products), whatever the sample count."""
NO_SIGNAL = (
    "every measured output is zero (the input tiles are all black), so relative errors are undefined: "
    "measure on an image with nonzero pixels, or more --samples"
)
DIRECT_EXACT = (
    "direct convolution is exact in FP16 on every measured tile, so fp16_normalized is undefined: "
    "measure more --samples"
)


@dataclass(frozen=True)
class Shape:
    """Tile geometry of an algorithm: output tile, kernel and dimensions."""

    tile: int
    kernel: int
    dims: int

    @property
    def side(self) -> int:
        """Input tile side: ``tile + kernel - 1``."""
        return self.tile + self.kernel - 1

    @property
    def inputs(self) -> int:
        return self.side**self.dims

    @property
    def taps(self) -> int:
        return self.kernel**self.dims


@dataclass(frozen=True)
class DataSource:
    """Where samples come from: ``image`` None for random standard-normal data; ``image_name`` for reports."""

    samples: int
    seed: int
    image: np.ndarray | None = None
    image_name: str = ""

    def batches(self, shape: Shape) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(d, g) float64 batches: batch x inputs and batch x taps."""
        for index, start in enumerate(range(0, self.samples, BATCH)):
            stop = min(start + BATCH, self.samples)
            if self.image is None:
                rng = np.random.default_rng([self.seed, index])
                yield rng.standard_normal((stop - start, shape.inputs)), rng.standard_normal((stop - start, shape.taps))
            else:
                yield self._image_batch(shape, start, stop)

    def _image_batch(self, shape: Shape, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Samples ``start:stop``: only their tiles are copied from the image."""
        assert self.image is not None
        grid = _tile_grid(self.image, shape)
        count = math.prod(grid.shape[: grid.ndim - shape.dims])
        which = np.arange(start, stop)
        passes = which // count
        kernels = np.stack(
            [
                np.random.default_rng([self.seed, k]).standard_normal(shape.taps)
                for k in range(passes[0], passes[-1] + 1)
            ]
        )
        return image_tiles(self.image, shape, which % count), kernels[passes - passes[0]]

    def describe(self) -> dict[str, object]:
        """JSON-ready: what the samples are, how many, and the seed."""
        if self.image is None:
            return {"source": "random standard normal", "samples": self.samples, "seed": self.seed}
        height, width = self.image.shape
        source = f"image {self.image_name} ({width}x{height}), random standard-normal kernels"
        return {"source": source, "samples": self.samples, "seed": self.seed}


def _tile_grid(image: np.ndarray, shape: Shape) -> np.ndarray:
    """The input tiles of the image at stride ``tile`` as a view (nothing copied): 2-D, rows x columns of
    tiles x side x side; 1-D, pixel rows x tiles x side."""
    axes = tuple(range(-shape.dims, 0))
    windows = np.lib.stride_tricks.sliding_window_view(image, (shape.side,) * shape.dims, axis=axes)
    return windows[(Ellipsis, *[slice(None, None, shape.tile)] * shape.dims, *[slice(None)] * shape.dims)]


def image_tiles(image: np.ndarray, shape: Shape, which: np.ndarray | None = None) -> np.ndarray:
    """The input tiles of the image at stride ``tile`` (1-D: along each pixel row), flattened, numbered in
    raster order: all of them, or (copying only those) the tiles numbered ``which``."""
    grid = _tile_grid(image, shape)
    if which is None:
        return grid.reshape(-1, shape.inputs)
    leading = grid.shape[: grid.ndim - shape.dims]
    return grid[np.unravel_index(which, leading)].reshape(len(which), shape.inputs)


@dataclass(frozen=True)
class FloatTransforms:
    """AT, G, BT as float64 arrays."""

    AT: np.ndarray
    G: np.ndarray
    BT: np.ndarray

    @classmethod
    def of(cls, transforms: Transforms) -> FloatTransforms:
        return cls(*(_floats(m) for m in (transforms.AT, transforms.G, transforms.BT)))


@lru_cache(maxsize=32)
def direct_floats(shape: Shape) -> FloatTransforms:
    """Direct convolution as a (cached) float algorithm: rounding it models direct convolution in FP16."""
    return FloatTransforms.of(direct_transforms(shape.tile, shape.kernel, shape.dims))


def fp16_outputs(t: FloatTransforms, d: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Outputs of the algorithm in FP16 arithmetic: every stage rounded to FP16, sums in FP32."""
    f32, f16 = np.float32, np.float16
    v = (d.astype(f16).astype(f32) @ t.BT.T.astype(f32)).astype(f16)
    u = (g.astype(f16).astype(f32) @ t.G.T.astype(f32)).astype(f16)
    products = (u.astype(f32) * v.astype(f32)).astype(f16)
    return (products.astype(f32) @ t.AT.T.astype(f32)).astype(f16).astype(np.float64)


def reference(shape: Shape, d: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Correlation in FP64, straight from the definition."""
    return (d[:, input_reads(shape.tile, shape.kernel, shape.dims)] * g[:, None, :]).sum(axis=2)


def quantize(values: np.ndarray, largest: np.ndarray, bits: int) -> np.ndarray:
    """Round to nearest on b-bit symmetric grids, one scale per column (largest magnitude -> Q)."""
    step = np.where(largest > 0, largest / levels(bits), 1.0)
    return np.round(values / step) * step


@dataclass(frozen=True)
class Measurement:
    fp16_normalized: float
    int_relative: dict[int, float]


class _SumOfSquares:
    """Running sum of squares; an overflowed value (inf, or nan from inf - inf) makes it inf."""

    def __init__(self) -> None:
        self.total = 0.0

    def add(self, values: np.ndarray) -> None:
        total = float(np.sum(np.square(values)))
        self.total += math.inf if math.isnan(total) else total

    def rms_over(self, baseline: _SumOfSquares, undefined: str) -> float:
        """sqrt(self / baseline); raises InputError(``undefined``) when the baseline is zero."""
        if baseline.total == 0:
            raise InputError(undefined)
        return math.sqrt(self.total / baseline.total)


def measure(
    transforms: Transforms,
    shape: Shape,
    data: DataSource,
    bits: tuple[int, ...],
    on_batch: Callable[[], None] = lambda: None,
) -> Measurement:
    """Both measured errors of one algorithm; two passes over the data (the second after calibration).

    Values beyond FP16's range become inf, as they would in FP16 hardware; the error is then inf.
    Raises InputError when a figure is undefined (zero denominator)."""
    return measure_floats(FloatTransforms.of(transforms), shape, data, bits, on_batch)


def measure_floats(
    fast: FloatTransforms,
    shape: Shape,
    data: DataSource,
    bits: tuple[int, ...],
    on_batch: Callable[[], None] = lambda: None,
    prepared: PreparedData | None = None,
) -> Measurement:
    """``measure`` for float transforms. ``prepared`` (``prepare(shape, data)``) holds the data, its exact
    correlations and direct convolution's FP16 error, for callers that measure many algorithms of one
    shape; without it they are computed batch by batch (memory of one batch)."""
    with np.errstate(over="ignore", invalid="ignore"):
        if prepared is None:
            batches = lambda: (Batch(shape, d, g) for d, g in data.batches(shape))  # noqa: E731
            return _measure(fast, direct_floats(shape), batches, bits, on_batch, None)
        return _measure(fast, None, lambda: prepared.batches, bits, on_batch, prepared.direct_fp16_squares)


@dataclass(frozen=True)
class Batch:
    """One batch of data (batch x inputs, batch x taps), its FP16 rounding and the exact FP64 correlations
    of both, each computed on first use (a measurement's first pass reads the FP16 side, the second
    the FP64 side)."""

    shape: Shape
    d: np.ndarray
    g: np.ndarray

    @cached_property
    def d16(self) -> np.ndarray:
        return self.d.astype(np.float16).astype(np.float64)

    @cached_property
    def g16(self) -> np.ndarray:
        return self.g.astype(np.float16).astype(np.float64)

    @cached_property
    def exact16(self) -> np.ndarray:
        return reference(self.shape, self.d16, self.g16)

    @cached_property
    def exact(self) -> np.ndarray:
        return reference(self.shape, self.d, self.g)


@dataclass(frozen=True)
class PreparedData:
    batches: list[Batch]
    direct_fp16_squares: float


def prepare(shape: Shape, data: DataSource) -> PreparedData:
    """Every batch in memory, and direct convolution's FP16 error over them (the fp16_normalized baseline)."""
    batches, direct, squares = (
        [Batch(shape, d, g) for d, g in data.batches(shape)],
        direct_floats(shape),
        _SumOfSquares(),
    )
    with np.errstate(over="ignore", invalid="ignore"):
        for batch in batches:
            squares.add(fp16_outputs(direct, batch.d16, batch.g16) - batch.exact16)
    return PreparedData(batches, squares.total)


def _measure(
    fast: FloatTransforms,
    direct: FloatTransforms | None,
    batches: Callable[[], Iterable[Batch]],
    bits: tuple[int, ...],
    on_batch: Callable[[], None],
    direct_fp16_squares: float | None,
) -> Measurement:
    """Two passes over ``batches()``; direct's FP16 error alongside the first unless given."""
    fast_error, direct_error = _SumOfSquares(), _SumOfSquares()
    largest_v, largest_u = np.zeros(fast.G.shape[0]), np.zeros(fast.G.shape[0])
    for batch in batches():
        fast_error.add(fp16_outputs(fast, batch.d16, batch.g16) - batch.exact16)
        if direct is not None:
            direct_error.add(fp16_outputs(direct, batch.d16, batch.g16) - batch.exact16)
        largest_v = np.maximum(largest_v, np.abs(batch.d @ fast.BT.T).max(axis=0))
        largest_u = np.maximum(largest_u, np.abs(batch.g @ fast.G.T).max(axis=0))
        on_batch()
    if direct_fp16_squares is not None:
        direct_error.total = direct_fp16_squares
    quantized_error = {b: _SumOfSquares() for b in bits}
    signal = _SumOfSquares()
    for batch in batches():
        v, u = batch.d @ fast.BT.T, batch.g @ fast.G.T
        signal.add(batch.exact)
        for b in bits:
            outputs = (quantize(u, largest_u, b) * quantize(v, largest_v, b)) @ fast.AT.T
            quantized_error[b].add(outputs - batch.exact)
        on_batch()
    int_relative = {b: quantized_error[b].rms_over(signal, NO_SIGNAL) for b in bits}
    return Measurement(fast_error.rms_over(direct_error, DIRECT_EXACT), int_relative)


def batch_count(samples: int) -> int:
    """Batches one ``measure`` call walks through (both passes), for progress reporting."""
    return 2 * -(-samples // BATCH)


def _floats(matrix: QMatrix) -> np.ndarray:
    try:
        # n / d on Python ints is exactly float(Fraction(n, d)) (correctly rounded), minus the slow protocol
        values = [[x.numerator / x.denominator if x else 0.0 for x in row] for row in matrix.rows]
        return np.array(values, dtype=np.float64).reshape(matrix.shape)
    except OverflowError:
        raise InputError("matrix entries beyond the double range: floating-point error cannot be measured") from None
