"""The Verilog file of DESIGN.md section 7: what goes in it (templates/algorithm.v.j2 lays it out).

A package ``p_pkg`` holds the constants as localparams; matrices are packed vectors of signed
numerators (element e of the row-major matrix at ``[e*W +: W]``, the JSON order). The modules
``p_input_transform_Nd`` (v = BT @ d) and ``p_output_transform_Nd`` (y = AT @ prod) are combinational,
additions only (a constant c is a sum of shifted copies), and compute in OUT_W = IN_W + GROWTH bits,
GROWTH from ``integers.growth_bits``: no output can overflow for any IN_W. They compute
``BT_DEN * BT @ d`` and ``AT_DEN * AT @ prod``, so y / P_SCALE_dD is the correlation.

Every literal is sized to the width declared for it (plain decimals above 32 bits are truncated by the
tools); a constant beyond the 64 bits of a longint is refused with InputError.
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
from .integers import ScaledMatrix, ShiftTerm, growth_bits, linear_forms, shift_terms, signed_width

OUTPUT_TRANSFORM_WIDTH = 32
"""Default IN_W of the output transforms (the products), as DESIGN.md section 7 fixes it."""


@dataclass(frozen=True)
class Localparam:
    """``localparam kind name = literal;`` with kind integer (32 bits) or longint (64 bits)."""

    name: str
    kind: str
    literal: str
    comment: str


@dataclass(frozen=True)
class PackedMatrix:
    """Signed numerators of ``width`` bits; ``lines`` holds (row, literals) from the last element to the
    first, as a concatenation reads (its first element is the most significant)."""

    name: str
    rows: int
    cols: int
    width: int
    lines: list[tuple[int, list[str]]]
    comment: str


@dataclass(frozen=True)
class Module:
    """``out = matrix @ in`` over signed IN_W-bit inputs, OUT_W = IN_W + growth bits per output."""

    name: str
    comment: str
    in_name: str
    in_size: int
    default_width: int
    out_name: str
    growth_constant: str
    forms: list[list[ShiftTerm]]


def literal(value: int, width: int, what: str) -> str:
    """A sized signed decimal literal: 3'sd3, -3'sd2; InputError if value needs more than width bits."""
    needed = signed_width(value, value)
    if needed > width:
        raise InputError(
            f"{what} needs {needed} bits, beyond its {width}-bit declaration; it cannot be exported to Verilog"
        )
    return f"{'-' if value < 0 else ''}{width}'sd{abs(value)}"


def localparam(constant: NamedInteger) -> Localparam:
    """An integer (a plain decimal) when |value| < 2**31, else a longint with a sized 64-bit literal."""
    if abs(constant.value) < 1 << 31:
        return Localparam(constant.name, "integer", str(constant.value), constant.comment)
    return Localparam(constant.name, "longint", literal(constant.value, 64, constant.name), constant.comment)


def packed(name: str, matrix: ScaledMatrix, comment: str) -> PackedMatrix:
    """The numerators as one vector of elements just wide enough for the largest magnitude."""
    flat = [x for row in matrix.numerators for x in row]
    width = max(2, signed_width(min(flat), max(flat)))
    rows, cols = matrix.shape
    lines = [
        (i, [literal(x, width, name) for x in reversed(row)]) for i, row in reversed(list(enumerate(matrix.numerators)))
    ]
    return PackedMatrix(name, rows, cols, width, lines, comment)


def _constants(part: Dimension, upper: str) -> list[NamedInteger]:
    s, d = part.suffix, part.dims
    names = {"AT": f"{upper}_AT{s}", "G": f"{upper}_G{s}_NUM", "BT": f"{upper}_BT{s}"}
    return [
        *transform_constants(part, upper, names),
        NamedInteger(f"{upper}_BT{s}_GROWTH", growth_bits(part.BT.numerators), f"input transform {d}-D: OUT_W - IN_W"),
        NamedInteger(f"{upper}_AT{s}_GROWTH", growth_bits(part.AT.numerators), f"output transform {d}-D: OUT_W - IN_W"),
    ]


def _matrices(part: Dimension, upper: str) -> list[PackedMatrix]:
    s = part.suffix
    return [
        packed(f"{upper}_AT{s}", part.AT, f"AT{s} * {upper}_AT{s}_DEN"),
        packed(f"{upper}_G{s}_NUM", part.G, f"G{s} * {upper}_G{s}_DEN"),
        packed(f"{upper}_BT{s}", part.BT, f"BT{s} * {upper}_BT{s}_DEN"),
    ]


def _modules(part: Dimension, prefix: str, upper: str, width: int) -> list[Module]:
    s, d = part.suffix, part.dims
    return [
        Module(
            f"{prefix}_input_transform_{d}d",
            f"v = {upper}_BT{s}_DEN * BT{s} @ d, one input tile of {part.BT.shape[1]} elements",
            "d",
            part.BT.shape[1],
            width,
            "v",
            f"{upper}_BT{s}_GROWTH",
            [shift_terms(terms) for terms in linear_forms(part.BT.numerators)],
        ),
        Module(
            f"{prefix}_output_transform_{d}d",
            f"y = {upper}_AT{s}_DEN * AT{s} @ prod, the {part.AT.shape[1]} products of one tile",
            "prod",
            part.AT.shape[1],
            OUTPUT_TRANSFORM_WIDTH,
            "y",
            f"{upper}_AT{s}_GROWTH",
            [shift_terms(terms) for terms in linear_forms(part.AT.numerators)],
        ),
    ]


def verilog_context(algorithm: Algorithm, request: ExportRequest) -> dict[str, Any]:
    """Everything algorithm.v.j2 prints."""
    prefix, upper = request.prefix, request.prefix.upper()
    parts = dimensions(algorithm)
    sizes = size_constants(algorithm, upper)
    return {
        "package": f"{prefix}_pkg",
        "generator": generator(),
        "command": command_line(algorithm, request),
        "summary": summary_lines(algorithm),
        "divisor": divisor_lines(algorithm, upper),
        "constants": [localparam(c) for c in sizes + [c for part in parts for c in _constants(part, upper)]],
        "matrices": [m for part in parts for m in _matrices(part, upper)],
        "modules": [m for part in parts for m in _modules(part, prefix, upper, request.width)],
    }
