"""Exact verification of a correlation algorithm (DESIGN.md section 2).

1-D: ``sum_t AT[i,t] * G[t,k] * BT[t,j] == (1 if j == i + k else 0)`` for all i, j, k.
2-D (row-major tiles): the same with ``j == i + k`` holding in both coordinates.

The check is exact: every matrix is written as integers over one denominator, and the integer
sums are formed in int64 only when a bound proves they cannot overflow (Python integers otherwise).
"""

from __future__ import annotations

import numpy as np

from .bilinear import Transforms
from .matrix import QMatrix

_INT64_SAFE = 2**62


def _integers(matrix: QMatrix) -> tuple[list[list[int]], int]:
    denominator = matrix.common_denominator()
    return matrix.numerators(denominator), denominator


def correlation_target(m: int, r: int, dims: int) -> np.ndarray:
    """The 0/1 tensor (m**dims * r**dims) x n**dims that says which input each (output, tap) reads."""
    n = m + r - 1
    outputs = np.indices((m,) * dims).reshape(dims, -1)
    taps = np.indices((r,) * dims).reshape(dims, -1)
    reads = outputs[:, :, None] + taps[:, None, :]  # dims x m^dims x r^dims
    flat = np.ravel_multi_index(tuple(reads), (n,) * dims) if dims > 1 else reads[0]
    target = np.zeros((m**dims, r**dims, n**dims), dtype=np.int64)
    i, k = np.indices(flat.shape)
    target[i, k, flat] = 1
    return target.reshape(m**dims * r**dims, n**dims)


def satisfies_identity(transforms: Transforms, m: int, r: int, dims: int) -> bool:
    """True exactly when the algorithm computes m-output correlation with an r-tap kernel."""
    n = m + r - 1
    if transforms.AT.shape != (m**dims, transforms.products) or transforms.BT.shape != (transforms.products, n**dims):
        return False
    if transforms.G.ncols != r**dims:
        return False
    (at, at_den), (g, g_den), (bt, bt_den) = (_integers(x) for x in (transforms.AT, transforms.G, transforms.BT))
    bound = (
        transforms.products
        * max(1, *(abs(x) for row in at for x in row))
        * max(1, *(abs(x) for row in g for x in row))
        * max(1, *(abs(x) for row in bt for x in row))
    )
    scale = at_den * g_den * bt_den
    dtype = np.int64 if bound < _INT64_SAFE and scale < _INT64_SAFE else object
    at_a, g_a, bt_a = (np.array(x, dtype=dtype) for x in (at, g, bt))
    # (i, k, t) -> AT[i,t] * G[t,k], then contract t against BT.
    weighted = (at_a[:, None, :] * g_a.T[None, :, :]).reshape(-1, transforms.products)
    return bool(np.array_equal(weighted @ bt_a, correlation_target(m, r, dims).astype(dtype) * scale))
