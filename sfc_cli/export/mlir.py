"""A whole convolution layer as MLIR on tensors (docs/design.md section 7.4; templates/layer.mlir.j2 lays it out).

The module holds two functions, for the prefix p, the layer of ``request.layer`` (``LayerShape``) and the 2-D
algorithm (tile m, kernel r, input n = m + r - 1, K positions):

    func.func @p_filter_pretransform(%w: tensor<C_OUTxC_INxrxrxT>) -> tensor<KxC_INxC_OUTxA>
    func.func @p_conv2d(%x: tensor<1xC_INxHxWxT>, %u: tensor<KxC_INxC_OUTxA>) -> tensor<1xC_OUTxHOxWOxA>

T is the element type (f32, i8 or i16) and A the accumulator type (f32; i32 or i64 for integers, whichever the
exact bound below proves sufficient). The convolution is a stride-1 correlation of the zero-padded input, NCHW,
``y[o, i, j] = sum_{c, a, b} w[o, c, a, b] * x[c, i + a - P, j + b - P]``. Integers: the constants are the
numerators of ``BT2 = p_BT2 / BT2_DEN``, ``G2 = p_G2 / G2_DEN`` and ``AT2 = p_AT2 / AT2_DEN``, so the output
transform gives ``SCALE * y`` with SCALE = AT2_DEN * G2_DEN * BT2_DEN, and the function divides it exactly
(``arith.divsi``; the verified identity makes ``SCALE * y`` a multiple of SCALE). f32: the constants are the exact
entries rounded to the nearest float32 and the output is y itself, up to rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ..algebra.matrix import QMatrix
from ..algorithm import Algorithm
from ..errors import InputError
from .content import ExportRequest, command_line, generator, summary_lines
from .layer import accumulator_type, tile_grid


def nearest_float32(value: Fraction) -> np.float32:
    """The float32 nearest to the exact value (ties to even), without double rounding through float64."""
    guess = np.float32(float(value))
    candidates = [np.nextafter(guess, np.float32(-np.inf)), guess, np.nextafter(guess, np.float32(np.inf))]
    return min(candidates, key=lambda c: (abs(Fraction(float(c)) - value), int(c.view(np.uint32)) & 1))


def dense_literal(values: Sequence[str], shape: Sequence[int], indent: str) -> str:
    """``[[a, b], [c, d]]`` for row-major ``values`` of ``shape``, one innermost row per line."""
    if len(shape) == 1:
        return "[" + ", ".join(values) + "]"
    step = len(values) // shape[0]
    inner = [dense_literal(values[i * step : (i + 1) * step], shape[1:], indent + " ") for i in range(shape[0])]
    return "[" + f",\n{indent} ".join(inner) + "]"


def _entries(matrix: QMatrix, integer: bool, transpose: bool = False) -> list[str]:
    """Row-major entries: the integer numerators over the least common denominator, or the exact values at
    float32 (written as their shortest repr, which MLIR reads back exactly)."""
    rows = matrix.numerators(matrix.common_denominator()) if integer else matrix.rows
    if transpose:
        rows = list(zip(*rows, strict=True))
    if integer:
        return [str(x) for row in rows for x in row]
    return [repr(float(nearest_float32(x))) for row in rows for x in row]


def mlir_context(algorithm: Algorithm, request: ExportRequest) -> dict[str, Any]:
    """Everything layer.mlir.j2 prints; InputError without a layer, for a 1-D algorithm, or beyond i64."""
    layer = request.layer
    if layer is None:
        raise InputError("--format mlir exports a whole layer: it needs --channels C_IN,C_OUT and --size H,W")
    two_d = algorithm.two_d
    if two_d is None:
        raise InputError("--format mlir exports a 2-D layer: drop --dims 1")
    layer.check(algorithm.kernel)
    m, r, n, k = algorithm.tile, algorithm.kernel, algorithm.input_size, two_d.products
    integer = layer.dtype != "f32"
    acc = accumulator_type(algorithm, layer)
    dens = (two_d.BT.common_denominator(), two_d.G.common_denominator(), two_d.AT.common_denominator())
    indent = " " * 4
    return {
        "prefix": request.prefix,
        "generator": generator(),
        "command": command_line(algorithm, request),
        "summary": summary_lines(algorithm),
        "layer": layer,
        "grid": tile_grid(layer, m, r),
        "m": m,
        "r": r,
        "n": n,
        "k": k,
        "element": layer.dtype,
        "acc": acc,
        "integer": integer,
        "scale": dens[0] * dens[1] * dens[2],
        "dens": dens,
        "bt2": dense_literal(_entries(two_d.BT, integer), (k, n, n), indent),
        "g2": dense_literal(_entries(two_d.G, integer), (k, r, r), indent),
        "at2": dense_literal(_entries(two_d.AT, integer, transpose=True), (k, m, m), indent),
    }
