"""SFC: the paper's counts, its automatic choices, additions-only transforms and correction terms."""

from __future__ import annotations

from fractions import Fraction

import pytest

from sfc_cli.algebra.matrix import QMatrix
from sfc_cli.algorithm import SfcParameters
from sfc_cli.errors import InputError
from sfc_cli.families import sfc, winograd
from sfc_cli.families.sfc import choose_parameters, fewer_products_elsewhere, products_2d

from .helpers import run_sfc

# docs/design.md section 4: (K 1-D, K2 2-D, printed share of direct in percent)
PAPER_TABLE = {
    ("sfc", 4, 3): (7, 46, "31.94"),
    ("sfc", 6, 3): (10, 88, "27.16"),
    ("sfc", 7, 3): (12, 132, "29.93"),
    ("sfc", 6, 5): (14, 184, "20.44"),
    ("winograd", 2, 3): (4, 16, "44.44"),
    ("winograd", 4, 3): (6, 36, "25.00"),
    ("winograd", 6, 3): (8, 64, "19.75"),
    ("winograd", 2, 5): (6, 36, "36.00"),
    ("winograd", 2, 7): (8, 64, "32.65"),
}


@pytest.mark.parametrize(("family", "tile", "kernel"), list(PAPER_TABLE))
def test_paper_product_counts(family, tile, kernel):
    k1, k2, share = PAPER_TABLE[family, tile, kernel]
    alg = (sfc if family == "sfc" else winograd)(tile, kernel)
    assert alg.one_d.products == k1
    assert alg.two_d.products == k2
    assert f"{100 * k2 / (tile * kernel) ** 2:.2f}" == share


def test_headline_reduction():
    assert sfc(6, 3).reduction == Fraction(324, 88)  # 3.68x
    assert f"{float(sfc(6, 3).reduction):.2f}" == "3.68"
    assert f"{float(winograd(2, 3).reduction):.2f}" == "2.25"


@pytest.mark.parametrize(
    ("tile", "kernel", "dft", "corrections"),
    [(4, 3, 4, (1, 1)), (6, 3, 6, (1, 1)), (7, 3, 6, (1, 2)), (6, 5, 6, (2, 2)), (4, 7, 6, (2, 2))],
)
def test_automatic_choice_is_the_papers(tile, kernel, dft, corrections):
    assert choose_parameters(tile, kernel) == SfcParameters(dft, corrections)


def test_sfc6_input_transform_contains_the_papers_sft6_rows():
    bt = sfc(6, 3, dims=1).one_d.BT
    window = {tuple(int(x) for x in row[1:7]) for row in bt.rows}
    for row in ([1, 1, 0, -1, -1, 0], [0, -1, -1, 0, 1, 1], [1, 0, -1, 1, 0, -1], [1, -1, 1, -1, 1, -1]):
        assert tuple(row) in window or tuple(-x for x in row) in window


def test_sfc6_correction_terms_are_the_papers():
    """y0 = c5 + (d0 - d6) * g0 and y5 = c4 + (d7 - d1) * g2 for SFC-6(6,3) on d0..d7."""
    alg = sfc(6, 3, dims=1).one_d
    left, right = 0, alg.products - 1
    assert alg.BT.rows[left] == tuple(Fraction(x) for x in (1, 0, 0, 0, 0, 0, -1, 0))
    assert alg.G.rows[left] == tuple(Fraction(x) for x in (1, 0, 0))
    assert alg.AT.column(left) == tuple(Fraction(int(i == 0)) for i in range(6))
    assert alg.BT.rows[right] == tuple(Fraction(x) for x in (0, -1, 0, 0, 0, 0, 0, 1))
    assert alg.G.rows[right] == tuple(Fraction(x) for x in (0, 0, 1))
    assert alg.AT.column(right) == tuple(Fraction(int(i == 5)) for i in range(6))
    # the DFT products read only the circular window d1..d6
    assert all(row[0] == 0 and row[7] == 0 for row in alg.BT.rows[1:-1])


def test_sfc4_exact_1d_matrices():
    """SFC-4(4,3): corrections (d0 - d4) g0 and (d5 - d1) g2 around the DFT-4 on the window d1..d4."""
    alg = sfc(4, 3, dims=1).one_d
    assert (
        QMatrix(
            [
                [1, 0, 0, 0, -1, 0],
                [0, 1, 1, 1, 1, 0],
                [0, -1, 1, -1, 1, 0],
                [0, 0, -1, 0, 1, 0],
                [0, 1, 1, -1, -1, 0],
                [0, 1, 0, -1, 0, 0],
                [0, -1, 0, 0, 0, 1],
            ]
        )
        == alg.BT
    )
    assert (
        QMatrix([[1, 1, 1, 1, 1, 0, 0], [0, 1, -1, 0, 1, 1, 0], [0, 1, 1, -1, -1, 0, 0], [0, 1, -1, 0, -1, -1, 1]])
        == alg.AT
    )
    assert (
        QMatrix(
            [
                [1, 0, 0],
                ["1/4", "1/4", "1/4"],
                ["1/4", "-1/4", "1/4"],
                ["1/2", "1/2", "-1/2"],
                [0, "1/2", 0],
                ["1/2", "-1/2", "-1/2"],
                [0, 0, 1],
            ]
        )
        == alg.G
    )


@pytest.mark.parametrize(("tile", "kernel"), [(4, 3), (6, 3), (7, 3), (6, 5), (4, 7)])
def test_2d_transforms_are_additions_only(tile, kernel):
    alg = sfc(tile, kernel)
    for matrix in (alg.one_d.AT, alg.one_d.BT, alg.two_d.AT, alg.two_d.BT):
        assert {abs(x) for row in matrix.rows for x in row} <= {0, 1}
    assert alg.two_d.products == products_2d(alg.parameters, tile, kernel) < alg.one_d.products**2


def test_structure_states_per_field_counts_only_when_exact():
    full = dict(sfc(4, 5, dft=8).structure_2d)  # no idle products: per-field counts hold
    assert "12 fields of degree 4 (7 products each)" in next(iter(full))
    short = sfc(6, 3, dft=8)  # kernel 3 < degree 4: some field products are idle and dropped
    label, count = short.structure_1d[0]
    assert "each" not in label and count == short.one_d.products == 11


def test_idle_products_are_dropped():
    """A one-tap kernel has no wrap-around pairs beyond v = 0: corrections cost e, not e(e+1)/2."""
    alg = sfc(4, 1, dft=2, corrections=(1, 1), dims=1)
    assert alg.one_d.products == 2 + 1 + 1


def test_large_cyclotomic_factors_are_counted_honestly():
    # N = 5: Phi_1 (1 product) + Phi_5 (degree 4, 7 products); 2-D: 1 + 6 fields of degree 4.
    alg = sfc(4, 4, dft=5)
    assert alg.parameters.corrections == (1, 1)
    assert alg.one_d.products == 1 + (1 + 7) + 1
    assert alg.two_d.products == (1 + 6 * 7) + 2 * 2 * 8 + 2 * 2
    alg = sfc(4, 5, dft=8)  # Phi_8 has degree 4
    assert alg.one_d.products == 1 + 1 + 3 + 7
    # a kernel shorter than the field degree leaves the top Toom-Cook product idle: it is dropped
    assert sfc(6, 3, dft=8, dims=1).one_d.products == 1 + 1 + 3 + 6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dft": 1}, "at least 2"),
        ({"dft": 9}, "larger than the input tile"),
        ({"dft": 6, "corrections": (1, 2)}, "must equal"),
        ({"corrections": (-1, 3)}, "negative"),
        ({"corrections": (4, 3)}, "at least 2"),
    ],
)
def test_bad_sfc_parameters(kwargs, message):
    with pytest.raises(InputError, match=message):
        sfc(6, 3, **kwargs)


def test_bad_sizes():
    with pytest.raises(InputError, match="tile"):
        sfc(0, 3)
    with pytest.raises(InputError, match="kernel"):
        winograd(2, 0)
    with pytest.raises(InputError, match="input tile of at least 2"):
        sfc(1, 1)


def test_fewer_products_beyond_the_additions_only_sizes_are_pointed_out():
    """The default minimises over N in {2, 3, 4, 6}; a larger N with fewer 2-D products is named, with its
    count (an upper bound) and the command, and nothing is named when the default is already best."""
    assert fewer_products_elsewhere(6, 3, 88) is None
    better, count = fewer_products_elsewhere(10, 7, 1432)
    assert (better.dft, better.corrections, count) == (14, (1, 1), 456)
    run = run_sfc("derive", "--tile", "8", "--kernel", "5", "--dims", "1")
    assert run.code == 0
    text = " ".join(run.stdout.split())
    assert "N=12 would need at most 238 2-D products" in text
    assert "sfc derive --tile 8 --kernel 5 --dft 12 --corrections 0,0" in text
    assert "would need" not in run_sfc("derive", "--tile", "8", "--kernel", "5", "--dims", "1", "--dft", "6").stdout
    help_text = " ".join(run_sfc("derive", "--help").stdout.replace("│", " ").split())
    assert "the fewest 2-D products among the additions-only sizes 2, 3, 4 and 6" in help_text


def test_an_oversized_tile_is_named_plainly():
    with pytest.raises(InputError) as error:
        sfc(100, 3)
    message = str(error.value)
    assert message.startswith("tile 100 and kernel 3 need an input tile of 102 (tile + kernel - 1), above")
    assert "tile tile" not in message
