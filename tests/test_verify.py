"""Exact verification: the int64 path and the modular path agree with the definition, on every input form."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from sfc_cli.algebra import verify
from sfc_cli.algebra.bilinear import Bilinear, Transforms
from sfc_cli.algebra.matrix import QMatrix
from sfc_cli.algebra.verify import _SparseIntegers, correlation_target, satisfies_identity
from sfc_cli.families import sfc, winograd


def corrupted(transforms: Transforms, row: int, column: int) -> Transforms:
    """BT with one entry off by one."""
    rows = [list(r) for r in transforms.BT.rows]
    rows[row][column] += 1
    return Transforms(transforms.AT, transforms.G, QMatrix(rows))


def test_sparse_integers_equal_the_numerators_whatever_objects_the_zeros_are():
    # QMatrix(...) builds a fresh Fraction(0) per zero, so the identity shortcut never applies here
    matrix = QMatrix([[0, Fraction(1, 6), 0], [Fraction(-2, 3), 0, 5], [0, 0, 0]])
    sparse = _SparseIntegers.of(matrix)
    assert (sparse.denominator, sparse.peak, sparse.columns) == (6, 30, 3)
    assert sparse.positions == [[1], [0, 2], []]
    assert sparse.values == [[1], [-4, 30], []]
    assert sparse.residues(7).tolist() == [[0, 1, 0], [3, 0, 2], [0, 0, 0]]


@pytest.mark.parametrize("slab", [1, 7, verify.SLAB])
def test_the_modular_check_decides_in_slabs_of_any_size(monkeypatch, slab):
    """F(4x4,3x3) in 2-D with product 0 scaled by 2**70 in BT and 2**-70 in G: beyond int64, so decided
    modulo primes, the taps in slabs of every size; exact, and a corrupted entry is rejected."""
    monkeypatch.setattr(verify, "SLAB", slab)
    two = winograd(4, 3).two_d
    factors = [Fraction(2**70) if t == 0 else Fraction(1) for t in range(two.products)]
    scaled = two.scale_products([Fraction(1)] * two.products, factors)
    assert satisfies_identity(scaled, 4, 3, 2)
    assert not satisfies_identity(corrupted(scaled, 5, 7), 4, 3, 2)


@pytest.mark.parametrize("algorithm", [sfc(6, 3), sfc(4, 3, fractions_in="B"), winograd(4, 3, fractions_in="A")])
def test_the_int64_check_accepts_the_algorithms_and_rejects_any_corruption(algorithm):
    two = algorithm.two_d
    assert satisfies_identity(two, algorithm.tile, algorithm.kernel, 2)
    rng = np.random.default_rng(0)
    for _ in range(3):
        row, column = (int(rng.integers(n)) for n in two.BT.shape)
        assert not satisfies_identity(corrupted(two, row, column), algorithm.tile, algorithm.kernel, 2)


def test_both_paths_agree_on_the_same_tensor():
    """The int64 accumulation and the residues (forced with a bound beyond int64) on one algorithm."""
    algorithm = sfc(4, 3)
    one = algorithm.one_d
    as_bilinear = Bilinear(one.AT.T, one.G, one.BT.T)
    a, g, out = (_SparseIntegers.of(m) for m in (as_bilinear.a_map, as_bilinear.g_map, as_bilinear.out_map.T))
    shape = (as_bilinear.a_map.ncols, as_bilinear.g_map.ncols, as_bilinear.out_map.nrows)
    target = correlation_target(4, 3, 1)
    scale = a.denominator * g.denominator * out.denominator
    assert verify._computes_in_int64(a, g, out, shape, target * scale)
    assert all(verify._computes_modulo(a, g, out, shape, target, scale, p) for p in (101, 8191, 131071))
    wrong = target.copy()
    wrong[0, 0, 0] = 0
    assert not verify._computes_in_int64(a, g, out, shape, wrong * scale)
    assert not verify._computes_modulo(a, g, out, shape, wrong, scale, 8191)
