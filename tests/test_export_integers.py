"""Exact integer facts behind the generated code: bit growth, shift-and-add sums, safe input ranges."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfc_cli.export.content import dimensions
from sfc_cli.export.integers import (
    Term,
    exact_output_width,
    growth_bits,
    hex_double,
    linear_forms,
    row_norms,
    shift_terms,
    signed_width,
)

from .export_support import NAMED, algorithm

rows = st.lists(st.integers(-40, 40), min_size=1, max_size=6)
matrices = st.integers(1, 6).flatmap(
    lambda n: st.lists(st.lists(st.integers(-40, 40), min_size=n, max_size=n), min_size=1, max_size=5)
)


@settings(max_examples=200, deadline=None)
@given(matrices, st.integers(2, 24))
def test_growth_is_sufficient_for_every_width_and_exact_for_wide_inputs(matrix, in_width):
    exact = exact_output_width(matrix, in_width)
    assert exact <= in_width + growth_bits(matrix)
    if 1 << (in_width - 1) > max(row_norms(matrix)):
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


@given(st.lists(st.tuples(st.integers(0, 7), st.integers(-100, 100).filter(bool)), max_size=5))
def test_shift_terms_add_up_to_the_coefficients(pairs):
    terms = [Term(index, c) for index, c in pairs]
    total = [0] * 8
    for t in shift_terms(terms):
        total[t.index] += (-1 if t.negative else 1) << t.shift
    expected = [0] * 8
    for index, c in pairs:
        expected[index] += c
    assert total == expected


def test_linear_forms_and_widths():
    assert linear_forms([[0, 2, -1]]) == [[Term(1, 2), Term(2, -1)]]
    assert signed_width(-128, 127) == 8 and signed_width(-129, 0) == 9 and signed_width(0, 128) == 9
    assert hex_double(__import__("fractions").Fraction(1, 6)) == "0x1.5555555555555p-3"
