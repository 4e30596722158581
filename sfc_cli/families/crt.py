"""Any CRT moduli (``--algo crt``): pairwise coprime moduli over Q whose degrees add up to n.

Moduli are read with SymPy from text such as ``x, x-1, x+1, x^2+1, inf`` and factored over Q. Every
irreducible factor, or power of one, becomes a block:

- x - p: 1 product (a Winograd point); (x - p)**e and inf**e: e(e+1)/2 truncated products (SFC's
  corrections are x**e and inf**e);
- an irreducible quadratic: a field, 3 products (Karatsuba), basis and twist searched so that BT and
  AT get the smallest entries;
- an irreducible of degree D >= 3: a field, Toom-Cook with 2D - 1 products, no search;
- a power of an irreducible of degree >= 2: a ring that is not a field, Toom-Cook, 2D - 1 products.

In 2-D a pair of fields splits where one modulus factors over the other's field (two quadratics over
the same field: 6 products instead of 9); every other pair is nested.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from math import gcd, lcm
from typing import TYPE_CHECKING

from ..algebra.bilinear import FractionsIn
from ..algebra.crt import (
    Block,
    Infinity,
    Part,
    Point,
    PointPower,
    Zero,
    block_columns,
    derive,
    reconstruction,
)
from ..algebra.fields import (
    Quotient,
    RingRecipe,
    factors_over,
    field_pair_multiplication,
    power_matrix,
    quadratic_recipes,
    ring_multiplication,
    toom_cook_recipe,
)
from ..algorithm import Algorithm, CrtParameters, algorithm_name, verified_algorithm
from ..errors import InputError
from .common import check_sizes, two_d_work_check

if TYPE_CHECKING:
    from sympy import Poly

MAX_MODULUS_DEGREE = 8
"""A modulus of higher degree is refused: Toom-Cook in a field of degree D needs 2D - 2 points, and
beyond 8 their powers make transforms no one would run."""
MAX_MODULUS_TEXT = 80
MAX_COEFFICIENT_DIGITS = 6
MAX_POWERS = 3
X = (Fraction(0), Fraction(1))
_INFINITY = re.compile(r"(inf|infinity|∞)\s*(?:(?:\^|\*\*)\s*(\d{1,2}))?")
_SCIENTIFIC = re.compile(r"(?<![\w.])(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+")
_NAMES = re.compile(r"[^\W\d]+")
_ALLOWED = re.compile(r"[0-9x+\-*/^().\s]")
_EXPONENT = re.compile(r"\^\s*(\((?P<inner>[^()]*)\)|(?P<plain>[0-9.]*))\s*(?P<next>\^?)")
_NUMBER = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Modulus:
    """One modulus as the user wrote it: canonical text, degree, and its factors over Q as
    (monic irreducible, multiplicity); infinity has no factors."""

    text: str
    degree: int
    factors: tuple[tuple[tuple[Fraction, ...], int], ...]


def _check_text(item: str) -> str:
    """The modulus text with ``**`` written ``^``, once every check that needs no parsing has passed;
    each refusal names the problem (checked before SymPy sees the text: a large power takes minutes)."""
    if len(item) > MAX_MODULUS_TEXT:
        raise InputError(f"modulus {item!r} is {len(item)} characters long, above the supported {MAX_MODULUS_TEXT}")
    scientific = _SCIENTIFIC.search(item)
    if scientific:
        raise InputError(
            f"modulus {item!r} writes {scientific.group()!r} in scientific notation: write coefficients as "
            "integers, decimals or fractions (0.001 or 1/1000)"
        )
    names = set(_NAMES.findall(item)) - {"x"}
    if names:
        raise InputError(
            f"modulus {item!r} uses {sorted(names)[0]!r}: moduli are polynomials in x with rational coefficients, "
            "or inf"
        )
    stray = next((c for c in item if not _ALLOWED.fullmatch(c)), None)
    if stray is not None:
        raise InputError(
            f"modulus {item!r} uses the character {stray!r}: write moduli with x, ASCII digits, + - * / ^ . and "
            "parentheses"
        )
    text = item.replace("**", "^")
    for power in _EXPONENT.finditer(text):
        exponent = power.group("plain") if power.group("inner") is None else power.group("inner").strip()
        if not power.group(1):
            raise InputError(f"modulus {item!r}: ^ must be followed by a whole exponent in digits, as in x^2")
        if not _NUMBER.fullmatch(exponent):
            raise InputError(
                f"modulus {item!r}: the exponent {power.group(1)!r} is not a whole number; write exponents as "
                "digits, as in x^2"
            )
        if int(exponent) > MAX_MODULUS_DEGREE:
            raise InputError(
                f"modulus {item!r}: the exponent {exponent} is above {MAX_MODULUS_DEGREE}, the largest degree"
            )
        if power.group("next"):
            raise InputError(f"modulus {item!r} raises a power to a power: write the product of the exponents")
    if text.count("^") > MAX_POWERS:
        raise InputError(f"modulus {item!r}: at most {MAX_POWERS} powers per modulus")
    long_number = next((n for n in _NUMBER.findall(text) if len(n) > MAX_COEFFICIENT_DIGITS), None)
    if long_number is not None:
        raise InputError(
            f"modulus {item!r}: the number {long_number} has more than {MAX_COEFFICIENT_DIGITS} digits, "
            f"the most a coefficient may have"
        )
    return text


def _polynomial(item: str) -> Poly:
    import sympy
    from sympy.parsing.sympy_parser import implicit_multiplication_application as implicit
    from sympy.parsing.sympy_parser import parse_expr, rationalize, standard_transformations

    text = _check_text(item)
    x = sympy.Symbol("x")
    try:
        expression = parse_expr(
            text.replace("^", "**"),
            local_dict={"x": x},
            transformations=(*standard_transformations, implicit, rationalize),
        )
        return sympy.Poly(expression, x, domain=sympy.QQ)
    except Exception:  # the text passed the checks above; whatever SymPy rejects is a malformed modulus
        raise InputError(f"modulus {item!r} is not a polynomial in x with rational coefficients") from None


def _monic(poly: Poly) -> tuple[Fraction, ...]:
    """The monic polynomial's coefficients, lowest first."""
    lead = poly.LC()
    return tuple(Fraction(int(c.p), int(c.q)) / Fraction(int(lead.p), int(lead.q)) for c in reversed(poly.all_coeffs()))


def parse_modulus(item: str) -> Modulus:
    """One modulus: a polynomial in x (rational coefficients, degree 1 to 8) or inf, inf^e."""
    infinity = _INFINITY.fullmatch(item.strip().lower())
    if infinity:
        multiplicity = int(infinity.group(2) or 1)
        if not 1 <= multiplicity <= MAX_MODULUS_DEGREE:
            raise InputError(f"modulus {item!r}: infinity's multiplicity must be 1 to {MAX_MODULUS_DEGREE}")
        return Modulus("inf" if multiplicity == 1 else f"inf^{multiplicity}", multiplicity, ())
    poly = _polynomial(item.strip())
    degree = poly.degree()
    if degree < 1:
        raise InputError(f"modulus {item!r} has degree {max(degree, 0)}: a modulus needs degree 1 or more")
    if degree > MAX_MODULUS_DEGREE:
        raise InputError(f"modulus {item!r} has degree {degree}, above the supported {MAX_MODULUS_DEGREE}")
    _, found = poly.factor_list()
    factors = sorted(((_monic(factor), multiplicity) for factor, multiplicity in found), key=_factor_order)
    return Modulus(str(poly.as_expr()).replace("**", "^"), degree, tuple(factors))


def _factor_order(factor: tuple[tuple[Fraction, ...], int]) -> tuple[int, tuple[Fraction, ...]]:
    """By degree, then by coefficients from the top down (x - 1 before x + 1)."""
    monic, _ = factor
    return len(monic), tuple(reversed(monic))


def parse_moduli(text: str) -> tuple[Modulus, ...]:
    """Comma-separated moduli, checked pairwise coprime (infinity at most once)."""
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or any(not item for item in items):
        raise InputError(f"malformed moduli list {text!r}: expected comma-separated moduli such as x, x-1, x^2+1, inf")
    moduli = tuple(parse_modulus(item) for item in items)
    if sum(1 for m in moduli if not m.factors) > 1:
        raise InputError("infinity appears more than once: write inf^2 for multiplicity 2")
    for i, first in enumerate(moduli):
        for second in moduli[i + 1 :]:
            common = {f for f, _ in first.factors} & {f for f, _ in second.factors}
            if common:
                raise InputError(
                    f"moduli {first.text} and {second.text} share the factor {_factor_text(min(common))}: "
                    "moduli must be pairwise coprime"
                )
    return moduli


def _factor_text(monic: tuple[Fraction, ...]) -> str:
    import sympy

    x = sympy.Symbol("x")
    return str(sympy.Poly(list(reversed(monic)), x, domain=sympy.QQ).as_expr()).replace("**", "^")


def _blocks(moduli: tuple[Modulus, ...]) -> list[Block]:
    """Blocks in the order of the moduli, each modulus's factors by degree then coefficients."""
    blocks: list[Block] = []
    for modulus in moduli:
        if not modulus.factors:
            blocks.append(Infinity(modulus.degree))
        for monic, multiplicity in modulus.factors:
            if len(monic) == 2:
                point = -monic[0]
                if multiplicity == 1:
                    blocks.append(Point(point))
                else:
                    blocks.append(Zero(multiplicity) if point == 0 else PointPower(multiplicity, point))
            elif multiplicity == 1:
                blocks.append(Quotient(monic, toom_cook_recipe(len(monic) - 1), True))
            else:
                power = _power(monic, multiplicity)
                blocks.append(Quotient(power, toom_cook_recipe(len(power) - 1), False))
    return blocks


def _power(monic: tuple[Fraction, ...], exponent: int) -> tuple[Fraction, ...]:
    from ..algebra.polynomial import polynomial_multiply

    result: list[Fraction] = [Fraction(1)]
    for _ in range(exponent):
        result = polynomial_multiply(result, list(monic))
    return tuple(result)


def _part_cost(block: Quotient, tile: int, rebuild_block: list[list[int]]) -> tuple[int, int, int]:
    """Largest BT entry, largest AT entry, then nonzeros of both, of one block's products with their
    BT rows and AT columns scaled to coprime integers (as fractions in G leave them).

    ``rebuild_block`` is the block's reconstruction columns as integer vectors (any common positive
    scale: the scaled extents do not depend on it). BT row t is their combination by column t of the
    multiplication's output map, also scaled to integers."""
    largest = nonzeros = 0
    for weights in _output_columns(block.modulus, block.recipe):
        row = [
            sum(w * r for w, r in zip(weights, entries, strict=True)) for entries in zip(*rebuild_block, strict=True)
        ]
        values = [abs(v) for v in row if v]
        if values:
            largest, nonzeros = max(largest, max(values) // gcd(*values)), nonzeros + len(values)
    at_largest, at_nonzeros = _output_extent(block.modulus, block.recipe, tile)
    return largest, at_largest, nonzeros + at_nonzeros


def _integers(vector: Sequence[Fraction]) -> list[int]:
    """The vector times the least common denominator of its entries."""
    den = lcm(*(x.denominator for x in vector))
    return [x.numerator * (den // x.denominator) for x in vector]


@cache
def _output_columns(modulus: tuple[Fraction, ...], recipe: RingRecipe) -> list[list[int]]:
    """The columns of a quadratic's output map (one per product), each scaled to integers."""
    return [_integers(column) for column in ring_multiplication(modulus, recipe).out_map.T.rows]


@cache
def _output_extent(modulus: tuple[Fraction, ...], recipe: RingRecipe, tile: int) -> tuple[int, int]:
    """Largest entry and nonzeros of the AT columns of a quadratic's products, each scaled to coprime
    integers (they read no other block)."""
    largest = nonzeros = 0
    for row in (ring_multiplication(modulus, recipe).a_map @ power_matrix(X, modulus, tile)).rows:
        values = [abs(v) for v in _integers(row) if v]
        if values:
            largest, nonzeros = max(largest, max(values) // gcd(*values)), nonzeros + len(values)
    return largest, nonzeros


def tuned_blocks(blocks: list[Block], tile: int, kernel: int) -> list[Block]:
    """Every quadratic field takes the Karatsuba recipe whose 1-D products have the smallest entries.

    Products of one block read only that block's residues and reconstruction columns, so each field
    is tuned on its own part; the first best recipe wins a tie."""
    rebuild = reconstruction(blocks, tile + kernel - 1)
    tuned = []
    for block, columns in zip(blocks, block_columns(blocks), strict=True):
        if isinstance(block, Quotient) and block.field and block.degree == 2:
            rebuild_block = [_integers(rebuild.column(j)) for j in columns]
            candidates = [Quotient(block.modulus, recipe, True) for recipe in quadratic_recipes()]
            costs = [_part_cost(c, tile, rebuild_block) for c in candidates]
            block = candidates[costs.index(min(costs))]
        tuned.append(block)
    return tuned


def _is_linear(block: Block) -> bool:
    return isinstance(block, Point) or (isinstance(block, Infinity) and block.degree == 1)


def _is_field(block: Block) -> bool:
    return isinstance(block, Quotient) and block.field


def _block_label(block: Block) -> str:
    if _is_linear(block):
        return "linear: x - p and inf (1 product each)"
    if isinstance(block, PointPower | Infinity):
        return "x^e, (x - p)^e and inf^e (truncated products)"
    if _is_field(block) and block.degree == 2:
        return "quadratic fields (3 products each)"
    if _is_field(block):
        return "fields of degree 3 or more (Toom-Cook, 2D - 1 products each)"
    return "powers of irreducibles (Toom-Cook, 2D - 1 products each)"


def _pair_label(first: Block, second: Block) -> str:
    kinds = {"linear" if _is_linear(b) else "field" if _is_field(b) else "other" for b in (first, second)}
    if kinds == {"linear"}:
        return "linear x linear (1 product each)"
    if kinds == {"linear", "field"}:
        return "linear x field (nested)"
    if kinds == {"field"}:
        assert isinstance(first, Quotient) and isinstance(second, Quotient)
        a, b = first.modulus, second.modulus
        split = len(factors_over(a, b)) > 1 or len(factors_over(b, a)) > 1
        return "field x field, split over a common subfield" if split else "field x field (nested, no common subfield)"
    return "pairs with x^e, (x - p)^e, inf^e or a power (nested)"


def _structure(parts: list[Part]) -> tuple[tuple[str, int], ...]:
    counts: Counter[str] = Counter()
    for part in parts:
        label = _block_label(part.blocks[0]) if len(part.blocks) == 1 else _pair_label(*part.blocks)
        counts[label] += part.algorithm.products
    return tuple((label, count) for label, count in counts.items() if count)


def moduli_with_corrections(text: str, corrections: tuple[int, int] | None) -> str:
    """``--corrections L,R`` as the moduli x^L (first) and inf^R (last) around the given ones."""
    if corrections is None:
        return text
    left, right = corrections
    if min(corrections) < 0:
        raise InputError(f"corrections must not be negative, got {left},{right}")
    extra_left = [f"x^{left}" if left > 1 else "x"] if left else []
    extra_right = [f"inf^{right}" if right > 1 else "inf"] if right else []
    return ", ".join([*extra_left, text, *extra_right])


def crt(
    tile: int,
    kernel: int,
    moduli: str,
    corrections: tuple[int, int] | None = None,
    dims: int = 2,
    fractions_in: FractionsIn = "G",
) -> Algorithm:
    """F(tile, kernel) from the given moduli (plus x^L and inf^R for corrections L, R), verified."""
    check_sizes(tile, kernel, dims)
    parsed = parse_moduli(moduli_with_corrections(moduli, corrections))
    n = tile + kernel - 1
    total = sum(m.degree for m in parsed)
    if total != n:
        raise InputError(
            f"the moduli's degrees add up to {total}, but tile {tile} and kernel {kernel} need tile + kernel - 1 = {n}"
        )
    blocks = tuned_blocks(_blocks(parsed), tile, kernel)
    check = two_d_work_check(algorithm_name("CRT", tile, kernel, 2))
    derived = derive(blocks, tile, kernel, dims, fractions_in, field_pair_multiplication, check)
    return verified_algorithm(
        "crt",
        "CRT",
        tile,
        kernel,
        CrtParameters(tuple(m.text for m in parsed)),
        fractions_in,
        derived.one_d,
        derived.two_d,
        _structure(derived.parts_1d),
        _structure(derived.parts_2d),
    )
