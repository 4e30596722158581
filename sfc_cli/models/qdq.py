"""Building ONNX subgraphs: named nodes and constants, and symmetric quantization as QDQ pairs.

Conventions: quantization is symmetric, round to nearest (ties to even, as QuantizeLinear does), zero point 0,
clipped to +-(2^(b-1) - 1) times the scale (the integers to +-(2^(b-1) - 1)). Up to 8 bits the integers are
int8 (opset 13, per-axis scales); 9 to 16 bits need int16, which QuantizeLinear reads from opset 21 on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import onnx
from onnx import numpy_helper

from ..analysis.bounds import levels
from ..request import check_bits

PER_AXIS_OPSET = 13
"""QuantizeLinear and DequantizeLinear take per-axis scales from this opset on."""
INT16_OPSET = 21
"""QuantizeLinear and DequantizeLinear take int16 from this opset on."""


def required_opset(bits: int | None) -> int:
    """The least default-domain opset whose QDQ ops hold ``bits``-bit integers (None: no quantization)."""
    return INT16_OPSET if bits is not None and bits > 8 else PER_AXIS_OPSET


def _integer_dtype(bits: int) -> type[np.signedinteger]:
    check_bits(bits)
    return np.int8 if bits <= 8 else np.int16


class GraphBuilder:
    """Nodes and initializers of a subgraph; every name it makes starts with ``prefix``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []

    def constant(self, name: str, array: np.ndarray) -> str:
        """An initializer holding ``array`` (its dtype as given); returns its name."""
        tensor = numpy_helper.from_array(np.ascontiguousarray(array), self.prefix + name)
        self.initializers.append(tensor)
        return tensor.name

    def shape(self, name: str, dims: Sequence[int]) -> str:
        """An int64 constant called ``{name}_dims``, as Reshape, Pad and Slice read their shapes."""
        return self.constant(f"{name}_dims", np.array(dims, dtype=np.int64))

    def node(self, op_type: str, inputs: Sequence[str], name: str, output: str | None = None, **attributes) -> str:
        """A node called prefix + name; its one output is ``output`` or prefix + name. Returns the output."""
        output = output or self.prefix + name
        self.nodes.append(onnx.helper.make_node(op_type, list(inputs), [output], name=self.prefix + name, **attributes))
        return output

    def fake_quantize(
        self, x: str, scales: np.ndarray | float, bits: int, name: str, axis: int | None = None, rank: int = 0
    ) -> str:
        """x quantized to +-Q (QuantizeLinear, the integers clipped) and dequantized: one scale for the whole
        tensor (``axis`` None, ``scales`` a number), or one per index of ``axis`` of the rank-``rank`` tensor x.

        Up to 8 bits the int8 integers go through Clip(-Q, Q) (one pass over bytes; the same integers as
        clipping x to +-Q scale first, since round(x / s) lies beyond Q exactly when x lies beyond the
        float32 bound); onnxruntime has no int16 Clip, so wider integers come from x clipped by Max and Min."""
        scales = np.asarray(scales, dtype=np.float32)
        dtype = _integer_dtype(bits)
        if bits > 8:
            bound_shape = [1] * rank
            if axis is not None:
                bound_shape[axis] = scales.size
            bound = (levels(bits) * scales.astype(np.float64)).astype(np.float32).reshape(bound_shape)
            low = self.node("Max", [x, self.constant(f"{name}_low", -bound)], f"{name}_clip_low")
            x = self.node("Min", [low, self.constant(f"{name}_high", bound)], f"{name}_clip")
        scale = self.constant(f"{name}_scale", scales)
        zero = self.constant(f"{name}_zero", np.zeros(scales.shape, dtype=dtype))
        axes = {} if axis is None else {"axis": axis}
        integers = self.node("QuantizeLinear", [x, scale, zero], f"{name}_quantized", **axes)
        if bits <= 8:
            q = levels(bits)
            low, high = (
                self.constant(f"{name}_{end}", np.array(v, dtype=dtype)) for end, v in (("low", -q), ("high", q))
            )
            integers = self.node("Clip", [integers, low, high], f"{name}_clip")
        return self.node("DequantizeLinear", [integers, scale, zero], f"{name}_dequantized", **axes)

    def dequantized_constant(self, integers: np.ndarray, scales: np.ndarray, axis: int, bits: int, name: str) -> str:
        """An integer initializer (int8 up to 8 bits, int16 above) read through DequantizeLinear with one
        scale per index of ``axis``."""
        dtype = _integer_dtype(bits)
        stored = self.constant(f"{name}_integers", integers.astype(dtype))
        scale = self.constant(f"{name}_scale", np.asarray(scales, dtype=np.float32))
        zero = self.constant(f"{name}_zero", np.zeros(len(scales), dtype=dtype))
        return self.node("DequantizeLinear", [stored, scale, zero], f"{name}_dequantized", axis=axis)
