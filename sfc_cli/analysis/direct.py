"""Direct correlation written as a bilinear algorithm, the baseline every figure is normalized to."""

from __future__ import annotations

from functools import lru_cache

from ..algebra.bilinear import Transforms
from ..algebra.matrix import ONE, ZERO, QMatrix


@lru_cache(maxsize=32)
def direct_transforms(tile: int, kernel: int, dims: int) -> Transforms:
    """One product d[i+k] * g[k] per output i and tap k, in the convention y = AT @ ((G @ g) * (BT @ d)).

    Products are ordered (i, k) row-major; BT selects d[i+k], G selects g[k], AT sums over k. The
    2-D algorithm is the Kronecker square (correlation is separable). Rounding and quantizing this
    algorithm is rounding and quantizing direct convolution: inputs, weights and products.
    """
    n = tile + kernel - 1
    pairs = [(i, k) for i in range(tile) for k in range(kernel)]
    bt = QMatrix([[ONE if j == i + k else ZERO for j in range(n)] for i, k in pairs], n)
    g = QMatrix([[ONE if j == k else ZERO for j in range(kernel)] for _, k in pairs], kernel)
    at = QMatrix([[ONE if i == row else ZERO for i, _ in pairs] for row in range(tile)], len(pairs))
    one_d = Transforms(at, g, bt)
    return one_d if dims == 1 else one_d.kron(one_d)
