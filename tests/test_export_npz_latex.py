"""--format npz (read back by numpy, deterministic bytes) and --format latex (bmatrix rows read back): both give the
exact verified matrices."""

from __future__ import annotations

import io
import re
import zipfile
from fractions import Fraction

import numpy as np
import pytest

from sfc_cli.algebra.bilinear import Transforms
from sfc_cli.algebra.matrix import QMatrix
from sfc_cli.algebra.verify import satisfies_identity
from sfc_cli.export.content import ExportRequest
from sfc_cli.export.npz import FIXED_DATE
from sfc_cli.export.render import export_bytes, render
from sfc_cli.request import AlgorithmRequest, build_algorithm

from .export_support import NAMED, VARIANTS

ALGORITHMS = {
    "SFC-6(6x6,3x3)": NAMED["SFC-6(6x6,3x3)"],
    "F(4x4,3x3) fractions in A": VARIANTS["F(4x4,3x3) fractions in A"],
    "F(2,3) 1-D": AlgorithmRequest("winograd", 2, 3, dims=1),
}


@pytest.mark.parametrize("name", ALGORITHMS)
def test_npz_reads_back_the_verified_transforms(name: str) -> None:
    algorithm = build_algorithm(ALGORITHMS[name])
    data = export_bytes(algorithm, ExportRequest("npz"))
    assert data == export_bytes(algorithm, ExportRequest("npz"))
    assert {info.date_time for info in zipfile.ZipFile(io.BytesIO(data)).infolist()} == {FIXED_DATE}
    archive = np.load(io.BytesIO(data), allow_pickle=False)
    assert str(archive["name"]) == algorithm.name
    assert int(archive["tile"]) == algorithm.tile and int(archive["kernel"]) == algorithm.kernel
    for d, s, exact in [(1, "", algorithm.one_d), (2, "2", algorithm.two_d)]:
        if exact is None:
            assert f"AT{s}_num" not in archive.files
            continue
        matrices = {}
        for key in ("AT", "G", "BT"):
            numerators, den = archive[f"{key}{s}_num"], int(archive[f"{key}{s}_den"])
            assert numerators.dtype == np.int64
            matrices[key] = QMatrix([[Fraction(int(x), den) for x in row] for row in numerators])
            assert matrices[key] == getattr(exact, key)
            assert np.array_equal(archive[f"{key}{s}"], [[float(x) for x in row] for row in getattr(exact, key).rows])
        read = Transforms(matrices["AT"], matrices["G"], matrices["BT"])
        assert satisfies_identity(read, algorithm.tile, algorithm.kernel, d)
        assert int(archive[f"products_{d}d"]) == exact.products
        dens = [int(archive[f"{key}{s}_den"]) for key in ("AT", "G", "BT")]
        assert int(archive[f"scale_{d}d"]) == dens[0] * dens[1] * dens[2]


def latex_matrices(text: str) -> dict[str, QMatrix]:
    """Each ``\\[ SYMBOL = \\begin{bmatrix} ... \\end{bmatrix} \\]`` of the text, entries read back exactly."""
    found = {}
    for symbol, body in re.findall(r"\\\[\n(\S+) = \\begin\{bmatrix\}\n(.*?)\n\\end\{bmatrix\}\n\\\]", text, re.S):
        rows = [row.split(" & ") for row in body.split(" \\\\\n")]
        found[symbol] = QMatrix([[latex_fraction(entry) for entry in row] for row in rows])
    return found


def latex_fraction(entry: str) -> Fraction:
    match = re.fullmatch(r"(-?)\\frac\{(\d+)\}\{(\d+)\}", entry)
    if match is None:
        return Fraction(int(entry))
    sign = -1 if match.group(1) else 1
    return sign * Fraction(int(match.group(2)), int(match.group(3)))


@pytest.mark.parametrize("name", ALGORITHMS)
def test_latex_bmatrices_are_the_exact_1d_matrices(name: str) -> None:
    algorithm = build_algorithm(ALGORITHMS[name])
    text = render(algorithm, ExportRequest("latex"))
    assert text.count("\\begin{bmatrix}") == text.count("\\end{bmatrix}") == 3
    matrices = latex_matrices(text)
    assert matrices == {"A^T": algorithm.one_d.AT, "G": algorithm.one_d.G, "B^T": algorithm.one_d.BT}
    if name == "SFC-6(6x6,3x3)":
        assert "\\frac{1}{6}" in text
