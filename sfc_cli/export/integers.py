"""Exact integer forms of the transforms, for code generators (C and Verilog).

Every matrix M is exported as integer numerators over one denominator: ``M = numerators / denominator``,
computed by a verified program; this module bounds the values its nodes take (exact intervals from
each node's coefficient row) and the widths they need. Widths are two's-complement signed widths:
w bits hold [-2**(w-1), 2**(w-1) - 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..algebra.matrix import QMatrix
from ..algebra.program import Operand, Program
from ..algebra.transform_programs import TransformPrograms

Numerators = Sequence[Sequence[int]]


@dataclass(frozen=True)
class ScaledMatrix:
    """``matrix == numerators / denominator`` with the least common denominator of the entries."""

    numerators: tuple[tuple[int, ...], ...]
    denominator: int

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.numerators), len(self.numerators[0])


def scaled(matrix: QMatrix) -> ScaledMatrix:
    denominator = matrix.common_denominator()
    return ScaledMatrix(tuple(tuple(row) for row in matrix.numerators(denominator)), denominator)


def decimal_double(value: Fraction) -> str:
    """The exact value rounded to the nearest double, as a decimal literal with 17 significant digits:
    every C99 and C++ compiler reads it back as that same double (hexadecimal floats need C99 or C++17)."""
    text = format(float(value), ".17g")
    return text if any(c in text for c in ".en") else text + ".0"


def signed_width(low: int, high: int) -> int:
    """The fewest two's-complement bits that hold every integer in [low, high]."""
    width = 1
    while low < -(1 << (width - 1)) or high > (1 << (width - 1)) - 1:
        width += 1
    return width


def growth_bits(numerators: Numerators) -> int:
    """GROWTH such that IN_W + GROWTH bits hold every output, for every input width IN_W.

    Per row with L1 norm L (P = sum of positive coefficients): the outputs lie in
    [-(L * 2**(IN_W-1)), L * 2**(IN_W-1) - P]. So ceil(log2 L) extra bits suffice, plus one more
    only when P = 0 and L is a power of two (e.g. the row -x: -(-2**(IN_W-1)) needs IN_W + 1 bits).
    It is the exact (least) growth once 2**(IN_W-1) exceeds every L1 norm (tests/export_support.py checks it).
    """
    growth = 0
    for row in numerators:
        norm = sum(abs(c) for c in row)
        if not norm:
            continue
        bits = (norm - 1).bit_length()  # ceil(log2(norm))
        if not any(c > 0 for c in row) and norm == 1 << bits:
            bits += 1
        growth = max(growth, bits)
    return growth


Interval = tuple[int, int]


def node_intervals(program: Program, inputs: Sequence[Interval]) -> list[Interval]:
    """The exact [min, max] of every node when input j ranges over ``inputs[j]`` independently."""
    out = []
    for row in program.node_rows:
        low = high = 0
        for c, (lo, hi) in zip(row, inputs, strict=True):
            if c:
                low += min(c * lo, c * hi)
                high += max(c * lo, c * hi)
        out.append((low, high))
    return out


def operand_magnitude(program: Program, intervals: Sequence[Interval]) -> int:
    """The largest magnitude any node or any shifted operand of the program takes (for overflow checks)."""
    peak = max((max(-lo, hi) for lo, hi in intervals), default=0)
    for op in program.operations:
        for operand in (op.first, op.second):
            lo, hi = intervals[operand.node]
            peak = max(peak, max(-lo, hi) << operand.shift)
    for o in program.outputs:
        if o is not None:
            lo, hi = intervals[o.node]
            peak = max(peak, max(-lo, hi) << o.shift)
    return peak


def symmetric(magnitudes: Sequence[int]) -> list[Interval]:
    return [(-x, x) for x in magnitudes]


def transform_intervals(programs: TransformPrograms, bits: int) -> tuple[list[Interval], ...]:
    """Node intervals of the input, filter and output programs when d and g are signed ``bits``-bit
    integers and the products are ``prod[t] = u[t] * v[t]`` (bounded by |v_t| |u_t|)."""
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    bt, g, at = programs.input_transform, programs.filter_transform, programs.output_transform
    bt_nodes = node_intervals(bt, [(low, high)] * bt.inputs)
    g_nodes = node_intervals(g, [(low, high)] * g.inputs)
    v = [_output_magnitude(o, bt_nodes) for o in bt.outputs]
    u = [_output_magnitude(o, g_nodes) for o in g.outputs]
    at_nodes = node_intervals(at, symmetric([a * b for a, b in zip(v, u, strict=True)]))
    return bt_nodes, g_nodes, at_nodes


def _output_magnitude(output: Operand | None, intervals: Sequence[Interval]) -> int:
    if output is None:
        return 0
    lo, hi = intervals[output.node]
    return max(-lo, hi) << output.shift


INT32_MAX = (1 << 31) - 1
INT64_MAX = (1 << 63) - 1


def fits_exports(programs: TransformPrograms, bits: int, transform_bits: int = 32) -> bool:
    """True when signed ``bits``-bit d and g overflow nothing in the C functions: every output of the
    input transform fits ``transform_bits`` (int32_t v), and every node, shifted operand and product
    fits int64_t."""
    bt_nodes, g_nodes, at_nodes = transform_intervals(programs, bits)
    bt, g, at = programs.input_transform, programs.filter_transform, programs.output_transform
    v_limit = (1 << (transform_bits - 1)) - 1
    if any(_output_magnitude(o, bt_nodes) > v_limit for o in bt.outputs):
        return False
    return all(
        operand_magnitude(program, nodes) <= INT64_MAX
        for program, nodes in ((bt, bt_nodes), (g, g_nodes), (at, at_nodes))
    )


def safe_input_bits(programs: TransformPrograms, transform_bits: int = 32) -> int:
    """The largest B <= transform_bits such that signed B-bit d and g overflow nothing in the C
    functions (see ``fits_exports``); 0 when not even 1-bit data is safe."""
    low, high = 0, transform_bits  # fitting is monotone in the width: binary search
    while low < high:
        middle = (low + high + 1) // 2
        if fits_exports(programs, middle, transform_bits):
            low = middle
        else:
            high = middle - 1
    return low
