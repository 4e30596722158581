"""The fast convolution as a subgraph of standard ONNX ops (the one builder: model rewrite and layer export).

Layout, for an NCHW input X (N, C_in, H, W), a verified algorithm of tile m, kernel r, n = m + r - 1 and K
products, and a Conv of pads (top, left, bottom, right) with Ho x Wo outputs, TH = ceil(Ho / m) by
TW = ceil(Wo / m) tiles:

1. Pad as the Conv says, plus zeros at the bottom and right so that the tiles cover the output
   (height TH m + r - 1, width TW m + r - 1);
2. Reshape to (N C_in, 1, Hp, Wp) and Conv with the K rows of BT2 as (K, 1, n, n) kernels, stride m:
   V (N C_in, K, TH, TW); rearranged (Reshape, Transpose) to V (K, C_in, N TH TW);
3. [quantized: V clipped and through QuantizeLinear / DequantizeLinear, one scale per position (axis 0)];
4. M = U V as one batched MatMul, U = G2 w (K, C_out, C_in) a constant [quantized: int8/int16 integers,
   stored as (K C_out, C_in), through DequantizeLinear with one scale per (position, output channel)];
5. the output transform as one MatMul with AT2 (m^2, K) on M reshaped (K, C_out N TH TW), the m x m tiles
   stitched by Reshape and Transpose, cropped to Ho x Wo (Slice), the bias added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import onnx

from ..layers.engine import LayerTransforms, filter_transform
from ..layers.quantize import quantize
from .onnx_model import ConvSite, is_eligible
from .qdq import GraphBuilder, required_opset

if TYPE_CHECKING:
    from ..algorithm import Algorithm
    from ..layers.quantize import FastLayerQuantization


@dataclass(frozen=True)
class Tiling:
    """Where the tiles of a layer lie: C_in, C_out, the input (height, width) before padding, the Conv's pads
    (top, left, bottom, right), the output (Ho, Wo) and TH x TW tiles of m x m outputs."""

    c_in: int
    c_out: int
    height: int
    width: int
    pads: tuple[int, int, int, int]
    out_height: int
    out_width: int
    rows: int
    cols: int

    @classmethod
    def of(cls, lt: LayerTransforms, c_in: int, c_out: int, size: tuple[int, int], pads: Sequence[int]) -> Tiling:
        top, left, bottom, right = pads
        out = (size[0] + top + bottom - lt.kernel + 1, size[1] + left + right - lt.kernel + 1)
        return cls(c_in, c_out, *size, (top, left, bottom, right), *out, -(-out[0] // lt.tile), -(-out[1] // lt.tile))

    def padded(self, lt: LayerTransforms) -> tuple[int, int]:
        """The height and width the tiles cover: TH m + r - 1 by TW m + r - 1."""
        return self.rows * lt.tile + lt.kernel - 1, self.cols * lt.tile + lt.kernel - 1


def input_transform_nodes(graph: GraphBuilder, x: str, lt: LayerTransforms, tiling: Tiling, bt: np.ndarray) -> str:
    """V (K, C_in, N TH TW) from the float NCHW input ``x``: padded as the Conv says and to cover the tiles,
    one plane per (image, channel), Conv with the K rows of ``bt`` (K x n^2, BT2 or its numerators) as n x n
    kernels of stride m."""
    n, products = lt.input, lt.products
    top, left = tiling.pads[:2]
    full_height, full_width = tiling.padded(lt)
    pads = [0, 0, top, left, 0, 0, full_height - tiling.height - top, full_width - tiling.width - left]
    if any(pads):
        x = graph.node("Pad", [x, graph.shape("pad", pads)], "pad")
    x = graph.node("Reshape", [x, graph.shape("planes", [-1, 1, full_height, full_width])], "planes")
    kernels = graph.constant("BT", bt.reshape(products, 1, n, n).astype(np.float32))
    v = graph.node("Conv", [x, kernels], "input_transform", strides=[lt.tile, lt.tile])
    v = graph.node(
        "Reshape", [v, graph.shape("V_split", [-1, tiling.c_in, products, tiling.rows * tiling.cols])], "V_split"
    )
    v = graph.node("Transpose", [v], "V_positions", perm=[2, 1, 0, 3])
    return graph.node("Reshape", [v, graph.shape("V", [products, tiling.c_in, -1])], "V")


def output_transform_nodes(graph: GraphBuilder, mm: str, lt: LayerTransforms, tiling: Tiling, at: np.ndarray) -> str:
    """Y (N, C_out, Ho, Wo) from the products M (K, C_out, N TH TW): one MatMul with ``at`` (m^2 x K, AT2 or
    its numerators, of M's element type), the m x m tiles stitched by Reshape and Transpose, cropped."""
    m, rows, cols = lt.tile, tiling.rows, tiling.cols
    mm = graph.node("Reshape", [mm, graph.shape("M", [lt.products, -1])], "M")
    y = graph.node("MatMul", [graph.constant("AT", at), mm], "output_transform")
    y = graph.node("Reshape", [y, graph.shape("output_tiles", [m, m, tiling.c_out, -1, rows, cols])], "output_tiles")
    y = graph.node("Transpose", [y], "stitch", perm=[3, 2, 4, 0, 5, 1])
    y = graph.node("Reshape", [y, graph.shape("Y_tiled", [-1, tiling.c_out, rows * m, cols * m])], "Y_tiled")
    if (rows * m, cols * m) != (tiling.out_height, tiling.out_width):
        ends = graph.shape("crop_ends", [tiling.out_height, tiling.out_width])
        y = graph.node("Slice", [y, graph.shape("crop_starts", [0, 0]), ends, graph.shape("crop_axes", [2, 3])], "crop")
    return y


def fast_conv_nodes(
    algorithm: Algorithm, site: ConvSite, quantization: FastLayerQuantization | None, prefix: str
) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    """Nodes and initializers computing ``site`` (an eligible Conv whose input C, H and W are known) through
    ``algorithm`` from ``site.input`` to ``site.output`` (module docstring); names start with ``prefix``."""
    lt = LayerTransforms.of(algorithm)
    if not is_eligible(site, lt.kernel):
        raise ValueError(f"{algorithm.name} cannot compute Conv {site.name}")
    if site.input_size is None:
        raise ValueError(f"Conv {site.name}: the input size must be known")
    products = lt.products
    c_out, c_in = site.weight.shape[:2]
    tiling = Tiling.of(lt, c_in, c_out, site.input_size, site.pads)
    graph = GraphBuilder(prefix)
    v = input_transform_nodes(graph, site.input, lt, tiling, lt.BT)

    u = filter_transform(site.weight.astype(np.float64), lt)
    if quantization is None:
        u_name = graph.constant("U", u.astype(np.float32))
    else:
        bits = quantization.bits
        v = graph.fake_quantize(v, quantization.v_scales, bits, "V", axis=0, rank=3)
        u_scales = np.asarray(quantization.u_scales, dtype=np.float32).reshape(products * c_out)
        integers = quantize(u.reshape(products * c_out, c_in), u_scales.astype(np.float64)[:, None], bits)
        u_name = graph.dequantized_constant(integers, u_scales, 0, bits, "U")
        u_name = graph.node("Reshape", [u_name, graph.shape("U", [products, c_out, c_in])], "U")

    mm = graph.node("MatMul", [u_name, v], "products")
    y = output_transform_nodes(graph, mm, lt, tiling, lt.AT.astype(np.float32))
    if site.bias is not None:
        y = graph.node("Add", [y, graph.constant("bias", site.bias.astype(np.float32).reshape(c_out, 1, 1))], "bias")
    graph.nodes[-1].output[0] = site.output
    return graph.nodes, graph.initializers


def fast_conv_model(
    algorithm: Algorithm,
    weight: np.ndarray,
    bias: np.ndarray | None,
    padding: tuple[int, int, int, int],
    input_shape: tuple[int | None, int, int, int],
    quantization: FastLayerQuantization | None = None,
) -> onnx.ModelProto:
    """A one-layer model X (N, C_in, H, W) -> Y (N, C_out, Ho, Wo) computing the Conv of ``weight``
    (C_out, C_in, r, r), ``bias`` and ``padding`` (top, left, bottom, right) through ``algorithm``; N None
    leaves the batch free."""
    r = algorithm.kernel
    site = ConvSite(
        name="fast_conv",
        input="X",
        output="Y",
        weight=np.asarray(weight, dtype=np.float32),
        bias=None if bias is None else np.asarray(bias, dtype=np.float32),
        pads=tuple(padding),
        strides=(1, 1),
        dilations=(1, 1),
        group=1,
        kernel=(r, r),
        input_shape=tuple(input_shape),
    )
    nodes, initializers = fast_conv_nodes(algorithm, site, quantization, "fast_conv/")
    batch = input_shape[0] if input_shape[0] is not None else "N"
    graph = onnx.helper.make_graph(
        nodes,
        algorithm.name,
        [onnx.helper.make_tensor_value_info("X", onnx.TensorProto.FLOAT, [batch, *input_shape[1:]])],
        [onnx.helper.make_tensor_value_info("Y", onnx.TensorProto.FLOAT, [batch, weight.shape[0], *site.output_size])],
        initializers,
    )
    opset = [onnx.helper.make_opsetid("", required_opset(None if quantization is None else quantization.bits))]
    model = onnx.helper.make_model(graph, opset_imports=opset, producer_name="sfc")
    model.ir_version = onnx.helper.find_min_ir_version_for(opset)
    return model
