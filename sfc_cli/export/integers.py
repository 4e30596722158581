"""Exact integer forms of the transforms, for code generators (C and Verilog).

Every matrix M is exported as integer numerators over one denominator: ``M = numerators / denominator``.
A row of numerators is a *linear form*: output i = sum over j of c_j * x_j. Widths are two's-complement
signed widths: w bits hold [-2**(w-1), 2**(w-1) - 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..algebra.matrix import QMatrix

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


def hex_double(value: Fraction) -> str:
    """The exact value rounded to the nearest double, as a C99 hexadecimal literal (``float.hex``)."""
    return float(value).hex()


@dataclass(frozen=True)
class Term:
    """``coefficient * x[index]`` in a linear form."""

    index: int
    coefficient: int

    @property
    def negative(self) -> bool:
        return self.coefficient < 0

    @property
    def magnitude(self) -> int:
        return abs(self.coefficient)


@dataclass(frozen=True)
class ShiftTerm:
    """``+-(x[index] << shift)``: one power-of-two part of a constant multiplication."""

    index: int
    shift: int
    negative: bool


def linear_forms(numerators: Numerators) -> list[list[Term]]:
    """Row i as the nonzero terms of output i, in column order."""
    return [[Term(j, c) for j, c in enumerate(row) if c] for row in numerators]


def shift_terms(terms: Sequence[Term]) -> list[ShiftTerm]:
    """Constant multiplications as additions of shifted inputs: 5 x = (x << 2) + x."""
    out = []
    for term in terms:
        bits = term.magnitude
        out.extend(
            ShiftTerm(term.index, shift, term.negative)
            for shift in reversed(range(bits.bit_length()))
            if bits >> shift & 1
        )
    return out


def signed_width(low: int, high: int) -> int:
    """The fewest two's-complement bits that hold every integer in [low, high]."""
    width = 1
    while low < -(1 << (width - 1)) or high > (1 << (width - 1)) - 1:
        width += 1
    return width


def row_range(row: Sequence[int], in_width: int) -> tuple[int, int]:
    """Exact [min, max] of sum c_j x_j over signed in_width-bit inputs x_j (attained: each x_j is lo or hi)."""
    lo, hi = -(1 << (in_width - 1)), (1 << (in_width - 1)) - 1
    return sum(min(c * lo, c * hi) for c in row), sum(max(c * lo, c * hi) for c in row)


def exact_output_width(numerators: Numerators, in_width: int) -> int:
    """The minimal signed width that holds every output for every signed in_width-bit input."""
    ranges = [row_range(row, in_width) for row in numerators]
    return signed_width(min(low for low, _ in ranges), max(high for _, high in ranges))


def growth_bits(numerators: Numerators) -> int:
    """GROWTH such that IN_W + GROWTH bits hold every output, for every input width IN_W.

    Per row with L1 norm L (P = sum of positive coefficients): the outputs lie in
    [-(L * 2**(IN_W-1)), L * 2**(IN_W-1) - P]. So ceil(log2 L) extra bits suffice, plus one more
    only when P = 0 and L is a power of two (e.g. the row -x: -(-2**(IN_W-1)) needs IN_W + 1 bits).
    This equals ``exact_output_width(numerators, IN_W) - IN_W`` once 2**(IN_W-1) exceeds every L1 norm.
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


def row_norms(numerators: Numerators) -> list[int]:
    """The L1 norm of every row: the largest factor by which that output can exceed the inputs."""
    return [sum(abs(c) for c in row) for row in numerators]


def safe_input_bits(bt: Numerators, g: Numerators, at: Numerators, transform_bits: int = 32) -> int:
    """The largest B such that signed B-bit d and g overflow nothing in the C functions.

    With |d|, |g| <= M = 2**(B-1): |v_t| <= |BT_t|_1 M must fit transform_bits (int32_t), and
    |u_t| <= |G_t|_1 M, |prod_t| <= |BT_t|_1 |G_t|_1 M**2 and every partial sum of
    y_i = sum_t AT[i,t] prod_t (at most sum_t |AT[i,t]| |prod_t|) must fit int64_t.
    """
    bt_norms, g_norms = row_norms(bt), row_norms(g)
    product_bounds = [b * c for b, c in zip(bt_norms, g_norms, strict=True)]
    output_bound = max(sum(abs(a) * p for a, p in zip(row, product_bounds, strict=True)) for row in at)
    int64_max = (1 << 63) - 1
    bits = 1
    while True:
        magnitude = 1 << bits  # M for B = bits + 1
        fits = (
            max(bt_norms) * magnitude < 1 << (transform_bits - 1)
            and max(g_norms) * magnitude <= int64_max
            and output_bound * magnitude * magnitude <= int64_max
        )
        if not fits or bits + 1 > transform_bits:
            return bits
        bits += 1
