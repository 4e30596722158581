"""The catalog of published algorithms: the paper's and the literature's, as named rows.

``sfc error-report`` reports them; ``sfc search`` places them against its front.

A row is any ``AlgorithmRequest`` (its ``dims`` and ``fractions_in`` are replaced by the report's), so any
family ``build_algorithm`` knows can be a row, with one entry in ``CATALOG``. ``--catalog paper`` (the
default) reports the rows of the paper catalog; ``--catalog all`` every row, in ``CATALOG``'s order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from .request import AlgorithmRequest

CatalogChoice = Literal["paper", "all"]
DEFAULT_CATALOG: CatalogChoice = "paper"


@dataclass(frozen=True)
class CatalogRow:
    """One algorithm of the catalog.

    ``catalog``: the smallest catalog that holds the row ("paper": both; "all": only ``--catalog all``).
    ``label``: appended to the algorithm's name to make the row's short name, e.g. "F(4x4,3x3) Barabasz",
    distinct from the paper row "F(4x4,3x3)" ("" keeps the algorithm's name). ``source``: one line naming
    where the algorithm comes from (None for the paper's rows; JSON ``"source": null``).
    """

    request: AlgorithmRequest
    catalog: CatalogChoice = "paper"
    label: str = ""
    source: str | None = None

    def request_for(self, dims: int, fractions_in: str) -> AlgorithmRequest:
        """The row's request in the report's dimensions, with the report's choice of fractions."""
        return replace(self.request, dims=dims, fractions_in=fractions_in)


def _paper(algo: str, tile: int, kernel: int) -> CatalogRow:
    """A row of the paper catalog: the family's default parameters (SFC: its choice of N and corrections;
    Winograd: the default point table)."""
    return CatalogRow(AlgorithmRequest(algo, tile, kernel))


BARABASZ = (
    "Barabasz, Anderson, Soodhalter, Gregg: Error analysis and improving the accuracy of Winograd convolution "
    "for deep neural networks, ACM TOMS 2020; the points TVM uses"
)
NOVA = "NOVA (2025): F(6,3) points {0, ±3/5, ±1, ±7/6}"
GAUSSIAN = (
    "Meng, Brothers: Efficient Winograd convolution via integer arithmetic, 2019: F(4,3) at 0, ±1, ±i, inf "
    "(Gaussian integers), i.e. the moduli x, x-1, x+1, x^2+1, inf"
)
WINCNN_ISSUE_1 = "wincnn issue 1 (github.com/andravin/wincnn/issues/1): F(6,3) points {0, ±5/6, ±1, ±7/6}"


def _winograd(tile: int, points: str, label: str, source: str) -> CatalogRow:
    """A literature row: Winograd with 3x3 kernels at explicit points (infinity last)."""
    return CatalogRow(AlgorithmRequest("winograd", tile, 3, points=points), "all", label, source)


CATALOG: tuple[CatalogRow, ...] = (
    _paper("winograd", 2, 3),
    _paper("winograd", 3, 3),
    _paper("winograd", 4, 3),
    _winograd(4, "0,-1,1,1/2,-2,inf", "Barabasz", BARABASZ),
    _paper("winograd", 6, 3),
    _winograd(6, "0,1,-1,1/2,-1/2,2,-2,inf", "Barabasz", BARABASZ),
    _winograd(6, "0,3/5,-3/5,1,-1,7/6,-7/6,inf", "NOVA", NOVA),
    _winograd(6, "0,5/6,-5/6,1,-1,7/6,-7/6,inf", "wincnn#1", WINCNN_ISSUE_1),
    _paper("sfc", 4, 3),
    CatalogRow(AlgorithmRequest("crt", 4, 3, moduli="x, x-1, x+1, x^2+1, inf"), "all", "Gaussian", GAUSSIAN),
    _paper("sfc", 6, 3),
    _paper("sfc", 7, 3),
    _paper("winograd", 2, 5),
    _paper("sfc", 6, 5),
    _paper("winograd", 2, 7),
    _paper("sfc", 4, 7),
)
"""The report after the direct row. Literature rows follow the paper row of the same tile and kernel."""


def catalog_rows(choice: CatalogChoice = DEFAULT_CATALOG) -> list[CatalogRow]:
    """The rows of ``--catalog choice``, in ``CATALOG``'s order."""
    return [row for row in CATALOG if choice == "all" or row.catalog == "paper"]
