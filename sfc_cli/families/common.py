"""Checks shared by the families."""

from ..errors import InputError


def check_sizes(tile: int, kernel: int, dims: int) -> None:
    if tile < 1:
        raise InputError(f"tile must be at least 1, got {tile}")
    if kernel < 1:
        raise InputError(f"kernel must be at least 1, got {kernel}")
    if dims not in (1, 2):
        raise InputError(f"dims must be 1 or 2, got {dims}")
