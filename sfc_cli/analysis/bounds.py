"""Rigorous worst-case error of tap-wise b-bit quantization, in exact rational arithmetic.

Model (docs/error-model.md, with the proof): inputs d and weights g are real in [-1, 1]; every
transform-domain value V_t = (BT d)_t and U_t = (G g)_t is quantized to a b-bit signed integer with
its own scale, set by the largest magnitude that position can take over the input box (the L1 norm
of the row: beta_t for BT, gamma_t for G), rounding to nearest; products and AT are exact. Then

    max_i |Yq_i - Y_i| <= max_i sum_t |AT[i,t]| * beta_t * gamma_t / Q,    Q = 2**(b-1) - 1.

Direct convolution with b-bit inputs and weights is the same model applied to ``direct_transforms``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

import numpy as np

from ..algebra.bilinear import Transforms
from ..algebra.matrix import QMatrix
from ..algebra.verify import correlation_target
from .direct import direct_transforms


@dataclass(frozen=True)
class Bound:
    """Exact worst-case bounds for one bit width: absolute, and relative to direct convolution."""

    bits: int
    absolute: Fraction
    direct: Fraction

    @property
    def relative(self) -> Fraction:
        return self.absolute / self.direct


def levels(bits: int) -> int:
    """Q = 2**(b-1) - 1: a b-bit signed integer takes the values -Q..Q (symmetric quantization)."""
    return 2 ** (bits - 1) - 1


def row_l1(matrix: QMatrix) -> list[Fraction]:
    """Largest |(M x)_t| over x in [-1, 1]^q, for every row t: the L1 norm of the row (exact)."""
    return [sum((abs(x) for x in row if x), Fraction(0)) for row in matrix.rows]


def _integer_rows(matrix: QMatrix) -> tuple[list[list[int]], int]:
    """|numerators| over the common denominator, and that denominator."""
    denominator = matrix.common_denominator()
    return [[abs(x) for x in row] for row in matrix.numerators(denominator)], denominator


def amplification(transforms: Transforms) -> Fraction:
    """max_i sum_t |AT[i,t]| beta_t gamma_t: the bound in units of 1/Q (invariant under rescaling products).

    beta_t and gamma_t are the row L1 norms of BT and G (``row_l1``); computed on integer numerators over
    each matrix's common denominator, then divided once (exact, and far fewer Fraction operations)."""
    (at, at_den), (bt, bt_den), (g, g_den) = (_integer_rows(m) for m in (transforms.AT, transforms.BT, transforms.G))
    weights = [sum(b) * sum(c) for b, c in zip(bt, g, strict=True)]
    largest = max(sum(a * w for a, w in zip(row, weights, strict=True) if a) for row in at)
    return Fraction(largest, at_den * bt_den * g_den)


def worst_case_bounds(
    transforms: Transforms, tile: int, kernel: int, dims: int, bits: Sequence[int]
) -> dict[int, Bound]:
    """The proved bound on max |Yq - Y| for each bit width of tap-wise quantization, and direct's."""
    fast, direct = amplification(transforms), direct_amplification(tile, kernel, dims)
    return {b: Bound(b, fast / levels(b), direct / levels(b)) for b in bits}


@cache
def direct_amplification(tile: int, kernel: int, dims: int) -> Fraction:
    """``amplification`` of direct convolution (cached: reports and searches ask once per shape)."""
    return amplification(direct_transforms(tile, kernel, dims))


def kronecker_square_bounds(one_d: Transforms, tile: int, kernel: int, bits: Sequence[int]) -> dict[int, Bound]:
    """``worst_case_bounds`` of the 2-D algorithm ``one_d (x) one_d`` from the 1-D matrices alone.

    Row L1 norms of a Kronecker product are products of row L1 norms, and the largest sum of a
    product of nonnegative sums is the product of the largest sums: the amplification of a Kronecker
    square is the square of the 1-D amplification (and so for direct convolution)."""
    fast, direct = amplification(one_d) ** 2, direct_amplification(tile, kernel, 1) ** 2
    return {b: Bound(b, fast / levels(b), direct / levels(b)) for b in bits}


def input_reads(tile: int, kernel: int, dims: int) -> np.ndarray:
    """Index array (outputs x taps): output i reads input ``reads[i, k]`` for tap k (flattened tiles)."""
    target = correlation_target(tile, kernel, dims)
    return target.reshape(tile**dims, kernel**dims, -1).argmax(axis=2)


def exact_matmul(x: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """x @ matrix.T for integer arrays, exactly: int64 when no sum can overflow, Python integers otherwise."""
    largest = int(np.abs(x).max(initial=0)) * int(np.abs(matrix).max(initial=0)) * max(1, matrix.shape[1])
    dtype = np.int64 if largest < 2**62 else object
    return x.astype(dtype) @ matrix.astype(dtype).T


@dataclass(frozen=True)
class ExactQuantizer:
    """Exact tap-wise quantized evaluation of one algorithm, for inputs on a grid of step 1/denominator.

    ``errors(d, g)`` takes integer arrays (batch x n**dims and batch x r**dims, entries in
    [-denominator, denominator]) and returns the exact max_i |Yq_i - Y_i| per batch element as
    Fractions: every step (transform, rounding, product, AT) is done in integer arithmetic.
    """

    transforms: Transforms
    tile: int
    kernel: int
    dims: int
    bits: int
    denominator: int

    def quantized(self, matrix: QMatrix, x: np.ndarray) -> np.ndarray:
        """The b-bit integers round((M x)_t / s_t), s_t = L1_t / Q, halves rounded up (exact).

        In int64 when ``2 Q (M x)_t + denominator L1_t`` cannot overflow it, in Python integers otherwise
        (fine grids, or large entries)."""
        numerators = np.array(matrix.numerators(matrix.common_denominator()), dtype=object)
        l1 = np.abs(numerators).sum(axis=1)
        largest_l1 = int(l1.max(initial=0))
        # |(M x)_t| <= max|x| L1_t, so the sum below is at most (2 Q max|x| + denominator) max L1_t
        bound = (2 * levels(self.bits) * int(np.abs(x).max(initial=0)) + self.denominator) * largest_l1
        dtype = np.int64 if bound < 2**62 else object
        top = levels(self.bits) * (x.astype(dtype) @ numerators.astype(dtype).T)  # Q (M x)_t, in 1/(scale*den)
        below = (self.denominator * l1).astype(dtype)  # L1_t, in the same units
        return (2 * top + below) // (2 * below)

    def errors(self, d: np.ndarray, g: np.ndarray) -> list[Fraction]:
        t = self.transforms
        steps = [b * c / levels(self.bits) ** 2 for b, c in zip(row_l1(t.BT), row_l1(t.G), strict=True)]
        weights = t.AT.scale_columns(steps)  # Yq = weights @ (k * j) with k, j the quantized integers
        common = weights.common_denominator()
        scale = common * self.denominator**2
        products = self.quantized(t.BT, d).astype(object) * self.quantized(t.G, g).astype(object)
        weighted = exact_matmul(products, np.array(weights.numerators(common), dtype=object))
        quantized = weighted.astype(object) * self.denominator**2  # Python integers: the square passes int64
        exact = (
            d.astype(object)[:, input_reads(self.tile, self.kernel, self.dims)] * g.astype(object)[:, None, :]
        ).sum(axis=2)
        difference = quantized - exact * common  # in units of 1 / scale
        return [Fraction(int(max(abs(x) for x in row)), scale) for row in difference]
