"""Cyclic convolution over Q by the symbolic DFT.

Q[x_1..x_k]/(x_i**N - 1) splits into copies of cyclotomic fields Q(zeta_d), one per orbit of the
frequency vectors in Z_N**k under multiplication by the units of Z_N (an orbit of order d is one
copy of Q(zeta_d); using orbits instead of single frequencies is the Hermitian symmetry). The map
into the field of an orbit with direction u sends the monomial x**i to z**(u . i mod d): a residue
with coefficients in {0, +-1} for d in {1, 2, 3, 4, 6}, so the transforms need additions only.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, cached_property
from math import gcd

from .bilinear import Bilinear, stack
from .crt import Block
from .fields import RingRecipe, ring_multiplication
from .matrix import ONE, ZERO, QMatrix, primitive_scale
from .points import standard_points
from .polynomial import cyclotomic, power_coordinates, ramanujan_sum, totient


@dataclass(frozen=True)
class FieldRecipe:
    """How to multiply in Q(zeta_d) = Q[z]/Phi_d(z).

    Elements are written in the basis 1, s, ..., s**(D-1) with s = z**generator_power, multiplied as
    polynomials by Toom-Cook at ``points`` (2D - 1 products), reduced mod Phi_d, and the filter operand
    is divided by ``twist`` beforehand (and the result multiplied by it), which moves constants from
    the input and output transforms into the filter transform.
    """

    d: int
    generator_power: int
    points: tuple[Fraction | None, ...]  # None is infinity
    twist: tuple[int, ...]  # z-coordinates


def field_multiplication(recipe: FieldRecipe) -> Bilinear:
    """The bilinear algorithm of a recipe, on z-coordinates (inputs and output)."""
    modulus = tuple(Fraction(c) for c in cyclotomic(recipe.d))
    generator = tuple(Fraction(c) for c in power_coordinates(recipe.generator_power, recipe.d))
    twist = tuple(Fraction(c) for c in recipe.twist)
    return ring_multiplication(modulus, RingRecipe(generator, recipe.points, twist))


def _patterns(algorithm: Bilinear, d: int) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    """Per product: its input-transform row and output-transform column as functions of the phase."""
    size = totient(d)
    bt = [
        [sum(algorithm.out_map[j, t] * ramanujan_sum(d, phase - j) for j in range(size)) for phase in range(d)]
        for t in range(algorithm.products)
    ]
    powers = QMatrix.from_columns([power_coordinates(phase, d) for phase in range(d)], size)
    at = [list(row) for row in (algorithm.a_map @ powers).rows]
    return bt, at


def _cost(algorithm: Bilinear, d: int) -> tuple[Fraction, Fraction, int]:
    """Largest input-transform entry, largest output-transform entry, then nonzeros (both integral)."""
    bt, at = _patterns(algorithm, d)
    rows = [[x * primitive_scale(v) for x in v] for v in bt + at]
    largest_bt = max(abs(x) for v in rows[: len(bt)] for x in v)
    largest_at = max(abs(x) for v in rows[len(bt) :] for x in v)
    return largest_bt, largest_at, sum(1 for v in rows for x in v if x)


@cache
def field_recipe(d: int) -> FieldRecipe:
    """The recipe sfc uses for Q(zeta_d).

    Degree 1: one product. Degree 2 (d = 3, 4, 6): Karatsuba-like with 3 products; the generator,
    the sign of the middle point and the twist (1, z, 1 + z or 1 - z) are searched so that the
    transforms have the smallest integer entries (they reach {0, +-1}). Degree above 2: Toom-Cook with 2D - 1 standard
    points, no search.
    """
    size = totient(d)
    if size == 1:
        return FieldRecipe(d, 1, (Fraction(0),), (1,))
    if size > 2:
        return FieldRecipe(d, 1, (*standard_points(2 * size - 2), None), (1,) + (0,) * (size - 1))
    candidates = [
        FieldRecipe(d, k, (Fraction(0), Fraction(sign), None), twist)
        for k in range(1, d)
        if gcd(k, d) == 1
        for sign in (1, -1)
        for twist in ((1, 0), (0, 1), (1, 1), (1, -1))
    ]
    return min(candidates, key=lambda recipe: _cost(field_multiplication(recipe), d))


def frequency_orbits(size: int, dims: int) -> list[tuple[int, tuple[int, ...]]]:
    """(order d, direction u) of each orbit of Z_size**dims under the units of Z_size.

    Sorted by order, then by the smallest frequency vector k of the orbit; u = k * d / size.
    """
    units = [s for s in range(1, size + 1) if gcd(s, size) == 1]
    seen: set[tuple[int, ...]] = set()
    orbits = []
    for k in itertools.product(range(size), repeat=dims):
        if k not in seen:
            seen.update(tuple(s * x % size for x in k) for s in units)
            common = gcd(size, *k)
            orbits.append((size // common, k, tuple(x // common for x in k)))
    orbits.sort(key=lambda orbit: (orbit[0], orbit[1]))
    return [(d, u) for d, _, u in orbits]


@cache
def cyclic_multiplication(size: int, dims: int) -> Bilinear:
    """Multiplication in Q[x_1..x_dims]/(x_i**size - 1), on coefficient arrays flattened row-major."""
    indices = list(itertools.product(range(size), repeat=dims))
    volume = size**dims
    parts = []
    for d, u in frequency_orbits(size, dims):
        degree = totient(d)
        phases = [sum(a * b for a, b in zip(u, i, strict=True)) % d for i in indices]
        to_field = QMatrix.from_columns([power_coordinates(phase, d) for phase in phases], degree)
        from_field = QMatrix(
            [[Fraction(ramanujan_sum(d, phase - j), volume) for j in range(degree)] for phase in phases], degree
        )
        parts.append(field_multiplication(field_recipe(d)).on_residues(to_field, to_field, from_field))
    return stack(parts)


def cyclic_products(size: int, dims: int) -> int:
    """Products of ``cyclic_multiplication`` without building it: 2*phi(d) - 1 per orbit of order d."""
    return sum(2 * totient(d) - 1 for d, _ in frequency_orbits(size, dims))


@dataclass(frozen=True, eq=False)
class Cyclic(Block):
    """The modulus x**N - 1: the residue folds coefficient i onto i mod N (the size-N DFT part).

    Multiplication is cyclic convolution split over the cyclotomic factors (``cyclic_multiplication``)."""

    size: int

    @property
    def degree(self) -> int:  # type: ignore[override]
        return self.size

    def residue(self, length: int) -> QMatrix:
        return QMatrix([[ONE if i % self.size == j else ZERO for i in range(length)] for j in range(self.size)], length)

    @cached_property
    def multiplication(self) -> Bilinear:
        return cyclic_multiplication(self.size, 1)
