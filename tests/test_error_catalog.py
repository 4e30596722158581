"""`sfc error-report --catalog`: the paper's rows unchanged, the literature's rows (names, sources, exact
algorithms), and the one conflict. Library calls only: no algorithm's programs are needed here."""

from __future__ import annotations

from fractions import Fraction

import pytest

from sfc_cli.algebra.matrix import QMatrix
from sfc_cli.algorithm import WinogradParameters
from sfc_cli.catalog import BARABASZ, CATALOG, GAUSSIAN, NOVA, WINCNN_ISSUE_1, CatalogRow, catalog_rows
from sfc_cli.commands.error_report.options import report_subjects
from sfc_cli.errors import InputError
from sfc_cli.request import AlgorithmRequest, build_algorithm, parse_points

PAPER_NAMES = [
    "direct(3x3)",
    "F(2x2,3x3)",
    "F(3x3,3x3)",
    "F(4x4,3x3)",
    "F(6x6,3x3)",
    "SFC-4(4x4,3x3)",
    "SFC-6(6x6,3x3)",
    "SFC-6(7x7,3x3)",
    "F(2x2,5x5)",
    "SFC-6(6x6,5x5)",
    "F(2x2,7x7)",
    "SFC-6(4x4,7x7)",
]
LITERATURE = {
    "F(4x4,3x3) Barabasz": ("0,-1,1,1/2,-2,inf", BARABASZ),
    "F(6x6,3x3) Barabasz": ("0,1,-1,1/2,-1/2,2,-2,inf", BARABASZ),
    "F(6x6,3x3) NOVA": ("0,3/5,-3/5,1,-1,7/6,-7/6,inf", NOVA),
    "F(6x6,3x3) wincnn#1": ("0,5/6,-5/6,1,-1,7/6,-7/6,inf", WINCNN_ISSUE_1),
}


@pytest.fixture(scope="module")
def every():
    """The --catalog all subjects in 2-D, by name, in report order (derived and verified, no programs)."""
    return {s.name: s for s in report_subjects(None, 2, "G", "all")}


def test_paper_is_the_default_and_keeps_todays_rows():
    default = report_subjects(None, 2, "G")
    assert [s.name for s in default] == PAPER_NAMES and all(s.source is None for s in default)
    assert [row.request for row in catalog_rows("paper")] == [row.request for row in catalog_rows()]
    assert len(catalog_rows()) == len(catalog_rows("paper")) == 11 and len(CATALOG) == 16


def test_all_adds_five_literature_rows_after_their_paper_rows(every):
    names = list(every)
    assert len(names) == len(PAPER_NAMES) + 5
    assert [n for n in names if n in PAPER_NAMES] == PAPER_NAMES
    assert names[names.index("F(4x4,3x3)") + 1] == "F(4x4,3x3) Barabasz"
    start = names.index("F(6x6,3x3)") + 1
    assert names[start : start + 3] == ["F(6x6,3x3) Barabasz", "F(6x6,3x3) NOVA", "F(6x6,3x3) wincnn#1"]
    assert names[names.index("SFC-4(4x4,3x3)") + 1] == "CRT(4x4,3x3) Gaussian"
    assert {n: s.source for n, s in every.items() if s.source is not None} == {
        **{n: source for n, (_, source) in LITERATURE.items()},
        "CRT(4x4,3x3) Gaussian": GAUSSIAN,
    }
    assert BARABASZ.startswith("Barabasz, Anderson, Soodhalter, Gregg: Error analysis and improving the accuracy")
    assert NOVA == "NOVA (2025): F(6,3) points {0, ±3/5, ±1, ±7/6}"
    assert WINCNN_ISSUE_1.startswith("wincnn issue 1 (github.com/andravin/wincnn/issues/1): F(6,3) points")


def test_gaussian_integer_row_is_sfc4_written_as_moduli(every):
    """Same moduli as SFC-4(4x4,3x3), hence its very transforms (products in the same order)."""
    gaussian, sfc4 = every["CRT(4x4,3x3) Gaussian"].algorithm, every["SFC-4(4x4,3x3)"].algorithm
    assert (gaussian.one_d.products, gaussian.two_d.products) == (7, 46)
    assert gaussian.one_d == sfc4.one_d


def test_literature_rows_are_winograd_at_exactly_their_points(every):
    """Each row is derive's algorithm for its points (1-D and 2-D), and independently: G row t evaluates
    the kernel at point t (a multiple of (1, p, p^2); infinity: (0, 0, 1)), and AT column t is a multiple
    of (1, p, ..., p^(m-1)) (infinity: the last unit vector). The identity itself is verified on derivation."""
    for name, (points, _) in LITERATURE.items():
        subject = every[name]
        algorithm = subject.algorithm
        tile = algorithm.tile
        assert subject.family == "winograd" and algorithm.kernel == 3 and subject.dims == 2
        assert algorithm.parameters == WinogradParameters(parse_points(points))
        assert (algorithm.one_d.products, algorithm.two_d.products) == (tile + 2, (tile + 2) ** 2)
        derived = build_algorithm(AlgorithmRequest("winograd", tile, 3, points=points))
        assert (algorithm.one_d, algorithm.two_d) == (derived.one_d, derived.two_d)
        one_d = algorithm.one_d
        for t, point in enumerate(parse_points(points)):
            g_row = [Fraction(0), Fraction(0), Fraction(1)] if point is None else [point**k for k in range(3)]
            at_column = [point**i for i in range(tile)] if point is not None else [Fraction(0)] * (tile - 1) + [1]
            assert proportional(list(one_d.G.rows[t]), g_row), (name, t)
            assert proportional([one_d.AT.rows[i][t] for i in range(tile)], at_column), (name, t)


def proportional(values: list[Fraction], reference: list[Fraction]) -> bool:
    pivot = next(i for i, r in enumerate(reference) if r != 0)
    factor = values[pivot] / reference[pivot]
    return factor != 0 and values == [factor * r for r in reference]


BARABASZ_F43 = {
    "AT": QMatrix([[1, 1, 1, 8, 1, 0], [0, -1, 1, 4, -2, 0], [0, 1, 1, 2, 4, 0], [0, -1, 1, 1, -8, 1]]),
    "G": QMatrix(
        [
            ["1/2", 0, 0],
            ["-1/6", "1/6", "-1/6"],
            ["1/6", "1/6", "1/6"],
            ["-2/15", "-1/15", "-1/30"],
            ["1/30", "-1/15", "2/15"],
            [0, 0, "1/2"],
        ]
    ),
    "BT": QMatrix(
        [
            [2, -3, -4, 3, 2, 0],
            [0, 2, -5, 1, 2, 0],
            [0, -2, 1, 5, 2, 0],
            [0, -2, -1, 2, 1, 0],
            [0, 1, -2, -1, 2, 0],
            [0, 2, -3, -4, 3, 2],
        ]
    ),
}
"""F(4,3) at 0, -1, 1, 1/2, -2, inf with fractions in G, as `sfc derive --algo winograd --tile 4 --points
0,-1,1,1/2,-2,inf --dims 1` prints it."""


def test_barabasz_f4x4_has_36_products_and_these_exact_1d_matrices(every):
    """The points TVM uses for F(4,3), 0, -1, 1, 1/2, -2, inf, as sfc derives them (fractions in G)."""
    subject = every["F(4x4,3x3) Barabasz"]
    assert subject.transforms.products == 36 and subject.reduction == 4
    one_d = subject.algorithm.one_d
    assert {"AT": one_d.AT, "G": one_d.G, "BT": one_d.BT} == BARABASZ_F43


def test_literature_rows_follow_the_reports_dimensions_and_fractions():
    one_d = {s.name: s for s in report_subjects(None, 1, "B", "all")}
    assert len(one_d) == 17 and one_d["F(6,3) NOVA"].dims == 1 and one_d["F(6,3) NOVA"].source == NOVA
    assert one_d["F(4,3) Barabasz"].algorithm.fractions_in == "B"


def test_a_row_is_any_algorithm_request():
    row = CatalogRow(AlgorithmRequest("sfc", 4, 3, dft=4, corrections="0,1"), "all", "mine", "somewhere")
    assert row.request_for(1, "A") == AlgorithmRequest("sfc", 4, 3, dft=4, corrections="0,1", dims=1, fractions_in="A")


@pytest.mark.parametrize("catalog", ["paper", "all"])
def test_a_catalog_with_one_algorithm_is_an_error(catalog):
    with pytest.raises(InputError, match="--catalog chooses the rows of the catalog report"):
        report_subjects(AlgorithmRequest("winograd", 4, 3), 2, "G", catalog)
