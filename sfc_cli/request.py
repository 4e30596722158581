"""Turning command-line text into algorithm requests (shared by every command)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

from .algebra.bilinear import FractionsIn
from .errors import InputError

if TYPE_CHECKING:
    from .algorithm import Algorithm

AlgorithmFamily = Literal["sfc", "winograd", "crt"]
INFINITY_WORDS = ("inf", "infinity", "∞")
MAX_POINT_DIGITS = 6
"""A point's numerator and denominator (in lowest terms) have at most this many digits: interpolation
at larger points gives transforms no one can run, and their exact entries grow without bound."""
MAX_SIDE = 4096
MAX_PIXELS = MAX_SIDE**2
"""error-report's --image: pixels of an image at most (16,777,216, e.g. 4096x4096 or a 16-megapixel photograph):
decoding one takes under 1 GB. Here, not in ``analysis.images``, so that --help needs no numpy."""
MAX_SAMPLES = 10**6
"""error-report's --samples at most: measurement runs in batches, so memory is that of one batch at any
count, but time grows linearly (the default catalog: about 10 s at the default 4096, over ten minutes here)."""


def _items(text: str, what: str, example: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or any(not item for item in items):
        raise InputError(f"malformed {what} list {text!r}: expected comma-separated values such as {example}")
    return items


_INTEGER = re.compile(r"[+-]?[0-9]+")
_RATIONAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?(?:/[0-9]+)?")
"""What Python's int and Fraction accept, less what they also take: digits of other scripts (٣, １)
and underscores (1_0). Numbers on the command line are ASCII digits only."""


def parse_point(text: str) -> Fraction | None:
    """A rational ("2", "-1/2", "0.5", "1e3") or infinity ("inf"); None stands for infinity."""
    if text.lower() in INFINITY_WORDS:
        return None
    if not _RATIONAL.fullmatch(text):
        raise InputError(
            f"point {text!r} is not a rational number in ASCII digits (use forms like 2, -1/2, 0.5 or inf)"
        )
    too_large = f"point {text!r} has too many digits: numerator and denominator may have {MAX_POINT_DIGITS} at most"
    exponent = re.search(r"[eE][+-]?0*(\d*)$", text)
    if len(text) > 4 * MAX_POINT_DIGITS or (exponent and len(exponent.group(1)) > 2):
        raise InputError(too_large)  # checked before any arithmetic: 1e100000000 would take minutes
    try:
        point = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InputError(f"point {text!r} is not a rational number (use forms like 2, -1/2, 0.5 or inf)") from None
    if max(abs(point.numerator), point.denominator) >= 10**MAX_POINT_DIGITS:
        raise InputError(too_large)
    return point


def parse_points(text: str) -> tuple[Fraction | None, ...]:
    return tuple(parse_point(item) for item in _items(text, "points", "0,1,-1,inf"))


def parse_int_list(text: str, what: str, example: str = "8,6,4") -> tuple[int, ...]:
    items = _items(text, what, example)
    for item in items:
        if not _INTEGER.fullmatch(item):
            raise InputError(
                f"malformed {what} list {text!r}: expected comma-separated integers in ASCII digits 0-9, got {item!r}"
            )
    return tuple(int(item) for item in items)


MIN_BITS, MAX_BITS = 2, 16
"""The quantization widths every command and the models take (--bits)."""


def check_bits(bits: int) -> int:
    """``bits`` itself when it is a width sfc quantizes to, else InputError."""
    if not MIN_BITS <= bits <= MAX_BITS:
        raise InputError(f"--bits must be between {MIN_BITS} and {MAX_BITS}, got {bits}")
    return bits


def parse_bits(text: str) -> tuple[int, ...]:
    """--bits: comma-separated widths, duplicates dropped, each checked."""
    return tuple(check_bits(bits) for bits in dict.fromkeys(parse_int_list(text, "bits")))


def parse_int_pair(text: str, what: str, example: str, wrong_count: str | None = None) -> tuple[int, int]:
    """Two comma-separated integers, e.g. ``--channels 64,64``; ``wrong_count`` says what a list of another
    length lacks (default: "{what} takes two integers, e.g. {example}")."""
    values = parse_int_list(text, what, example)
    if len(values) != 2:
        raise InputError(f"{wrong_count or f'{what} takes two integers, e.g. {example}'}, got {text!r}")
    return values[0], values[1]


def parse_corrections(text: str) -> tuple[int, int]:
    return parse_int_pair(text, "corrections", "1,1", "corrections take two integers LEFT,RIGHT")


@dataclass(frozen=True)
class AlgorithmRequest:
    """What the user asked for; unset options are None and get the family's defaults."""

    algo: str = "sfc"
    tile: int = 6
    kernel: int = 3
    dft: int | None = None
    corrections: str | None = None
    points: str | None = None
    dims: int = 2
    fractions_in: str = "G"
    moduli: str | None = None

    @property
    def chooses_automatically(self) -> bool:
        """True when the family picks its own parameters (SFC's N and corrections, Winograd's points)."""
        if self.algo == "sfc":
            return self.dft is None and self.corrections is None
        return self.algo == "winograd" and self.points is None


def build_algorithm(request: AlgorithmRequest) -> Algorithm:
    """Parse, check and derive; raises InputError for anything the user must change."""
    from .families import crt, sfc, winograd

    fractions_in = request.fractions_in.upper()
    if fractions_in not in ("G", "A", "B"):
        raise InputError(f"--fractions-in must be G, A or B, got {request.fractions_in!r}")
    typed_fractions: FractionsIn = fractions_in  # type: ignore[assignment]
    if request.moduli is not None and request.algo != "crt":
        raise InputError("--moduli applies to --algo crt")
    if request.algo == "crt":
        if request.points is not None or request.dft is not None:
            raise InputError("--points and --dft do not apply to --algo crt; it takes --moduli and --corrections")
        if request.moduli is None:
            raise InputError('--algo crt needs --moduli, e.g. --moduli "x, x-1, x+1, x^2+1, inf"')
        corrections = None if request.corrections is None else parse_corrections(request.corrections)
        return crt(request.tile, request.kernel, request.moduli, corrections, request.dims, typed_fractions)
    if request.algo == "sfc":
        if request.points is not None:
            raise InputError("--points applies to --algo winograd; SFC takes --dft and --corrections")
        corrections = None if request.corrections is None else parse_corrections(request.corrections)
        return sfc(request.tile, request.kernel, request.dft, corrections, request.dims, typed_fractions)
    if request.algo == "winograd":
        if request.dft is not None or request.corrections is not None:
            raise InputError("--dft and --corrections apply to --algo sfc; Winograd takes --points")
        points = None if request.points is None else parse_points(request.points)
        return winograd(request.tile, request.kernel, points, request.dims, typed_fractions)
    raise InputError(f"unknown algorithm {request.algo!r}: choose sfc, winograd or crt")
