"""What the fixture models hold, read from the ONNX files themselves (no torch): the text of README.md."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import onnx
from onnx import helper

HEADER = """# Test fixtures: ONNX models as torch.onnx.export writes them

Small models with random weights (a few KB each), exported by `torch.onnx.export` (TorchScript exporter,
`dynamo=False`, BatchNormalization kept with `training=TrainingMode.PRESERVE`) by `make_fixtures.py`, which needs
torch and is not run by the tests. Input `input` (N x 3 x 20 x 20 float32, dynamic N), output `output`.
This file is written by `make_fixtures.py` from the ONNX files (`describe.py`); `tests/test_model_fixtures.py`
checks that it still matches them.
"""


def input_shape(model: onnx.ModelProto) -> str:
    """The first graph input's shape, symbolic dimensions by name."""
    dims = model.graph.input[0].type.tensor_type.shape.dim
    return " x ".join(d.dim_param or str(d.dim_value) for d in dims)


def conv_text(node: onnx.NodeProto) -> str:
    """One Conv as `k5 s1 p(2,2,2,2) g1 +bias` (kernel, stride, pads top, left, bottom, right, group, bias)."""
    attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    kernel, stride = attributes["kernel_shape"][0], attributes.get("strides", [1])[0]
    pads = ",".join(str(p) for p in attributes.get("pads", [0, 0, 0, 0]))
    bias = " +bias" if len(node.input) > 2 and node.input[2] else ""
    return f"k{kernel} s{stride} p({pads}) g{attributes.get('group', 1)}{bias}"


def describe(path: Path) -> str:
    """The README section of one fixture: opset, input, bytes, op counts, its convolutions in graph order."""
    model = onnx.load(path)
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    ops = Counter(node.op_type for node in model.graph.node)
    convs = [conv_text(node) for node in model.graph.node if node.op_type == "Conv"]
    return "\n".join(
        [
            f"## `{path.name}`",
            "",
            f"- opset {opset}, input {input_shape(model)}, {path.stat().st_size} bytes",
            "- ops: " + ", ".join(f"{op} x{count}" for op, count in sorted(ops.items())),
            "- convs: " + "; ".join(convs),
            "",
        ]
    )


def readme_text(folder: Path) -> str:
    """README.md for every .onnx file of ``folder``, in name order."""
    return "\n".join([HEADER, *(describe(path) for path in sorted(folder.glob("*.onnx")))])
