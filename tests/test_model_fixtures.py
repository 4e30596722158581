"""The torch-exported fixtures in tests/models/: valid ONNX that onnxruntime runs at any batch size, together
covering the opsets and ops that exported models bring, and described truthfully by their README."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest

from tests.models.describe import readme_text

FOLDER = Path(__file__).resolve().parent / "models"
FIXTURES = sorted(FOLDER.glob("*.onnx"))
OPS = {
    "Conv", "BatchNormalization", "Relu", "Clip", "Add", "Mul", "MaxPool", "AveragePool", "GlobalAveragePool",
    "Flatten", "Reshape", "Gemm", "MatMul", "Pad", "Slice", "Concat",
}  # fmt: skip


def convs(model: onnx.ModelProto) -> list[dict[str, object]]:
    """Each Conv's attributes, with ``bias`` True when it has a bias input."""
    return [
        {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute} | {"bias": len(node.input) > 2}
        for node in model.graph.node
        if node.op_type == "Conv"
    ]


def test_readme_describes_the_files():
    assert (FOLDER / "README.md").read_text() == readme_text(FOLDER)


def test_fixtures_cover_the_opsets_ops_and_convs():
    models = [onnx.load(path) for path in FIXTURES]
    assert sorted(model.opset_import[0].version for model in models) == [13, 15, 17, 18]
    assert {node.op_type for model in models for node in model.graph.node} >= OPS
    every = [conv for model in models for conv in convs(model)]
    assert {conv["kernel_shape"][0] for conv in every} == {1, 3, 5, 7}
    assert {conv["pads"][0] for conv in every} >= {0, 1}
    assert any(conv["strides"][0] == 2 for conv in every)
    assert any(conv["group"] > 1 for conv in every)
    assert any(conv["bias"] for conv in every)
    assert all(path.stat().st_size < 20_000 for path in FIXTURES)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_fixture_runs_at_any_batch(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).standard_normal((3, 3, 20, 20)).astype(np.float32)
    batch = session.run(None, {"input": x})[0]
    assert batch.shape == (3, 5)
    assert np.isfinite(batch).all()
    single = session.run(None, {"input": x[1:2]})[0]
    np.testing.assert_allclose(single[0], batch[1], rtol=1e-5, atol=1e-6)
