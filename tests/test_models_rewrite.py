"""ONNX models: the float rewrite equals the original model in onnxruntime, the quantized rewrite equals the numpy
layer engine's quantized layers, BatchNormalization folds, bad models are one line, and exported models load."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

from benchmarks.model_builders import resnet20_cifar, tiny_cnn
from sfc_cli.algorithm import Algorithm
from sfc_cli.errors import InputError
from sfc_cli.layers.engine import LayerTransforms, input_transform, pad_input
from sfc_cli.layers.quantize import (
    FastLayerQuantization,
    calibrate_fast_layer,
    quantize,
    quantized_direct_conv2d,
    quantized_fast_conv2d,
    relative_rms,
    weight_scales,
)
from sfc_cli.models.fast_conv_graph import fast_conv_model
from sfc_cli.models.onnx_model import conv_sites, fold_batchnorm, is_eligible, load_model, session, with_outputs
from sfc_cli.models.rewrite import calibrate, eligible_sites, prepare, rewrite
from sfc_cli.request import AlgorithmRequest, build_algorithm

from .helpers import one_error_line, run_sfc

CATALOG = (
    ("winograd", 2, 3),
    ("winograd", 4, 3),
    ("winograd", 6, 3),
    ("sfc", 4, 3),
    ("sfc", 6, 3),
    ("sfc", 7, 3),
    ("winograd", 2, 5),
    ("sfc", 6, 5),
    ("winograd", 2, 7),
    ("sfc", 4, 7),
)
WINOGRAD_4X4 = ("--algo", "winograd", "--tile", "4")
WINOGRAD_5X5 = ("--algo", "winograd", "--tile", "2", "--kernel", "5")
FIXTURES = sorted((Path(__file__).parent / "models").glob("*.onnx"))


@cache
def algorithm(algo: str, tile: int, kernel: int) -> Algorithm:
    return build_algorithm(AlgorithmRequest(algo, tile, kernel))


def run(model: onnx.ModelProto, x: np.ndarray, names: list[str] | None = None) -> list[np.ndarray]:
    """The model's outputs (or the tensors ``names``) on x, through onnxruntime."""
    model = model if names is None else with_outputs(model, names)
    feed = model.graph.input[0].name
    return session(model).run(names, {feed: x})


def random_input(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("index", range(len(CATALOG)))
@pytest.mark.parametrize("padding", [0, 1])
def test_the_float_rewrite_equals_the_original_model(index: int, padding: int) -> None:
    """Two r x r Convs with bias and BatchNormalization, odd sizes, batch 3, opsets 13 to 18 (and 11, converted)."""
    alg = algorithm(*CATALOG[index])
    r = alg.kernel
    opset = 11 if index == 0 and padding == 1 else 13 + index % 6
    size = (2 * r + 5, 2 * r + 3)
    model = tiny_cnn(kernel=r, padding=padding, seed=index, size=size, opset=opset)
    x = random_input((3, 3, *size), seed=index)
    fast = rewrite(model, alg)
    onnx.checker.check_model(fast, full_check=True)
    expected, got = run(model, x)[0], run(fast, x)[0]
    assert np.abs(got - expected).max() <= 1e-4 * np.abs(expected).max()
    kinds = Counter(node.op_type for node in fast.graph.node)
    assert kinds["BatchNormalization"] == 0 and kinds["Conv"] == 2  # the two input transforms
    assert all(
        init.dims[1:] == [1, alg.input_size, alg.input_size] for init in fast.graph.initializer if "BT" in init.name
    )


@pytest.mark.parametrize(("index", "bits"), [(1, 8), (4, 4), (7, 12), (2, 6)])
def test_a_quantized_layer_equals_the_engines(index: int, bits: int) -> None:
    """Integer-valued inputs make V exact in float32, so onnxruntime and numpy quantize the same values. The
    scales are float32 and off the max calibration's (which puts integer V exactly on ties of the grid: V / s
    is a tie in float32 and a hair below it in float64)."""
    alg = algorithm(*CATALOG[index])
    rng = np.random.default_rng(bits)
    r, pads = alg.kernel, (1, 0, 2, 1)
    x = rng.integers(-8, 9, size=(2, 3, 2 * r + 4, 2 * r + 1)).astype(np.float32)
    w = rng.standard_normal((5, 3, r, r)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    found = calibrate_fast_layer(pad_input(x, pads), w, alg, bits)
    v_scales, u_scales = (np.float32(np.pi / 3) * s.astype(np.float32) for s in (found.v_scales, found.u_scales))
    scales = FastLayerQuantization(bits, v_scales.astype(np.float64), u_scales.astype(np.float64))
    model = fast_conv_model(alg, w, b, pads, (None, *x.shape[1:]), scales)
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == (13 if bits <= 8 else 21)
    stored = {init.data_type for init in model.graph.initializer if init.name.endswith("U_integers")}
    assert stored == {TensorProto.INT8 if bits <= 8 else TensorProto.INT16}
    expected = quantized_fast_conv2d(x, w, b, pads, alg, scales)
    got = run(model, x)[0]
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= 1e-5 * np.abs(expected).max()  # float32 rounding, no level off
    assert relative_rms(expected, quantized_fast_conv2d(x, w, b, pads, alg, scales)) == 0


def _layers_match_the_engine(model: onnx.ModelProto, alg: Algorithm, bits: int, seed: int) -> None:
    """Calibrate on two batches, rewrite quantized, and compare every Conv of the rewritten model (fast or
    int8 direct) with the engine's quantized layer on the same input. onnxruntime computes V in float32, so
    a V within float32 rounding of a tie of the grid may take the other level: every V level is checked to
    agree or to be such a near-tie, the outputs to agree far below the quantization error."""
    shape = tuple(d.dim_value or 2 for d in model.graph.input[0].type.tensor_type.shape.dim)
    batches = [random_input(shape, seed + k) for k in range(2)]
    scales, direct = calibrate(model, alg, batches, bits)
    assert calibrate(model, alg, batches, bits)[1] == direct  # deterministic
    quantized = rewrite(model, alg, scales, direct)
    onnx.checker.check_model(quantized, full_check=True)
    sites = conv_sites(prepare(model, bits))
    assert {site.name for site in sites if is_eligible(site, alg.kernel)} == set(scales)
    v_names = {name: f"{name}/{alg.name}/V_dequantized" for name in scales}
    names = [name for site in sites for name in (site.input, site.output)] + list(v_names.values())
    values = dict(zip(names, run(quantized, random_input(shape, seed + 2), names), strict=True))
    for site in sites:
        x = values[site.input].astype(np.float64)
        if site.name in scales:
            layer = scales[site.name]
            exact = input_transform(pad_input(x, site.pads), LayerTransforms.of(alg)) / layer.v_scales[:, None, None]
            levels = np.rint(values[v_names[site.name]].transpose(0, 2, 1) / layer.v_scales[:, None, None])
            off = levels != quantize(exact * layer.v_scales[:, None, None], layer.v_scales[:, None, None], bits)
            assert np.all(np.abs(np.abs(exact[off]) % 1 - 0.5) < 1e-3), site.name
            assert off.mean() < 1e-3, site.name
            expected = quantized_fast_conv2d(x, site.weight, site.bias, site.pads, alg, layer)
        else:
            w_scales = weight_scales(site.weight, direct.bits).astype(np.float32).astype(np.float64)
            scale = direct.activation_scales[site.name]
            expected = quantized_direct_conv2d(
                x, site.weight, site.bias, site.pads, site.strides[0], scale, w_scales, direct.bits
            )
        assert relative_rms(values[site.output], expected) < 1e-3, site.name


@pytest.mark.parametrize(("index", "bits"), [(5, 8), (8, 12)])
def test_a_quantized_model_equals_the_engine_layer_by_layer(index: int, bits: int) -> None:
    alg = algorithm(*CATALOG[index])
    r = alg.kernel
    _layers_match_the_engine(tiny_cnn(kernel=r, padding=1, seed=index, size=(2 * r + 5, 2 * r + 3)), alg, bits, index)


def test_resnet20_rewrites_its_stride_1_convs_and_quantizes_the_rest_int8() -> None:
    model = resnet20_cifar(seed=3)
    alg = algorithm("sfc", 6, 3)
    folded = fold_batchnorm(model)
    fast = rewrite(model, alg)
    eligible = {site.name for site in eligible_sites(folded, 3)}
    assert len(eligible) == 17 and len(conv_sites(folded)) == 21
    kept = [node for node in folded.graph.node if node.name not in eligible]
    rewritten = {node.name: node for node in fast.graph.node}
    assert all(rewritten.get(node.name) == node for node in kept)  # everything else unchanged
    x = random_input((2, 3, 32, 32), seed=1)
    expected, got = run(model, x)[0], run(fast, x)[0]
    assert np.abs(got - expected).max() <= 1e-4 * np.abs(expected).max()
    _layers_match_the_engine(model, alg, 8, seed=5)


def _conv_bn_model(shared_output: bool) -> onnx.ModelProto:
    """Conv -> BatchNormalization -> output; with ``shared_output`` the Conv's output is read by a Relu too."""
    rng = np.random.default_rng(0)
    tensors = {
        "w": rng.standard_normal((4, 2, 3, 3)),
        "b": rng.standard_normal(4),
        "gamma": rng.standard_normal(4),
        "beta": rng.standard_normal(4),
        "mean": rng.standard_normal(4),
        "var": rng.uniform(0.5, 2, 4),
    }
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["y"], epsilon=1e-3),
    ]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)]
    if shared_output:
        nodes.append(helper.make_node("Relu", ["c"], ["z"]))
        outputs.append(helper.make_tensor_value_info("z", TensorProto.FLOAT, None))
    graph = helper.make_graph(
        nodes,
        "conv_bn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 7, 9])],
        outputs,
        [numpy_helper.from_array(v.astype(np.float32), k) for k, v in tensors.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)], ir_version=8)


def test_batchnorm_folds_into_the_conv_it_alone_reads() -> None:
    model = _conv_bn_model(shared_output=False)
    folded = fold_batchnorm(model)
    assert [node.op_type for node in folded.graph.node] == ["Conv"]
    assert {init.name for init in folded.graph.initializer} == {"Conv_0_weight_bn", "Conv_0_bias_bn"}
    x = random_input((1, 2, 7, 9), seed=0)
    expected, got = run(model, x)[0], run(folded, x)[0]
    assert np.abs(got - expected).max() <= 1e-5 * np.abs(expected).max()
    shared = _conv_bn_model(shared_output=True)
    assert [node.op_type for node in fold_batchnorm(shared).graph.node] == ["Conv", "BatchNormalization", "Relu"]


def _write(tmp_path: Path, name: str, model: onnx.ModelProto) -> Path:
    path = tmp_path / name
    path.write_bytes(model.SerializeToString())
    return path


def test_load_model_says_what_is_wrong_in_one_line(tmp_path: Path) -> None:
    good = tiny_cnn(kernel=3)
    (tmp_path / "text.onnx").write_text("hello, not a model\n")
    (tmp_path / "corrupt.onnx").write_bytes(good.SerializeToString()[:200])
    future = onnx.ModelProto()
    future.CopyFrom(good)
    future.opset_import[0].version = 99
    flat = tiny_cnn(kernel=3)
    flat.graph.input[0].type.tensor_type.shape.dim[3].dim_value = 13
    del flat.graph.input[0].type.tensor_type.shape.dim[0]
    cases = {
        tmp_path / "missing.onnx": "no such file",
        tmp_path: "not a file",
        tmp_path / "text.onnx": "not",
        tmp_path / "corrupt.onnx": "not",
        _write(tmp_path, "future.onnx", future): "opset 99; sfc reads opsets 7 to 21",
        _write(tmp_path, "flat.onnx", flat): "not a 4-D float32 NCHW tensor",
    }
    for path, message in cases.items():
        with pytest.raises(InputError, match=message) as error:
            load_model(path)
        assert "\n" not in str(error.value)
    assert len(load_model(_write(tmp_path, "good.onnx", good)).graph.node) == len(good.graph.node)


def test_a_model_without_an_eligible_conv_is_one_line() -> None:
    with pytest.raises(InputError, match=r"^no Conv in the model fits a 5x5 kernel: its Convs are 3x3 \(2\)$"):
        rewrite(tiny_cnn(kernel=3), algorithm("winograd", 2, 5))


@pytest.mark.parametrize("path", FIXTURES, ids=[path.name for path in FIXTURES])
def test_exported_models_load_and_rewrite_with_other_nodes_unchanged(path: Path) -> None:
    model = load_model(path)
    folded = fold_batchnorm(model)
    alg = algorithm("sfc", 6, 3)
    eligible = {site.name for site in conv_sites(folded) if is_eligible(site, 3)}
    if not eligible:
        pytest.skip(f"{path.name} has no 3x3 stride-1 Conv")
    fast = rewrite(model, alg)
    kept = {node.name for node in folded.graph.node} - eligible
    assert kept <= {node.name for node in fast.graph.node}
    shape = tuple(d.dim_value or 2 for d in model.graph.input[0].type.tensor_type.shape.dim)
    x = random_input(shape, seed=0)
    expected, got = run(model, x)[0], run(fast, x)[0]
    assert np.abs(got - expected).max() <= 1e-4 * np.abs(expected).max()


def test_sfc_quantize_writes_a_model_onnxruntime_runs(tmp_path: Path) -> None:
    model_path = _write(tmp_path, "model.onnx", tiny_cnn(kernel=3, size=(11, 13)))
    images = tmp_path / "images"
    rng = np.random.default_rng(0)
    for label in ("cat", "dog"):
        (images / label).mkdir(parents=True)
        for k in range(3):
            Image.fromarray(rng.integers(0, 256, (11, 13, 3), dtype=np.uint8)).save(images / label / f"{k}.png")
    x = np.stack([np.asarray(Image.open(p), dtype=np.float32).transpose(2, 0, 1) / 255 for p in images.rglob("*.png")])
    expected = run(onnx.load(model_path), x)[0]
    for args, tolerance in (("--bits none", 1e-4), (f"--bits 6 --calibrate {images} --calibration 4", 0.1)):
        out = tmp_path / "out.onnx"
        result = run_sfc("quantize", str(model_path), *WINOGRAD_4X4, *args.split(), "-o", str(out))
        assert result.code == 0 and result.stdout == "" and result.stderr.startswith(f"sfc: wrote {out}"), result
        got = run(onnx.load(out), x)[0]
        assert 0 < np.abs(got - expected).max() <= tolerance * np.abs(expected).max()


def test_sfc_quantize_bad_input_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    good = tiny_cnn(kernel=3)
    future = onnx.ModelProto()
    future.CopyFrom(good)
    future.opset_import[0].version = 30
    channels_last = tiny_cnn(kernel=3, in_channels=13, size=(13, 3))
    (tmp_path / "text.onnx").write_text("not a model\n")
    (tmp_path / "corrupt.onnx").write_bytes(good.SerializeToString()[:300])
    cases = {
        "text.onnx": "is not",
        "corrupt.onnx": "is not",
        _write(tmp_path, "future.onnx", future).name: "uses ONNX opset 30; sfc reads opsets 7 to 21",
        _write(tmp_path, "nhwc.onnx", channels_last).name: r"channels last \(NHWC\)",
        _write(tmp_path, "good.onnx", good).name: "no Conv in .*good.onnx fits a 5x5 kernel: its Convs are 3x3 \\(2\\)",
    }
    out = tmp_path / "out.onnx"
    for name, message in cases.items():
        args = ("quantize", str(tmp_path / name), "--bits", "none", *WINOGRAD_5X5)
        line = one_error_line(run_sfc(*args, "-o", str(out)))
        assert re.search(message, line), line
        assert not out.exists()
