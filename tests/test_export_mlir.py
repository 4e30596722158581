"""The MLIR layer export (docs/design.md section 7.4): compiled by iree-compile for llvm-cpu and run by the IREE
runtime against a direct correlation in numpy, exactly in integers (random and extreme data), within float32
rounding in f32."""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import numpy as np
import pytest

from sfc_cli.errors import InputError
from sfc_cli.export.content import ExportRequest
from sfc_cli.export.layer import LayerShape, accumulator_type, accumulator_width
from sfc_cli.export.mlir import nearest_float32
from sfc_cli.export.render import render
from sfc_cli.request import AlgorithmRequest, build_algorithm

from .export_support import NAMED, VARIANTS

ALGORITHMS = {
    "F(2x2,3x3)": AlgorithmRequest("winograd", 2, 3),
    "SFC-6(6x6,3x3)": NAMED["SFC-6(6x6,3x3)"],
    "SFC-6(6x6,5x5)": NAMED["SFC-6(6x6,5x5)"],
    "F(4x4,3x3) fractions in A": VARIANTS["F(4x4,3x3) fractions in A"],
}

CASES = [
    ("F(2x2,3x3)", LayerShape(3, 4, 13, 11, 1, "i8")),
    ("F(2x2,3x3)", LayerShape(2, 3, 7, 9, 0, "f32")),
    ("SFC-6(6x6,3x3)", LayerShape(3, 5, 13, 11, 1, "i8")),
    ("SFC-6(6x6,3x3)", LayerShape(4, 3, 9, 15, 0, "f32")),
    ("SFC-6(6x6,5x5)", LayerShape(2, 3, 11, 13, 1, "i8")),
    ("SFC-6(6x6,5x5)", LayerShape(3, 2, 9, 7, 2, "f32")),
    ("F(4x4,3x3) fractions in A", LayerShape(2, 3, 9, 10, 1, "i16")),
]


@cache
def algorithm(name: str):
    return build_algorithm(ALGORITHMS[name])


@cache
def compiled(name: str, layer: LayerShape):
    """The exported module compiled for llvm-cpu and loaded (once per test session)."""
    import iree.compiler
    import iree.runtime

    text = render(algorithm(name), ExportRequest("mlir", "layer", layer=layer))
    binary = iree.compiler.compile_str(text, target_backends=["llvm-cpu"])
    context = iree.runtime.SystemContext(config=iree.runtime.Config("local-task"))
    context.add_vm_module(iree.runtime.VmModule.copy_buffer(context.instance, binary))
    return context.modules.module


def direct_correlation(x: np.ndarray, w: np.ndarray, padding: int) -> np.ndarray:
    """y[0, o, i, j] = sum_{c, a, b} w[o, c, a, b] * xp[0, c, i + a, j + b], in int64 or float64."""
    wide = np.int64 if x.dtype.kind == "i" else np.float64
    padded = np.pad(x[0].astype(wide), ((0, 0), (padding, padding), (padding, padding)))
    r = w.shape[-1]
    out_h, out_w = padded.shape[1] - r + 1, padded.shape[2] - r + 1
    y = np.zeros((w.shape[0], out_h, out_w), dtype=wide)
    for a in range(r):
        for b in range(r):
            y += np.einsum("oc,chw->ohw", w[:, :, a, b].astype(wide), padded[:, a : a + out_h, b : b + out_w])
    return y[None]


def layer_data(layer: LayerShape, kernel: int, extreme: bool, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Input (1, C_in, H, W) and weights (C_out, C_in, r, r): random, or only the two extremes of the type."""
    rng = np.random.default_rng(seed)
    x_shape, w_shape = (1, layer.c_in, layer.height, layer.width), (layer.c_out, layer.c_in, kernel, kernel)
    if layer.dtype == "f32":
        return rng.standard_normal(x_shape).astype(np.float32), rng.standard_normal(w_shape).astype(np.float32)
    info = np.iinfo(layer.dtype.replace("i", "int"))
    if extreme:
        return tuple(rng.choice([info.min, info.max], shape).astype(info.dtype) for shape in (x_shape, w_shape))
    return tuple(
        rng.integers(info.min, info.max, shape, endpoint=True, dtype=info.dtype) for shape in (x_shape, w_shape)
    )


@pytest.mark.parametrize(("name", "layer"), CASES, ids=[f"{n}-{c.dtype}-pad{c.padding}" for n, c in CASES])
def test_iree_runs_the_layer(name: str, layer: LayerShape) -> None:
    module = compiled(name, layer)
    alg = algorithm(name)
    trials = [False] if layer.dtype == "f32" else [False, True]
    for seed, extreme in enumerate(trials):
        x, w = layer_data(layer, alg.kernel, extreme, seed)
        y = np.asarray(module.layer_conv2d(x, module.layer_filter_pretransform(w)))
        expected = direct_correlation(x, w, layer.padding)
        assert y.shape == expected.shape
        if layer.dtype == "f32":
            assert y.dtype == np.float32
            assert np.abs(y - expected).max() <= 1e-5 * np.abs(expected).max()
        else:
            assert y.dtype == np.dtype(accumulator_type(alg, layer).replace("i", "int"))
            assert np.array_equal(y, expected)


def test_the_accumulator_holds_the_proved_bound() -> None:
    """i32 while every intermediate value fits, i64 beyond: F(2x2,3x3) with int8 needs 23 bits for one input
    channel, 32 for 512, 33 for 1024."""
    f23 = algorithm("F(2x2,3x3)")
    assert [accumulator_width(f23, LayerShape(c, 1, 4, 4, 0, "i8")) for c in (1, 512, 1024)] == [23, 32, 33]
    assert accumulator_type(f23, LayerShape(512, 1, 4, 4, 0, "i8")) == "i32"
    assert accumulator_type(f23, LayerShape(1024, 1, 4, 4, 0, "i8")) == "i64"
    assert accumulator_type(f23, LayerShape(1, 1, 4, 4, 0, "i16")) == "i64"
    assert accumulator_type(f23, LayerShape(1, 1, 4, 4, 0, "f32")) == "f32"


def test_layer_text_is_linalg_and_deterministic() -> None:
    layer = LayerShape(3, 5, 13, 11, 1, "i8")
    request = ExportRequest("mlir", layer=layer)
    text = render(algorithm("SFC-6(6x6,3x3)"), request)
    assert text == render(algorithm("SFC-6(6x6,3x3)"), request)
    assert "func.func @sfc6_6x6_3x3_filter_pretransform(%w: tensor<5x3x3x3xi8>) -> tensor<88x3x5xi32>" in text
    assert "-> tensor<1x5x13x11xi32>" in text
    assert "linalg.batch_matmul" in text and "scf." not in text
    assert "--channels 3,5 --size 13,11 --padding 1 --dtype i8" in text


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (ExportRequest("mlir"), "needs --channels C_IN,C_OUT and --size H,W"),
        (ExportRequest("mlir", layer=LayerShape(0, 1, 8, 8)), "--channels"),
        (ExportRequest("mlir", layer=LayerShape(1, 1, 2, 8)), "smaller than the 3x3 kernel"),
        (ExportRequest("mlir", layer=LayerShape(1, 1, 8, 8, padding=3)), "--padding"),
    ],
)
def test_bad_layers_are_input_errors(request_: ExportRequest, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        render(algorithm("F(2x2,3x3)"), request_)


def test_a_1d_algorithm_has_no_layer() -> None:
    one_d = build_algorithm(AlgorithmRequest("winograd", 2, 3, dims=1))
    with pytest.raises(InputError, match="2-D layer"):
        render(one_d, ExportRequest("mlir", layer=LayerShape(1, 1, 8, 8)))


def test_float32_constants_are_rounded_once() -> None:
    """1 + 2**-24 + 2**-60 rounds to 1 + 2**-24 in float64, a tie that float32 breaks to 1.0; the nearest
    float32 is 1 + 2**-23."""
    value = 1 + Fraction(1, 2**24) + Fraction(1, 2**60)
    assert nearest_float32(value) == np.float32(1 + 2**-23)
    assert nearest_float32(Fraction(1, 3)) == np.float32(1 / 3)
