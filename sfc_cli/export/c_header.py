"""The C header of DESIGN.md section 7: what goes in it (templates/algorithm.h.j2 lays it out).

Every matrix X (AT, G, BT; AT2, G2, BT2 in 2-D) is ``X = p_X / P_X_DEN`` with exact integers
(``p_G_num`` for G, as the contract names it). Transform functions compute
``v = P_BT_DEN * BT @ d``, ``u = P_G_DEN * G @ g`` and ``y = P_AT_DEN * AT @ (u * v)`` in int64_t,
so ``y / P_SCALE_1D`` (P_SCALE_1D = P_AT_DEN * P_G_DEN * P_BT_DEN) is exactly the correlation, and
likewise in 2-D; P_SCALE_dD equals P_G_DEN (P_G2_DEN) only with fractions in G. A macro beyond int64_t
is refused with InputError.
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
    divisor_lines,
    generator,
    size_constants,
    summary_lines,
    transform_constants,
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


def _checked(macro: NamedInteger) -> NamedInteger:
    """The macro if its value is a valid int64_t literal; InputError otherwise."""
    if not INT64[0] <= macro.value <= INT64[1]:
        raise InputError(f"{macro.name} is beyond 64 bits; it cannot be exported to C")
    return macro


def _macros(part: Dimension, prefix: str, upper: str) -> list[NamedInteger]:
    bt, g, at = part.BT.numerators, part.G.numerators, part.AT.numerators
    safe = NamedInteger(
        f"{upper}_SAFE_BITS_{part.dims}D",
        safe_input_bits(bt, g, at),
        f"{part.dims}-D: d and g of at most this many signed bits overflow nothing",
    )
    names = {"AT": f"{prefix}_AT{part.suffix}", "G": f"{prefix}_G{part.suffix}_num", "BT": f"{prefix}_BT{part.suffix}"}
    return [_checked(macro) for macro in transform_constants(part, upper, names)] + [safe]


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
        "divisor": divisor_lines(algorithm, upper),
        "macros": sizes + [macro for part in parts for macro in _macros(part, prefix, upper)],
        "arrays": [array for part in parts for array in _arrays(part, prefix)],
        "functions": [function for part in parts for function in _functions(part, prefix)],
    }
