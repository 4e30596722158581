"""The algorithms ``sfc search`` tries, each described by the derive options that build it.

Per output tile m = 2 .. max_tile and the kernel r (n = m + r - 1):

- SFC-N for every N from 2 to min(12, n) and every split L + R = n - N of the corrections;
- Winograd at symmetric point sets from ``MAGNITUDES``: 0 (when n - 1 is odd) and pairs +-a, then
  infinity;
- CRT moduli with quadratic fields: one quadratic from ``QUADRATICS``, or two or three over the same
  field (the sets whose 2-D products split: 6 per pair instead of 9; quadratics over different fields
  only nest), the rest of the degree made of x^eL and inf^eR (e <= 1) and symmetric pairs +-a from
  ``FIELD_MAGNITUDES``; sets whose moduli are SFC-4's or SFC-6's are left to the SFC candidates.

Products are counted before anything is derived, for pruning. The count is exact for Winograd and for
the CRT sets (no block is longer than a tile of 2 or a kernel of 2). For SFC it is exact when the tile
and the kernel are at least the largest field degree of x^N - 1, and an upper bound otherwise (idle
products are dropped when derived): ``exact`` says which, and only exact counts prune.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction

from ..algebra.polynomial import divisors, totient
from ..families.sfc import SfcParameters, correction_products, cyclic_products, products_2d
from ..request import AlgorithmRequest

MAGNITUDES = tuple(
    Fraction(x) for x in ("1", "2", "1/2", "3", "1/3", "3/2", "2/3", "3/4", "4/3", "5/6", "6/5", "7/6", "3/5")
)
"""Winograd's positive points; each is used as the pair +-a."""
FIELD_MAGNITUDES = tuple(Fraction(x) for x in ("1", "2", "1/2"))
"""The pairs +-a that fill CRT moduli sets around their quadratic fields."""
QUADRATICS = {
    "x^2+1": -1,
    "x^2+x+1": -3,
    "x^2-x+1": -3,
    "x^2+3": -3,
    "x^2+2": -2,
    "x^2+2x+2": -1,
    "x^2-2x+2": -1,
}
"""Quadratic moduli with small coefficients, each with its field Q(sqrt(k)) as k: two quadratics over
the same field cost 6 products as a 2-D pair instead of 9."""
MAX_DFT = 12
MAX_CORRECTION = 1
"""x^e and inf^e around CRT sets: e <= 1 (larger corrections are the SFC candidates' ground)."""


@dataclass(frozen=True)
class Candidate:
    """One algorithm to try: the request that derives it, its products counted before deriving (None:
    not counted, never pruned), whether that count is exact, and for a published algorithm its short
    name and source."""

    request: AlgorithmRequest
    products: int | None
    literature: str | None = None
    source: str | None = None
    exact: bool = True

    @property
    def command(self) -> str:
        """The ``sfc derive`` command that derives this very algorithm."""
        r = self.request
        words = ["sfc derive", f"--algo {r.algo}", f"--tile {r.tile}", f"--kernel {r.kernel}"]
        if r.dft is not None:
            words.append(f"--dft {r.dft}")
        if r.corrections is not None:
            words.append(f"--corrections {r.corrections}")
        if r.points is not None:
            words.append(f"--points {r.points}")
        if r.moduli is not None:
            words.append(f'--moduli "{r.moduli}"')
        if r.dims != 2:
            words.append(f"--dims {r.dims}")
        if r.fractions_in != "G":
            words.append(f"--fractions-in {r.fractions_in}")
        return " ".join(words)


def symmetric_point_sets(count: int, magnitudes: tuple[Fraction, ...]) -> Iterator[tuple[Fraction, ...]]:
    """Sets of ``count`` finite points symmetric about 0: 0 when count is odd, then pairs +-a."""
    head = (Fraction(0),) if count % 2 else ()
    for chosen in itertools.combinations(magnitudes, count // 2):
        yield head + tuple(p for a in chosen for p in (a, -a))


def sfc_candidates(tile: int, kernel: int, dims: int) -> Iterator[Candidate]:
    n = tile + kernel - 1
    for dft in range(2, min(MAX_DFT, n) + 1):
        for left in range(n - dft + 1):
            params = SfcParameters(dft, (left, n - dft - left))
            one = cyclic_products(dft, 1) + correction_products(params, tile, kernel)
            products = products_2d(params, tile, kernel) if dims == 2 else one
            request = AlgorithmRequest("sfc", tile, kernel, dft=dft, corrections=f"{left},{n - dft - left}", dims=dims)
            largest_field = max(totient(d) for d in divisors(dft))
            yield Candidate(request, products, exact=min(tile, kernel) >= largest_field)


def winograd_candidates(tile: int, kernel: int, dims: int) -> Iterator[Candidate]:
    n = tile + kernel - 1
    for points in symmetric_point_sets(n - 1, MAGNITUDES):
        text = ",".join([*map(str, points), "inf"])
        yield Candidate(AlgorithmRequest("winograd", tile, kernel, points=text, dims=dims), n**dims)


SFC_FIELDS = ({"x^2+1"}, {"x^2+x+1", "x^2-x+1"})
"""The quadratic factors of x^4 - 1 and x^6 - 1: with the pair +-1 they are SFC-4's and SFC-6's moduli."""


def _is_sfc(quadratics: tuple[str, ...], pairs: tuple[Fraction, ...]) -> bool:
    """Moduli that are SFC-4's or SFC-6's (with any corrections), which the SFC candidates cover."""
    return set(pairs) == {Fraction(1)} and set(quadratics) in SFC_FIELDS


def _crt_products(linear: int, truncated: tuple[int, ...], quadratics: tuple[str, ...], dims: int) -> int:
    one = linear + sum(e * (e + 1) // 2 for e in truncated) + 3 * len(quadratics)
    if dims == 1:
        return one
    same_field = sum(count * count for count in Counter(QUADRATICS[q] for q in quadratics).values())
    return one * one - 3 * same_field


def quadratic_sets() -> Iterator[tuple[str, ...]]:
    """Each quadratic alone, then every pair and triple over one field, in ``QUADRATICS`` order."""
    for size in (1, 2, 3):
        for quadratics in itertools.combinations(QUADRATICS, size):
            if len({QUADRATICS[q] for q in quadratics}) == 1:
                yield quadratics


def crt_candidates(tile: int, kernel: int, dims: int) -> Iterator[Candidate]:
    n = tile + kernel - 1
    for quadratics in quadratic_sets():
        rest = n - 2 * len(quadratics)
        for left, right in itertools.product(range(MAX_CORRECTION + 1), repeat=2):
            pairs_degree = rest - left - right
            if pairs_degree < 0 or pairs_degree % 2:
                continue
            for chosen in itertools.combinations(FIELD_MAGNITUDES, pairs_degree // 2):
                if _is_sfc(quadratics, chosen):
                    continue
                moduli = [f"x^{left}" if left > 1 else "x"] if left else []
                moduli += [f"x{'-' if a > 0 else '+'}{abs(a)}" for p in chosen for a in (p, -p)]
                moduli += list(quadratics)
                moduli += [f"inf^{right}" if right > 1 else "inf"] if right else []
                truncated = tuple(e for e in (left, right) if e > 1)
                linear = 2 * len(chosen) + (left == 1) + (right == 1)
                request = AlgorithmRequest("crt", tile, kernel, moduli=", ".join(moduli), dims=dims)
                yield Candidate(request, _crt_products(linear, truncated, quadratics, dims))


def literature_candidates(kernel: int, dims: int) -> list[Candidate]:
    """The catalog's algorithms for this kernel (the paper's and the literature's), named as the error
    report names them (the 1-D derivation gives the family's name, e.g. SFC's choice of N)."""
    from ..algorithm import algorithm_name
    from ..catalog import CATALOG
    from ..request import build_algorithm

    found = []
    for row in CATALOG:
        if row.request.kernel == kernel:
            request = row.request_for(dims, "G")
            base = build_algorithm(replace(request, dims=1)).name.split("(")[0]
            name = " ".join(filter(None, (algorithm_name(base, request.tile, kernel, dims), row.label)))
            found.append(Candidate(request, None, name, row.source))
    return found


def all_candidates(kernel: int, dims: int, max_tile: int) -> list[Candidate]:
    """Every candidate for tiles 2 .. max_tile, smaller tiles first (a budget covers them first)."""
    found = []
    for tile in range(2, max_tile + 1):
        for generate in (sfc_candidates, winograd_candidates, crt_candidates):
            found.extend(generate(tile, kernel, dims))
    return found
