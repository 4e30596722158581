"""The layer a whole-layer export computes: channels, feature-map size, padding, element type.

``sfc export --format c|mlir|onnx --channels C_IN,C_OUT --size H,W [--padding P] [--dtype T]``: the layer is a
2-D correlation (stride 1, dilation 1, one group) of an NCHW input of shape (N, C_IN, H, W) with weights of shape
(C_OUT, C_IN, r, r), the input zero-padded by ``padding`` on every side, so the output is (N, C_OUT, H + 2P - r + 1,
W + 2P - r + 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..errors import InputError

if TYPE_CHECKING:
    from ..algorithm import Algorithm

LayerDtype = Literal["f32", "i8", "i16"]
INPUT_BITS = {"i8": 8, "i16": 16}
"""Bits of an integer layer's inputs and weights."""
ACCUMULATORS = (("i32", 32), ("i64", 64))
"""The integer sums an exact layer computes in, narrowest first."""
MAX_CHANNELS = 65536
MAX_SIDE = 65536


@dataclass(frozen=True)
class LayerShape:
    """A checked layer: ``c_in``, ``c_out`` channels; input ``height`` x ``width`` before padding; ``padding``
    zeros on every side; ``dtype`` of inputs and weights (f32, or i8/i16 with exact i32/i64 accumulation)."""

    c_in: int
    c_out: int
    height: int
    width: int
    padding: int = 0
    dtype: LayerDtype = "f32"

    def output_size(self, kernel: int) -> tuple[int, int]:
        """(Ho, Wo) of a stride-1 correlation with an r x r kernel."""
        return self.height + 2 * self.padding - kernel + 1, self.width + 2 * self.padding - kernel + 1

    def check(self, kernel: int) -> LayerShape:
        """InputError unless the layer is possible for an r x r kernel; returns itself."""
        if not (1 <= self.c_in <= MAX_CHANNELS and 1 <= self.c_out <= MAX_CHANNELS):
            raise InputError(f"--channels must be two integers from 1 to {MAX_CHANNELS}, got {self.c_in},{self.c_out}")
        if not (1 <= self.height <= MAX_SIDE and 1 <= self.width <= MAX_SIDE):
            raise InputError(f"--size must be two integers from 1 to {MAX_SIDE}, got {self.height},{self.width}")
        if not 0 <= self.padding < kernel:
            raise InputError(f"--padding must be from 0 to {kernel - 1} for a {kernel}x{kernel} kernel")
        if min(self.output_size(kernel)) < 1:
            raise InputError(
                f"--size {self.height},{self.width} with padding {self.padding} is smaller than the "
                f"{kernel}x{kernel} kernel: no output"
            )
        return self


def accumulator_width(algorithm: Algorithm, layer: LayerShape) -> int:
    """The proved width of every integer the layer computes for ``layer.dtype`` inputs and weights: V, U,
    the per-position sums over channels M and every partial sum of the output transform
    (``layers.engine.accumulator_bits``; the constants are no wider than these)."""
    from ..layers.engine import accumulator_bits  # numpy: not on the command line's start-up path

    bits = INPUT_BITS[layer.dtype]
    widths = accumulator_bits(algorithm, layer.c_in, bits, bits)
    return max(widths.v, widths.u, widths.m, widths.y)


def accumulator_type(algorithm: Algorithm, layer: LayerShape) -> str:
    """f32 for f32 layers; else i32 when ``accumulator_width`` allows, i64 when it allows, else InputError."""
    if layer.dtype == "f32":
        return "f32"
    width = accumulator_width(algorithm, layer)
    for name, bits in ACCUMULATORS:
        if width <= bits:
            return name
    raise InputError(f"{algorithm.name} with {layer.c_in} input channels of {layer.dtype} needs {width}-bit sums")


@dataclass(frozen=True)
class TileGrid:
    """How the layer is cut into tiles: ``tiles_h`` x ``tiles_w`` output tiles of m x m cover the
    ``out_h`` x ``out_w`` output; the input is padded to ``padded_h`` x ``padded_w`` (P zeros before,
    ``pad_bottom`` / ``pad_right`` zeros after, P or more) so that every tile's n x n input lies inside."""

    out_h: int
    out_w: int
    tiles_h: int
    tiles_w: int
    padded_h: int
    padded_w: int
    pad_bottom: int
    pad_right: int


def tile_grid(layer: LayerShape, tile: int, kernel: int) -> TileGrid:
    out_h, out_w = layer.output_size(kernel)
    tiles_h, tiles_w = -(-out_h // tile), -(-out_w // tile)
    padded_h, padded_w = tiles_h * tile + kernel - 1, tiles_w * tile + kernel - 1
    return TileGrid(
        out_h,
        out_w,
        tiles_h,
        tiles_w,
        padded_h,
        padded_w,
        padded_h - layer.height - layer.padding,
        padded_w - layer.width - layer.padding,
    )
