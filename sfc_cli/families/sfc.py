"""SFC (Symbolic Fourier Convolution): the DFT of size N over cyclotomic integers plus corrections.

Moduli: x**eL (left corrections), x**N - 1 (the symbolic DFT, split into cyclotomic fields) and
infinity**eR (right corrections), N + eL + eR = tile + kernel - 1. In 2-D the DFT x DFT part is the
2-D symbolic DFT (orbits of frequency pairs), everything else is nested.
"""

from __future__ import annotations

from collections import Counter

from ..algebra.bilinear import Bilinear, FractionsIn
from ..algebra.crt import Block, Infinity, Part, Zero, derive
from ..algebra.cyclic import Cyclic, cyclic_multiplication, cyclic_products, frequency_orbits
from ..algebra.polynomial import divisors, totient
from ..algorithm import Algorithm, SfcParameters, algorithm_name, verified_algorithm
from ..errors import InputError
from .common import check_sizes, two_d_work_check

ADDITIONS_ONLY_DFT_SIZES = (2, 3, 4, 6)
"""N whose cyclotomic factors all have degree <= 2: the transforms need additions only."""


def truncated_products(extra: int, tile: int, kernel: int) -> int:
    """Wrap-around terms for ``extra`` outputs on one side: pairs (u, v), u + v < extra, u < tile,
    v < kernel; e(e+1)/2 when e <= min(tile, kernel) (the paper's schoolbook form)."""
    return sum(1 for s in range(extra) for u in range(s + 1) if u < tile and s - u < kernel)


def correction_products(params: SfcParameters, tile: int, kernel: int) -> int:
    """Correction products per axis, both sides."""
    return sum(truncated_products(e, tile, kernel) for e in params.corrections)


def even_split(total: int) -> tuple[int, int]:
    """Corrections split as evenly as possible, left <= right."""
    return total // 2, total - total // 2


def products_2d(params: SfcParameters, tile: int, kernel: int) -> int:
    """K2 = (2-D DFT products) + 2 c (1-D DFT products) + c**2, c = correction products per axis.

    Exact when tile and kernel are at least the largest cyclotomic degree phi(d), d | N; below that
    some field products read an identically zero operand and the built algorithm drops them."""
    c = correction_products(params, tile, kernel)
    return cyclic_products(params.dft, 2) + 2 * c * cyclic_products(params.dft, 1) + c * c


def choose_parameters(tile: int, kernel: int) -> SfcParameters:
    """Fewest 2-D products over the additions-only DFT sizes, then fewest 1-D products, then smaller N."""
    n = tile + kernel - 1
    candidates = [SfcParameters(dft, even_split(n - dft)) for dft in ADDITIONS_ONLY_DFT_SIZES if dft <= n]
    if not candidates:
        raise InputError(f"SFC needs an input tile of at least 2 (tile + kernel - 1 = {n})")

    def cost(p: SfcParameters) -> tuple[int, int, int]:
        c = correction_products(p, tile, kernel)
        return products_2d(p, tile, kernel), cyclic_products(p.dft, 1) + c, p.dft

    return min(candidates, key=cost)


def fewer_products_elsewhere(tile: int, kernel: int, products: int) -> tuple[SfcParameters, int] | None:
    """The N outside the additions-only sizes (corrections split evenly) with the fewest 2-D products,
    and that count, when it is below ``products``; None otherwise. The count is the formula of
    ``products_2d``, an upper bound on what the built algorithm needs (idle products are dropped), so
    a suggestion is never optimistic. Such N have fields of degree 4 or more: constants in BT and AT."""
    n = tile + kernel - 1
    candidates = [
        SfcParameters(dft, even_split(n - dft)) for dft in range(2, n + 1) if dft not in ADDITIONS_ONLY_DFT_SIZES
    ]
    counted = [(products_2d(p, tile, kernel), p.dft, p) for p in candidates]
    if not counted:
        return None
    count, _, best = min(counted, key=lambda item: item[:2])
    return (best, count) if count < products else None


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
            raise InputError(
                f"corrections {corrections[0]},{corrections[1]} leave N = tile + kernel - 1 - left - right = {dft} "
                "for the DFT; it must be at least 2"
            )
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


def _pair_multiplication(first: Block, second: Block) -> Bilinear | None:
    """The 2-D symbolic DFT for the DFT x DFT pair; every other pair is nested."""
    if isinstance(first, Cyclic) and isinstance(second, Cyclic):
        return cyclic_multiplication(first.size, 2)
    return None


def _field_summary(size: int, dims: int, products: int) -> str:
    """E.g. '4 real points (1 product each), 16 conjugate pairs (3 products each)' for the 2-D DFT-6.

    Per-field counts are stated only when none of the field products is idle (``products`` is the
    part's actual count); a tile or kernel shorter than a field's degree leaves some idle."""
    degrees = Counter(totient(d) for d, _ in frequency_orbits(size, dims))
    exact = products == cyclic_products(size, dims)
    return ", ".join(
        _count(count, {1: "real point", 2: "conjugate pair"}.get(degree, f"field of degree {degree}"))
        + (f" ({_count(2 * degree - 1, 'product')} each)" if exact else "")
        for degree, count in sorted(degrees.items())
    )


def _part_label(part: Part, params: SfcParameters) -> tuple[int, str]:
    """(display rank, description) of a block (1-D) or a pair of blocks (2-D)."""
    kinds = tuple(type(b) for b in part.blocks)
    left, right = params.corrections
    n, products = params.dft, part.algorithm.products
    if kinds == (Zero,):
        return 0, f"left corrections (x^{left})"
    if kinds == (Infinity,):
        return 2, f"right corrections (inf^{right})"
    if kinds == (Cyclic,):
        factors = " ".join(f"Phi_{d}" for d in divisors(n))
        return 1, f"DFT-{n} (x^{n} - 1 = {factors}): {_field_summary(n, 1, products)}"
    if kinds == (Cyclic, Cyclic):
        return 0, f"2-D symbolic DFT-{n}: {_field_summary(n, 2, products)}"
    return (1, "DFT x corrections (nested)") if Cyclic in kinds else (2, "corrections x corrections (nested)")


def _structure(parts: list[Part], params: SfcParameters) -> tuple[tuple[str, int], ...]:
    """Products per kind of part, counted from the parts themselves."""
    counts: dict[tuple[int, str], int] = {}
    for part in parts:
        label = _part_label(part, params)
        counts[label] = counts.get(label, 0) + part.algorithm.products
    return tuple((label, count) for (_, label), count in sorted(counts.items()) if count)


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
    check = two_d_work_check(algorithm_name(f"SFC-{params.dft}", tile, kernel, 2))
    derived = derive(_blocks(params), tile, kernel, dims, fractions_in, _pair_multiplication, check)
    return verified_algorithm(
        "sfc",
        f"SFC-{params.dft}",
        tile,
        kernel,
        params,
        fractions_in,
        derived.one_d,
        derived.two_d,
        _structure(derived.parts_1d, params),
        _structure(derived.parts_2d, params),
    )


def _count(count: int, noun: str) -> str:
    """'1 product', '3 products'; 'field of degree 4' -> 'fields of degree 4'."""
    if count == 1:
        return f"1 {noun}"
    head, _, tail = noun.partition(" of ")
    return f"{count} {head}s" + (f" of {tail}" if tail else "")
