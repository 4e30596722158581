"""Rendering of ``sfc error-report``: rich table, CSV, Markdown and JSON (presentation only)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from ...analysis.conditioning import DIGITS, SCALINGS
from ...analysis.report import Report, Row
from ..common import encodable
from ..tables import csv_text, markdown_text

MATRICES = ("AT", "G", "BT")
SCALING_LABELS = {"as_derived": "derived", "rows_unit_max": "unit"}
SCALING_HEADERS = {"as_derived": "der.", "rows_unit_max": "unit"}
PIPE_WIDTH = 80
"""Console width when stdout is not a terminal; widened when a table needs more."""
UNBOUNDED = 100_000
"""Width offered to a table to measure the width it needs."""


@dataclass(frozen=True)
class Column:
    """One report column: a CSV key, a short human header, and how to read a row's value."""

    key: str
    header: str
    value: Callable[[Row], float | int | str]


NAME = Column("name", "algorithm", lambda r: r.subject.name)


def cost_columns(report: Report) -> list[Column]:
    """Products, share and reduction, then the 1-D condition numbers under both scalings."""
    cols = [
        Column("products", f"{report.dims}-D\nprod.", lambda r: r.subject.transforms.products),
        Column("share_percent", "share\n%", lambda r: 100 / float(r.subject.reduction)),
        Column("reduction", "reduction", lambda r: float(r.subject.reduction)),
    ]
    for scaling in SCALINGS:
        for matrix in MATRICES:
            cols.append(
                Column(
                    f"cond_1d_{scaling}_{matrix}",
                    f"κ {matrix}\n{SCALING_HEADERS[scaling]}",
                    lambda r, s=scaling, m=matrix: float(getattr(r.conditions[1][s], m)),
                )
            )
    return cols


def error_columns(report: Report) -> list[Column]:
    """The bound ratio, the absolute bounds per bit width, then the measured errors."""
    cols = [Column("bound_relative", "bound\n×direct", lambda r: float(r.bounds[report.bits[0]].relative))]
    for bits in report.bits:
        cols.append(
            Column(f"bound_absolute_int{bits}", f"bound\nint{bits}", lambda r, b=bits: float(r.bounds[b].absolute))
        )
    cols.append(Column("fp16_normalized", "fp16\nnorm.", lambda r: r.measured.fp16_normalized))
    for bits in report.measured_bits:
        cols.append(Column(f"int{bits}_relative", f"int{bits}\nrel.", lambda r, b=bits: r.measured.int_relative[b]))
    return cols


ADDITION_ROLES = (("input", "BT"), ("output", "AT"))
"""The per-tile transforms shown in the table; the filter transform (offline) is in JSON and CSV."""


def addition_columns(report: Report, roles: tuple[tuple[str, str], ...] = ADDITION_ROLES) -> list[Column]:
    """Per transform: the program's additions and depth, then the flat and row-column sums ('-': none)."""
    suffix = "2" if report.dims == 2 else ""
    cols = []
    for role, symbol in roles:
        name = symbol + suffix
        cols += [
            Column(f"additions_{role}_program", f"{name}\nprog.", lambda r, o=role: r.additions[o].program),
            Column(f"additions_{role}_depth", f"{name}\ndepth", lambda r, o=role: r.additions[o].depth),
            Column(f"additions_{role}_flat", f"{name}\nflat", lambda r, o=role: r.additions[o].flat.additions),
            Column(
                f"additions_{role}_row_column",
                f"{name}\nrow-col.",
                lambda r, o=role: "-" if r.additions[o].row_column is None else r.additions[o].row_column,
            ),
        ]
    return cols


def columns(report: Report) -> list[Column]:
    """The flat columns of CSV and Markdown, in display order (the table splits them in three)."""
    all_roles = (("input", "BT"), ("filter", "G"), ("output", "AT"))
    return [NAME, *cost_columns(report), *error_columns(report), *addition_columns(report, all_roles)]


def measured_figures(report: Report, row: Row) -> dict[str, float]:
    """A row's measured errors by JSON/CSV name: fp16_normalized, then int<b>_relative, widest first."""
    figures = {"fp16_normalized": row.measured.fp16_normalized}
    return figures | {f"int{b}_relative": row.measured.int_relative[b] for b in report.measured_bits}


def overflowed(report: Report) -> bool:
    """Whether any measured figure is inf (its arithmetic overflowed on some tile)."""
    return any(math.isinf(v) for row in report.rows for v in measured_figures(report, row).values())


def number(value: float | int | str) -> str:
    """Three significant digits for floats; integers and text as they are."""
    if isinstance(value, float):
        return "inf" if math.isinf(value) else f"{value:.3g}"
    return str(value)


def sources(report: Report) -> str:
    """The sources of the literature rows, rows of one source together ("" when there are none)."""
    names: dict[str, list[str]] = {}
    for row in report.rows:
        if row.subject.source is not None:
            names.setdefault(row.subject.source, []).append(row.subject.name)
    return " ".join(f"{' and '.join(rows)}: {source}." for source, rows in names.items())


def cost_caption(report: Report) -> str:
    text = (
        f"{report.dims}-D prod.: multiplications per output tile; share %: of direct convolution's; reduction: "
        f"direct over fast multiplications. κ: 2-norm condition numbers of the 1-D matrices (mpmath, {DIGITS} "
        "digits), 'der.' as derived, 'unit' after scaling every row of BT and G to max-norm 1 (AT compensated)."
    )
    literature = sources(report)
    return f"{text} Sources: {literature}" if literature else text


def error_caption(report: Report) -> str:
    data = report.data.describe()
    text = (
        "bound ×direct: proved worst case of max|Yq - Y| for inputs and weights in [-1,1] with BT d and G g "
        "quantized tap-wise to b bits, over the same bound for direct convolution with b-bit inputs and weights "
        "(the ratio is the same for every b); bound intb: the bound itself. "
        f"Measured on {data['source']} ({data['samples']} tiles, seed {data['seed']}): fp16 norm. = RMS error in "
        "FP16 over direct convolution's; intb rel. = relative RMS error with tap-wise b-bit quantization "
        "calibrated on the data."
    )
    if overflowed(report):
        text += (
            " inf: the arithmetic overflowed on at least one tile (FP16 overflows beyond ±65504), so the error "
            "is unbounded."
        )
    return text + " Definitions and proof: sfc docs error-model"


def additions_caption(report: Report) -> str:
    d = report.dims
    return (
        f"Additions of the {d}-D transforms per tile: prog. = the verified straight-line program that the C and "
        "Verilog exports compute (constants other than ±2^k as shift-and-add chains, counted), depth = its adder "
        "levels; flat = every row summed on its own; row-col. = the 1-D transform on rows and columns plus the "
        "mixing step of the 2-D symbolic DFT. The filter transform G (offline) is in --format json and csv."
    )


def caption(report: Report) -> str:
    """The tables' captions, for the single Markdown table: one paragraph each."""
    return "\n\n".join((cost_caption(report), error_caption(report), additions_caption(report)))


def report_tables(report: Report, encoding: str) -> list[tuple[Table, str]]:
    """The report as three (table, caption) parts, cost and conditioning, bounds and measured errors, then
    additions, so that the default report with up to three --bits fits 80 columns; headers and captions in
    characters ``encoding`` takes (``encodable``)."""
    parts = (
        ("sfc error-report: cost and conditioning", cost_columns(report), cost_caption(report)),
        ("bounds and measured errors", error_columns(report), error_caption(report)),
        ("transform additions", addition_columns(report), additions_caption(report)),
    )
    tables = []
    for title, cols, text in parts:
        table = Table(title=title, box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False, show_edge=False)
        for col in (NAME, *cols):
            header = encodable(col.header, encoding)
            table.add_column(header, justify="left" if col is NAME else "right", no_wrap=True)
        for row in report.rows:
            table.add_row(*(number(col.value(row)) for col in (NAME, *cols)))
        tables.append((table, encodable(text, encoding)))
    return tables


def report_console(console: Console | None = None) -> Console:
    """``console``, or stdout's: PIPE_WIDTH columns when it is not a terminal."""
    if console is None:
        console = Console()
        if not console.is_terminal:
            console = Console(width=PIPE_WIDTH)
    return console


def print_tables(console: Console, parts: list[tuple[Table, str]]) -> None:
    """Tables and their captions (already in characters the console's encoding takes). A table wider than the
    console widens it, so no number is ever cut (its lines are then longer than the terminal); captions stay
    wrapped at the console's own width."""
    width = console.width
    unbounded = console.options.update_width(UNBOUNDED)
    console.width = max(width, *(console.measure(table, options=unbounded).maximum for table, _ in parts))
    for index, (table, text) in enumerate(parts):
        if index:
            console.print()
        console.print(table)
        console.print(text, width=width, markup=False, highlight=False)


def render_table(report: Report, console: Console | None = None) -> None:
    """The report's tables and captions on ``console`` (``report_console``), in characters its encoding takes."""
    console = report_console(console)
    print_tables(console, report_tables(report, console.encoding))


def report_csv(report: Report) -> str:
    """Full-precision values (repr of floats), one header row."""
    cols = columns(report)
    return csv_text([col.key for col in cols], ([col.value(row) for col in cols] for row in report.rows))


def report_markdown(report: Report) -> str:
    cols = columns(report)
    rows = ([number(col.value(row)) for col in cols] for row in report.rows)
    return markdown_text([col.header for col in cols], rows, caption(report))


def _finite(value: float) -> float | None:
    """JSON has no infinity: inf (an overflowed measurement, a rank-deficient κ) becomes null."""
    return value if math.isfinite(value) else None


def _conditions(row: Row) -> dict[str, Any]:
    figures: dict[str, Any] = {"norm": 2, "digits": DIGITS, "scalings": dict(SCALING_LABELS)}
    for dims, by_scaling in row.conditions.items():
        figures[f"{dims}d"] = {
            scaling: {m: _finite(float(getattr(c, m))) for m in MATRICES} for scaling, c in by_scaling.items()
        }
    return figures


def row_record(report: Report, row: Row) -> dict[str, Any]:
    """The JSON object of one algorithm; ``source`` is where a literature row comes from, null for the
    paper's rows, direct convolution and a single algorithm."""
    subject = row.subject
    figures = measured_figures(report, row)
    return {
        "name": subject.name,
        "family": subject.family,
        "source": subject.source,
        "tile": subject.tile,
        "kernel": subject.kernel,
        "dims": subject.dims,
        "products_1d": subject.one_d.products,
        "products_2d": subject.transforms.products if subject.dims == 2 else None,
        "share_percent": 100 / float(subject.reduction),
        "reduction": float(subject.reduction),
        "condition": _conditions(row),
        "bound": {str(b): float(bound.relative) for b, bound in row.bounds.items()},
        "bound_exact": {str(b): str(bound.relative) for b, bound in row.bounds.items()},
        "bound_absolute": {str(b): float(bound.absolute) for b, bound in row.bounds.items()},
        "measured": {name: _finite(value) for name, value in figures.items()},
        "additions": {
            f"{role}_transform": {
                "program": c.program,
                "depth": c.depth,
                "flat": c.flat.additions,
                "row_column": c.row_column,
            }
            for role, c in row.additions.items()
        },
        "overflow": [name for name, value in figures.items() if math.isinf(value)],
        "data": report.data.describe(),
    }


def report_json(report: Report) -> str:
    return json.dumps([row_record(report, row) for row in report.rows], indent=2) + "\n"
