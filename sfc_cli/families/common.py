"""Checks shared by the families."""

from collections.abc import Callable

from ..algebra.bilinear import Transforms
from ..errors import InputError

MAX_INPUT = {1: 64, 2: 16}
"""Largest input tile n = tile + kernel - 1 per number of dimensions: a 2-D algorithm has n^2 x n^2
structure and beyond 16 takes minutes and gigabytes (F(14x14,3x3) already takes about 8 s)."""


def check_sizes(tile: int, kernel: int, dims: int) -> None:
    if tile < 1:
        raise InputError(f"tile must be at least 1, got {tile}")
    if kernel < 1:
        raise InputError(f"kernel must be at least 1, got {kernel}")
    if dims not in (1, 2):
        raise InputError(f"dims must be 1 or 2, got {dims}")
    n = tile + kernel - 1
    if n > MAX_INPUT[dims]:
        raise InputError(
            f"tile {tile} and kernel {kernel} need an input tile of {n} (tile + kernel - 1), above the "
            f"supported {MAX_INPUT[dims]} in {dims}-D" + (" (use --dims 1 for up to 64)" if dims == 2 else "")
        )


MAX_2D_WORK = 4_000_000
"""Estimated 2-D work (``two_d_work``) beyond which SFC and CRT algorithms are refused in 2-D before the
2-D derivation: SFC-16(14x14,3x3) is 3.3 million (about 9 s), CRT(10x10,3x3) with x^6-2, x^6-3 1.1
million (7 s), CRT(12x12,3x3) with x^7-2, x^7-3 4.3 million (32 s, 1.4 GB) and CRT(14x14,3x3) with
x^8-2, x^8-3 12 million (50 s, 2.4 GB). The catalog's largest, F(14x14,3x3), is 2.4 million."""


def two_d_work(one_d: Transforms) -> int:
    """The 2-D cost estimated from the 1-D transforms: the squared count of nonzero binary digits of
    BT's and AT's numerators, summed. The flat 2-D matrices are near the Kronecker squares, whose digit
    counts are the squares, and deriving, optimising and verifying them grows with that count."""
    total = 0
    for matrix in (one_d.BT, one_d.AT):
        numerators = matrix.numerators(matrix.common_denominator())
        total += sum(bin(x).count("1") for row in numerators for x in row) ** 2
    return total


def two_d_work_check(name: str) -> Callable[[Transforms], None]:
    """A check of the 1-D transforms of ``name`` (its 2-D name) that refuses a 2-D estimate above
    ``MAX_2D_WORK``, to run before the 2-D derivation."""

    def check(one_d: Transforms) -> None:
        work = two_d_work(one_d)
        if work > MAX_2D_WORK:
            raise InputError(
                f"{name} is too large to derive in 2-D: its estimated work {work:,} is above {MAX_2D_WORK:,} "
                "(it would take minutes and gigabytes); use --dims 1, a smaller tile, or moduli of lower degree"
            )

    return check
