"""The layer a whole-layer export computes: channels, feature-map size, padding, element type.

``sfc export --format c|mlir|onnx --channels C_IN,C_OUT --size H,W [--padding P] [--dtype T]``: the layer is a
2-D correlation (stride 1, dilation 1, one group) of an NCHW input of shape (N, C_IN, H, W) with weights of shape
(C_OUT, C_IN, r, r), the input zero-padded by ``padding`` on every side, so the output is (N, C_OUT, H + 2P - r + 1,
W + 2P - r + 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import InputError

LayerDtype = Literal["f32", "i8", "i16"]
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
