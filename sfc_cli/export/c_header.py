"""The C header of docs/design.md section 7: what goes in it (templates/algorithm.h.j2 lays it out).

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
from .c_layer import layer_context
from .c_programs import CTemporary, program_statements
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
from .integers import ScaledMatrix, decimal_double, safe_input_bits, transform_intervals

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
    """``out = matrix @ in`` as the statements of a verified program: temporaries, then outputs."""

    name: str
    comment: str
    in_type: str
    in_name: str
    in_size: int
    out_type: str
    out_name: str
    temporaries: list[CTemporary]
    outputs: list[str]


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
            values = [[decimal_double(x) for x in row] for row in exact.rows]
            doubles.append(CArray(f"{prefix}_{name}_f64", "double", values, f"{name} rounded to nearest doubles"))
    return integers + doubles


def _check_scale(algorithm: Algorithm, parts: list[Dimension], upper: str) -> None:
    """InputError unless every dimension's P_SCALE_dD (the product of its denominators, hence every
    constant) is below 2**63: the exact integer outputs are P_SCALE_dD times the correlation, so beyond
    that no nonzero output fits int64_t (the wide-denominator Winograd points of the catalog, e.g. NOVA's
    F(6x6,3x3), in 2-D)."""
    for part in parts:
        if part.scale <= INT64[1]:
            continue
        instead = "--format json or verilog exports it"
        if part.dims == 2:
            instead = "--dims 1 exports its 1-D transforms to C; " + instead
        raise InputError(
            f"{algorithm.name} cannot be exported to C: its exact {part.dims}-D outputs are {upper}_SCALE_"
            f"{part.dims}D (a {part.scale.bit_length()}-bit integer, AT{part.suffix}_DEN * G{part.suffix}_DEN * "
            f"BT{part.suffix}_DEN) times the correlation, beyond int64_t for every nonzero output; {instead}"
        )


def _safe_bits(part: Dimension, upper: str) -> NamedInteger:
    """P_SAFE_BITS_dD; InputError when not even 1-bit d and g are safe."""
    bits = safe_input_bits(part.programs)
    if bits < 1:
        raise InputError(
            f"{part.transforms.products}-product {part.dims}-D transforms overflow 64 bits even for 1-bit data; "
            "they cannot be exported to C"
        )
    return NamedInteger(
        f"{upper}_SAFE_BITS_{part.dims}D",
        bits,
        f"{part.dims}-D: d and g of at most this many signed bits overflow nothing",
    )


def _macros(part: Dimension, prefix: str, upper: str) -> list[NamedInteger]:
    names = {"AT": f"{prefix}_AT{part.suffix}", "G": f"{prefix}_G{part.suffix}_num", "BT": f"{prefix}_BT{part.suffix}"}
    return transform_constants(part, upper, names)


def _functions(part: Dimension, prefix: str, safe_bits: int) -> list[CFunction]:
    """The three transforms of a dimension, from its programs, typed for d and g of ``safe_bits`` bits."""
    s, d, upper = part.suffix, part.dims, prefix.upper()
    programs = part.programs
    bt_nodes, g_nodes, at_nodes = transform_intervals(programs, safe_bits)
    specs = [
        (
            "input",
            f"v = {upper}_BT{s}_DEN * BT{s} @ d (per input tile)",
            programs.input_transform,
            "int32_t",
            "d",
            "int32_t",
            "v",
            bt_nodes,
        ),
        (
            "filter",
            f"u = {upper}_G{s}_DEN * G{s} @ g (once per kernel)",
            programs.filter_transform,
            "int32_t",
            "g",
            "int64_t",
            "u",
            g_nodes,
        ),
        (
            "output",
            f"y = {upper}_AT{s}_DEN * AT{s} @ prod, prod[t] = u[t] * v[t] (per output tile)",
            programs.output_transform,
            "int64_t",
            "prod",
            "int64_t",
            "y",
            at_nodes,
        ),
    ]
    functions = []
    for role, comment, program, in_type, in_name, out_type, out_name, intervals in specs:
        temporaries, outputs = program_statements(program, in_name, in_type, out_type, intervals)
        functions.append(
            CFunction(
                f"{prefix}_{role}_transform_{d}d",
                f"{comment}; {program.additions} additions, adder depth {program.depth}",
                in_type,
                in_name,
                program.inputs,
                out_type,
                out_name,
                temporaries,
                outputs,
            )
        )
    return functions


def c_context(algorithm: Algorithm, request: ExportRequest) -> dict[str, Any]:
    """Everything algorithm.h.j2 prints."""
    prefix, upper = request.prefix, request.prefix.upper()
    parts = dimensions(algorithm)
    sizes = size_constants(algorithm, upper)
    _check_scale(algorithm, parts, upper)
    constants = [_macros(part, prefix, upper) for part in parts]
    safe = [_safe_bits(part, upper) for part in parts]
    return {
        "prefix": prefix,
        "guard": f"{upper}_H_INCLUDED",
        "generator": generator(),
        "command": command_line(algorithm, request),
        "summary": summary_lines(algorithm),
        "divisor": divisor_lines(algorithm, upper),
        "macros": sizes + [m for macros, bits in zip(constants, safe, strict=True) for m in [*macros, bits]],
        "arrays": [array for part in parts for array in _arrays(part, prefix)],
        "functions": [f for part, bits in zip(parts, safe, strict=True) for f in _functions(part, prefix, bits.value)],
        "layer": None if request.layer is None else layer_context(algorithm, parts[-1], request.layer, prefix),
    }
