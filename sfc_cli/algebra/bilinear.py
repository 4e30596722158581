"""Bilinear algorithms and the correlation form (AT, G, BT).

A bilinear algorithm computes ``w = out_map @ ((g_map @ g) * (a_map @ a))`` with one general
multiplication per row of ``a_map`` (the *products*). A convolution algorithm for polynomials a
(m coefficients) and g (r coefficients) is one whose w is the product polynomial (n = m + r - 1
coefficients). Its transpose is correlation: ``y = AT @ ((G @ g) * (BT @ d))`` with
``AT = a_map.T``, ``G = g_map``, ``BT = out_map.T``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from .matrix import QMatrix, block_diagonal, hstack, primitive_scale, vstack

FractionsIn = Literal["G", "A", "B"]
SignRule = Literal["filter", "monic"]


@dataclass(frozen=True)
class Bilinear:
    """``w = out_map @ ((g_map @ g) * (a_map @ a))``; a_map is K x len(a), out_map is len(w) x K."""

    a_map: QMatrix
    g_map: QMatrix
    out_map: QMatrix

    @property
    def products(self) -> int:
        return self.a_map.nrows

    def on_residues(self, a_residue: QMatrix, g_residue: QMatrix, reconstruct: QMatrix) -> Bilinear:
        """This algorithm applied to residues of a and g, its output mapped back by ``reconstruct``."""
        return Bilinear(self.a_map @ a_residue, self.g_map @ g_residue, reconstruct @ self.out_map)

    def without_idle_products(self) -> Bilinear:
        """Drop products one of whose operands is identically zero (they multiply nothing)."""
        keep = [t for t in range(self.products) if any(self.a_map.rows[t]) and any(self.g_map.rows[t])]
        if len(keep) == self.products:
            return self
        return Bilinear(
            QMatrix([self.a_map.rows[t] for t in keep], self.a_map.ncols),
            QMatrix([self.g_map.rows[t] for t in keep], self.g_map.ncols),
            self.out_map.select_columns(keep),
        )

    def kron(self, other: Bilinear) -> Bilinear:
        """The tensor product: multiplies in the tensor product of the two algebras."""
        return Bilinear(self.a_map.kron(other.a_map), self.g_map.kron(other.g_map), self.out_map.kron(other.out_map))


def stack(parts: Sequence[Bilinear]) -> Bilinear:
    """Parts that read the same a and g and whose outputs add up (a direct sum of algebras)."""
    return Bilinear(
        vstack([p.a_map for p in parts]),
        vstack([p.g_map for p in parts]),
        hstack([p.out_map for p in parts]),
    )


def direct_sum(parts: Sequence[Bilinear]) -> Bilinear:
    """Parts on separate inputs and outputs (coordinates concatenated in order)."""
    return Bilinear(
        block_diagonal([p.a_map for p in parts]),
        block_diagonal([p.g_map for p in parts]),
        block_diagonal([p.out_map for p in parts]),
    )


@dataclass(frozen=True)
class Transforms:
    """A correlation algorithm ``y = AT @ ((G @ g) * (BT @ d))``.

    Shapes: AT is outputs x products, G is products x taps, BT is products x inputs. In 2-D, tiles
    are flattened row-major. ``input_transform`` is BT (per input tile), ``filter_transform`` is G
    (offline, per kernel), ``output_transform`` is AT (per output tile).
    """

    AT: QMatrix
    G: QMatrix
    BT: QMatrix

    @property
    def products(self) -> int:
        return self.G.nrows

    @property
    def input_transform(self) -> QMatrix:
        return self.BT

    @property
    def filter_transform(self) -> QMatrix:
        return self.G

    @property
    def output_transform(self) -> QMatrix:
        return self.AT

    @classmethod
    def from_convolution(cls, convolution: Bilinear) -> Transforms:
        """Transposition principle: a convolution algorithm read as correlation."""
        return cls(convolution.a_map.T, convolution.g_map, convolution.out_map.T)

    def kron(self, other: Transforms) -> Transforms:
        return Transforms(self.AT.kron(other.AT), self.G.kron(other.G), self.BT.kron(other.BT))

    def scale_products(self, at_factors: Sequence[Fraction], bt_factors: Sequence[Fraction]) -> Transforms:
        """Scale column t of AT and row t of BT; row t of G takes the inverse, so y is unchanged."""
        g_factors = [1 / (a * b) for a, b in zip(at_factors, bt_factors, strict=True)]
        return Transforms(
            self.AT.scale_columns(at_factors), self.G.scale_rows(g_factors), self.BT.scale_rows(bt_factors)
        )

    def place_fractions(self, fractions_in: FractionsIn, sign: SignRule = "filter") -> Transforms:
        """Rescale every product so that two of the three matrices hold coprime integers.

        The matrix named by ``fractions_in`` ("G", "A" for AT, "B" for BT) takes the compensation.
        Signs: every AT column starts with a positive entry; then either every G row starts with a
        positive entry ("filter") or every BT row ends with one ("monic": Lagrange numerators
        with a positive leading coefficient, as wincnn writes them).
        """
        at_factors, bt_factors = [], []
        for t in range(self.products):
            a, g, b = self.AT.column(t), self.G.rows[t], self.BT.rows[t]
            alpha = primitive_scale(a) if fractions_in != "A" else None
            beta = primitive_scale(b) if fractions_in != "B" else None
            if alpha is None:
                alpha = 1 / (primitive_scale(g) * beta)
            if beta is None:
                beta = 1 / (primitive_scale(g) * alpha)
            alpha *= _first_sign(a)
            beta *= _first_sign(g) * _first_sign(a) if sign == "filter" else _first_sign(b[::-1])
            at_factors.append(alpha)
            bt_factors.append(beta)
        return self.scale_products(at_factors, bt_factors)


def _first_sign(vector: Sequence[Fraction]) -> int:
    first = next((x for x in vector if x), 1)
    return 1 if first > 0 else -1
