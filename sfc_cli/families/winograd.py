"""Winograd / Cook-Toom: moduli x - p for rational points p, plus optionally infinity.

With fractions in G the matrices are the ones wincnn derives: AT columns are powers of the points,
BT rows are the Lagrange numerators prod_{j != t} (x - p_j) (denominators cleared for fractional
points), G takes the rest; like wincnn, the first point's row is negated when its Lagrange
denominator is negative. 2-D is the Kronecker square of 1-D.
"""

from __future__ import annotations

from fractions import Fraction
from math import prod

from ..algebra.bilinear import FractionsIn, Transforms
from ..algebra.crt import Infinity, Point, convolution_1d
from ..algebra.points import standard_points
from ..algorithm import Algorithm, WinogradParameters, verified_algorithm
from ..errors import InputError
from .common import check_sizes

WinogradPoint = Fraction | None  # None is infinity


def default_points(tile: int, kernel: int) -> tuple[WinogradPoint, ...]:
    """The default table: the first n - 1 of 0, 1, -1, 2, -2, 1/2, -1/2, 3, -3, ... then infinity.

    F(2,3): 0, 1, -1, inf. F(4,3): 0, +-1, +-2, inf. F(6,3): 0, +-1, +-2, +-1/2, inf.
    """
    return (*standard_points(tile + kernel - 2), None)


def _check_points(points: tuple[WinogradPoint, ...], tile: int, kernel: int) -> None:
    n = tile + kernel - 1
    if len(points) != n:
        raise InputError(f"F({tile},{kernel}) needs {n} points (input tile size), got {len(points)}")
    if points.count(None) > 1:
        raise InputError("infinity can be used once")
    finite = [p for p in points if p is not None]
    if len(set(finite)) != len(finite):
        raise InputError("points must be distinct")


def _wincnn_signs(transforms: Transforms, points: tuple[WinogradPoint, ...]) -> Transforms:
    first = points[0]
    if first is None or prod(first - p for p in points[1:] if p is not None) > 0:
        return transforms
    flips = [Fraction(-1 if t == 0 else 1) for t in range(transforms.products)]
    return transforms.scale_products([Fraction(1)] * transforms.products, flips)


def winograd(
    tile: int,
    kernel: int,
    points: tuple[WinogradPoint, ...] | None = None,
    dims: int = 2,
    fractions_in: FractionsIn = "G",
) -> Algorithm:
    """F(tile, kernel) in ``dims`` dimensions, verified."""
    check_sizes(tile, kernel, dims)
    points = default_points(tile, kernel) if points is None else tuple(points)
    _check_points(points, tile, kernel)
    blocks = [Infinity(1) if p is None else Point(p) for p in points]
    one_d = Transforms.from_convolution(convolution_1d(blocks, tile, kernel)).place_fractions(fractions_in, "monic")
    one_d = _wincnn_signs(one_d, points)
    n = tile + kernel - 1
    return verified_algorithm(
        "winograd",
        "F",
        tile,
        kernel,
        WinogradParameters(points),
        fractions_in,
        one_d,
        "square" if dims == 2 else None,
        (("points", n),),
        (("points x points (nested 1-D)", n * n),) if dims == 2 else (),
    )
