"""Algorithm families built on the exact algebra: Winograd/Cook-Toom and SFC."""

from .common import check_sizes
from .sfc import sfc
from .winograd import winograd

__all__ = ["check_sizes", "sfc", "winograd"]
