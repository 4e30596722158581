"""Reading ONNX models: loading and checking, folding BatchNormalization into Convs, the Convs as sites.

Conventions: the model's first graph input (initializers excluded) is an NCHW float32 image batch. Node
names are made unique and stable on loading (an unnamed node is called ``{op_type}_{index}``), so that a
site's name means the same node in the loaded, the folded and the rewritten model. A Conv's weight is
(C_out, C_in / group, kh, kw) and a Conv is a correlation; its pads are (top, left, bottom, right).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from onnx import numpy_helper

from ..errors import InputError

MIN_OPSET = 7
"""The oldest default-domain opset read (BatchNormalization without is_test, Conv as today)."""
MAX_OPSET = 21
"""The newest default-domain opset read."""
ONNX_DOMAINS = ("", "ai.onnx")


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def default_opset(model: onnx.ModelProto) -> int | None:
    """The version of the default (ai.onnx) domain the model imports; None when it imports none."""
    return next((entry.version for entry in model.opset_import if entry.domain in ONNX_DOMAINS), None)


def _describe(value: onnx.ValueInfoProto) -> str:
    """A value's type as ``tensor(float)[N,3,32,32]`` (unknown dimensions by their name or ?)."""
    kind = value.type.WhichOneof("value")
    if kind != "tensor_type":
        return f"a {kind or 'value of unknown type'}"
    tensor = value.type.tensor_type
    element = onnx.helper.tensor_dtype_to_string(tensor.elem_type).removeprefix("TensorProto.").lower()
    if not tensor.HasField("shape"):
        return f"tensor({element}) of unknown rank"
    dims = ",".join(str(d.dim_value) if d.HasField("dim_value") else (d.dim_param or "?") for d in tensor.shape.dim)
    return f"tensor({element})[{dims}]"


def static_shape(value: onnx.ValueInfoProto) -> tuple[int | None, ...] | None:
    """A tensor value's dimensions, None for each unknown one; None when the rank is unknown."""
    tensor = value.type.tensor_type
    if value.type.WhichOneof("value") != "tensor_type" or not tensor.HasField("shape"):
        return None
    return tuple(d.dim_value if d.HasField("dim_value") else None for d in tensor.shape.dim)


def model_input(model: onnx.ModelProto) -> onnx.ValueInfoProto:
    """The first graph input that is not an initializer (the image batch)."""
    constants = {tensor.name for tensor in model.graph.initializer}
    inputs = [value for value in model.graph.input if value.name not in constants]
    if not inputs:
        raise InputError(f"the model {model.graph.name!r} has no input")
    return inputs[0]


def _check_image_input(model: onnx.ModelProto, where: str) -> None:
    value = model_input(model)
    shape = static_shape(value)
    is_float = value.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    if value.type.WhichOneof("value") != "tensor_type" or not is_float or shape is None or len(shape) != 4:
        raise InputError(f"{where}: the input {value.name!r} is {_describe(value)}, not a 4-D float32 NCHW tensor")
    _, channels, height, width = shape
    if width in (1, 3, 4) and channels not in (None, 1, 3, 4) and channels == height:
        raise InputError(
            f"{where}: the input {value.name!r} is {_describe(value)}, channels last (NHWC); sfc reads NCHW models"
        )


def node_names(graph: onnx.GraphProto) -> list[str]:
    """The nodes' names, an unnamed node called ``{op_type}_{index}`` (made unique)."""
    taken = {node.name for node in graph.node if node.name}
    names = []
    for index, node in enumerate(graph.node):
        name = node.name
        if not name:
            name = f"{node.op_type}_{index}"
            while name in taken:
                name += "_"
            taken.add(name)
        names.append(name)
    return names


def with_node_names(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of the model with every node named as ``node_names`` says."""
    model = _copy(model)
    for node, name in zip(model.graph.node, node_names(model.graph), strict=True):
        node.name = name
    return model


def _copy(model: onnx.ModelProto) -> onnx.ModelProto:
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    return copy


def load_model(path: str | Path) -> onnx.ModelProto:
    """Read, check and shape-infer an ONNX model whose first input is an NCHW float32 batch; InputError
    (one line) when the file is unreadable, not ONNX, invalid, of an opset outside 7..21 or of another
    input; unnamed nodes get stable names."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"cannot read {path}: no such file")
    if not path.is_file():
        raise InputError(f"cannot read {path}: not a file")
    try:
        model = onnx.load(str(path))
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or first_line(error)}") from None
    except Exception as error:
        raise InputError(f"{path} is not an ONNX model ({first_line(error)})") from None
    opset = default_opset(model)
    if opset is None:
        if not model.graph.node:
            raise InputError(f"{path} is not an ONNX model (no graph and no opset)")
        raise InputError(f"{path} imports no ONNX (ai.onnx) opset")
    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise InputError(f"{path} uses ONNX opset {opset}; sfc reads opsets {MIN_OPSET} to {MAX_OPSET}")
    try:
        onnx.checker.check_model(model)
        model = onnx.shape_inference.infer_shapes(model, data_prop=True)
    except Exception as error:
        raise InputError(f"{path} is not a valid ONNX model: {first_line(error)}") from None
    _check_image_input(model, str(path))
    return with_node_names(model)


def initializers(model: onnx.ModelProto) -> dict[str, onnx.TensorProto]:
    return {tensor.name: tensor for tensor in model.graph.initializer}


def _consumers(graph: onnx.GraphProto) -> dict[str, list[onnx.NodeProto]]:
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    return consumers


def _attribute(node: onnx.NodeProto, name: str, default: object) -> object:
    return next((onnx.helper.get_attribute_value(a) for a in node.attribute if a.name == name), default)


def _float_array(tensors: dict[str, onnx.TensorProto], name: str) -> np.ndarray | None:
    """The float32 initializer called ``name`` as an array; None when there is none."""
    tensor = tensors.get(name)
    if tensor is None or tensor.data_type != onnx.TensorProto.FLOAT:
        return None
    return numpy_helper.to_array(tensor)


def unique_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3``, ... : the first not in ``taken`` (which it joins)."""
    name, count = base, 1
    while name in taken:
        count += 1
        name = f"{base}_{count}"
    taken.add(name)
    return name


def tensor_names(model: onnx.ModelProto) -> set[str]:
    """Every name in the graph: node inputs and outputs, graph inputs and outputs, initializers, nodes."""
    graph = model.graph
    names = {name for node in graph.node for name in (*node.input, *node.output, node.name)}
    return names | {v.name for v in (*graph.input, *graph.output, *graph.value_info)} | set(initializers(model))


def drop_unused_initializers(model: onnx.ModelProto) -> None:
    """Remove (in place) initializers no node reads, and their graph inputs (old IR versions list them)."""
    graph = model.graph
    used = {name for node in graph.node for name in node.input} | {v.name for v in graph.output}
    unused = {t.name for t in graph.initializer if t.name not in used}
    kept_tensors = [t for t in graph.initializer if t.name not in unused]
    kept_inputs = [v for v in graph.input if v.name not in unused]
    del graph.initializer[:]
    graph.initializer.extend(kept_tensors)
    del graph.input[:]
    graph.input.extend(kept_inputs)


def _foldable_batchnorm(
    node: onnx.NodeProto,
    producers: dict[str, onnx.NodeProto],
    consumers: dict[str, list[onnx.NodeProto]],
    outputs: set[str],
    tensors: dict[str, onnx.TensorProto],
) -> onnx.NodeProto | None:
    """The Conv this BatchNormalization folds into, or None: the BN is in inference mode with one output
    and constant parameters, and is the only reader of the output of a Conv with constant weights."""
    if node.op_type != "BatchNormalization" or node.domain not in ONNX_DOMAINS:
        return None
    if _attribute(node, "training_mode", 0) or _attribute(node, "spatial", 1) != 1:
        return None
    constant = all(_float_array(tensors, name) is not None for name in node.input[1:])
    if len([name for name in node.output if name]) != 1 or not constant:
        return None
    conv = producers.get(node.input[0])
    if conv is None or conv.op_type != "Conv" or conv.domain not in ONNX_DOMAINS:
        return None
    if len(consumers.get(node.input[0], [])) != 1 or node.input[0] in outputs:
        return None
    weight_ok = _float_array(tensors, conv.input[1]) is not None
    bias_ok = len(conv.input) < 3 or not conv.input[2] or _float_array(tensors, conv.input[2]) is not None
    return conv if weight_ok and bias_ok else None


def fold_batchnorm(model: onnx.ModelProto) -> onnx.ModelProto:
    """The model with every BatchNormalization that alone reads a Conv's output folded into that Conv:
    ``w' = w s``, ``b' = (b - mean) s + beta`` with ``s = gamma / sqrt(var + eps)`` per output channel, in
    float64, stored as float32 under new names; every other node is left as it is. A copy."""
    model = with_node_names(model)
    graph = model.graph
    tensors = initializers(model)
    producers = {name: node for node in graph.node for name in node.output}
    consumers = _consumers(graph)
    outputs = {v.name for v in graph.output}
    taken = tensor_names(model)
    folded: set[str] = set()
    stale: set[str] = set()
    for node in graph.node:
        conv = _foldable_batchnorm(node, producers, consumers, outputs, tensors)
        if conv is None:
            continue
        gamma, beta, mean, var = (_float_array(tensors, n).astype(np.float64) for n in node.input[1:5])
        scale = gamma / np.sqrt(var + float(_attribute(node, "epsilon", 1e-5)))
        weight = _float_array(tensors, conv.input[1]).astype(np.float64)
        has_bias = len(conv.input) > 2 and conv.input[2]
        bias = _float_array(tensors, conv.input[2]).astype(np.float64) if has_bias else np.zeros_like(mean)
        new_weight = (weight * scale.reshape(-1, *[1] * (weight.ndim - 1))).astype(np.float32)
        new_bias = ((bias - mean) * scale + beta).astype(np.float32)
        weight_name = unique_name(f"{conv.name}_weight_bn", taken)
        bias_name = unique_name(f"{conv.name}_bias_bn", taken)
        graph.initializer.extend(
            [numpy_helper.from_array(new_weight, weight_name), numpy_helper.from_array(new_bias, bias_name)]
        )
        stale.add(conv.output[0])
        conv.input[:] = [conv.input[0], weight_name, bias_name]
        conv.output[0] = node.output[0]
        folded.add(node.name)
    kept = [node for node in graph.node if node.name not in folded]
    del graph.node[:]
    graph.node.extend(kept)
    kept_info = [v for v in graph.value_info if v.name not in stale]
    del graph.value_info[:]
    graph.value_info.extend(kept_info)
    drop_unused_initializers(model)
    return model


@dataclass(frozen=True, eq=False)
class ConvSite:
    """One 2-D Conv with constant weights: ``weight`` (C_out, C_in / group, kh, kw) float32, ``bias`` (C_out,)
    or None, ``pads`` (top, left, bottom, right), ``strides``, ``dilations`` and ``kernel`` as (rows,
    columns); ``input_shape`` is the inferred NCHW shape of its input (None where unknown)."""

    name: str
    input: str
    output: str
    weight: np.ndarray
    bias: np.ndarray | None
    pads: tuple[int, int, int, int]
    strides: tuple[int, int]
    dilations: tuple[int, int]
    group: int
    kernel: tuple[int, int]
    input_shape: tuple[int | None, ...] | None = None

    @property
    def input_size(self) -> tuple[int, int] | None:
        """(H, W) of the input when both are known."""
        if self.input_shape is None or len(self.input_shape) != 4 or None in self.input_shape[2:]:
            return None
        return self.input_shape[2], self.input_shape[3]

    @property
    def output_size(self) -> tuple[int, int] | None:
        """(H_out, W_out) when the input size is known."""
        size = self.input_size
        if size is None:
            return None
        top, left, bottom, right = self.pads
        return tuple(
            (extent + before + after - dilation * (taps - 1) - 1) // stride + 1
            for extent, before, after, taps, stride, dilation in zip(
                size, (top, left), (bottom, right), self.kernel, self.strides, self.dilations, strict=True
            )
        )  # type: ignore[return-value]


def _value_shapes(model: onnx.ModelProto) -> dict[str, tuple[int | None, ...] | None]:
    graph = model.graph
    return {v.name: static_shape(v) for v in (*graph.input, *graph.value_info, *graph.output)}


def with_conv_input_shapes(model: onnx.ModelProto) -> onnx.ModelProto:
    """The model, with the input shape of every Conv that shape inference left unknown (a Pad whose pads are
    computed, as torch exports ``F.pad``) measured by one onnxruntime run on zeros (batch 1 when free) and
    recorded in ``value_info`` (batch as the model input's); the model itself when none is missing or the
    input's C, H or W is not fixed."""
    shapes = _value_shapes(model)
    missing = sorted(
        {
            node.input[0]
            for node in model.graph.node
            if node.op_type == "Conv" and (shapes.get(node.input[0]) is None or None in shapes[node.input[0]][1:])
        }
    )
    feed = model_input(model)
    dims = static_shape(feed)
    if not missing or dims is None or None in dims[1:]:
        return model
    zeros = np.zeros((dims[0] or 1, *dims[1:]), dtype=np.float32)
    measured = session(with_outputs(model, missing)).run(missing, {feed.name: zeros})
    model = _copy(model)
    kept = [value for value in model.graph.value_info if value.name not in missing]
    del model.graph.value_info[:]
    model.graph.value_info.extend(kept)
    for name, value in zip(missing, measured, strict=True):
        shape = [dims[0], *value.shape[1:]]
        model.graph.value_info.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, shape))
    return model


def _pads(node: onnx.NodeProto, kernel: tuple[int, int], strides, dilations, input_shape) -> tuple[int, int, int, int]:
    """Explicit pads, or those auto_pad means (SAME_* needs the input size unless the stride is 1)."""
    auto_pad = _attribute(node, "auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
    if auto_pad in ("NOTSET", ""):
        top, left, bottom, right = list(_attribute(node, "pads", [0, 0, 0, 0]))
        return top, left, bottom, right
    if auto_pad == "VALID":
        return 0, 0, 0, 0
    before, after = [], []
    for axis in range(2):
        extent = None if input_shape is None or len(input_shape) != 4 else input_shape[2 + axis]
        needed = (kernel[axis] - 1) * dilations[axis] + 1
        if strides[axis] == 1:
            total = needed - 1
        elif extent is None:
            total = 0
        else:
            total = max((-(-extent // strides[axis]) - 1) * strides[axis] + needed - extent, 0)
        small, large = total // 2, total - total // 2
        before.append(large if auto_pad == "SAME_LOWER" else small)
        after.append(small if auto_pad == "SAME_LOWER" else large)
    return before[0], before[1], after[0], after[1]


def conv_sites(model: onnx.ModelProto) -> list[ConvSite]:
    """Every 2-D Conv of the graph whose weight (and bias, if any) is a float32 initializer, in graph order."""
    tensors = initializers(model)
    shapes = _value_shapes(model)
    names = node_names(model.graph)
    sites = []
    for name, node in zip(names, model.graph.node, strict=True):
        if node.op_type != "Conv" or node.domain not in ONNX_DOMAINS:
            continue
        weight = _float_array(tensors, node.input[1])
        has_bias = len(node.input) > 2 and node.input[2]
        bias = _float_array(tensors, node.input[2]) if has_bias else None
        if weight is None or weight.ndim != 4 or (has_bias and bias is None):
            continue
        kernel = (int(weight.shape[2]), int(weight.shape[3]))
        strides = tuple(_attribute(node, "strides", [1, 1]))
        dilations = tuple(_attribute(node, "dilations", [1, 1]))
        input_shape = shapes.get(node.input[0])
        sites.append(
            ConvSite(
                name=name,
                input=node.input[0],
                output=node.output[0],
                weight=weight,
                bias=bias,
                pads=_pads(node, kernel, strides, dilations, input_shape),
                strides=strides,
                dilations=dilations,
                group=int(_attribute(node, "group", 1)),
                kernel=kernel,
                input_shape=input_shape,
            )
        )
    return sites


def is_eligible(site: ConvSite, kernel: int) -> bool:
    """Whether a fast algorithm of kernel size ``kernel`` computes the Conv: a ``kernel`` x ``kernel``
    kernel, stride 1, dilation 1, one group (the weights are constant by construction of the site)."""
    return site.kernel == (kernel, kernel) and site.strides == (1, 1) and site.dilations == (1, 1) and site.group == 1


def with_outputs(model: onnx.ModelProto, names: Iterable[str]) -> onnx.ModelProto:
    """A copy of the model that also outputs the tensors ``names`` (typed as inferred, float32 otherwise)."""
    model = _copy(model)
    graph = model.graph
    present = {v.name for v in graph.output}
    known = {v.name: v for v in (*graph.input, *graph.value_info)}
    for name in names:
        if name in present:
            continue
        present.add(name)
        if name in known:
            graph.output.append(known[name])
        else:
            graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    return model


def session(model: onnx.ModelProto) -> onnxruntime.InferenceSession:
    """An onnxruntime session on the CPU provider, all graph optimisations, threads as onnxruntime picks."""
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
