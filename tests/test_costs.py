"""Addition counts: flat matrices, the row-column form with the 2-D symbolic DFT's mixing step, programs."""

from __future__ import annotations

from fractions import Fraction

from sfc_cli.algebra.matrix import QMatrix
from sfc_cli.analysis.costs import addition_counts, transform_cost
from sfc_cli.families import sfc, winograd


def by_symbol(algorithm):
    return {c.symbol: c for c in addition_counts(algorithm)}


def test_flat_cost_counts_nonzeros_and_constants_of_the_numerators():
    cost = transform_cost(QMatrix([[1, -1, 0, 2], [0, 0, 1, 0], [1, 1, 1, "1/2"]]))
    # numerators over 2: [2, -2, 0, 4], [0, 0, 2, 0], [2, 2, 2, 1]
    assert (cost.additions, cost.constant_multiplications) == (2 + 0 + 3, 7)


def test_sfc6_counts():
    counts = by_symbol(sfc(6, 3))
    assert counts["BT"].flat.additions == 30 and counts["AT"].flat.additions == 32
    # BT (10x8, 30 adds) on 8 rows then 10 columns, plus 24 two-term mixes for the quadratic x quadratic blocks
    assert (counts["BT2"].row_column, counts["BT2"].mixing) == ((8 + 10) * 30 + 24, 24)
    assert (counts["AT2"].row_column, counts["AT2"].mixing) == ((10 + 6) * 32 + 24, 24)
    assert (counts["BT2"].flat.additions, counts["AT2"].flat.additions) == (1512, 1408)
    assert counts["BT2"].program < counts["BT2"].row_column < counts["BT2"].flat.additions
    assert counts["AT2"].program < counts["AT2"].row_column < counts["AT2"].flat.additions
    assert counts["BT2"].flat.constant_multiplications == 0


def test_winograd_row_column_is_plain_nesting():
    alg = winograd(4, 3)
    counts = by_symbol(alg)
    assert counts["BT2"].mixing == 0
    assert counts["BT2"].row_column == (6 + 6) * transform_cost(alg.one_d.BT).additions


def test_one_dimensional_algorithms_have_no_row_column_form():
    counts = addition_counts(sfc(6, 3, dims=1))
    assert [c.symbol for c in counts] == ["BT", "G", "AT"]
    assert all(c.row_column is None for c in counts)


def test_large_points_count_exactly():
    alg = winograd(2, 3, (Fraction(0), Fraction(1), Fraction(-1), Fraction(999_999, 7)))
    counts = by_symbol(alg)
    assert counts["BT2"].row_column is not None  # exact integer arithmetic, no floating-point screening
    assert counts["BT2"].row_column == (4 + 4) * transform_cost(alg.one_d.BT).additions
