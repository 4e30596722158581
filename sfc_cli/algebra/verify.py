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

from dataclasses import dataclass
from math import lcm

import numpy as np

from .bilinear import Bilinear, Transforms
from .matrix import ZERO, QMatrix

INT64_SAFE = 2**62
SLAB = 1 << 22
"""Entries of the left factor of one float64 matrix product in the modular check (32 MiB)."""


@dataclass(frozen=True)
class _SparseIntegers:
    """A matrix as integer numerators over its least common denominator, row by row, nonzero entries only:
    row t has ``values[t]`` (Python integers) at columns ``positions[t]``. ``peak`` is the largest
    magnitude."""

    positions: list[list[int]]
    values: list[list[int]]
    denominator: int
    peak: int
    columns: int

    @classmethod
    def of(cls, matrix: QMatrix) -> _SparseIntegers:
        # The 2-D matrices are mostly zeros, most of them the shared ZERO: skipped by identity first
        # (any other zero is still found by its value), so only the nonzero entries cost arithmetic.
        positions = [[j for j, x in enumerate(row) if x is not ZERO and x] for row in matrix.rows]
        entries = [[row[j] for j in where] for row, where in zip(matrix.rows, positions, strict=True)]
        denominator = lcm(*{x.denominator for row in entries for x in row})
        values = [[x.numerator * (denominator // x.denominator) for x in row] for row in entries]
        peak = max((abs(x) for row in values for x in row), default=0)
        return cls(positions, values, denominator, peak, matrix.ncols)

    def residues(self, prime: int) -> np.ndarray:
        """The dense matrix of numerators modulo ``prime``, in float64."""
        dense = np.zeros((len(self.values), self.columns), dtype=np.float64)
        for row, where, values in zip(dense, self.positions, self.values, strict=True):
            row[where] = [x % prime for x in values]
        return dense


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


def computes(algorithm: Bilinear, target: np.ndarray) -> bool:
    """True exactly when the algorithm's tensor equals ``target`` (shape len(a) x len(g) x len(w)).

    When the bound B of the module docstring is below 2**62, the integer tensor is accumulated in
    int64, product by product over the nonzero entries only (sparse algorithms cost far less than
    the dense contraction); beyond, the identity is decided modulo primes."""
    shape = (algorithm.a_map.ncols, algorithm.g_map.ncols, algorithm.out_map.nrows)
    if target.shape != shape or algorithm.g_map.nrows != algorithm.products != algorithm.out_map.ncols:
        return False
    a, g, out = (_SparseIntegers.of(x) for x in (algorithm.a_map, algorithm.g_map, algorithm.out_map.T))
    scale = a.denominator * g.denominator * out.denominator
    bound = algorithm.products * a.peak * g.peak * out.peak + scale
    if bound < INT64_SAFE:
        return _computes_in_int64(a, g, out, shape, target * scale)
    return all(_computes_modulo(a, g, out, shape, target, scale, p) for p in _moduli(algorithm.products, bound))


def _computes_in_int64(
    a: _SparseIntegers, g: _SparseIntegers, out: _SparseIntegers, shape: tuple[int, int, int], expected: np.ndarray
) -> bool:
    tensor = np.zeros((shape[0] * shape[1], shape[2]), dtype=np.int64)
    for t, (i, k, j) in enumerate(zip(a.positions, g.positions, out.positions, strict=True)):
        if not (i and k and j):
            continue  # the product multiplies a zero operand or feeds no output
        rows = (np.array(i)[:, None] * shape[1] + np.array(k)[None, :]).ravel()
        a_values, g_values, out_values = (np.array(x.values[t], dtype=np.int64) for x in (a, g, out))
        tensor[np.ix_(rows, j)] += np.outer(np.outer(a_values, g_values).ravel(), out_values)
    return bool(np.array_equal(tensor, expected.reshape(-1, shape[2])))


def _computes_modulo(
    a: _SparseIntegers,
    g: _SparseIntegers,
    out: _SparseIntegers,
    shape: tuple[int, int, int],
    target: np.ndarray,
    scale: int,
    prime: int,
) -> bool:
    """The identity modulo one prime, in float64 (every sum below 2**53, so exact): for a slab of taps j,
    ``T[:, j, :] = (a^T diag(g[:, j])) out`` as one matrix product, the slab at most ``SLAB`` entries."""
    a_p, g_p, out_p = (x.residues(prime) for x in (a, g, out))
    expected = np.fmod(target.astype(np.float64) * (scale % prime), prime)
    products = a_p.shape[0]
    taps = max(1, SLAB // max(1, shape[0] * products))
    for start in range(0, shape[1], taps):
        slab = g_p[:, start : start + taps]
        left = np.fmod(a_p.T[:, None, :] * slab.T[None, :, :], prime).reshape(-1, products)
        found = np.fmod(left @ out_p, prime).reshape(shape[0], -1, shape[2])
        if not np.array_equal(found, expected[:, start : start + taps, :]):
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
