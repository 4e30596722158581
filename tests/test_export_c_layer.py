"""The C whole layer (--channels/--size/--padding/--dtype): compiles strictly as C99 and C++11 and equals a
direct integer convolution bit for bit, on random data, on extremes and on data that attains the proved
accumulator bound."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from sfc_cli.algorithm import Algorithm
from sfc_cli.errors import InputError
from sfc_cli.export.c_layer import MAX_BLOCK
from sfc_cli.export.content import ExportRequest, dimensions
from sfc_cli.export.layer import LayerShape
from sfc_cli.export.render import render
from sfc_cli.request import AlgorithmRequest, build_algorithm

from .export_support import REPO, run, tool

DRIVER = REPO / "tests" / "c" / "check_layer.c"
STRICT = ["-Wall", "-Wextra", "-Werror", "-pedantic", "-O1"]
DTYPES = {"i8": np.int8, "i16": np.int16}

CASES = [
    ("F(2x2,3x3)", AlgorithmRequest("winograd", 2, 3), LayerShape(3, 5, 9, 8, 1, "i8")),
    ("F(4x4,3x3)", AlgorithmRequest("winograd", 4, 3), LayerShape(3, 5, 13, 11, 0, "i8")),
    ("SFC-6(6x6,3x3)", AlgorithmRequest("sfc", 6, 3), LayerShape(3, 5, 13, 11, 1, "i8")),
    ("SFC-6(6x6,3x3) i16", AlgorithmRequest("sfc", 6, 3), LayerShape(2, 3, 9, 14, 0, "i16")),
    ("SFC-6(6x6,5x5)", AlgorithmRequest("sfc", 6, 5), LayerShape(3, 2, 12, 11, 2, "i8")),
    (
        "CRT(4x4,3x3) Gaussian",
        AlgorithmRequest("crt", 4, 3, moduli="x, x-1, x+1, x^2+1, inf"),
        LayerShape(5, 3, 7, 10, 1, "i8"),
    ),
]


def direct(x: np.ndarray, w: np.ndarray, padding: int) -> np.ndarray:
    """y[k, i, j] = sum over c, a, b of w[k, c, a, b] * xp[c, i + a, j + b] in int64 (correlation, NCHW)."""
    xp = np.pad(x.astype(np.int64), ((0, 0), (padding, padding), (padding, padding)))
    r = w.shape[-1]
    windows = np.lib.stride_tricks.sliding_window_view(xp, (r, r), axis=(1, 2))
    return np.einsum("cijab,kcab->kij", windows, w.astype(np.int64))


def _extreme_pattern(row: np.ndarray, low: int, high: int) -> np.ndarray:
    """The inputs in [low, high] that give ``row @ x`` its largest magnitude: every input at the extreme
    whose sign matches (or opposes) its coefficient, whichever side reaches further."""
    negative = np.where(row > 0, low, np.where(row < 0, high, 0))
    positive = np.where(row > 0, high, np.where(row < 0, low, 0))
    return negative if abs(row @ negative) >= abs(row @ positive) else positive


def bound_attaining(algorithm: Algorithm, layer: LayerShape) -> tuple[np.ndarray, np.ndarray, int]:
    """x and w whose first tile makes |m[t]| = C_IN max|v[t]| max|u[t]| at the t where that is largest,
    and that |m[t]| (padding 0: the first tile is the top-left n x n corner of x)."""
    part = dimensions(algorithm)[-1]
    n, r, info = algorithm.input_size, algorithm.kernel, np.iinfo(DTYPES[layer.dtype])
    bt, g = np.array(part.BT.numerators, dtype=np.int64), np.array(part.G.numerators, dtype=np.int64)
    d = [_extreme_pattern(row, info.min, info.max) for row in bt]
    k = [_extreme_pattern(row, info.min, info.max) for row in g]
    sums = [layer.c_in * abs(int(bt[t] @ d[t])) * abs(int(g[t] @ k[t])) for t in range(len(bt))]
    t = int(np.argmax(sums))
    x = np.zeros((layer.c_in, layer.height, layer.width), dtype=np.int64)
    x[:, :n, :n] = d[t].reshape(n, n)
    w = np.broadcast_to(k[t].reshape(r, r), (layer.c_out, layer.c_in, r, r)).copy()
    return x, w, sums[t]


def data_sets(algorithm: Algorithm, layer: LayerShape, rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Random, all minimum, all maximum, checkerboards of the extremes, random extremes, small values."""
    info = np.iinfo(DTYPES[layer.dtype])
    r = algorithm.kernel
    x_shape, w_shape = (layer.c_in, layer.height, layer.width), (layer.c_out, layer.c_in, r, r)
    checker_x = np.where(np.indices(x_shape).sum(axis=0) % 2, info.min, info.max)
    checker_w = np.where(np.indices(w_shape).sum(axis=0) % 2, info.max, info.min)
    sets = [
        (
            rng.integers(info.min, info.max, x_shape, endpoint=True),
            rng.integers(info.min, info.max, w_shape, endpoint=True),
        ),
        (np.full(x_shape, info.min), np.full(w_shape, info.min)),
        (np.full(x_shape, info.max), np.full(w_shape, info.min)),
        (checker_x, checker_w),
        (rng.choice([info.min, info.max], x_shape), rng.choice([info.min, info.max], w_shape)),
        (rng.integers(-3, 3, x_shape, endpoint=True), rng.integers(-3, 3, w_shape, endpoint=True)),
    ]
    if layer.padding == 0:
        x, w, _ = bound_attaining(algorithm, layer)
        sets.append((x, w))
    return sets


def _macros(text: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(r"#define CHK_(LAYER_\w+) (-?\d+) ", text)}


def _run_layer(
    tmp_path: Path, text: str, layer: LayerShape, sets: list[tuple[np.ndarray, np.ndarray]]
) -> list[np.ndarray]:
    """Compile the driver with gcc -std=c99 and g++ -std=c++11 (strict), run both, return gcc's outputs."""
    (tmp_path / "exported.h").write_text(text)
    element = DTYPES[layer.dtype]
    (tmp_path / "in.bin").write_bytes(
        b"".join(a.astype(element).tobytes() + b.astype(element).tobytes() for a, b in sets)
    )
    out_type = np.int32 if "typedef int32_t chk_layer_y;" in text else np.int64
    results = []
    for compiler, standard, language in (("gcc", "-std=c99", "c"), ("g++", "-std=c++11", "c++")):
        binary = tmp_path / f"layer_{language.replace('+', 'x')}"
        run([tool(compiler), standard, *STRICT, "-I", str(tmp_path), "-x", language, str(DRIVER), "-o", str(binary)])
        output = tmp_path / f"out_{language.replace('+', 'x')}.bin"
        run([str(binary), str(tmp_path / "in.bin"), str(output), str(len(sets))])
        results.append(np.fromfile(output, dtype=out_type))
    assert np.array_equal(results[0], results[1])
    return list(results[0].reshape(len(sets), -1))


@pytest.mark.parametrize(("name", "request_", "layer"), CASES, ids=[case[0] for case in CASES])
def test_layer_equals_direct_convolution_bit_for_bit(tmp_path, name, request_, layer):
    algorithm = build_algorithm(request_)
    text = render(algorithm, ExportRequest("c", "chk", layer=layer))
    macros = _macros(text)
    ho, wo = layer.output_size(algorithm.kernel)
    assert (macros["LAYER_HO"], macros["LAYER_WO"]) == (ho, wo)
    assert macros["LAYER_TILES"] == -(-ho // algorithm.tile) * -(-wo // algorithm.tile)
    blocks, block = macros["LAYER_BLOCKS"], macros["LAYER_BLOCK"]
    assert block <= MAX_BLOCK and (blocks - 1) * block < macros["LAYER_TILES"] <= blocks * block
    sets = data_sets(algorithm, layer, np.random.default_rng(sum(map(ord, name))))
    outputs = _run_layer(tmp_path, text, layer, sets)
    for index, ((x, w), y) in enumerate(zip(sets, outputs, strict=True)):
        expected = direct(x, w, layer.padding).reshape(-1)
        assert np.array_equal(y, expected), f"set {index}: {np.flatnonzero(y != expected)[:5]}"
    if layer.padding == 0:  # the last set attains the accumulator bound the header states
        assert bound_attaining(algorithm, layer)[2] == macros["LAYER_ACC_MAX"]


def _layer_header(request: AlgorithmRequest, layer: LayerShape) -> tuple[str, dict[str, int]]:
    text = render(build_algorithm(request), ExportRequest("c", "chk", layer=layer))
    return text, _macros(text)


def test_sums_are_exact_int32_when_the_proved_bound_allows_else_modular():
    """int32_t sums when C_IN max|v| max|u| < 2^31; otherwise the sums and the output program wrap modulo
    2^32 when |y| < 2^(31 - SHIFT) recovers y (F(4x4,3x3): u needs 17 bits), else modulo 2^64."""
    sfc6, f4 = AlgorithmRequest("sfc", 6, 3), AlgorithmRequest("winograd", 4, 3)
    text, macros = _layer_header(sfc6, LayerShape(64, 64, 56, 56, 1, "i8"))
    assert (macros["LAYER_ACC_BITS"], macros["LAYER_WRAP_BITS"], macros["LAYER_SHIFT"]) == (32, 32, 2)
    assert macros["LAYER_ACC_MAX"] < 1 << 31 and macros["LAYER_Y_MAX"] == 64 * 9 * 128 * 128
    assert "\n    int32_t m[CHK_PRODUCTS_2D][CHK_LAYER_BLOCK];" in text and "typedef int32_t chk_layer_y;" in text
    assert "#define CHK_LAYER_INVERSE UINT32_C(954437177) " in text  # 9 * 954437177 = 1 modulo 2^32
    text, macros = _layer_header(f4, LayerShape(64, 64, 56, 56, 1, "i8"))
    assert macros["LAYER_ACC_MAX"] >= 1 << 31 and macros["LAYER_Y_MAX"] < 1 << (31 - macros["LAYER_SHIFT"])
    assert "\n    uint32_t m[CHK_PRODUCTS_2D][CHK_LAYER_BLOCK];" in text and "typedef int32_t chk_layer_u;" in text
    text, macros = _layer_header(sfc6, LayerShape(64, 64, 56, 56, 1, "i16"))
    assert macros["LAYER_WRAP_BITS"] == 64 and "\n    uint64_t m[CHK_PRODUCTS_2D][CHK_LAYER_BLOCK];" in text
    assert "typedef int64_t chk_layer_y;" in text


def test_float_layers_are_refused_for_c():
    sfc6 = build_algorithm(AlgorithmRequest("sfc", 6, 3))
    with pytest.raises(InputError, match=r"^C layer export is integer: --dtype i8 or i16$"):
        render(sfc6, ExportRequest("c", "chk", layer=LayerShape(4, 4, 8, 8, 1, "f32")))
