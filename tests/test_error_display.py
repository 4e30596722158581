"""The rich table of `sfc error-report`: never a cut number or an ellipsis, at any width and any --bits."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from sfc_cli.analysis.measure import DataSource
from sfc_cli.analysis.report import Report, build_report
from sfc_cli.commands.error_report.display import cost_caption, number, render_table, report_json
from sfc_cli.commands.error_report.options import report_subjects

ALL_BITS = tuple(range(16, 1, -1))


@pytest.fixture(scope="module")
def catalog() -> Report:
    """The default catalog measured for every bit width (a report with --bits 8,6,4 is a sub-report)."""
    return build_report(report_subjects(None, 2, "G"), ALL_BITS, DataSource(64, 0))


@pytest.fixture(scope="module")
def full_catalog(catalog) -> Report:
    """--catalog all with --bits 8,6,4: the default catalog's rows and the literature's (analysed here), in
    report order."""
    subjects = report_subjects(None, 2, "G", "all")
    literature = build_report([s for s in subjects if s.source is not None], (8, 6, 4), catalog.data)
    by_name = {row.subject.name: row for row in catalog.rows + literature.rows}
    return Report([by_name[s.name] for s in subjects], (8, 6, 4), catalog.data)


def rendered(report: Report, width: int) -> str:
    out = io.StringIO()
    render_table(report, Console(file=out, width=width, color_system=None))
    return out.getvalue()


def with_bits(report: Report, bits: tuple[int, ...]) -> Report:
    return Report(report.rows, bits, report.data)


@pytest.mark.parametrize("width", [80, 120])
def test_default_report_with_three_widths_fits_and_cuts_nothing(catalog, width):
    report = with_bits(catalog, (8, 6, 4))
    text = rendered(report, width)
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= width
    for row in report.rows:
        assert row.subject.name in text
        assert number(row.measured.int_relative[4]) in text and number(float(row.bounds[6].absolute)) in text


@pytest.mark.parametrize("width", [40, 80])
def test_a_table_wider_than_the_terminal_widens_the_output(catalog, width):
    """With all fifteen bit widths the errors table needs far more than 80 columns: it is laid out at
    its own width, every value whole; the captions stay wrapped at the terminal's width."""
    text = rendered(catalog, width)
    assert "…" not in text and max(len(line) for line in text.splitlines()) > 200
    for row in catalog.rows:
        _, line, _ = (line for line in text.splitlines() if line.startswith(row.subject.name + " "))  # errors table
        assert all(number(row.measured.int_relative[b]) in line for b in ALL_BITS)
    assert "Definitions and proof: sfc docs error-model" in " ".join(text.split())
    caption_lines = [line for line in text.splitlines() if "RMS error" in line]
    assert caption_lines and all(len(line.rstrip()) <= width for line in caption_lines)


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_console_that_is_not_utf8_gets_ascii_spellings(catalog, encoding):
    """κ, × and ± as kappa, x and +- (rich draws the table's rules in ASCII for the same consoles)."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding)
    render_table(with_bits(catalog, (8,)), Console(file=stream, width=80, color_system=None))
    stream.flush()
    text = raw.getvalue().decode(encoding)
    assert text.isascii() and "kappa AT" in text and "xdirect" in text and "+-2^k" in text
    assert "kappa: 2-norm condition numbers" in text and "…" not in text


def test_the_full_catalog_shows_short_names_cuts_nothing_and_names_its_sources(full_catalog):
    """Piped (80 columns): the literature rows' short names in all three tables, every value whole (NOVA's
    and wincnn#1's κ AT as derived, about 1e5, widen the first table), the sources in the first caption,
    wrapped at 80."""
    text = rendered(full_catalog, 80)
    assert "…" not in text and len(full_catalog.rows) == 17
    for row in full_catalog.rows:
        lines = [line for line in text.splitlines() if line.startswith(row.subject.name + "  ")]
        assert len(lines) == 3, row.subject.name
        assert number(row.measured.int_relative[4]) in lines[1] and number(float(row.bounds[6].absolute)) in lines[1]
    flat = " ".join(text.split())
    assert all(row.subject.source in flat for row in full_catalog.rows if row.subject.source is not None)
    assert "Sources: F(4x4,3x3) Barabasz and F(6x6,3x3) Barabasz: Barabasz, Anderson, Soodhalter, Gregg" in flat
    assert "F(6x6,3x3) NOVA: NOVA (2025)" in flat and "F(6x6,3x3) wincnn#1: wincnn issue 1" in flat
    caption_lines = [line for line in text.splitlines() if "Sources" in line or "wincnn/issues" in line]
    assert caption_lines and all(len(line.rstrip()) <= 80 for line in caption_lines)


def test_json_rows_carry_their_source(catalog, full_catalog):
    """JSON "source": null for the paper's rows and direct convolution, the one-line source for literature rows."""
    objects = json.loads(report_json(full_catalog))
    sources = {o["name"]: o["source"] for o in objects}
    assert sources == {row.subject.name: row.subject.source for row in full_catalog.rows}
    assert sources["direct(3x3)"] is None and sources["F(6x6,3x3)"] is None
    assert sources["F(6x6,3x3) NOVA"] == "NOVA (2025): F(6,3) points {0, ±3/5, ±1, ±7/6}"
    assert sum(source is not None for source in sources.values()) == 5
    assert all(o["source"] is None for o in json.loads(report_json(catalog)))
    assert "Sources" not in cost_caption(catalog)
