"""Any CRT moduli (--algo crt): parsing, product counts against the families, splitting, bad input."""

from __future__ import annotations

import json
import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfc_cli.algebra.fields import Quotient, field_pair_multiplication, toom_cook_recipe
from sfc_cli.algebra.verify import satisfies_identity
from sfc_cli.analysis.measure import DataSource, Shape, measure
from sfc_cli.errors import InputError
from sfc_cli.families import crt, sfc, winograd
from sfc_cli.families.crt import parse_moduli

from .helpers import one_error_line, run_sfc

GAUSSIAN = "x, x-1, x+1, x^2+1, inf"


def test_gaussian_integer_f4x4_3x3_needs_7_and_46_products():
    algorithm = crt(4, 3, GAUSSIAN)
    assert (algorithm.one_d.products, algorithm.two_d.products) == (7, 46)
    assert dict(algorithm.structure_2d) == {
        "linear x linear (1 product each)": 16,
        "linear x field (nested)": 24,
        "field x field, split over a common subfield": 6,
    }
    assert algorithm.parameters.moduli == ("x", "x - 1", "x + 1", "x^2 + 1", "inf")


def test_gaussian_integer_winograd_is_sfc4():
    """Same moduli as SFC-4(4,3) (x, x^4 - 1 = (x-1)(x+1)(x^2+1), inf): the very same transforms."""
    gaussian, sfc4 = crt(4, 3, GAUSSIAN), sfc(4, 3)
    assert gaussian.one_d == sfc4.one_d
    assert sorted(gaussian.two_d.BT.rows) == sorted(sfc4.two_d.BT.rows)


def test_sfc6_as_moduli_has_sfcs_transforms_up_to_product_order():
    moduli, family = crt(6, 3, "x^6 - 1", (1, 1)), sfc(6, 3)
    assert moduli.parameters.moduli == ("x", "x^6 - 1", "inf")
    assert (moduli.one_d.products, moduli.two_d.products) == (10, 88)
    assert sorted(moduli.one_d.BT.rows) == sorted(family.one_d.BT.rows)
    assert sorted(moduli.one_d.AT.T.rows) == sorted(family.one_d.AT.T.rows)


@settings(max_examples=8, deadline=None)
@given(st.integers(2, 8), st.integers(0, 2), st.integers(0, 2), st.integers(2, 4), st.integers(0, 3))
def test_sfc_written_as_moduli_needs_the_same_products(dft, left, right, kernel, extra):
    n = dft + left + right
    tile = n - kernel + 1
    if tile < 1 or n > 10:
        return
    family = sfc(tile, kernel, dft, (left, right))
    moduli = crt(tile, kernel, f"x^{dft} - 1", (left, right))
    assert (moduli.one_d.products, moduli.two_d.products) == (family.one_d.products, family.two_d.products)


POOL = ["0", "1", "-1", "2", "-2", "1/2", "-1/2", "3", "-3/4", "5/6"]


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 5), st.integers(2, 4), st.booleans(), st.randoms(use_true_random=False))
def test_winograd_written_as_moduli_is_winograd(tile, kernel, infinity, rng):
    n = tile + kernel - 1
    points = rng.sample(POOL, n - infinity) + (["inf"] if infinity else [])
    moduli = ", ".join("inf" if p == "inf" else f"x - ({p})" for p in points)
    ours = crt(tile, kernel, moduli, dims=1)
    theirs = winograd(tile, kernel, tuple(None if p == "inf" else Fraction(p) for p in points), dims=1)
    assert ours.one_d.products == theirs.one_d.products == n
    # the same products up to the sign of a product (wincnn's first-row sign rule)
    assert [tuple(map(abs, r)) for r in ours.one_d.BT.rows] == [tuple(map(abs, r)) for r in theirs.one_d.BT.rows]
    assert [tuple(map(abs, r)) for r in ours.one_d.G.rows] == [tuple(map(abs, r)) for r in theirs.one_d.G.rows]


def test_error_figures_match_the_families():
    data = DataSource(1024, 0, None, "")
    for ours, theirs in ((crt(6, 3, "x^6 - 1", (1, 1)), sfc(6, 3)), (crt(4, 3, GAUSSIAN), sfc(4, 3))):
        shape = Shape(6 if ours.tile == 6 else 4, 3, 2)
        a, b = (measure(x.two_d, shape, data, (8,)) for x in (ours, theirs))
        assert a.fp16_normalized == pytest.approx(b.fp16_normalized, rel=0.02)
        assert a.int_relative[8] == pytest.approx(b.int_relative[8], rel=0.02)


def q(*coefficients: int) -> Quotient:
    monic = tuple(Fraction(c) for c in coefficients)
    return Quotient(monic, toom_cook_recipe(len(monic) - 1), True)


@pytest.mark.parametrize(
    ("a", "b", "products"),
    [
        ((1, 1, 1), (1, -1, 1), 6),  # x^2+x+1, y^2-y+1: both Q(w)
        ((3, 0, 1), (1, 1, 1), 6),  # x^2+3 and y^2+y+1: both Q(sqrt(-3))
        ((1, 0, 1), (1, 1, 1), 9),  # Q(i) and Q(w): no common field, nested
        ((1, 0, 1), (1, 0, 0, 0, 1), 14),  # Q(i) inside Q(zeta8): 2 copies of Q(zeta8), 7 each
        ((1, 1, 1, 1, 1), (1, 1, 1, 1, 1), 28),  # Phi_5 x Phi_5: 4 copies of Q(zeta5)
        ((-2, 0, 0, 1), (-2, 0, 0, 1), 20),  # x^3-2: one linear and one quadratic factor over Q(2^(1/3))
    ],
)
def test_pairs_of_fields_split_over_a_common_subfield(a, b, products):
    first, second = q(*a), q(*b)
    split = field_pair_multiplication(first, second)
    nested = first.multiplication.products * second.multiplication.products
    assert (nested if split is None else split.products) == products


def test_split_pair_in_a_full_algorithm_is_verified():
    algorithm = crt(3, 3, "x, x^2+3, x^2+x+1")
    assert algorithm.two_d.products == 1 + 2 * 2 * 3 + 4 * 6
    assert satisfies_identity(algorithm.two_d, 3, 3, 2)


def test_points_of_multiplicity_are_taylor_blocks():
    """(x-1)^2 costs 3 truncated products like x^2; x^2 is SFC's left correction of 2."""
    assert crt(4, 3, "(x-1)^2, x, x+1, inf^2", dims=1).one_d.products == 3 + 1 + 1 + 3
    ours, theirs = crt(4, 3, "x^2, x^4 - 1", (0, 0), dims=1).one_d, sfc(4, 3, 4, (2, 0), dims=1).one_d
    assert sorted(ours.BT.rows) == sorted(theirs.BT.rows)


def test_power_of_an_irreducible_is_a_ring_multiplied_by_toom_cook():
    algorithm = crt(5, 4, "(x^2+1)^2, x, x-1, x+1, inf", dims=1)
    assert algorithm.one_d.products == 7 + 4
    assert dict(algorithm.structure_1d)["powers of irreducibles (Toom-Cook, 2D - 1 products each)"] == 7


def test_moduli_are_canonical_and_factored():
    (modulus,) = parse_moduli("2x^2 - 2")
    assert modulus.text == "2*x^2 - 2"
    assert modulus.factors == (((Fraction(-1), Fraction(1)), 1), ((Fraction(1), Fraction(1)), 1))
    (half,) = parse_moduli("x - 0.5")
    assert half.factors == (((Fraction(-1, 2), Fraction(1)), 1),)


@pytest.mark.parametrize(
    ("moduli", "message"),
    [
        ("x, x^2-1, x+1, inf", "share the factor x + 1"),
        ("x, x-1, x+1, inf", "add up to 4, but tile 4 and kernel 3 need tile + kernel - 1 = 6"),
        ("x, x-1, x+1, x^2-sqrt(2), inf", "uses 'sqrt'"),
        ("x, x-1, x+1, x^2+I, inf", "uses 'I'"),
        ("x, x-1, x+1, x^2+, inf", "is not a polynomial in x"),
        ("x, x-1, x+1, 1/x, inf", "is not a polynomial in x"),
        ("x^9+1", "the exponent 9 is above 8"),
        ("(x+1)^3*(x^3+2)^2", "degree 9, above the supported 8"),
        ("x, x-1, x+1, x^2+1, inf, inf", "infinity appears more than once"),
        ("x, x-1, 3, x^2+x+1, inf", "has degree 0"),
        ("x, x-1,, inf", "malformed moduli list"),
        ("x^(1/2)", "the exponent '(1/2)' is not a whole number"),
        ("x^2.0", "the exponent '2.0' is not a whole number"),
        ("x^-1", "^ must be followed by a whole exponent"),
        ("(x^2+1)^99999999", "the exponent 99999999 is above 8"),
        ("x^8^8", "raises a power to a power"),
        ("(" * 50 + "x" + ")" * 50, "is 101 characters long, above the supported 80"),
        ("x^2+1e-3", "writes '1e-3' in scientific notation"),
        ("x^2+\u0663", "uses the character '\u0663'"),
        ("x - 1234567", "the number 1234567 has more than 6 digits"),
    ],
)
def test_bad_moduli_are_one_line_and_exit_2(moduli, message):
    with pytest.raises(InputError, match=re.escape(message)):
        crt(4, 3, moduli)


def test_a_parenthesised_exponent_is_an_exponent():
    assert parse_moduli("x^(2)+1, (x-1)^(3)") == parse_moduli("x^2+1, (x-1)^3")


def test_cli_bad_moduli_one_line():
    line = one_error_line(run_sfc("derive", "--algo", "crt", "--tile", "4", "--moduli", "x, x^2-1, x+1, inf"))
    assert "pairwise coprime" in line
    assert "needs --moduli" in one_error_line(run_sfc("derive", "--algo", "crt"))
    assert "--moduli applies to --algo crt" in one_error_line(run_sfc("derive", "--moduli", "x"))


def test_cli_json_round_trip_and_command():
    run = run_sfc("derive", "--algo", "crt", "--tile", "4", "--moduli", GAUSSIAN, "--format", "json")
    assert run.code == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["family"] == "crt" and document["name"] == "CRT(4x4,3x3)"
    assert document["parameters"] == {"moduli": ["x", "x - 1", "x + 1", "x^2 + 1", "inf"]}
    from sfc_cli.export.jsonio import read_algorithm

    assert read_algorithm(run.stdout).two_d.products == 46
