"""The fast convolution as a subgraph of standard ONNX ops (the one builder: model rewrite and layer export).

Layout, for an NCHW input X (N, C_in, H, W), a verified algorithm of tile m, kernel r, n = m + r - 1 and K
products, and a Conv of pads (top, left, bottom, right) with Ho x Wo outputs, TH = ceil(Ho / m) by
TW = ceil(Wo / m) tiles:

1. Reshape to (N C_in, 1, H, W) and Conv with the K rows of BT2 as (K, 1, n, n) kernels, stride m, padded
   as the Conv says plus zeros at the bottom and right so that the tiles cover the output (height
   TH m + r - 1, width TW m + r - 1): V (N C_in, K, TH, TW); rearranged (Reshape, Transpose) to
   V (K, C_in, N TH TW);
3. [quantized: V clipped and through QuantizeLinear / DequantizeLinear, one scale per position (axis 0)];
4. M = U V as one batched MatMul, U = G2 w (K, C_out, C_in) a constant [quantized: int8/int16 integers,
   stored as (K C_out, C_in), through DequantizeLinear with one scale per (position, output channel)];
5. the output transform as one MatMul with AT2 (m^2, K) on M reshaped (K, C_out N TH TW), the m x m tiles
   stitched by Reshapes and two Transposes, cropped to Ho x Wo (Slice), the bias added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import onnx

from ..errors import InputError
from ..export.layer import LayerShape, accumulator_type
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
    """V (K, C_in, N TH TW) from the float NCHW input ``x``: one plane per (image, channel), Conv with
    the K rows of ``bt`` (K x n^2, BT2 or its numerators) as n x n kernels of stride m, its pads those of the
    layer plus the zeros at the bottom and right that make the tiles cover the output."""
    n, products = lt.input, lt.products
    top, left = tiling.pads[:2]
    full_height, full_width = tiling.padded(lt)
    pads = [top, left, full_height - tiling.height - top, full_width - tiling.width - left]
    x = graph.node("Reshape", [x, graph.shape("planes", [-1, 1, tiling.height, tiling.width])], "planes")
    kernels = graph.constant("BT", bt.reshape(products, 1, n, n).astype(np.float32))
    v = graph.node("Conv", [x, kernels], "input_transform", strides=[lt.tile, lt.tile], pads=pads)
    v = graph.node(
        "Reshape", [v, graph.shape("V_split", [-1, tiling.c_in, products, tiling.rows * tiling.cols])], "V_split"
    )
    v = graph.node("Transpose", [v], "V_positions", perm=[2, 1, 0, 3])
    return graph.node("Reshape", [v, graph.shape("V", [products, tiling.c_in, -1])], "V")


def output_transform_nodes(graph: GraphBuilder, mm: str, lt: LayerTransforms, tiling: Tiling, at: np.ndarray) -> str:
    """Y (N, C_out, Ho, Wo) from the products M (K, C_out, N TH TW): one MatMul with ``at`` (m^2 x K, AT2 or
    its numerators, of M's element type) giving (m, m, C_out N TH TW), the m x m tiles stitched by two
    Transposes that each keep a contiguous run (onnxruntime's one-step 6-D stitch copies element by element,
    about 5x slower): the tile column j moved last, (i, C_out, N, TH, TW j); then the tile row i moved after
    TH, runs of TW j kept whole; cropped."""
    m, rows, cols = lt.tile, tiling.rows, tiling.cols
    mm = graph.node("Reshape", [mm, graph.shape("M", [lt.products, -1])], "M")
    y = graph.node("MatMul", [graph.constant("AT", at), mm], "output_transform")
    y = graph.node("Reshape", [y, graph.shape("output_tiles", [m, m, -1])], "output_tiles")
    y = graph.node("Transpose", [y], "tile_columns_last", perm=[0, 2, 1])
    y = graph.node("Reshape", [y, graph.shape("tile_rows", [m, tiling.c_out, -1, rows, cols * m])], "tile_rows")
    y = graph.node("Transpose", [y], "stitch", perm=[2, 1, 3, 0, 4])
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


INTEGER_INPUTS = {"i8": (onnx.TensorProto.INT8, 128), "i16": (onnx.TensorProto.INT16, 32768)}
"""Integer layer element types: the ONNX type and the largest magnitude of an input or weight."""
FLOAT32_EXACT = 2**24
"""Integers below this magnitude are exact in float32: the input transform's Conv stays exact under it."""


def layer_model(algorithm: Algorithm, layer: LayerShape) -> onnx.ModelProto:
    """The whole layer as an ONNX model with inputs X (N, C_in, H, W) and W (C_out, C_in, r, r) and output Y
    (N, C_out, Ho, Wo), zero padding ``layer.padding``, no bias (the caller adds it).

    f32: float32 throughout (constants rounded once to float32). i8/i16: exact integers, Y the exact correlation:
    the input transform is the Conv with BT2's numerators in float32 (exact: every value is an integer below
    2^24), then int32 or int64 as proved enough for every later stage (U = G2_num W,
    M = U V over channels, AT2_num M: ``accumulator_bits``), divided exactly by the common denominator at the end."""
    lt = LayerTransforms.of(algorithm)
    layer.check(lt.kernel)
    tiling = Tiling.of(lt, layer.c_in, layer.c_out, (layer.height, layer.width), (layer.padding,) * 4)
    graph = GraphBuilder("layer/")
    taps = lt.kernel * lt.kernel
    if layer.dtype == "f32":
        element, x = onnx.TensorProto.FLOAT, "X"
        dtype, bt, g, at = np.float32, lt.BT, lt.G, lt.AT
    else:
        element, largest = INTEGER_INPUTS[layer.dtype]
        if largest * int(np.abs(lt.BT_num).sum(axis=1).max()) >= FLOAT32_EXACT:
            raise InputError(f"{algorithm.name}: its input transform of {layer.dtype} inputs is not exact in float32")
        dtype = {"i32": np.int32, "i64": np.int64}[accumulator_type(algorithm, layer)]
        x = graph.node("Cast", ["X"], "X_float", to=onnx.TensorProto.FLOAT)
        bt, g, at = lt.BT_num, lt.G_num, lt.AT_num
    v = input_transform_nodes(graph, x, lt, tiling, bt)
    weights = "W"
    if dtype is not np.float32:
        v = graph.node("Cast", [v], "V_integers", to=onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype)))
        weights = graph.node("Cast", ["W"], "W_integers", to=onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype)))
    w = graph.node("Reshape", [weights, graph.shape("W_rows", [layer.c_out * layer.c_in, taps])], "W_rows")
    u = graph.node("MatMul", [w, graph.constant("G_T", np.ascontiguousarray(g.T).astype(dtype))], "filter_transform")
    u = graph.node("Transpose", [u], "U_positions", perm=[1, 0])
    u = graph.node("Reshape", [u, graph.shape("U", [lt.products, layer.c_out, layer.c_in])], "U")
    mm = graph.node("MatMul", [u, v], "products")
    y = output_transform_nodes(graph, mm, lt, tiling, np.asarray(at).astype(dtype))
    if dtype is not np.float32:
        y = graph.node("Div", [y, graph.constant("denominator", np.array(lt.denominator, dtype=dtype))], "exact")
    graph.nodes[-1].output[0] = "Y"
    out_element = onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    inputs = [
        onnx.helper.make_tensor_value_info("X", element, ["N", layer.c_in, layer.height, layer.width]),
        onnx.helper.make_tensor_value_info("W", element, [layer.c_out, layer.c_in, lt.kernel, lt.kernel]),
    ]
    outputs = [
        onnx.helper.make_tensor_value_info("Y", out_element, ["N", layer.c_out, tiling.out_height, tiling.out_width])
    ]
    opset = [onnx.helper.make_opsetid("", required_opset(None))]
    model = onnx.helper.make_model(
        onnx.helper.make_graph(graph.nodes, algorithm.name, inputs, outputs, graph.initializers),
        opset_imports=opset,
        producer_name="sfc",
    )
    model.ir_version = onnx.helper.find_min_ir_version_for(opset)
    onnx.checker.check_model(model, full_check=True)
    return model
