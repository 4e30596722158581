"""Properties over many tile, kernel, N, corrections and point choices (hypothesis)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfc_cli.algebra.bilinear import Transforms
from sfc_cli.algebra.cyclic import cyclic_products
from sfc_cli.algebra.matrix import QMatrix
from sfc_cli.algebra.polynomial import divisors, totient
from sfc_cli.algebra.verify import satisfies_identity
from sfc_cli.families import sfc, winograd
from sfc_cli.families.sfc import correction_products, products_2d

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def corrupted(transforms: Transforms, which: str, row: int, col: int, delta: Fraction) -> Transforms:
    matrix = getattr(transforms, which)
    rows = [list(r) for r in matrix.rows]
    rows[row % matrix.nrows][col % matrix.ncols] += delta
    changed = QMatrix(rows)
    return Transforms(**{name: changed if name == which else getattr(transforms, name) for name in ("AT", "G", "BT")})


@st.composite
def sfc_cases(draw):
    tile = draw(st.integers(1, 7))
    kernel = draw(st.integers(1, 6))
    n = tile + kernel - 1
    dft = draw(st.integers(2, max(2, min(n, 8))))
    if dft > n:
        dft = n
    left = draw(st.integers(0, n - dft))
    return tile, kernel, dft, (left, n - dft - left)


@st.composite
def corruption(draw):
    return (
        draw(st.sampled_from(["AT", "G", "BT"])),
        draw(st.integers(0, 10_000)),
        draw(st.integers(0, 10_000)),
        draw(st.sampled_from([Fraction(1), Fraction(-1), Fraction(1, 3)])),
    )


@SETTINGS
@given(case=sfc_cases(), dims=st.sampled_from([1, 2]), fractions_in=st.sampled_from("GAB"), bad=corruption())
def test_every_sfc_choice_verifies_and_corruption_is_caught(case, dims, fractions_in, bad):
    tile, kernel, dft, corrections = case
    if tile + kernel - 1 < 2:
        return
    alg = sfc(tile, kernel, dft, corrections, dims=dims, fractions_in=fractions_in)
    transforms = alg.transforms
    assert satisfies_identity(transforms, tile, kernel, dims)
    assert not satisfies_identity(corrupted(transforms, *bad), tile, kernel, dims)
    c = correction_products(alg.parameters, tile, kernel)
    expected = products_2d(alg.parameters, tile, kernel) if dims == 2 else cyclic_products(dft, 1) + c
    structure = alg.structure_2d if dims == 2 else alg.structure_1d
    assert transforms.products == sum(count for _, count in structure)
    largest_field = max(totient(d) for d in divisors(dft))
    if min(tile, kernel) >= largest_field:  # residue maps onto every field: no product can be idle
        assert transforms.products == expected
    else:
        assert transforms.products <= expected
    if dft in (2, 3, 4, 6) and fractions_in == "G":
        assert {abs(x) for m in (transforms.AT, transforms.BT) for row in m.rows for x in row} <= {0, 1}


@st.composite
def winograd_cases(draw):
    tile = draw(st.integers(1, 5))
    kernel = draw(st.integers(1, 4))
    n = tile + kernel - 1
    with_infinity = draw(st.booleans())
    finite = draw(
        st.lists(
            st.fractions(min_value=-4, max_value=4, max_denominator=4),
            unique=True,
            min_size=n - with_infinity,
            max_size=n - with_infinity,
        )
    )
    points = list(finite) + [None] * with_infinity
    order = draw(st.permutations(range(len(points))))
    return tile, kernel, tuple(points[i] for i in order)


@SETTINGS
@given(case=winograd_cases(), dims=st.sampled_from([1, 2]), fractions_in=st.sampled_from("GAB"), bad=corruption())
def test_every_winograd_point_set_verifies_and_corruption_is_caught(case, dims, fractions_in, bad):
    tile, kernel, points = case
    alg = winograd(tile, kernel, points, dims=dims, fractions_in=fractions_in)
    assert satisfies_identity(alg.transforms, tile, kernel, dims)
    assert not satisfies_identity(corrupted(alg.transforms, *bad), tile, kernel, dims)
    assert alg.transforms.products == len(points) ** dims
