"""Exact verification of bilinear algorithms (docs/design.md section 2).

A bilinear algorithm computes the tensor ``T[i, j, k] = sum_t out_map[k,t] * a_map[t,i] * g_map[t,j]``.
Correlation F(m, r) must give ``sum_t AT[i,t] * G[t,k] * BT[t,j] == (1 if j == i + k else 0)``, in 2-D
with ``j == i + k`` holding in both coordinates of row-major tiles.

The check is exact: every matrix is written as integers over one denominator, and the integer
sums are formed in int64 only when a bound proves they cannot overflow (Python integers otherwise).
"""

from __future__ import annotations

import numpy as np

from .bilinear import Bilinear, Transforms
from .matrix import QMatrix

_INT64_SAFE = 2**62


def _integers(matrix: QMatrix) -> tuple[list[list[int]], int, int]:
    """Numerators, their common denominator, and the largest numerator magnitude."""
    denominator = matrix.common_denominator()
    numerators = matrix.numerators(denominator)
    return numerators, denominator, max((abs(x) for row in numerators for x in row), default=0)


def computes(algorithm: Bilinear, target: np.ndarray) -> bool:
    """True exactly when the algorithm's tensor equals ``target`` (shape len(a) x len(g) x len(w)).

    The tensor is accumulated product by product over the nonzero entries only, so sparse
    algorithms (nested corrections) cost far less than the dense contraction."""
    shape = (algorithm.a_map.ncols, algorithm.g_map.ncols, algorithm.out_map.nrows)
    if target.shape != shape or algorithm.g_map.nrows != algorithm.products != algorithm.out_map.ncols:
        return False
    (a, a_den, a_max), (g, g_den, g_max), (out, out_den, out_max) = (
        _integers(x) for x in (algorithm.a_map, algorithm.g_map, algorithm.out_map.T)
    )
    scale = a_den * g_den * out_den
    safe = algorithm.products * a_max * g_max * out_max < _INT64_SAFE and scale < _INT64_SAFE
    dtype = np.int64 if safe else object
    tensor = np.zeros((shape[0] * shape[1], shape[2]), dtype=dtype)
    a_arr, g_arr, out_arr = (np.array(x, dtype=dtype).reshape(len(x), -1) for x in (a, g, out))
    for a_row, g_row, out_row in zip(a_arr, g_arr, out_arr, strict=True):
        i, k, j = np.flatnonzero(a_row), np.flatnonzero(g_row), np.flatnonzero(out_row)
        rows = (i[:, None] * shape[1] + k[None, :]).ravel()
        tensor[np.ix_(rows, j)] += np.outer(np.outer(a_row[i], g_row[k]).ravel(), out_row[j])
    return bool(np.array_equal(tensor, target.reshape(-1, shape[2]).astype(dtype) * scale))


def correlation_target(m: int, r: int, dims: int) -> np.ndarray:
    """The 0/1 tensor m**dims x r**dims x n**dims saying which input each (output, tap) pair reads."""
    n = m + r - 1
    outputs = np.indices((m,) * dims).reshape(dims, -1)
    taps = np.indices((r,) * dims).reshape(dims, -1)
    reads = np.ravel_multi_index(tuple(outputs[:, :, None] + taps[:, None, :]), (n,) * dims)
    target = np.zeros((m**dims, r**dims, n**dims), dtype=np.int64)
    i, k = np.indices(reads.shape)
    target[i, k, reads] = 1
    return target


def satisfies_identity(transforms: Transforms, m: int, r: int, dims: int) -> bool:
    """True exactly when the algorithm computes m-output correlation with an r-tap kernel."""
    n = m + r - 1
    if transforms.AT.nrows != m**dims or transforms.G.ncols != r**dims or transforms.BT.ncols != n**dims:
        return False
    as_bilinear = Bilinear(transforms.AT.T, transforms.G, transforms.BT.T)
    return computes(as_bilinear, correlation_target(m, r, dims))
