"""The C header of DESIGN.md section 7: what goes in it (templates/algorithm.h.j2 lays it out).

Every matrix X (AT, G, BT; AT2, G2, BT2 in 2-D) is ``X = p_X / P_X_DEN`` with exact integers
(``p_G_num`` for G, as the contract names it). Transform functions compute
``v = P_BT_DEN * BT @ d``, ``u = P_G_DEN * G @ g`` and ``y = P_AT_DEN * AT @ (u * v)`` in int64_t,
so ``y / P_SCALE`` (P_SCALE = P_AT_DEN * P_G_DEN * P_BT_DEN) is exactly the correlation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..algorithm import Algorithm
from ..errors import InputError
from .content import (
    Dimension,
    ExportRequest,
    NamedInteger,
    command_line,
    dimensions,
    generator,
    size_constants,
    summary_lines,
)
from .integers import ScaledMatrix, Term, hex_double, linear_forms, safe_input_bits

INT32 = (-(1 << 31), (1 << 31) - 1)
INT64 = (-(1 << 63) + 1, (1 << 63) - 1)


@dataclass(frozen=True)
class CArray:
    """``static const c_type name[rows][cols]`` with entries already written as C literals."""

    name: str
    c_type: str
    rows: list[list[str]]
    comment: str


@dataclass(frozen=True)
class CFunction:
    """``out[i] = (out_type)(sum of terms over x)`` where x holds the inputs widened to int64_t."""

    name: str
    comment: str
    in_type: str
    in_name: str
    in_size: int
    out_type: str
    out_name: str
    forms: list[list[Term]]


def integer_type(matrix: ScaledMatrix, what: str) -> str:
    """int32_t when every numerator fits, else int64_t."""
    values = [x for row in matrix.numerators for x in row]
    if INT32[0] <= min(values) and max(values) <= INT32[1]:
        return "int32_t"
    if INT64[0] <= min(values) and max(values) <= INT64[1]:
        return "int64_t"
    raise InputError(f"{what} has numerators beyond 64 bits; it cannot be exported to C")


def _arrays(part: Dimension, prefix: str) -> list[CArray]:
    """Integer numerators of every matrix, then doubles for the matrices that hold fractions."""
    integers, doubles = [], []
    for key in ("AT", "G", "BT"):
        name = f"{key}{part.suffix}"
        matrix, exact = getattr(part, key), getattr(part.transforms, key)
        array = f"{prefix}_{name}_num" if key == "G" else f"{prefix}_{name}"
        rows = [[str(x) for x in row] for row in matrix.numerators]
        integers.append(CArray(array, integer_type(matrix, name), rows, f"{name} * {prefix.upper()}_{name}_DEN"))
        if matrix.denominator > 1:
            values = [[hex_double(x) for x in row] for row in exact.rows]
            doubles.append(CArray(f"{prefix}_{name}_f64", "double", values, f"{name} rounded to nearest doubles"))
    return integers + doubles


def _macros(part: Dimension, upper: str) -> list[NamedInteger]:
    s, d = part.suffix, part.dims
    at, g, bt = part.AT, part.G, part.BT
    return [
        NamedInteger(f"{upper}_PRODUCTS_{d}D", part.transforms.products, f"general multiplications in {d}-D"),
        NamedInteger(f"{upper}_AT{s}_DEN", at.denominator, f"AT{s} = {upper.lower()}_AT{s} / this"),
        NamedInteger(f"{upper}_G{s}_DEN", g.denominator, f"G{s} = {upper.lower()}_G{s}_num / this"),
        NamedInteger(f"{upper}_BT{s}_DEN", bt.denominator, f"BT{s} = {upper.lower()}_BT{s} / this"),
        NamedInteger(
            f"{upper}_SCALE_{d}D",
            at.denominator * g.denominator * bt.denominator,
            f"y / this is the exact {d}-D correlation",
        ),
        NamedInteger(
            f"{upper}_SAFE_BITS_{d}D",
            safe_input_bits(bt.numerators, g.numerators, at.numerators),
            f"{d}-D: d and g of at most this many signed bits overflow nothing",
        ),
    ]


def _functions(part: Dimension, prefix: str) -> list[CFunction]:
    s, d = part.suffix, part.dims
    return [
        CFunction(
            f"{prefix}_input_transform_{d}d",
            f"v = {prefix.upper()}_BT{s}_DEN * BT{s} @ d (per input tile)",
            "int32_t",
            "d",
            part.BT.shape[1],
            "int32_t",
            "v",
            linear_forms(part.BT.numerators),
        ),
        CFunction(
            f"{prefix}_filter_transform_{d}d",
            f"u = {prefix.upper()}_G{s}_DEN * G{s} @ g (once per kernel)",
            "int32_t",
            "g",
            part.G.shape[1],
            "int64_t",
            "u",
            linear_forms(part.G.numerators),
        ),
        CFunction(
            f"{prefix}_output_transform_{d}d",
            f"y = {prefix.upper()}_AT{s}_DEN * AT{s} @ prod, prod[t] = u[t] * v[t] (per output tile)",
            "int64_t",
            "prod",
            part.AT.shape[1],
            "int64_t",
            "y",
            linear_forms(part.AT.numerators),
        ),
    ]


def c_context(algorithm: Algorithm, request: ExportRequest) -> dict[str, Any]:
    """Everything algorithm.h.j2 prints."""
    prefix, upper = request.prefix, request.prefix.upper()
    parts = dimensions(algorithm)
    sizes = size_constants(algorithm, upper)
    return {
        "prefix": prefix,
        "guard": f"{upper}_H_INCLUDED",
        "generator": generator(),
        "command": command_line(algorithm, request),
        "summary": summary_lines(algorithm),
        "macros": sizes + [macro for part in parts for macro in _macros(part, upper)],
        "arrays": [array for part in parts for array in _arrays(part, prefix)],
        "functions": [function for part in parts for function in _functions(part, prefix)],
    }
