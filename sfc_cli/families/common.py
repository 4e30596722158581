"""Checks shared by the families."""

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
