"""The standard interpolation points of Toom-Cook and Winograd: small integers and their reciprocals."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from fractions import Fraction
from math import gcd


def standard_points(count: int) -> tuple[Fraction, ...]:
    """The first ``count`` of 0, 1, -1, 2, -2, 1/2, -1/2, 3, -3, 1/3, -1/3, 3/2, -3/2, ...

    Small integers and their reciprocals first: the usual choice for well-conditioned Toom-Cook.
    """
    points = [Fraction(0)]
    for magnitude in _magnitudes():
        for p in (magnitude, -magnitude):
            if len(points) >= count:
                return tuple(points[:count])
            points.append(p)
    raise AssertionError("unreachable")


def _magnitudes() -> Iterator[Fraction]:
    """1, 2, 1/2, 3, 1/3, 3/2, 2/3, 4, 1/4, 4/3, 3/4, ...: positive rationals by height, each once."""
    for height in itertools.count(1):
        for num, den in ((height, q) for q in range(1, height + 1)):
            if gcd(num, den) == 1:
                yield Fraction(num, den)
                if num != den:
                    yield Fraction(den, num)
