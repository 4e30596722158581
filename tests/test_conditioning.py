"""Condition numbers: 30-digit agreement with a plain mpmath SVD, the Kronecker shortcut, the scalings."""

from __future__ import annotations

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfc_cli.algebra.verify import satisfies_identity
from sfc_cli.analysis.conditioning import (
    condition_number,
    conditions_by_scaling,
    conditions_by_scaling_2d,
    unit_max_rows,
)
from sfc_cli.analysis.direct import direct_transforms
from sfc_cli.families import sfc, winograd


def plain_svd_condition(matrix) -> mpmath.mpf:
    with mpmath.workdps(50):
        a = mpmath.matrix([[mpmath.mpf(x.numerator) / x.denominator for x in row] for row in matrix.rows])
        s = mpmath.svd_r(a, compute_uv=False)
        return max(s) / min(s)


@pytest.mark.parametrize(
    "algorithm", [winograd(6, 3, dims=1), winograd(2, 7, dims=1), sfc(6, 3, dims=1), sfc(6, 5, dims=1)]
)
def test_thirty_digits_agree_with_a_direct_svd(algorithm):
    for matrix in (algorithm.one_d.AT, algorithm.one_d.G, algorithm.one_d.BT):
        ours, reference = condition_number(matrix), plain_svd_condition(matrix)
        with mpmath.workdps(50):
            assert abs(ours / reference - 1) < mpmath.mpf(10) ** -29


def test_known_values():
    """F(2,3): AT = [[1,1,1,0],[0,1,-1,1]] has orthogonal rows of norms sqrt 3: cond 1; BT is 1 + sqrt 2."""
    f23 = conditions_by_scaling(winograd(2, 3, dims=1).one_d)["as_derived"]
    with mpmath.workdps(30):
        assert f23.AT == 1 and abs(f23.BT - (1 + mpmath.sqrt(2))) < mpmath.mpf(10) ** -28
        assert f23.G == 2


def test_direct_convolution_is_perfectly_conditioned():
    figures = conditions_by_scaling(direct_transforms(1, 3, 2))
    assert all(c.AT == c.G == c.BT == 1 for c in figures.values())


@pytest.mark.parametrize("algorithm", [winograd(4, 3), winograd(2, 5), winograd(6, 3)], ids=lambda a: a.name)
def test_kronecker_shortcut_equals_direct_computation(algorithm):
    shortcut = conditions_by_scaling_2d(algorithm.one_d, algorithm.two_d)
    computed = conditions_by_scaling(algorithm.two_d)
    for scaling in shortcut:
        for name in ("AT", "G", "BT"):
            with mpmath.workdps(30):
                ratio = getattr(shortcut[scaling], name) / getattr(computed[scaling], name)
                assert abs(ratio - 1) < mpmath.mpf(10) ** -25


def test_sfc_2d_is_not_a_kronecker_square_and_is_computed_directly():
    algorithm = sfc(6, 3)
    assert algorithm.two_d != algorithm.one_d.kron(algorithm.one_d)
    two = conditions_by_scaling_2d(algorithm.one_d, algorithm.two_d)["as_derived"]
    with mpmath.workdps(30):
        assert abs(two.BT - plain_svd_condition(algorithm.two_d.BT)) < mpmath.mpf(10) ** -25


@settings(max_examples=20, deadline=None)
@given(st.sampled_from([(2, 3), (4, 3), (6, 3), (3, 3), (2, 5), (7, 3)]), st.sampled_from(["sfc", "winograd"]))
def test_unit_max_scaling_keeps_the_algorithm_and_normalizes_rows(case, family):
    tile, kernel = case
    algorithm = (sfc if family == "sfc" else winograd)(tile, kernel, dims=1)
    scaled = unit_max_rows(algorithm.one_d)
    assert satisfies_identity(scaled, tile, kernel, 1)
    assert all(max(abs(x) for x in row) == 1 for row in scaled.BT.rows + scaled.G.rows)
    figures = conditions_by_scaling(algorithm.one_d)
    assert all(value >= 1 for c in figures.values() for value in (c.AT, c.G, c.BT))
