"""Reproduction of the paper's claims, on the default report (random data) and on the shipped photograph."""

from __future__ import annotations

import pytest

from sfc_cli.analysis.images import BUILTIN, load_grayscale
from sfc_cli.analysis.measure import DataSource
from sfc_cli.analysis.report import DEFAULT_SAMPLES, Report, build_report
from sfc_cli.commands.error_report.options import report_subjects

PRINTED_SHARES = {
    "SFC-4(4x4,3x3)": 31.94,
    "SFC-6(6x6,3x3)": 27.16,
    "SFC-6(7x7,3x3)": 29.93,
    "SFC-6(6x6,5x5)": 20.44,
    "F(4x4,3x3)": 25.0,
    "F(2x2,5x5)": 36.0,
    "F(2x2,7x7)": 32.65,
}


@pytest.fixture(scope="module", params=["random", "image"])
def report(request) -> Report:
    image = load_grayscale(BUILTIN) if request.param == "image" else None
    data = DataSource(DEFAULT_SAMPLES, 0, image, BUILTIN if image is not None else "")
    return build_report(report_subjects(None, 2, "G"), (8,), data)


def rows(report: Report) -> dict:
    return {row.subject.name: row for row in report.rows}


def test_catalog_names():
    names = [s.name for s in report_subjects(None, 2, "G")]
    assert names[0] == "direct(3x3)" and len(names) == 12
    assert set(PRINTED_SHARES) <= set(names) and {"F(2x2,3x3)", "F(3x3,3x3)", "F(6x6,3x3)", "SFC-6(4x4,7x7)"} <= set(
        names
    )


def test_product_shares_equal_the_printed_ones():
    by_name = {s.name: s for s in report_subjects(None, 2, "G")}
    for name, printed in PRINTED_SHARES.items():
        assert round(100 / float(by_name[name].reduction), 2) == printed


def test_sfc_beats_winograd_in_fp16_at_every_kernel_size(report):
    """Every SFC row is below every Winograd row except F(2x2,3x3), kernel size by kernel size."""
    for kernel in (3, 5, 7):
        same = [r for r in report.rows if r.subject.kernel == kernel]
        sfc_worst = max(r.measured.fp16_normalized for r in same if r.subject.family == "sfc")
        winograd = [r for r in same if r.subject.family == "winograd" and r.subject.name != "F(2x2,3x3)"]
        assert winograd and sfc_worst < min(r.measured.fp16_normalized for r in winograd), kernel


def test_sfc6_int8_close_to_f2x2_while_saving_more(report):
    by_name = rows(report)
    sfc6, f2 = by_name["SFC-6(6x6,3x3)"], by_name["F(2x2,3x3)"]
    assert sfc6.measured.int_relative[8] <= 2 * f2.measured.int_relative[8]
    assert round(float(sfc6.subject.reduction), 2) == 3.68 and float(f2.subject.reduction) == 2.25
