"""The one representation of a derived algorithm, shared by every layer after derivation."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Literal

from .algebra.bilinear import FractionsIn, Transforms
from .algebra.transform_programs import (
    KroneckerStructure,
    TransformPrograms,
    kronecker_structure,
    programs_1d,
    programs_2d,
)
from .algebra.verify import satisfies_identity
from .errors import VerificationError

Family = Literal["sfc", "winograd", "crt"]
CONVENTION = "y = AT @ ((G @ g) * (BT @ d)); correlation; 2-D tiles flattened row-major"
"""The convention every algorithm follows, as every export states it."""


def point_text(point: Fraction | None) -> str:
    """A Winograd point as users write it: "inf" for infinity, else the exact rational ("-1/2")."""
    return "inf" if point is None else str(point)


@dataclass(frozen=True)
class SfcParameters:
    """DFT size N and the correction terms (left, right); N + left + right = tile + kernel - 1."""

    dft: int
    corrections: tuple[int, int]


@dataclass(frozen=True)
class WinogradParameters:
    """Interpolation points in the user's order; None stands for infinity."""

    points: tuple[Fraction | None, ...]


@dataclass(frozen=True)
class CrtParameters:
    """The moduli as canonical text, in the user's order ("x^2 + 1", "inf^2"), corrections included."""

    moduli: tuple[str, ...]


Parameters = SfcParameters | WinogradParameters | CrtParameters


@dataclass(frozen=True)
class Algorithm:
    """A fast correlation algorithm, verified exactly in 1-D and (when present) 2-D.

    ``one_d`` and ``two_d`` are ``y = AT @ ((G @ g) * (BT @ d))`` with tiles flattened row-major in
    2-D. ``structure_1d`` and ``structure_2d`` list where the products come from, as
    (description, products) pairs. Build it with ``verified_algorithm``. The transform programs and
    the row-column structure are computed once, on first use, and verified exactly when built.
    """

    name: str
    family: Family
    tile: int
    kernel: int
    parameters: Parameters
    fractions_in: FractionsIn
    one_d: Transforms
    two_d: Transforms | None
    structure_1d: tuple[tuple[str, int], ...]
    structure_2d: tuple[tuple[str, int], ...]

    @property
    def input_size(self) -> int:
        return self.tile + self.kernel - 1

    @property
    def dims(self) -> int:
        return 1 if self.two_d is None else 2

    @property
    def transforms(self) -> Transforms:
        """The algorithm in the requested number of dimensions."""
        return self.one_d if self.two_d is None else self.two_d

    @cached_property
    def kronecker(self) -> KroneckerStructure | None:
        """The 2-D transforms as mixing after the nested 1-D ones (None in 1-D)."""
        return None if self.two_d is None else kronecker_structure(self.two_d, self.one_d)

    @cached_property
    def programs_1d(self) -> TransformPrograms:
        return programs_1d(self.one_d)

    @cached_property
    def programs_2d(self) -> TransformPrograms | None:
        return None if self.two_d is None else programs_2d(self.two_d, self.one_d)

    def programs(self, dims: int) -> TransformPrograms:
        """The verified programs of the transforms in ``dims`` dimensions (1, or 2 when present)."""
        programs = self.programs_1d if dims == 1 else self.programs_2d
        if programs is None:
            raise ValueError(f"{self.name} has no {dims}-D transforms")
        return programs

    @property
    def direct_products(self) -> int:
        return (self.tile * self.kernel) ** self.dims

    @property
    def reduction(self) -> Fraction:
        """Direct multiplications over fast ones, in the requested number of dimensions."""
        return Fraction(self.direct_products, self.transforms.products)


def algorithm_name(base: str, tile: int, kernel: int, dims: int) -> str:
    """``SFC-6(6x6,3x3)`` or ``F(6,3)``: tile and kernel written once per dimension."""
    return f"{base}({'x'.join([str(tile)] * dims)},{'x'.join([str(kernel)] * dims)})"


def verified_algorithm(
    family: Family,
    base_name: str,
    tile: int,
    kernel: int,
    parameters: Parameters,
    fractions_in: FractionsIn,
    one_d: Transforms,
    two_d: Transforms | Literal["square"] | None,
    structure_1d: tuple[tuple[str, int], ...],
    structure_2d: tuple[tuple[str, int], ...],
) -> Algorithm:
    """Check the exact identity in every dimension present, then build the Algorithm.

    ``two_d`` is the 2-D algorithm, None for 1-D only, or "square" for the Kronecker square of the 1-D
    one (Winograd), built here. A Kronecker square needs no 2-D check of its own: the 2-D correlation
    tensor is the Kronecker square of the 1-D one (row-major tiles), so the 2-D identity holds exactly
    when the 1-D identity does."""
    dims = 1 if two_d is None else 2
    name = algorithm_name(base_name, tile, kernel, dims)
    if not satisfies_identity(one_d, tile, kernel, 1):
        raise VerificationError(f"{name} fails the exact 1-D identity")
    if two_d == "square":
        two_d = one_d.kron(one_d)
    elif two_d is not None and not satisfies_identity(two_d, tile, kernel, 2):
        raise VerificationError(f"{name} fails the exact 2-D identity")
    return Algorithm(name, family, tile, kernel, parameters, fractions_in, one_d, two_d, structure_1d, structure_2d)
