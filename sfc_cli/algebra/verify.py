"""Exact verification of bilinear algorithms (docs/design.md section 2.3).

A bilinear algorithm computes the tensor ``T[i, j, k] = sum_t out_map[k,t] * a_map[t,i] * g_map[t,j]``.
Correlation F(m, r) must give ``sum_t AT[i,t] * G[t,k] * BT[t,j] == (1 if j == i + k else 0)``, in 2-D
with ``j == i + k`` holding in both coordinates of row-major tiles.

The check is exact: every matrix is written as integers over one denominator, so the identity is
``T_num == scale * target`` between integer tensors (scale = the product of the denominators). When
the entries are small enough it is checked in int64 directly; otherwise both sides are compared
modulo primes p below 2**bits, with bits chosen so that every sum of K products of
residues stays below 2**53 and is therefore computed exactly in float64 (BLAS). Why the residues
decide: every entry of the difference D = T_num - scale * target satisfies |D| <= B = K * a_max *
g_max * w_max + scale; primes are taken until their product P exceeds 2 * B; if D is divisible by
each prime it is divisible by P (distinct primes), and an integer divisible by P with |D| < P is 0.
"""

from __future__ import annotations

import numpy as np

from .bilinear import Bilinear, Transforms
from .matrix import QMatrix

INT64_SAFE = 2**62


def _integers(matrix: QMatrix) -> tuple[list[list[int]], int, int]:
    """Numerators, their common denominator, and the largest numerator magnitude."""
    denominator = matrix.common_denominator()
    numerators = matrix.numerators(denominator)
    return numerators, denominator, max((abs(x) for row in numerators for x in row), default=0)


def primes_below(limit: int, count: int) -> list[int]:
    """The ``count`` largest primes below ``limit`` (trial division; limit is at most about 2**26)."""
    primes: list[int] = []
    candidate = limit - 1
    while len(primes) < count and candidate > 2:
        if candidate % 2 and all(candidate % q for q in range(3, int(candidate**0.5) + 1, 2)):
            primes.append(candidate)
        candidate -= 1
    return primes


def _moduli(products: int, bound: int) -> list[int]:
    """Primes whose product exceeds 2 * bound, each small enough that a sum of ``products`` products of
    two residues is below 2**53."""
    bits = (52 - products.bit_length()) // 2
    moduli: list[int] = []
    product = 1
    while product <= 2 * bound:
        moduli.extend(primes_below(min(1 << bits, moduli[-1]) if moduli else 1 << bits, 1))
        product *= moduli[-1]
    return moduli


def _residues(numerators: list[list[int]], prime: int, columns: int) -> np.ndarray:
    return np.array([[x % prime for x in row] for row in numerators], dtype=np.float64).reshape(-1, columns)


def computes(algorithm: Bilinear, target: np.ndarray) -> bool:
    """True exactly when the algorithm's tensor equals ``target`` (shape len(a) x len(g) x len(w)).

    When the bound B of the module docstring is below 2**62, the integer tensor is accumulated in
    int64, product by product over the nonzero entries only (sparse algorithms cost far less than
    the dense contraction); beyond, the identity is decided modulo primes."""
    shape = (algorithm.a_map.ncols, algorithm.g_map.ncols, algorithm.out_map.nrows)
    if target.shape != shape or algorithm.g_map.nrows != algorithm.products != algorithm.out_map.ncols:
        return False
    (a, a_den, a_max), (g, g_den, g_max), (out, out_den, out_max) = (
        _integers(x) for x in (algorithm.a_map, algorithm.g_map, algorithm.out_map.T)
    )
    scale = a_den * g_den * out_den
    bound = algorithm.products * a_max * g_max * out_max + scale
    if bound < INT64_SAFE:
        return _computes_in_int64(a, g, out, shape, target * scale)
    return all(_computes_modulo(a, g, out, shape, target, scale, p) for p in _moduli(algorithm.products, bound))


def _computes_in_int64(a, g, out, shape: tuple[int, int, int], expected: np.ndarray) -> bool:
    tensor = np.zeros((shape[0] * shape[1], shape[2]), dtype=np.int64)
    a_arr, g_arr, out_arr = (np.array(x, dtype=np.int64).reshape(len(x), -1) for x in (a, g, out))
    for a_row, g_row, out_row in zip(a_arr, g_arr, out_arr, strict=True):
        i, k, j = np.flatnonzero(a_row), np.flatnonzero(g_row), np.flatnonzero(out_row)
        rows = (i[:, None] * shape[1] + k[None, :]).ravel()
        tensor[np.ix_(rows, j)] += np.outer(np.outer(a_row[i], g_row[k]).ravel(), out_row[j])
    return bool(np.array_equal(tensor, expected.reshape(-1, shape[2])))


def _computes_modulo(a, g, out, shape: tuple[int, int, int], target: np.ndarray, scale: int, prime: int) -> bool:
    """The identity modulo one prime, in float64 (every sum below 2**53, so exact)."""
    a_p, g_p, out_p = (_residues(x, prime, n) for x, n in zip((a, g, out), shape, strict=True))
    expected = np.fmod(target.astype(np.float64) * (scale % prime), prime)
    for j in range(shape[1]):  # T[:, j, :] = (a^T diag(g[:, j])) out
        left = np.fmod(a_p.T * g_p[:, j], prime)
        if not np.array_equal(np.fmod(left @ out_p, prime), expected[:, j, :]):
            return False
    return True


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
