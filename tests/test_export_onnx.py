"""sfc export --format onnx: the whole layer as an ONNX model, run in onnxruntime against its own Conv.

Integer layers must equal the correlation exactly: the reference is onnxruntime's float32 Conv on the same
integers, exact here because every sum stays below 2^24 (C_in r^2 2^14 < 2^24 for the i8 cases below)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import helper

import sfc
from sfc_cli.layers.engine import direct_conv2d

ALGORITHMS = {
    "F(2x2,3x3)": ("winograd", 2, 3),
    "F(4x4,3x3)": ("winograd", 4, 3),
    "SFC-6(6x6,3x3)": ("sfc", 6, 3),
    "SFC-6(7x7,3x3)": ("sfc", 7, 3),
    "SFC-6(6x6,5x5)": ("sfc", 6, 5),
    "SFC-4(4x4,7x7)": ("sfc", 4, 7),
}


def run(model_bytes: bytes, **inputs: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    return session.run(None, inputs)[0]


def onnxruntime_conv(x: np.ndarray, w: np.ndarray, padding: int) -> np.ndarray:
    """onnxruntime's own Conv (float32) on the same data."""
    graph = helper.make_graph(
        [helper.make_node("Conv", ["X", "W"], ["Y"], pads=[padding] * 4)],
        "direct",
        [helper.make_tensor_value_info("X", onnx.TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("Y", onnx.TensorProto.FLOAT, None)],
        [onnx.numpy_helper.from_array(w.astype(np.float32), "W")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    return run(model.SerializeToString(), X=x.astype(np.float32))


@pytest.mark.parametrize("name", ALGORITHMS)
@pytest.mark.parametrize("padding", [0, 1])
def test_integer_layer_equals_onnxruntimes_conv_exactly(name: str, padding: int) -> None:
    algo, tile, kernel = ALGORITHMS[name]
    algorithm = sfc.derive(algo, tile, kernel)
    layer = sfc.LayerShape(3, 4, 2 * kernel + 5, 2 * kernel + 2, padding, "i8")
    model = sfc.export(algorithm, "onnx", layer=layer)
    rng = np.random.default_rng(padding)
    shape_x, shape_w = (2, 3, layer.height, layer.width), (4, 3, kernel, kernel)
    cases = [
        (rng.integers(-128, 128, shape_x), rng.integers(-128, 128, shape_w)),
        (np.full(shape_x, -128), np.full(shape_w, -128)),
        ((-1) ** np.indices(shape_x).sum(axis=0) * 127, np.where(rng.random(shape_w) < 0.5, 127, -128)),
    ]
    for x, w in cases:
        y = run(model, X=x.astype(np.int8), W=w.astype(np.int8))
        assert y.dtype in (np.int32, np.int64)
        assert np.array_equal(y, onnxruntime_conv(x, w, padding).astype(np.int64))
        assert np.array_equal(y, direct_conv2d(x.astype(np.int64), w.astype(np.int64), None, padding))


def test_integer_widths_are_the_proved_ones() -> None:
    """SFC-6(6x6,3x3) at 3 channels of i8 fits int32; F(4x4,3x3) needs int64 (its G2 numerators are large)."""
    widths = {}
    for name in ("SFC-6(6x6,3x3)", "F(4x4,3x3)"):
        model = onnx.load_from_string(
            sfc.export(sfc.derive(*ALGORITHMS[name]), "onnx", layer=sfc.LayerShape(3, 4, 9, 9, 1, "i8"))
        )
        widths[name] = model.graph.output[0].type.tensor_type.elem_type
    assert widths == {"SFC-6(6x6,3x3)": onnx.TensorProto.INT32, "F(4x4,3x3)": onnx.TensorProto.INT64}


@pytest.mark.parametrize("name", ["F(4x4,3x3)", "SFC-6(6x6,3x3)", "SFC-6(6x6,5x5)"])
def test_float_layer_matches_onnxruntimes_conv(name: str) -> None:
    algo, tile, kernel = ALGORITHMS[name]
    layer = sfc.LayerShape(5, 3, 17, 13, 1, "f32")
    model = sfc.export(sfc.derive(algo, tile, kernel), "onnx", layer=layer)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 5, 17, 13)).astype(np.float32)
    w = rng.standard_normal((3, 5, kernel, kernel)).astype(np.float32)
    reference = onnxruntime_conv(x, w, 1)
    assert np.abs(run(model, X=x, W=w) - reference).max() <= 1e-5 * np.abs(reference).max()


def test_command_line_writes_the_same_bytes_and_refuses_bad_layers(tmp_path) -> None:
    command = [sys.executable, "-m", "sfc_cli", "export", "--format", "onnx", "--channels", "2,3", "--size", "9,9"]
    target = tmp_path / "layer.onnx"
    assert subprocess.run([*command, "-q", "-o", str(target)]).returncode == 0
    assert subprocess.run(command, capture_output=True).stdout == target.read_bytes()
    assert "sfc export --format onnx" in onnx.load(target).doc_string
    for bad, message in [
        (["--channels", "0,3", "--size", "9,9"], "--channels must be two integers"),
        (["--channels", "2,3", "--size", "2,9"], "smaller than the 3x3 kernel"),
        (["--channels", "2,3"], "needs both --channels"),
        (["--channels", "2,3", "--size", "9,9", "--dtype", "i16", "--algo", "winograd", "--tile", "6"], "float32"),
    ]:
        failed = subprocess.run([*command[:6], *bad], capture_output=True, text=True)
        assert failed.returncode == 2 and message in failed.stderr and len(failed.stderr.splitlines()) == 1
