"""The models of benchmarks/model_builders.py are valid, run in onnxruntime, compute what they say (checked against
a numpy correlation), and are deterministic; the shipped digits model scores its documented accuracy."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import numpy_helper
from PIL import Image

from benchmarks.model_builders import resnet20_cifar, tiny_cnn

ROOT = Path(__file__).resolve().parent.parent
DIGITS = ROOT / "examples" / "models"


def run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(["logits"], {"input": x})[0]


def random_input(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def test_resnet20_shape_and_ops():
    model = resnet20_cifar(seed=1)
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == 17
    ops = Counter(node.op_type for node in model.graph.node)
    assert ops == {
        "Conv": 21,
        "BatchNormalization": 21,
        "Relu": 19,
        "Add": 9,
        "GlobalAveragePool": 1,
        "Flatten": 1,
        "Gemm": 1,
    }
    attributes = [
        {a.name: tuple(onnx.helper.get_attribute_value(a)) for a in node.attribute if a.name != "group"}
        for node in model.graph.node
        if node.op_type == "Conv"
    ]
    kernels = Counter((a["kernel_shape"][0], a["strides"][0]) for a in attributes)
    assert kernels == {(3, 1): 17, (3, 2): 2, (1, 2): 2}
    logits = run(model, random_input((3, 3, 32, 32)))
    assert logits.shape == (3, 10)
    assert np.isfinite(logits).all()


def test_builders_are_deterministic():
    assert resnet20_cifar(5).SerializeToString() == resnet20_cifar(5).SerializeToString()
    assert resnet20_cifar(5).SerializeToString() != resnet20_cifar(6).SerializeToString()
    assert tiny_cnn(5, 2, seed=3).SerializeToString() == tiny_cnn(5, 2, seed=3).SerializeToString()
    assert tiny_cnn(5, 2, seed=3).SerializeToString() != tiny_cnn(5, 2, seed=4).SerializeToString()


def correlate(x: np.ndarray, w: np.ndarray, pads: tuple[int, int, int, int]) -> np.ndarray:
    """Direct 2-D correlation, NCHW x (C_out, C_in, k, k), pads (top, left, bottom, right), float64."""
    top, left, bottom, right = pads
    padded = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (top, bottom), (left, right)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, w.shape[2:], axis=(2, 3))
    return np.einsum("nchwij,ocij->nohw", windows, w.astype(np.float64))


def tiny_reference(model: onnx.ModelProto, x: np.ndarray, pads: tuple[int, int, int, int], layers: int) -> np.ndarray:
    """tiny_cnn's logits computed in numpy from its initialisers: (conv + bias, BN, ReLU) per layer, mean, Gemm."""
    weights = {tensor.name: numpy_helper.to_array(tensor).astype(np.float64) for tensor in model.graph.initializer}
    y = x.astype(np.float64)
    for index in range(layers):
        y = correlate(y, weights[f"conv{index}.weight"], pads) + weights[f"conv{index}.bias"][:, None, None]
        bn = {
            key: weights[f"bn{index}.{key}"][:, None, None] for key in ("weight", "bias", "running_mean", "running_var")
        }
        y = (y - bn["running_mean"]) / np.sqrt(bn["running_var"] + 1e-5) * bn["weight"] + bn["bias"]
        y = np.maximum(y, 0)
    return y.mean(axis=(2, 3)) @ weights["fc.weight"].T + weights["fc.bias"]


@pytest.mark.parametrize(
    ("kernel", "padding", "size", "opset"),
    [(3, 0, (9, 11), 13), (3, 1, (7, 8), 15), (5, (2, 0, 1, 3), (12, 9), 17), (7, 3, (11, 13), 18), (5, 1, (5, 6), 16)],
)
def test_tiny_cnn_computes_its_layers(kernel, padding, size, opset):
    pads = (padding,) * 4 if isinstance(padding, int) else padding
    model = tiny_cnn(kernel, padding, seed=kernel, in_channels=2, channels=(3, 4), size=size, batch=4, opset=opset)
    assert model.opset_import[0].version == opset
    assert [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim] == [4, 2, *size]
    x = random_input((4, 2, *size), seed=opset)
    logits = run(model, x)
    assert logits.shape == (4, 5)
    np.testing.assert_allclose(logits, tiny_reference(model, x, pads, 2), rtol=1e-4, atol=1e-5)


def test_tiny_cnn_options():
    dynamic = tiny_cnn(3, 1, channels=(4,), classes=3)
    assert dynamic.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    for batch in (1, 6):
        assert run(dynamic, random_input((batch, 3, 11, 13))).shape == (batch, 3)
    plain = tiny_cnn(3, 1, bias=False, batch_norm=False)
    assert Counter(node.op_type for node in plain.graph.node)["BatchNormalization"] == 0
    assert all(len(node.input) == 2 for node in plain.graph.node if node.op_type == "Conv")
    with pytest.raises(ValueError, match="empty"):
        tiny_cnn(7, 0, size=(11, 13))
    with pytest.raises(ValueError, match="padding"):
        tiny_cnn(3, (1, 1))


def test_digits_model_scores_its_documented_accuracy():
    """README: 99.56% FP32 (448 of 450) on digits-test, inputs pixels / 255."""
    files = sorted(DIGITS.glob("digits-test/*/*.png"))
    assert len(files) == 450
    assert sorted({file.parent.name for file in files}) == [str(k) for k in range(10)]
    images = np.stack([np.asarray(Image.open(file)) for file in files])
    assert images.shape == (450, 24, 24)
    assert images.dtype == np.uint8
    labels = np.array([int(file.parent.name) for file in files])
    model = onnx.load(DIGITS / "digits_cnn.onnx")
    assert model.opset_import[0].version == 17
    assert {"BatchNormalization", "Add", "MaxPool", "GlobalAveragePool", "Gemm"} <= {
        n.op_type for n in model.graph.node
    }
    logits = run(model, (images[:, None] / np.float32(255)).astype(np.float32))
    assert int((logits.argmax(axis=1) == labels).sum()) == 448
