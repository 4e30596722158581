"""Winograd / Cook-Toom: wincnn's matrices, Kronecker 2-D, fractional points, fractions placement."""

from __future__ import annotations

from fractions import Fraction

import pytest

from sfc_cli.algebra.matrix import QMatrix
from sfc_cli.algebra.verify import satisfies_identity
from sfc_cli.errors import InputError
from sfc_cli.families import winograd
from sfc_cli.families.winograd import default_points

P = Fraction


def test_f2_3_matches_wincnn():
    alg = winograd(2, 3, (P(0), P(1), P(-1), None), dims=1)
    assert QMatrix([[1, 1, 1, 0], [0, 1, -1, 1]]) == alg.one_d.AT
    assert QMatrix([[1, 0, 0], ["1/2", "1/2", "1/2"], ["1/2", "-1/2", "1/2"], [0, 0, 1]]) == alg.one_d.G
    assert QMatrix([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, -1, 0, 1]]) == alg.one_d.BT


def test_f4_3_matches_wincnn():
    alg = winograd(4, 3, (P(0), P(1), P(-1), P(2), P(-2), None), dims=1)
    assert QMatrix([[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]) == alg.one_d.AT
    assert (
        QMatrix(
            [
                ["1/4", 0, 0],
                ["-1/6", "-1/6", "-1/6"],
                ["-1/6", "1/6", "-1/6"],
                ["1/24", "1/12", "1/6"],
                ["1/24", "-1/12", "1/6"],
                [0, 0, 1],
            ]
        )
        == alg.one_d.G
    )
    assert (
        QMatrix(
            [
                [4, 0, -5, 0, 1, 0],
                [0, -4, -4, 1, 1, 0],
                [0, 4, -4, -1, 1, 0],
                [0, -2, -1, 2, 1, 0],
                [0, 2, -1, -2, 1, 0],
                [0, 4, 0, -5, 0, 1],
            ]
        )
        == alg.one_d.BT
    )


def test_default_points_are_the_documented_table():
    assert default_points(2, 3) == (P(0), P(1), P(-1), None)
    assert default_points(4, 3) == (P(0), P(1), P(-1), P(2), P(-2), None)
    assert default_points(6, 3) == (P(0), P(1), P(-1), P(2), P(-2), P(1, 2), P(-1, 2), None)


@pytest.mark.parametrize(("tile", "kernel"), [(2, 3), (3, 3), (4, 3), (6, 3), (2, 5), (2, 7)])
def test_2d_is_the_kronecker_square(tile, kernel):
    alg = winograd(tile, kernel)
    one = alg.one_d
    assert alg.two_d == one.kron(one)
    assert alg.two_d.products == one.products**2
    assert satisfies_identity(alg.two_d, tile, kernel, 2)


def test_fractional_points_keep_at_and_bt_integer():
    alg = winograd(6, 3, dims=1)  # 0, +-1, +-2, +-1/2, inf
    assert alg.one_d.AT.is_integer() and alg.one_d.BT.is_integer()
    assert not alg.one_d.G.is_integer()
    # the column of AT for 1/2 is (2^5, 2^4 * 1, ...) = powers cleared of denominators
    assert alg.one_d.AT.column(5) == tuple(P(x) for x in (32, 16, 8, 4, 2, 1))


@pytest.mark.parametrize(("fractions_in", "holder"), [("G", "G"), ("A", "AT"), ("B", "BT")])
def test_fractions_go_where_asked(fractions_in, holder):
    alg = winograd(4, 3, dims=2, fractions_in=fractions_in)
    for name in ("AT", "G", "BT"):
        assert getattr(alg.one_d, name).is_integer() == (name != holder)
    assert satisfies_identity(alg.one_d, 4, 3, 1)


def test_points_without_infinity():
    alg = winograd(2, 3, (P(0), P(1), P(-1), P(2)))
    assert alg.one_d.products == 4
    assert satisfies_identity(alg.two_d, 2, 3, 2)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ((P(0), P(1), None), "needs 4 points"),
        ((P(0), P(1), P(-1), P(2), None), "needs 4 points"),
        ((P(0), P(1), P(1), None), "distinct"),
        ((P(0), P(1), None, None), "infinity"),
    ],
)
def test_bad_points(points, message):
    with pytest.raises(InputError, match=message):
        winograd(2, 3, points)
