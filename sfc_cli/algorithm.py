"""The one representation of a derived algorithm, shared by every layer after derivation."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from .algebra.bilinear import FractionsIn, Transforms
from .algebra.verify import satisfies_identity
from .errors import VerificationError

Family = Literal["sfc", "winograd"]


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
class Algorithm:
    """A fast correlation algorithm, verified exactly in 1-D and (when present) 2-D.

    ``one_d`` and ``two_d`` are ``y = AT @ ((G @ g) * (BT @ d))`` with tiles flattened row-major in
    2-D. ``structure_1d`` and ``structure_2d`` list where the products come from, as
    (description, products) pairs. Build it with ``verified_algorithm``.
    """

    name: str
    family: Family
    tile: int
    kernel: int
    parameters: SfcParameters | WinogradParameters
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
    parameters: SfcParameters | WinogradParameters,
    fractions_in: FractionsIn,
    one_d: Transforms,
    two_d: Transforms | None,
    structure_1d: tuple[tuple[str, int], ...],
    structure_2d: tuple[tuple[str, int], ...],
) -> Algorithm:
    """Check the exact identity in every dimension present, then build the Algorithm."""
    dims = 1 if two_d is None else 2
    name = algorithm_name(base_name, tile, kernel, dims)
    for d, transforms in ((1, one_d), (2, two_d)):
        if transforms is not None and not satisfies_identity(transforms, tile, kernel, d):
            raise VerificationError(f"{name} fails the exact {d}-D identity")
    return Algorithm(name, family, tile, kernel, parameters, fractions_in, one_d, two_d, structure_1d, structure_2d)
