"""Quotient rings Q[x]/(f) as CRT blocks, and how a pair of fields splits in 2-D.

Polynomials are tuples of Fractions, lowest degree first; a modulus f is monic. An element of
Q[x]/(f) is its coordinate vector in the basis 1, x, ..., x**(D-1), D = deg f (the residue of a
polynomial modulo f).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, cached_property

from .bilinear import Bilinear, stack
from .crt import Block, Infinity, Point, convolution_1d
from .matrix import QMatrix, vstack
from .points import standard_points
from .polynomial import polynomial_multiply, remainder

Poly = tuple[Fraction, ...]


def residue_of(p: Poly | list[Fraction], modulus: Poly) -> Poly:
    """p mod the monic ``modulus``, as deg(modulus) coordinates."""
    return tuple(Fraction(c) for c in remainder(list(p), list(modulus)))


def multiplication_matrix(element: Poly, modulus: Poly) -> QMatrix:
    """D x D: column j holds the coordinates of element * x**j mod f."""
    size = len(modulus) - 1
    columns = [residue_of(polynomial_multiply(list(element), [0] * j + [1]), modulus) for j in range(size)]
    return QMatrix.from_columns(columns, size)


@cache
def power_matrix(element: Poly, modulus: Poly, count: int) -> QMatrix:
    """D x count: column i holds the coordinates of element**i mod f."""
    columns, power = [], residue_of((Fraction(1),), modulus)
    for _ in range(count):
        columns.append(power)
        power = residue_of(polynomial_multiply(list(power), list(element)), modulus)
    return QMatrix.from_columns(columns, len(modulus) - 1)


@dataclass(frozen=True)
class RingRecipe:
    """How to multiply in Q[x]/(f).

    Elements are rewritten in the basis 1, s, ..., s**(D-1) for the element s (its x-coordinates are
    ``generator``), multiplied as polynomials in s by Toom-Cook at ``points`` (2D - 1 products, None is
    infinity) and reduced mod f; the filter operand is divided by ``twist`` beforehand and the result
    multiplied by it, which moves constants from the input and output transforms into the filter's.
    """

    generator: Poly
    points: tuple[Fraction | None, ...]
    twist: Poly


@cache
def ring_multiplication(modulus: Poly, recipe: RingRecipe) -> Bilinear:
    """The bilinear algorithm of a recipe, on x-coordinates (both operands and the result); cached, as
    searches build the same few rings over and over."""
    size = len(modulus) - 1
    to_s = power_matrix(recipe.generator, modulus, size).inverse()
    from_s = power_matrix(recipe.generator, modulus, 2 * size - 1)
    toom = convolution_1d([Infinity(1) if p is None else Point(p) for p in recipe.points], size, size)
    twist = multiplication_matrix(recipe.twist, modulus)
    return Bilinear(toom.a_map @ to_s, toom.g_map @ to_s @ twist.inverse(), twist @ from_s @ toom.out_map)


def toom_cook_recipe(degree: int) -> RingRecipe:
    """Basis 1, x, ...; 2D - 2 standard points and infinity; no twist."""
    x = (Fraction(0), Fraction(1))
    return RingRecipe(x, (*standard_points(2 * degree - 2), None), (Fraction(1),))


def quadratic_recipes() -> list[RingRecipe]:
    """The 48 Karatsuba variants for a quadratic ring: basis element s = +-x + t (t in 0, 1, -1), points
    0, +-1 and infinity, twist 1, x, 1 + x or 1 - x. They include the bases z**k of the cyclotomic
    quadratic fields (for x**2 + x + 1, z**2 = -1 - z)."""
    one, zero = Fraction(1), Fraction(0)
    return [
        RingRecipe((t, sign * one), (zero, middle, None), twist)
        for sign, t in itertools.product((1, -1), (zero, one, -one))
        for middle in (one, -one)
        for twist in ((one,), (zero, one), (one, one), (one, -one))
    ]


@dataclass(frozen=True, eq=False)
class Quotient(Block):
    """The modulus f (monic, rational, degree >= 2): the residue is the coordinates of a mod f.

    ``field`` says whether f is irreducible over Q (Q[x]/(f) is a field); a power of an irreducible
    is a ring that is not a field and is only ever multiplied by Toom-Cook."""

    modulus: Poly
    recipe: RingRecipe
    field: bool

    @property
    def degree(self) -> int:  # type: ignore[override]
        return len(self.modulus) - 1

    def residue(self, length: int) -> QMatrix:
        return power_matrix((Fraction(0), Fraction(1)), self.modulus, length)

    @cached_property
    def multiplication(self) -> Bilinear:
        return ring_multiplication(self.modulus, self.recipe)


# --- 2-D: Q[x, y]/(a(x), b(y)) for two fields -------------------------------------------------------

Element = tuple[Fraction, ...]  # an element of the field Q[x]/(a), as x-coordinates


@cache
def factors_over(a: Poly, b: Poly) -> tuple[tuple[Element, ...], ...]:
    """The monic irreducible factors of b(y) over the field Q[x]/(a), each as its y-coefficients
    (lowest first) in x-coordinates. SymPy factors over the algebraic field of a root of a; the
    result is checked exactly: the factors multiply back to b."""
    import sympy

    x, y = sympy.symbols("x y")
    root = sympy.CRootOf(sympy.Poly(list(reversed(a)), x), 0)
    domain = sympy.QQ.algebraic_field(root)
    _, found = sympy.factor_list(sympy.Poly(list(reversed(b)), y, domain=domain))
    factors = []
    for factor, multiplicity in found:
        assert multiplicity == 1, "b is irreducible over Q, hence squarefree"
        coefficients = [sympy.Poly(domain.to_sympy(c).xreplace({root: x}), x) for c in reversed(factor.rep.to_list())]
        element = [residue_of(tuple(Fraction(str(c)) for c in reversed(p.all_coeffs())), a) for p in coefficients]
        lead = multiplication_matrix(element[-1], a).inverse()  # make the factor monic in y
        factors.append(tuple(tuple((lead @ QMatrix([[c] for c in e], 1)).column(0)) for e in element))
    product: list[Element] = [residue_of((Fraction(1),), a)]
    for factor in factors:
        product = _multiply_in_y(product, list(factor), a)
    if product != [residue_of((c,), a) for c in b]:
        raise ArithmeticError("SymPy's factors do not multiply back to b")
    return tuple(factors)


def _field_multiply(u: Element, v: Element, a: Poly) -> Element:
    return residue_of(polynomial_multiply(list(u), list(v)), a)


def _multiply_in_y(p: list[Element], q: list[Element], a: Poly) -> list[Element]:
    zero = residue_of((Fraction(0),), a)
    out = [zero] * (len(p) + len(q) - 1)
    for i, u in enumerate(p):
        for j, v in enumerate(q):
            out[i + j] = tuple(s + t for s, t in zip(out[i + j], _field_multiply(u, v, a), strict=True))
    return out


def _reduce_in_y(p: list[Element], factor: tuple[Element, ...], a: Poly) -> list[Element]:
    """p(y) mod a monic factor(y), coefficients in Q[x]/(a)."""
    degree = len(factor) - 1
    work = list(p) + [residue_of((Fraction(0),), a)] * max(0, degree - len(p))
    for top in range(len(work) - 1, degree - 1, -1):
        lead = work[top]
        for i, c in enumerate(factor):
            product = _field_multiply(lead, c, a)
            work[top - degree + i] = tuple(s - t for s, t in zip(work[top - degree + i], product, strict=True))
    return work[:degree]


def _component_map(a: Poly, factor: tuple[Element, ...], y_degrees: int) -> QMatrix:
    """Column i * y_degrees + j: the coordinates of x**i y**j in Q[x]/(a)[y]/(factor), where row
    i' * e + j' (e = deg factor) is the x**i' coordinate of the y**j' coefficient."""
    size, degree = len(a) - 1, len(factor) - 1
    columns = []
    for i in range(size):
        x_power = residue_of((Fraction(0),) * i + (Fraction(1),), a)
        for j in range(y_degrees):
            reduced = _reduce_in_y([residue_of((Fraction(0),), a)] * j + [x_power], factor, a)
            columns.append([reduced[jj][ii] for ii in range(size) for jj in range(degree)])
    return QMatrix.from_columns(columns, size * degree)


def split_multiplication(first: Quotient, second: Quotient) -> Bilinear:
    """Multiplication in Q[x]/(a) (x) Q[y]/(b) (coordinates x**i y**j, index i * deg b + j) through its
    splitting into the fields Q[x]/(a)[y]/(b_k(y)), one per irreducible factor b_k of b over Q[x]/(a).

    Each component multiplies as polynomials in y by Toom-Cook over Q[x]/(a) (2e - 1 field
    products for a factor of degree e, each by ``first``'s recipe): a linear factor costs one product
    in Q[x]/(a). Two quadratics over the same field: 2 x 3 = 6 products instead of 9."""
    a, b = first.modulus, second.modulus
    maps, components = [], []
    for factor in factors_over(a, b):
        degree = len(factor) - 1
        toom = convolution_1d([*map(Point, standard_points(2 * degree - 2)), Infinity(1)], degree, degree)
        nested = first.multiplication.kron(toom)  # coordinates x**i y**j at i * degree + j
        reduce = _component_map(a, factor, 2 * degree - 1)
        maps.append(_component_map(a, factor, second.degree))
        components.append(Bilinear(nested.a_map, nested.g_map, reduce @ nested.out_map))
    rebuild = vstack(maps).inverse()
    parts, offset = [], 0
    for split, component in zip(maps, components, strict=True):
        columns = list(range(offset, offset + split.nrows))
        parts.append(component.on_residues(split, split, rebuild.select_columns(columns)))
        offset += split.nrows
    return stack(parts)


def _swap(first: int, second: int) -> QMatrix:
    """The permutation taking coordinates i * second + j to j * first + i."""
    size = first * second
    rows = [[0] * size for _ in range(size)]
    for i in range(first):
        for j in range(second):
            rows[j * first + i][i * second + j] = 1
    return QMatrix(rows, size)


def field_pair_multiplication(first: Block, second: Block) -> Bilinear | None:
    """For two fields, the split over either field when it needs fewer products than nesting (None
    otherwise, and for every other pair: nested)."""
    if not (isinstance(first, Quotient) and isinstance(second, Quotient) and first.field and second.field):
        return None
    swap = _swap(first.degree, second.degree)
    candidates = [
        split_multiplication(first, second),
        split_multiplication(second, first).on_residues(swap, swap, swap.T),
    ]
    best = min(candidates, key=lambda candidate: candidate.products)
    return best if best.products < first.multiplication.products * second.multiplication.products else None
