"""The exact algebra: matrices, cyclotomic arithmetic, CRT blocks and cyclic convolution."""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import prod

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfc_cli.algebra.bilinear import Bilinear, Transforms
from sfc_cli.algebra.crt import Infinity, Point, Zero, convolution_1d
from sfc_cli.algebra.cyclic import Cyclic, cyclic_multiplication, cyclic_products, field_multiplication, field_recipe
from sfc_cli.algebra.matrix import QMatrix, primitive_scale
from sfc_cli.algebra.points import standard_points
from sfc_cli.algebra.polynomial import cyclotomic, power_coordinates, ramanujan_sum, totient
from sfc_cli.algebra.verify import _moduli, computes, satisfies_identity
from sfc_cli.families import winograd


def test_inverse_and_kron_are_exact():
    m = QMatrix([[2, 1], [7, 4]])
    assert m.inverse() == QMatrix([[4, -1], [-7, 2]])
    assert m @ m.inverse() == QMatrix.identity(2)
    h = QMatrix([["1/2", 0], [0, 3]])
    assert m.kron(h) == QMatrix([[1, 0, "1/2", 0], [0, 6, 0, 3], ["7/2", 0, 2, 0], [0, 21, 0, 12]])
    with pytest.raises(ValueError, match="singular"):
        QMatrix([[1, 2], [2, 4]]).inverse()


def test_primitive_scale():
    assert primitive_scale([Fraction(1, 6), Fraction(-1, 3)]) == 6
    assert primitive_scale([Fraction(4), Fraction(6)]) == Fraction(1, 2)


def test_cyclotomic_polynomials():
    assert cyclotomic(1) == (-1, 1)
    assert cyclotomic(3) == (1, 1, 1)
    assert cyclotomic(6) == (1, -1, 1)
    assert cyclotomic(8) == (1, 0, 0, 0, 1)
    assert cyclotomic(12) == (1, 0, -1, 0, 1)
    assert [len(cyclotomic(d)) - 1 for d in range(1, 13)] == [totient(d) for d in range(1, 13)]


def test_ramanujan_sums_are_the_dft_idempotent_patterns():
    # 2cos(2 pi j / 3) and 2cos(2 pi j / 6): the rational patterns of the Phi_3 and Phi_6 components.
    assert [ramanujan_sum(3, j) for j in range(6)] == [2, -1, -1, 2, -1, -1]
    assert [ramanujan_sum(6, j) for j in range(6)] == [2, 1, -1, -2, -1, 1]


def test_powers_mod_cyclotomic_stay_in_minus_one_zero_one():
    for d in (1, 2, 3, 4, 6):
        assert all(set(power_coordinates(e, d)) <= {-1, 0, 1} for e in range(d))


def test_standard_points_table():
    assert [str(p) for p in standard_points(11)] == ["0", "1", "-1", "2", "-2", "1/2", "-1/2", "3", "-3", "1/3", "-1/3"]


def _is_multiplication(algorithm: Bilinear, table) -> bool:
    """The algorithm's tensor equals table(i, j, k) for all coordinates (checked exactly)."""
    shape = (algorithm.a_map.ncols, algorithm.g_map.ncols, algorithm.out_map.nrows)
    target = np.array([table(i, j, k) for i, j, k in itertools.product(*map(range, shape))]).reshape(shape)
    return computes(algorithm, target)


@pytest.mark.parametrize("d", [3, 4, 5, 6, 8, 12])
def test_field_multiplication_is_multiplication_mod_phi(d):
    algorithm = field_multiplication(field_recipe(d))
    size = totient(d)
    assert algorithm.products == 2 * size - 1
    structure = {(i, j): power_coordinates(i + j, d) for i in range(size) for j in range(size)}
    assert _is_multiplication(algorithm, lambda i, j, k: structure[i, j][k])


@pytest.mark.parametrize("d", [3, 4, 6])
def test_quadratic_fields_need_only_plus_minus_one_in_the_transforms(d):
    algorithm = field_multiplication(field_recipe(d))
    assert algorithm.products == 3
    # the input side of each product reads the residues of 1, z, ..., z^(d-1) with coefficients in {0, +-1}
    powers = QMatrix.from_columns([power_coordinates(e, d) for e in range(d)], 2)
    assert set((algorithm.a_map @ powers).rows[0] + (algorithm.a_map @ powers).rows[1]) <= {-1, 0, 1}


@pytest.mark.parametrize("size", range(2, 9))
def test_cyclic_convolution_1d(size):
    algorithm = cyclic_multiplication(size, 1)
    assert algorithm.products == cyclic_products(size, 1)
    assert _is_multiplication(algorithm, lambda i, j, k: int((i + j) % size == k))


@pytest.mark.parametrize("size", [2, 3, 4, 6])
def test_cyclic_convolution_2d(size):
    algorithm = cyclic_multiplication(size, 2)
    assert algorithm.products == cyclic_products(size, 2)

    def table(i, j, k):
        (i1, i2), (j1, j2), (k1, k2) = divmod(i, size), divmod(j, size), divmod(k, size)
        return int((i1 + j1) % size == k1 and (i2 + j2) % size == k2)

    assert _is_multiplication(algorithm, table)


def test_2d_dft_product_counts():
    # docs/design.md section 4: N = 6 gives 4 real points and 16 conjugate pairs, 52 products (not 64).
    assert cyclic_products(6, 2) == 52
    assert cyclic_products(4, 2) == 22
    assert cyclic_products(6, 1) == 8
    assert cyclic_products(4, 1) == 5


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(1, 5),
    r=st.integers(1, 5),
    data=st.data(),
)
def test_crt_over_mixed_moduli_is_linear_convolution(m, r, data):
    """Any coprime set of moduli whose degrees add up to n gives a convolution algorithm."""
    n = m + r - 1
    size = data.draw(st.integers(0, n))
    left = data.draw(st.integers(0, n - size))
    rest = n - size - left
    # coprime: no point may be a root of x^left or of x^size - 1
    taken = ({Fraction(0)} if left else set()) | (
        {Fraction(1), Fraction(-1) if size % 2 == 0 else Fraction(1)} if size else set()
    )
    rationals = st.fractions(min_value=-3, max_value=3, max_denominator=3).filter(lambda p: p not in taken)
    points = data.draw(st.lists(rationals, unique=True, min_size=rest, max_size=rest))
    candidate = [Zero(left), Cyclic(size), *(Point(p) for p in points)]
    blocks = [b for b in candidate if b.degree]
    algorithm = convolution_1d(blocks, m, r)
    assert _is_multiplication(algorithm, lambda i, j, k: int(i + j == k))


def test_infinity_block_gives_top_coefficients():
    algorithm = convolution_1d([Point(Fraction(0)), Point(Fraction(1)), Infinity(1)], 2, 2)
    assert _is_multiplication(algorithm, lambda i, j, k: int(i + j == k))


def test_identity_with_entries_beyond_int64_is_decided_modulo_primes():
    """Scaling product 0 by 2**70 in BT and 2**-70 in G keeps the algorithm exact but puts the bound far
    beyond int64: the check goes through residues, accepts it, and still rejects a corrupted entry."""
    alg = winograd(2, 3, dims=1)
    factors = [Fraction(2**70) if t == 0 else Fraction(1) for t in range(alg.one_d.products)]
    scaled = alg.one_d.scale_products([Fraction(1)] * alg.one_d.products, factors)
    assert scaled.BT.max_abs() == 2**70
    assert satisfies_identity(scaled, 2, 3, 1)
    rows = [list(r) for r in scaled.BT.rows]
    rows[0][0] += 1
    assert not satisfies_identity(Transforms(scaled.AT, scaled.G, QMatrix(rows)), 2, 3, 1)


def test_moduli_cover_twice_the_bound_and_keep_float_sums_exact():
    for products, bound in ((16, 10**30), (4621, 2**200), (1, 5)):
        moduli = _moduli(products, bound)
        assert len(set(moduli)) == len(moduli) and prod(moduli) > 2 * bound
        assert all(products * (p - 1) ** 2 < 2**53 for p in moduli)
