"""Operation counts: flat matrices, and the row-column form with the 2-D symbolic DFT's mixing step."""

from __future__ import annotations

from fractions import Fraction

import pytest

from sfc_cli.algebra.matrix import QMatrix
from sfc_cli.analysis.costs import nested_combinations, row_column_cost, transform_cost
from sfc_cli.families import sfc, winograd


def test_flat_cost_counts_nonzeros_and_constants():
    cost = transform_cost(QMatrix([[1, -1, 0, 2], [0, 0, 1, 0], [1, 1, 1, "1/2"]]))
    assert (cost.additions, cost.constant_multiplications) == (2 + 0 + 3, 2)


@pytest.mark.parametrize(("tile", "kernel"), [(4, 3), (6, 3), (7, 3), (6, 5)])
def test_every_2d_sfc_row_is_at_most_two_nested_rows(tile, kernel):
    alg = sfc(tile, kernel)
    for two, one in ((alg.two_d.BT, alg.one_d.BT), (alg.two_d.AT.T, alg.one_d.AT.T)):
        nested = one.kron(one)
        combinations = nested_combinations(two, one)
        assert combinations is not None
        for row, combination in zip(two.rows, combinations, strict=True):
            assert 1 <= len(combination) <= 2
            rebuilt = [
                sum((c * nested.rows[i][j] for i, c in combination.items()), Fraction(0)) for j in range(len(row))
            ]
            assert tuple(rebuilt) == row


def test_sfc6_row_column_counts():
    alg = sfc(6, 3)
    cost = row_column_cost(alg)
    # BT (10x8, 30 adds) on 8 columns then 10 rows, plus 24 two-term mixes for the quadratic x quadratic blocks
    assert transform_cost(alg.one_d.BT).additions == 30
    assert cost.input_transform.additions == (8 + 10) * 30 + 24
    assert cost.output_transform.additions == (10 + 6) * 32 + 16
    assert cost.input_transform.constant_multiplications == 0
    assert cost.input_transform.additions < transform_cost(alg.two_d.BT).additions


def test_winograd_row_column_is_plain_nesting():
    alg = winograd(4, 3)
    cost = row_column_cost(alg)
    assert cost.mixing_additions == 0
    assert cost.input_transform == type(cost.input_transform)(
        (6 + 6) * transform_cost(alg.one_d.BT).additions,
        (6 + 6) * transform_cost(alg.one_d.BT).constant_multiplications,
    )


def test_one_dimensional_algorithms_have_no_row_column_form():
    assert row_column_cost(sfc(6, 3, dims=1)) is None


def test_huge_points_have_no_row_column_form_but_still_derive():
    alg = winograd(2, 3, (Fraction(0), Fraction(1), Fraction(-1), Fraction(10) ** 400))
    assert row_column_cost(alg) is None
