"""ONNX models with random weights, built with onnx.helper alone (no torch), for the benchmarks and the tests.

Every model: NCHW float32 input ``input``, output ``logits`` (N x classes), BatchNormalization kept after each
convolution (not folded), weights He-initialised (normal, std sqrt(2 / fan_in)) from ``numpy.random.default_rng
(seed)``, so that a seed gives the same model, byte for byte. ONNX Conv computes correlation; pads are
(top, left, bottom, right).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

BN_EPSILON = 1e-5


class GraphBuilder:
    """Accumulates nodes and float32 initialisers; each node's output tensor is named after the node."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []

    def constant(self, name: str, values: np.ndarray) -> str:
        """Add ``values`` as a float32 initialiser called ``name``."""
        self.initializers.append(numpy_helper.from_array(values.astype(np.float32), name))
        return name

    def node(self, op: str, name: str, inputs: Sequence[str], **attributes: object) -> str:
        """Add one single-output node; its output is called ``name``."""
        self.nodes.append(helper.make_node(op, list(inputs), [name], name=name, **attributes))
        return name

    def conv(
        self,
        x: str,
        name: str,
        c_in: int,
        c_out: int,
        kernel: int,
        *,
        stride: int = 1,
        pads: Sequence[int] = (0, 0, 0, 0),
        group: int = 1,
        bias: bool = False,
    ) -> str:
        """A Conv with He-initialised weights (c_out x c_in/group x kernel x kernel) and optional small bias."""
        fan_in = c_in // group * kernel * kernel
        weight = self.rng.normal(0.0, np.sqrt(2.0 / fan_in), (c_out, c_in // group, kernel, kernel))
        inputs = [x, self.constant(f"{name}.weight", weight)]
        if bias:
            inputs.append(self.constant(f"{name}.bias", self.rng.normal(0.0, 0.1, c_out)))
        return self.node(
            "Conv",
            name,
            inputs,
            kernel_shape=[kernel, kernel],
            pads=list(pads),
            strides=[stride, stride],
            dilations=[1, 1],
            group=group,
        )

    def batch_norm(self, x: str, name: str, channels: int) -> str:
        """BatchNormalization with random but sane parameters: scale in [0.5, 1.5], running variance in
        [0.5, 2], bias and running mean normal with std 0.1."""
        rng = self.rng
        parameters = {
            "weight": rng.uniform(0.5, 1.5, channels),
            "bias": rng.normal(0.0, 0.1, channels),
            "running_mean": rng.normal(0.0, 0.1, channels),
            "running_var": rng.uniform(0.5, 2.0, channels),
        }
        inputs = [x] + [self.constant(f"{name}.{key}", value) for key, value in parameters.items()]
        return self.node("BatchNormalization", name, inputs, epsilon=BN_EPSILON)

    def conv_bn(
        self, x: str, name: str, c_in: int, c_out: int, kernel: int, *, stride: int = 1, pads: Sequence[int] = (0,) * 4
    ) -> str:
        """Conv (no bias) then BatchNormalization, named ``name.conv`` and ``name.bn``."""
        y = self.conv(x, f"{name}.conv", c_in, c_out, kernel, stride=stride, pads=pads)
        return self.batch_norm(y, f"{name}.bn", c_out)

    def classifier(self, x: str, channels: int, classes: int) -> str:
        """GlobalAveragePool, Flatten, Gemm (weight classes x channels, transB = 1, bias) to ``logits``."""
        pooled = self.node("Flatten", "flatten", [self.node("GlobalAveragePool", "pool", [x])], axis=1)
        weight = self.rng.normal(0.0, np.sqrt(1.0 / channels), (classes, channels))
        bias = self.rng.normal(0.0, 0.1, classes)
        inputs = [pooled, self.constant("fc.weight", weight), self.constant("fc.bias", bias)]
        return self.node("Gemm", "logits", inputs, transB=1)

    def model(self, input_shape: Sequence[int | str], classes: int, opset: int, name: str) -> onnx.ModelProto:
        """The graph as a checked model: input ``input`` of ``input_shape``, output ``logits`` (batch x classes)."""
        batch = input_shape[0]
        graph = helper.make_graph(
            self.nodes,
            name,
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, list(input_shape))],
            [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [batch, classes])],
            self.initializers,
        )
        opsets = [helper.make_opsetid("", opset)]
        model = helper.make_model(
            graph,
            opset_imports=opsets,
            producer_name="sfc benchmarks.model_builders",
            ir_version=helper.find_min_ir_version_for(opsets),
        )
        onnx.checker.check_model(model, full_check=True)
        return model


def resnet20_cifar(seed: int = 0) -> onnx.ModelProto:
    """CIFAR ResNet-20 (He et al. 2016, section 4.2) with random weights, opset 17.

    Input N x 3 x 32 x 32 (dynamic N); 3 x 3 conv 16 + BN + ReLU; three stages of three basic blocks (16, 32, 64
    channels; block: conv-BN-ReLU-conv-BN, residual Add, ReLU); the first conv of stages 2 and 3 has stride 2
    and its shortcut is a 1 x 1 stride-2 conv + BN (option B, as the widely used pretrained CIFAR ResNets in
    PyTorch have it); GlobalAveragePool, Flatten, Gemm 64 -> 10. Nineteen 3 x 3 convs (stride 1 except two).
    """
    builder = GraphBuilder(seed)
    x = builder.node("Relu", "stem.relu", [builder.conv_bn("input", "stem", 3, 16, 3, pads=(1, 1, 1, 1))])
    c_in = 16
    for stage, c_out in enumerate((16, 32, 64), start=1):
        for block in range(3):
            prefix = f"stage{stage}.block{block}"
            stride = 2 if stage > 1 and block == 0 else 1
            y = builder.conv_bn(x, f"{prefix}.1", c_in, c_out, 3, stride=stride, pads=(1, 1, 1, 1))
            y = builder.node("Relu", f"{prefix}.relu1", [y])
            y = builder.conv_bn(y, f"{prefix}.2", c_out, c_out, 3, pads=(1, 1, 1, 1))
            shortcut = x if stride == 1 else builder.conv_bn(x, f"{prefix}.shortcut", c_in, c_out, 1, stride=2)
            x = builder.node("Relu", f"{prefix}.relu2", [builder.node("Add", f"{prefix}.add", [y, shortcut])])
            c_in = c_out
    builder.classifier(x, 64, 10)
    return builder.model(["batch", 3, 32, 32], 10, 17, "resnet20_cifar")


def tiny_cnn(
    kernel: int = 3,
    padding: int | Sequence[int] = 1,
    seed: int = 0,
    *,
    in_channels: int = 3,
    channels: Sequence[int] = (4, 6),
    size: tuple[int, int] = (11, 13),
    bias: bool = True,
    batch_norm: bool = True,
    batch: int | None = None,
    classes: int = 5,
    opset: int = 17,
) -> onnx.ModelProto:
    """A small test CNN: per entry of ``channels``, a kernel x kernel stride-1 Conv (``padding``: one int for
    all sides or (top, left, bottom, right); with bias if ``bias``), BatchNormalization if ``batch_norm``, ReLU;
    then GlobalAveragePool, Flatten, Gemm to ``classes`` logits.

    Input ``batch`` x in_channels x size[0] x size[1]; ``batch`` None makes the batch dimension dynamic.
    Raises ValueError when a convolution's output would be empty.
    """
    pads = (padding,) * 4 if isinstance(padding, int) else tuple(padding)
    if len(pads) != 4 or min(pads) < 0:
        raise ValueError(f"padding must be one int or (top, left, bottom, right), all >= 0, not {padding!r}")
    height, width = size
    builder = GraphBuilder(seed)
    x, c_in = "input", in_channels
    for index, c_out in enumerate(channels):
        height, width = height + pads[0] + pads[2] - kernel + 1, width + pads[1] + pads[3] - kernel + 1
        if height < 1 or width < 1:
            raise ValueError(f"conv {index} of kernel {kernel} leaves an empty {height} x {width} output")
        name = f"conv{index}"
        x = builder.conv(x, name, c_in, c_out, kernel, pads=pads, bias=bias)
        if batch_norm:
            x = builder.batch_norm(x, f"bn{index}", c_out)
        x = builder.node("Relu", f"relu{index}", [x])
        c_in = c_out
    builder.classifier(x, c_in, classes)
    input_shape = ["batch" if batch is None else batch, in_channels, *size]
    return builder.model(input_shape, classes, opset, f"tiny_cnn_k{kernel}")
