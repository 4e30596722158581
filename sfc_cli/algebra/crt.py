"""CRT components (moduli) and the algorithms assembled from them.

A polynomial product p = a * g with n = m + r - 1 coefficients is rebuilt from its residues modulo
coprime moduli whose degrees add up to n. Each modulus is a *block*: it knows how to reduce a
coefficient vector to residue coordinates and how to multiply two residues (a bilinear algorithm).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from math import comb

from .bilinear import Bilinear, FractionsIn, Transforms, stack
from .matrix import ONE, ZERO, QMatrix, vstack


class Block:
    """A CRT modulus: ``degree`` residue coordinates and a multiplication on them."""

    degree: int

    def residue(self, length: int) -> QMatrix:  # degree x length
        raise NotImplementedError

    @cached_property
    def multiplication(self) -> Bilinear:
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class Point(Block):
    """The modulus x - p: the residue is the value a(p)."""

    point: Fraction

    degree = 1

    def residue(self, length: int) -> QMatrix:
        return QMatrix([[self.point**i for i in range(length)]])

    @cached_property
    def multiplication(self) -> Bilinear:
        one = QMatrix([[1]])
        return Bilinear(one, one, one)


def truncated_product(size: int) -> Bilinear:
    """The low ``size`` coefficients of a product of two sequences, schoolbook: one product per
    pair (u, v) with u + v < size, ordered by u + v then u; size*(size+1)/2 products."""
    pairs = [(u, s - u) for s in range(size) for u in range(s + 1)]
    a_map = QMatrix([[ONE if i == u else ZERO for i in range(size)] for u, _ in pairs], size)
    g_map = QMatrix([[ONE if i == v else ZERO for i in range(size)] for _, v in pairs], size)
    out_map = QMatrix([[ONE if u + v == j else ZERO for u, v in pairs] for j in range(size)], len(pairs))
    return Bilinear(a_map, g_map, out_map)


@dataclass(frozen=True, eq=False)
class _Multiple(Block):
    """A point of multiplicity e: residues are e coefficients, multiplied as truncated products."""

    degree: int

    @cached_property
    def multiplication(self) -> Bilinear:
        return truncated_product(self.degree)


@dataclass(frozen=True, eq=False)
class PointPower(_Multiple):
    """The modulus (x - p)**e: the residue is the low e coefficients of a(x + p) (Taylor at p)."""

    point: Fraction = ZERO

    def residue(self, length: int) -> QMatrix:
        p = self.point
        return QMatrix(
            [[comb(i, j) * p ** (i - j) if i >= j else ZERO for i in range(length)] for j in range(self.degree)], length
        )


class Zero(PointPower):
    """The modulus x**e (point 0 with multiplicity e): the residue is the low e coefficients.

    In SFC these are the left correction terms."""


class Infinity(_Multiple):
    """Infinity with multiplicity e: the residue is the top e coefficients, highest first.

    In SFC these are the right correction terms."""

    def residue(self, length: int) -> QMatrix:
        return QMatrix(
            [[ONE if i == length - 1 - j else ZERO for i in range(length)] for j in range(self.degree)], length
        )


def reconstruction(blocks: Sequence[Block], length: int) -> QMatrix:
    """The CRT inverse: length x length matrix rebuilding a polynomial from its stacked residues."""
    if sum(b.degree for b in blocks) != length:
        raise ValueError("the moduli's degrees must add up to the product's length")
    return vstack([b.residue(length) for b in blocks]).inverse()


def block_columns(blocks: Sequence[Block]) -> list[list[int]]:
    columns, offset = [], 0
    for b in blocks:
        columns.append(list(range(offset, offset + b.degree)))
        offset += b.degree
    return columns


@dataclass(frozen=True)
class Part:
    """The products one block (1-D) or one pair of blocks (2-D) contributes, on the coefficients."""

    blocks: tuple[Block, ...]
    algorithm: Bilinear


def parts_1d(blocks: Sequence[Block], m: int, r: int) -> list[Part]:
    """Linear convolution of m and r coefficients through the CRT over ``blocks``, block by block.

    Products whose operand is identically zero (a correction pair reaching past the kernel or the
    tile) are dropped."""
    rebuild = reconstruction(blocks, m + r - 1)
    return [
        Part(
            (b,),
            b.multiplication.on_residues(
                b.residue(m), b.residue(r), rebuild.select_columns(cols)
            ).without_idle_products(),
        )
        for b, cols in zip(blocks, block_columns(blocks), strict=True)
    ]


PairMultiplication = Callable[[Block, Block], "Bilinear | None"]


def nested(first: Block, second: Block) -> None:
    """The default for every pair of blocks: no special multiplication, the two 1-D parts nested."""
    return None


def parts_2d(parts_one: Sequence[Part], m: int, r: int, pair_multiplication: PairMultiplication = nested) -> list[Part]:
    """2-D linear convolution (tiles flattened row-major) through the CRT over pairs of blocks, given the
    1-D parts (``parts_1d``) of the same blocks.

    The residue algebra of a pair is the tensor product of the two. ``pair_multiplication`` returns a
    cheaper way to multiply in it (such as the 2-D symbolic DFT), or None: then the pair's products are
    the Kronecker product of the two blocks' 1-D parts (which equals nesting the multiplications on the
    Kronecker products of residues and reconstructions, and is cheaper to build).
    """
    blocks = [part.blocks[0] for part in parts_one]
    rebuild = reconstruction(blocks, m + r - 1)
    columns = block_columns(blocks)
    parts = []
    for p1, c1 in zip(parts_one, columns, strict=True):
        for p2, c2 in zip(parts_one, columns, strict=True):
            (b1,), (b2,) = p1.blocks, p2.blocks
            special = pair_multiplication(b1, b2)
            if special is None:
                algorithm = p1.algorithm.kron(p2.algorithm)
            else:
                algorithm = special.on_residues(
                    b1.residue(m).kron(b2.residue(m)),
                    b1.residue(r).kron(b2.residue(r)),
                    rebuild.select_columns(c1).kron(rebuild.select_columns(c2)),
                ).without_idle_products()
            parts.append(Part((b1, b2), algorithm))
    return parts


@dataclass(frozen=True)
class Derived:
    """A family's algorithm through the CRT over its blocks: the transforms with their fractions placed,
    in 1-D and (None in 1-D only) 2-D, and the parts they come from (for reporting where products are)."""

    one_d: Transforms
    two_d: Transforms | None
    parts_1d: list[Part]
    parts_2d: list[Part]


def derive(
    blocks: Sequence[Block],
    m: int,
    r: int,
    dims: int,
    fractions_in: FractionsIn,
    pair_multiplication: PairMultiplication = nested,
    before_2d: Callable[[Transforms], None] | None = None,
) -> Derived:
    """Correlation F(m, r) over ``blocks`` in 1-D and, when ``dims`` is 2, in 2-D (unverified);
    ``before_2d`` sees the 1-D transforms first (it may refuse what 2-D would cost)."""
    parts_one = parts_1d(blocks, m, r)
    one_d = Transforms.from_convolution(assemble(parts_one)).place_fractions(fractions_in)
    if dims == 1:
        return Derived(one_d, None, parts_one, [])
    if before_2d is not None:
        before_2d(one_d)
    parts_two = parts_2d(parts_one, m, r, pair_multiplication)
    two_d = Transforms.from_convolution(assemble(parts_two)).place_fractions(fractions_in)
    return Derived(one_d, two_d, parts_one, parts_two)


def assemble(parts: Sequence[Part]) -> Bilinear:
    """All parts together: one convolution algorithm, products in part order."""
    return stack([part.algorithm for part in parts])


def convolution_1d(blocks: Sequence[Block], m: int, r: int) -> Bilinear:
    return assemble(parts_1d(blocks, m, r))
