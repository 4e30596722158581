"""Algorithm families built on the exact algebra: Winograd/Cook-Toom, SFC and any CRT moduli."""

from .common import check_sizes
from .crt import crt
from .sfc import sfc
from .winograd import winograd

__all__ = ["check_sizes", "crt", "sfc", "winograd"]
