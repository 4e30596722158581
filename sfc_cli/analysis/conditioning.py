"""2-norm condition numbers of the exact transform matrices, in mpmath at 30 significant digits.

The condition number of a p x q matrix is sigma_max / sigma_min over its min(p, q) singular values
(infinite when it is rank deficient). Two scalings are reported (docs/error-model.md): the matrices
as derived, and after every row of BT and of G is divided by its largest magnitude (unit max-norm),
with AT's columns multiplied to compensate, so that the algorithm is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np

from ..algebra.bilinear import Transforms
from ..algebra.matrix import QMatrix

DIGITS = 30
"""Significant digits of the mpmath working precision."""

SCALINGS = ("as_derived", "rows_unit_max")
"""The two scalings, in report order; the names are the JSON keys."""


@dataclass(frozen=True)
class Conditions:
    """Condition numbers of AT, G and BT under one scaling (mpmath numbers, ``DIGITS`` digits)."""

    AT: mpmath.mpf
    G: mpmath.mpf
    BT: mpmath.mpf


def unit_max_rows(transforms: Transforms) -> Transforms:
    """The same algorithm with every row of BT and G scaled to max-norm 1 (AT compensates)."""
    bt_max = [max(abs(x) for x in row) for row in transforms.BT.rows]
    g_max = [max(abs(x) for x in row) for row in transforms.G.rows]
    return transforms.scale_products([b * g for b, g in zip(bt_max, g_max, strict=True)], [1 / b for b in bt_max])


def gram(matrix: QMatrix) -> tuple[np.ndarray, int]:
    """(N, s) with N an integer matrix and N / s the Gram matrix of the smaller side (A^T A or A A^T).

    Its eigenvalues are the squared singular values of the matrix, exactly as many as min(p, q).
    """
    denominator = matrix.common_denominator()
    numerators = np.array(matrix.numerators(denominator), dtype=object)
    if matrix.nrows < matrix.ncols:
        numerators = numerators.T
    return numerators.T @ numerators, denominator**2


def diagonal_blocks(symmetric: np.ndarray) -> list[list[int]]:
    """Index sets of the connected components of the nonzero pattern of a symmetric matrix.

    Permuting rows and columns alike makes the matrix block diagonal with these blocks, so its
    eigenvalues are those of the blocks together: the Gram matrices of SFC's 2-D transforms split
    into many blocks of size 1 to 36, which keeps the multiprecision work small.
    """
    size = symmetric.shape[0]
    component = [-1] * size
    blocks: list[list[int]] = []
    for start in range(size):
        if component[start] >= 0:
            continue
        component[start] = len(blocks)
        block, frontier = [start], [start]
        while frontier:
            node = frontier.pop()
            for other in np.flatnonzero(symmetric[node] != 0):
                if component[other] < 0:
                    component[other] = len(blocks)
                    block.append(int(other))
                    frontier.append(int(other))
        blocks.append(sorted(block))
    return blocks


def singular_values(matrix: QMatrix) -> list[mpmath.mpf]:
    """All min(p, q) singular values, from the exact Gram matrix, accurate to ``DIGITS`` digits.

    Squaring the singular values squares the condition number, so the eigenvalues are computed
    with twice the digits (enough unless the condition number exceeds 10**15).
    """
    numerators, scale = gram(matrix)
    squares: list[mpmath.mpf] = []
    with mpmath.workdps(2 * DIGITS):
        for block in diagonal_blocks(numerators):
            sub = mpmath.matrix([[mpmath.mpf(int(numerators[i, j])) for j in block] for i in block])
            squares.extend(mpmath.eigsy(sub, eigvals_only=True))
        return [mpmath.sqrt(max(x, 0) / scale) for x in squares]


@lru_cache(maxsize=256)
def condition_number(matrix: QMatrix) -> mpmath.mpf:
    """sigma_max / sigma_min in the 2-norm; mpmath inf for a rank-deficient matrix."""
    values = singular_values(matrix)
    smallest = min(values)
    with mpmath.workdps(DIGITS):
        return mpmath.inf if smallest == 0 else max(values) / smallest


def conditions(transforms: Transforms) -> Conditions:
    return Conditions(*(condition_number(m) for m in (transforms.AT, transforms.G, transforms.BT)))


def conditions_by_scaling(transforms: Transforms) -> dict[str, Conditions]:
    """Keyed by ``SCALINGS``."""
    return {"as_derived": conditions(transforms), "rows_unit_max": conditions(unit_max_rows(transforms))}


def conditions_by_scaling_2d(one_d: Transforms, two_d: Transforms) -> dict[str, Conditions]:
    """The 2-D matrices' figures, from structure when the 2-D algorithm is the Kronecker square.

    The singular values of A (x) A are the products s_i s_j, so cond(A (x) A) = cond(A)**2, and
    scaling rows to unit max-norm commutes with (x) (Winograd, direct convolution). Other 2-D
    algorithms (SFC's symbolic 2-D DFT) are computed directly.
    """
    if two_d != one_d.kron(one_d):
        return conditions_by_scaling(two_d)
    with mpmath.workdps(DIGITS):
        return {scaling: Conditions(c.AT**2, c.G**2, c.BT**2) for scaling, c in conditions_by_scaling(one_d).items()}
