"""SFC (Symbolic Fourier Convolution): the DFT of size N over cyclotomic integers plus corrections.

Moduli: x**eL (left corrections), x**N - 1 (the symbolic DFT, split into cyclotomic fields) and
infinity**eR (right corrections), N + eL + eR = tile + kernel - 1. In 2-D the DFT x DFT part is the
2-D symbolic DFT (orbits of frequency pairs), everything else is nested.
"""

from __future__ import annotations

from collections import Counter

from ..algebra.bilinear import Bilinear, FractionsIn, Transforms
from ..algebra.crt import Block, Cyclic, Infinity, Zero, convolution_1d, convolution_2d, tensor_multiplication
from ..algebra.cyclic import cyclic_multiplication, cyclic_products, frequency_orbits
from ..algebra.polynomial import divisors, totient
from ..algorithm import Algorithm, SfcParameters, verified_algorithm
from ..errors import InputError
from .common import check_sizes

ADDITIONS_ONLY_DFT_SIZES = (2, 3, 4, 6)
"""N whose cyclotomic factors all have degree <= 2: the transforms need additions only."""


def correction_products(corrections: tuple[int, int]) -> int:
    """Schoolbook wrap-around terms: e(e+1)/2 products on each side."""
    return sum(e * (e + 1) // 2 for e in corrections)


def even_split(total: int) -> tuple[int, int]:
    """Corrections split as evenly as possible, left <= right."""
    return total // 2, total - total // 2


def products_2d(params: SfcParameters) -> int:
    """K2 = (2-D DFT products) + 2 c (1-D DFT products) + c**2, c = correction products per axis."""
    c = correction_products(params.corrections)
    return cyclic_products(params.dft, 2) + 2 * c * cyclic_products(params.dft, 1) + c * c


def choose_parameters(tile: int, kernel: int) -> SfcParameters:
    """Fewest 2-D products over the additions-only DFT sizes, then fewest 1-D products, then smaller N."""
    n = tile + kernel - 1
    candidates = [SfcParameters(dft, even_split(n - dft)) for dft in ADDITIONS_ONLY_DFT_SIZES if dft <= n]
    if not candidates:
        raise InputError(f"SFC needs an input tile of at least 2 (tile + kernel - 1 = {n})")

    def cost(p: SfcParameters) -> tuple[int, int, int]:
        return products_2d(p), cyclic_products(p.dft, 1) + correction_products(p.corrections), p.dft

    return min(candidates, key=cost)


def resolve_parameters(tile: int, kernel: int, dft: int | None, corrections: tuple[int, int] | None) -> SfcParameters:
    """Fill in what the user left out: N from the corrections, corrections from N, or both."""
    n = tile + kernel - 1
    if dft is None and corrections is None:
        return choose_parameters(tile, kernel)
    if corrections is not None and min(corrections) < 0:
        raise InputError(f"corrections must not be negative, got {corrections[0]},{corrections[1]}")
    if dft is None:
        assert corrections is not None
        dft = n - sum(corrections)
    if dft < 2:
        raise InputError(f"DFT size N must be at least 2, got {dft}")
    if dft > n:
        raise InputError(f"DFT size N={dft} is larger than the input tile {n} = tile + kernel - 1")
    if corrections is None:
        corrections = even_split(n - dft)
    if dft + sum(corrections) != n:
        raise InputError(
            f"N + left + right corrections must equal tile + kernel - 1 = {n}, "
            f"got {dft} + {corrections[0]} + {corrections[1]}"
        )
    return SfcParameters(dft, corrections)


def _blocks(params: SfcParameters) -> list[Block]:
    left, right = params.corrections
    return [b for b in (Zero(left), Cyclic(params.dft), Infinity(right)) if b.degree]


def _pair_multiplication(first: Block, second: Block) -> Bilinear:
    if isinstance(first, Cyclic) and isinstance(second, Cyclic):
        return cyclic_multiplication(first.size, 2)
    return tensor_multiplication(first, second)


def _field_summary(size: int, dims: int) -> str:
    """E.g. '4 real points, 16 conjugate pairs' for the 2-D DFT of size 6."""
    degrees = Counter(totient(d) for d, _ in frequency_orbits(size, dims))
    names = {1: "real points", 2: "conjugate pairs"}
    return ", ".join(
        f"{count} {names.get(degree, f'fields of degree {degree}')} ({_products(2 * degree - 1)} each)"
        for degree, count in sorted(degrees.items())
    )


def _structure(params: SfcParameters, dims: int) -> tuple[tuple[str, int], ...]:
    left, right = params.corrections
    c = correction_products(params.corrections)
    dft1 = cyclic_products(params.dft, 1)
    factors = " ".join(f"Phi_{d}" for d in divisors(params.dft))
    rows = [
        (f"left corrections (x^{left})", left * (left + 1) // 2),
        (f"DFT-{params.dft} (x^{params.dft} - 1 = {factors}): {_field_summary(params.dft, 1)}", dft1),
        (f"right corrections (inf^{right})", right * (right + 1) // 2),
    ]
    if dims == 1:
        return tuple(row for row in rows if row[1])
    rows = [
        (f"2-D symbolic DFT-{params.dft}: {_field_summary(params.dft, 2)}", cyclic_products(params.dft, 2)),
        ("DFT x corrections (nested)", 2 * c * dft1),
        ("corrections x corrections (nested)", c * c),
    ]
    return tuple(row for row in rows if row[1])


def sfc(
    tile: int,
    kernel: int,
    dft: int | None = None,
    corrections: tuple[int, int] | None = None,
    dims: int = 2,
    fractions_in: FractionsIn = "G",
) -> Algorithm:
    """SFC-N(tile, kernel) in ``dims`` dimensions, verified; N and corrections chosen if not given."""
    check_sizes(tile, kernel, dims)
    params = resolve_parameters(tile, kernel, dft, corrections)
    blocks = _blocks(params)
    one_d = Transforms.from_convolution(convolution_1d(blocks, tile, kernel)).place_fractions(fractions_in)
    two_d = None
    if dims == 2:
        raw = convolution_2d(blocks, tile, kernel, _pair_multiplication)
        two_d = Transforms.from_convolution(raw).place_fractions(fractions_in)
    return verified_algorithm(
        "sfc",
        f"SFC-{params.dft}",
        tile,
        kernel,
        params,
        fractions_in,
        one_d,
        two_d,
        _structure(params, 1),
        _structure(params, 2) if dims == 2 else (),
    )


def _products(count: int) -> str:
    return f"{count} product" + ("" if count == 1 else "s")
