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
    m, r, n, products = lt.tile, lt.kernel, lt.input, lt.products
    c_out, c_in = site.weight.shape[:2]
    height, width = site.input_size
    out_height, out_width = site.output_size
    rows, cols = -(-out_height // m), -(-out_width // m)
    top, left, bottom, right = site.pads
    extra = (rows * m + r - 1 - (height + top + bottom), cols * m + r - 1 - (width + left + right))
    graph = GraphBuilder(prefix)

    x = site.input
    pads = [0, 0, top, left, 0, 0, bottom + extra[0], right + extra[1]]
    if any(pads):
        x = graph.node("Pad", [x, graph.shape("pad", pads)], "pad")
    x = graph.node("Reshape", [x, graph.shape("planes", [-1, 1, rows * m + r - 1, cols * m + r - 1])], "planes")
    bt = lt.BT.reshape(products, 1, n, n).astype(np.float32)
    v = graph.node("Conv", [x, graph.constant("BT", bt)], "input_transform", strides=[m, m])
    v = graph.node("Reshape", [v, graph.shape("V_split", [-1, c_in, products, rows * cols])], "V_split")
    v = graph.node("Transpose", [v], "V_positions", perm=[2, 1, 0, 3])
    v = graph.node("Reshape", [v, graph.shape("V", [products, c_in, -1])], "V")

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
    mm = graph.node("Reshape", [mm, graph.shape("M", [products, -1])], "M")
    at = graph.constant("AT", lt.AT.astype(np.float32))
    y = graph.node("MatMul", [at, mm], "output_transform")
    y = graph.node("Reshape", [y, graph.shape("output_tiles", [m, m, c_out, -1, rows, cols])], "output_tiles")
    y = graph.node("Transpose", [y], "stitch", perm=[3, 2, 4, 0, 5, 1])
    y = graph.node("Reshape", [y, graph.shape("Y_tiled", [-1, c_out, rows * m, cols * m])], "Y_tiled")
    if (rows * m, cols * m) != (out_height, out_width):
        ends = graph.shape("crop_ends", [out_height, out_width])
        y = graph.node("Slice", [y, graph.shape("crop_starts", [0, 0]), ends, graph.shape("crop_axes", [2, 3])], "crop")
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
