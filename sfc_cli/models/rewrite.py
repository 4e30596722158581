"""Rewriting a model's eligible Convs into fast-convolution subgraphs, optionally quantized, and calibrating it.

Conventions: BatchNormalization after a Conv is folded first (``fold_batchnorm``); a Conv is eligible when its
kernel is the algorithm's r x r, stride 1, dilation 1, one group, weights constant. Each eligible Conv becomes
``fast_conv_nodes`` (float, or V and U quantized with its ``FastLayerQuantization``), reading the same input
tensor and writing the same output tensor; its node name prefixes the subgraph's names. With ``direct``, every
other Conv, Gemm and MatMul with a constant 2-D weight gets int8 (``bits``) QDQ: the weight per output channel
(max scales), the input activation per tensor (calibrated scales). Everything else is left as it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import numpy_helper, version_converter

from ..algorithm import Algorithm
from ..errors import InputError
from ..layers import Method
from ..layers.engine import LayerTransforms, pad_input
from ..layers.quantize import (
    FastLayerQuantization,
    activation_scale,
    calibrate_fast_layer,
    quantize,
    weight_scales,
)
from ..request import check_bits
from .fast_conv_graph import fast_conv_nodes
from .onnx_model import (
    ONNX_DOMAINS,
    ConvSite,
    conv_sites,
    default_opset,
    drop_unused_initializers,
    first_line,
    fold_batchnorm,
    initializers,
    is_eligible,
    model_input,
    session,
    tensor_names,
    unique_name,
    with_conv_input_shapes,
    with_node_names,
    with_outputs,
)
from .qdq import GraphBuilder, required_opset

DIRECT_BITS = 8
"""Direct layers (and the int8-direct baseline) quantize weights and activations to this many bits."""


@dataclass(frozen=True)
class DirectQuantization:
    """Direct layers' QDQ: ``activation_scales`` maps a node name to the scale of its input activation (one
    per tensor); weights get per-output-channel max scales at ``bits``."""

    activation_scales: Mapping[str, float]
    bits: int = DIRECT_BITS


@dataclass(frozen=True)
class DirectSite:
    """A node that stays direct with a constant weight: Conv, Gemm or MatMul ``name`` reads the activation
    ``activation`` and the float32 initializer ``weight``, whose output channels run along ``axis``."""

    name: str
    activation: str
    weight: str
    axis: int


def prepare(model: onnx.ModelProto, bits: int | None = None) -> onnx.ModelProto:
    """The model as the rewrite reads it: BatchNormalization folded, nodes named, at the least default opset
    whose QDQ ops hold ``bits`` (converted by onnx's version converter when older), shapes inferred (every
    Conv's input shape measured where inference leaves it unknown)."""
    model = fold_batchnorm(model)
    opset, target = default_opset(model), required_opset(bits)
    if opset is not None and opset < target:
        ir_version = model.ir_version
        try:
            model = with_node_names(version_converter.convert_version(model, target))
        except Exception as error:
            raise InputError(f"cannot convert the model from opset {opset} to {target} ({first_line(error)})") from None
        default = [entry for entry in model.opset_import if entry.domain in ONNX_DOMAINS]
        model.ir_version = max(ir_version, onnx.helper.find_min_ir_version_for(default))
    return with_conv_input_shapes(onnx.shape_inference.infer_shapes(model, data_prop=True))


def _describe_conv(site: ConvSite) -> str:
    """``3x3``, ``7x7 stride 2``, ``3x3 group 32``: what keeps a Conv from a fast algorithm."""
    text = "x".join(map(str, site.kernel))
    if site.strides != (1, 1):
        text += " stride " + "x".join(map(str, sorted(set(site.strides))))
    if site.dilations != (1, 1):
        text += " dilation " + "x".join(map(str, sorted(set(site.dilations))))
    return text + (f" group {site.group}" if site.group != 1 else "")


def eligible_sites(model: onnx.ModelProto, kernel: int, where: str = "the model") -> list[ConvSite]:
    """The Convs a fast algorithm of kernel size ``kernel`` computes (``is_eligible``), in graph order;
    InputError (one line, naming ``where``) when there is none."""
    sites = conv_sites(model)
    eligible = [site for site in sites if is_eligible(site, kernel)]
    if not eligible:
        counts = Counter(_describe_conv(site) for site in sites)
        found = ", ".join(f"{text} ({count})" if count > 1 else text for text, count in sorted(counts.items()))
        what = f"its Convs are {found}" if sites else "it has no 2-D Conv with constant weights"
        raise InputError(f"no Conv in {where} fits a {kernel}x{kernel} kernel: {what}")
    return eligible


def _direct_weight(node: onnx.NodeProto, tensors: dict[str, onnx.TensorProto]) -> int | None:
    """The output-channel axis of the constant float32 weight (input 1) of a Conv, Gemm or MatMul; None when
    the node has none (or another op)."""
    weight = tensors.get(node.input[1]) if len(node.input) > 1 else None
    if node.domain not in ONNX_DOMAINS or weight is None or weight.data_type != onnx.TensorProto.FLOAT:
        return None
    if node.op_type == "Conv":
        return 0
    if len(weight.dims) != 2:
        return None
    if node.op_type == "Gemm":
        transposed = any(a.name == "transB" and a.i for a in node.attribute)
        return 0 if transposed else 1
    return 1 if node.op_type == "MatMul" else None


def direct_sites(model: onnx.ModelProto, kernel: int | None) -> list[DirectSite]:
    """The Convs that stay direct (not eligible for kernel size ``kernel``; None: every Conv), Gemms and
    MatMuls with constant float32 weights, in graph order."""
    eligible = {site.name for site in conv_sites(model) if kernel is not None and is_eligible(site, kernel)}
    tensors = initializers(model)
    sites = []
    for node in model.graph.node:
        axis = _direct_weight(node, tensors)
        if axis is not None and node.name not in eligible:
            sites.append(DirectSite(node.name, node.input[0], node.input[1], axis))
    return sites


def _direct_nodes(
    node: onnx.NodeProto, site: DirectSite, weight: np.ndarray, direct: DirectQuantization, prefix: str
) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    """The node reading its activation and weight through QDQ (per tensor and per output channel)."""
    scale = direct.activation_scales.get(site.name)
    if scale is None:
        raise ValueError(f"no activation scale for {site.name}")
    graph = GraphBuilder(prefix)
    activation = graph.fake_quantize(site.activation, scale, direct.bits, "input")
    channels_first = np.moveaxis(weight, site.axis, 0)
    scales = weight_scales(channels_first, direct.bits).astype(np.float32)
    integers = np.moveaxis(
        quantize(channels_first, scales.reshape(-1, *[1] * (weight.ndim - 1)), direct.bits), 0, site.axis
    )
    quantized = onnx.NodeProto()
    quantized.CopyFrom(node)
    quantized.input[0] = activation
    quantized.input[1] = graph.dequantized_constant(integers, scales, site.axis, direct.bits, "weight")
    return [*graph.nodes, quantized], graph.initializers


def _bits(quantization: Mapping[str, FastLayerQuantization] | None, direct: DirectQuantization | None) -> int | None:
    """The widest integers the rewrite stores (None: no quantization)."""
    widths = [q.bits for q in (quantization or {}).values()] + ([direct.bits] if direct is not None else [])
    for bits in widths:
        check_bits(bits)
    return max(widths, default=None)


def rewrite(
    model: onnx.ModelProto,
    algorithm: Algorithm | None,
    quantization: Mapping[str, FastLayerQuantization] | None = None,
    direct: DirectQuantization | None = None,
) -> onnx.ModelProto:
    """The model (``prepare``-d) with every eligible Conv computed through ``algorithm`` (module docstring);
    ``quantization`` maps every eligible Conv's name to its scales; ``direct`` adds int8 QDQ to the nodes
    that stay direct. ``algorithm`` None keeps every Conv direct (with ``direct``: the int8-direct baseline).
    InputError when no Conv is eligible or an eligible Conv's input size is unknown."""
    kernel = None if algorithm is None else LayerTransforms.of(algorithm).kernel
    model = prepare(model, _bits(quantization, direct))
    taken = tensor_names(model)
    replacements: dict[str, tuple[list[onnx.NodeProto], list[onnx.TensorProto]]] = {}
    for site in [] if kernel is None else eligible_sites(model, kernel):
        if site.input_size is None or site.input_shape[1] is None:
            shape = "unknown" if site.input_shape is None else "x".join(str(d or "?") for d in site.input_shape)
            raise InputError(f"Conv {site.name}: its input size is {shape}; a fast layer needs fixed C, H and W")
        scales = None
        if quantization is not None:
            scales = quantization.get(site.name)
            if scales is None:
                raise ValueError(f"no scales for Conv {site.name}")
        prefix = unique_name(f"{site.name}/{algorithm.name}", taken) + "/"
        replacements[site.name] = fast_conv_nodes(algorithm, site, scales, prefix)
    if direct is not None:
        tensors = initializers(model)
        nodes = {node.name: node for node in model.graph.node}
        for site in direct_sites(model, kernel):
            weight = numpy_helper.to_array(tensors[site.weight])
            prefix = unique_name(f"{site.name}/int{direct.bits}", taken) + "/"
            replacements[site.name] = _direct_nodes(nodes[site.name], site, weight, direct, prefix)
    graph = model.graph
    new_nodes = []
    for node in graph.node:
        nodes, tensors_added = replacements.get(node.name, ([node], []))
        new_nodes.extend(nodes)
        graph.initializer.extend(tensors_added)
    del graph.node[:]
    graph.node.extend(new_nodes)
    drop_unused_initializers(model)
    return model


def _float32_exact(scales: np.ndarray) -> np.ndarray:
    """Scales rounded to float32 (as ONNX stores them), in float64: the numpy engine and the model agree."""
    return np.asarray(scales, dtype=np.float32).astype(np.float64)


def calibrate(
    model: onnx.ModelProto,
    algorithm: Algorithm | None,
    batches_of_inputs: Iterable[np.ndarray],
    bits: int,
    method: Method = "max",
    direct_bits: int = DIRECT_BITS,
) -> tuple[dict[str, FastLayerQuantization], DirectQuantization]:
    """Scales for ``rewrite``, from the FP32 (BatchNormalization folded) model run by onnxruntime on the
    batches (N, C, H, W float32): every eligible Conv's ``calibrate_fast_layer`` at ``bits`` on its inputs,
    every direct node's input activation per tensor at ``direct_bits``; all scales rounded to float32.
    ``algorithm`` None: every Conv direct (no fast layers)."""
    check_bits(bits)
    check_bits(direct_bits)
    kernel = None if algorithm is None else LayerTransforms.of(algorithm).kernel
    prepared = prepare(model)
    fast = [] if kernel is None else eligible_sites(prepared, kernel)
    direct = direct_sites(prepared, kernel)
    names = sorted({site.input for site in fast} | {site.activation for site in direct})
    runner = session(with_outputs(prepared, names))
    feed = model_input(prepared).name
    captured: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for batch in batches_of_inputs:
        for name, value in zip(names, runner.run(names, {feed: batch}), strict=True):
            captured[name].append(value)
    if not any(captured.values()):
        raise InputError("calibration needs at least one batch of inputs")
    layers = {}
    for site in fast:
        padded = [pad_input(x, site.pads) for x in captured[site.input]]
        scales = calibrate_fast_layer(padded, site.weight, algorithm, bits, method)
        layers[site.name] = FastLayerQuantization(
            bits, _float32_exact(scales.v_scales), _float32_exact(scales.u_scales)
        )
    activations = {
        site.name: float(_float32_exact(activation_scale(captured[site.activation], direct_bits, method)))
        for site in direct
    }
    return layers, DirectQuantization(activations, direct_bits)
