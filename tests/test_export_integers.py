"""Exact integer facts behind the generated code: bit growth, widths, safe input ranges."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfc_cli.errors import InputError
from sfc_cli.export.content import ExportRequest, dimensions
from sfc_cli.export.integers import (
    decimal_double,
    fits_exports,
    growth_bits,
    safe_input_bits,
    signed_width,
    transform_intervals,
)
from sfc_cli.export.render import render
from sfc_cli.request import AlgorithmRequest, build_algorithm

from .export_support import NAMED, algorithm, exact_output_width

rows = st.lists(st.integers(-40, 40), min_size=1, max_size=6)
matrices = st.integers(1, 6).flatmap(
    lambda n: st.lists(st.lists(st.integers(-40, 40), min_size=n, max_size=n), min_size=1, max_size=5)
)


@settings(max_examples=200, deadline=None)
@given(matrices, st.integers(2, 24))
def test_growth_is_sufficient_for_every_width_and_exact_for_wide_inputs(matrix, in_width):
    exact = exact_output_width(matrix, in_width)
    assert exact <= in_width + growth_bits(matrix)
    if 1 << (in_width - 1) > max(sum(abs(c) for c in row) for row in matrix):
        assert exact == max(in_width, in_width + growth_bits(matrix)) or not any(any(row) for row in matrix)


def test_growth_examples():
    assert growth_bits([[-1]]) == 1  # -(-128) = 128 needs 9 bits
    assert growth_bits([[1]]) == 0
    assert growth_bits([[1, 1]]) == 1 and growth_bits([[-1, -1]]) == 2
    assert growth_bits([[1, -1, 1]]) == 2 and growth_bits([[4, -5]]) == 4
    assert exact_output_width([[-1]], 8) == 9 and exact_output_width([[1, 1]], 8) == 9


@pytest.mark.parametrize("name", NAMED)
def test_verilog_widths_are_the_exact_minimum_at_the_default_widths(name):
    for part in dimensions(algorithm(name)):
        for matrix, width in ((part.BT.numerators, 8), (part.AT.numerators, 32)):
            assert exact_output_width(matrix, width) == width + growth_bits(matrix)


def test_widths_and_doubles():
    assert signed_width(-128, 127) == 8 and signed_width(-129, 0) == 9 and signed_width(0, 128) == 9
    assert decimal_double(Fraction(1, 6)) == "0.16666666666666666"
    assert decimal_double(Fraction(2)) == "2.0" and decimal_double(Fraction(-1, 3)) == "-0.33333333333333331"


@given(st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**9))
def test_decimal_literals_round_trip_bit_for_bit(value):
    assert float(decimal_double(value)) == float(value)


@pytest.mark.parametrize("name", NAMED)
def test_safe_bits_are_the_largest_width_that_overflows_nothing(name):
    """At SAFE_BITS every node, shifted operand and product of the C functions fits int64 and every v fits
    int32 (exact intervals); one bit more breaks one of them, unless d is already 32 bits."""
    for part in dimensions(algorithm(name)):
        bits = safe_input_bits(part.programs)
        assert 1 <= bits <= 32
        assert fits_exports(part.programs, bits)
        assert bits == 32 or not fits_exports(part.programs, bits + 1)
        _, _, at_nodes = transform_intervals(part.programs, bits)
        assert max(max(-lo, hi) for lo, hi in at_nodes) <= 2**63 - 1


def test_no_safe_width_is_reported_as_zero_and_refused():
    big = build_algorithm(AlgorithmRequest("winograd", 18, 3, dims=1))  # F(11x11,3x3) in 2-D is alike, slower
    assert safe_input_bits(big.programs(1)) == 0
    with pytest.raises(InputError, match="20-product 1-D transforms overflow 64 bits even for 1-bit data"):
        render(big, ExportRequest("c", "w"))
