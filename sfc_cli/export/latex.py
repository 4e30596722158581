"""The 1-D matrices as LaTeX bmatrix environments, for papers (templates/algorithm.tex.j2 lays them out).

Entries are exact: integers as they are, fractions as ``\\frac{p}{q}`` with the sign in front. The output
needs amsmath (``\\usepackage{amsmath}``) for bmatrix.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..algorithm import Algorithm
from .content import ExportRequest, command_line, generator, summary_lines

SYMBOLS = {"AT": "A^T", "G": "G", "BT": "B^T"}


def latex_number(value: Fraction) -> str:
    """``-\\frac{1}{6}`` for -1/6, ``3`` for 3."""
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def latex_context(algorithm: Algorithm, request: ExportRequest) -> dict[str, Any]:
    """Everything algorithm.tex.j2 prints: comment lines and the rows of A^T, G and B^T in 1-D."""
    return {
        "generator": generator(),
        "command": command_line(algorithm, request),
        "summary": summary_lines(algorithm),
        "name": algorithm.name,
        "matrices": [
            (SYMBOLS[key], [[latex_number(x) for x in row] for row in getattr(algorithm.one_d, key).rows])
            for key in ("AT", "G", "BT")
        ],
    }
