"""Rendering of ``sfc error-report --model``: rich table, CSV, Markdown and JSON (presentation only)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from ...models.evaluate import ModelReport, ModelRow
from ..common import encodable
from ..tables import csv_text, markdown_text
from .display import number, print_tables, report_console


@dataclass(frozen=True)
class Column:
    """One column: CSV key, table header, and the row's value (None: not applicable, '-' in tables)."""

    key: str
    header: str
    value: Callable[[ModelReport, ModelRow], float | int | str | None]


def _percent(value: float | None) -> float | None:
    return None if value is None else 100 * value


def _worst(row: ModelRow, part: int) -> float | str | None:
    worst = row.worst_layer
    return None if worst is None else worst[part]


COLUMNS = (
    Column("name", "model row", lambda _, r: r.name),
    Column("bits", "bits", lambda _, r: r.bits),
    Column("multiplications", "mults\nper image", lambda _, r: r.multiplications),
    Column("reduction", "reduc-\ntion", lambda report, r: float(report.reduction(r))),
    Column("layer_error_mean", "layer err\nmean", lambda _, r: r.mean_layer_error),
    Column("layer_error_worst", "layer err\nworst", lambda _, r: _worst(r, 1)),
    Column("worst_layer", "worst layer", lambda _, r: _worst(r, 0)),
    Column("agreement_percent", "agree\n%", lambda _, r: _percent(r.agreement)),
    Column("accuracy_percent", "top-1\n%", lambda _, r: _percent(r.accuracy)),
    Column("accumulator_bits", "acc bits", lambda _, r: r.accumulator_bits),
)


TABLE_ONLY_IN_DOCUMENTS = ("worst_layer", "accumulator_bits")
"""Columns of CSV, Markdown and JSON that the terminal table leaves out (to fit 80 columns)."""


def _columns(report: ModelReport, table: bool = False) -> list[Column]:
    """Every column (``table``: those of the terminal table); without labels, no accuracy."""
    return [
        col
        for col in COLUMNS
        if (report.classes is not None or col.key != "accuracy_percent")
        and not (table and col.key in TABLE_ONLY_IN_DOCUMENTS)
    ]


def _cell(col: Column, report: ModelReport, row: ModelRow) -> str:
    value = col.value(report, row)
    if value is None:
        return "-"
    if col.key == "multiplications":
        return f"{value / 1e6:.3g}M" if isinstance(value, int) and value >= 10**6 else str(value)
    if col.key.endswith("_percent"):
        return f"{value:.2f}"
    return number(value)


def caption(report: ModelReport) -> str:
    """What the rows measure, on which images."""
    labels = f"{len(report.classes)} classes" if report.classes is not None else "unlabeled"
    text = (
        f"{report.model}: {len(report.convs)} Convs, {sum(map(len, report.eligible.values()))} fast-eligible "
        f"(kernel r x r, stride 1, dilation 1, group 1). Calibration ({report.method}): the first "
        f"{report.calibration_images} images of the folder; figures on the first {report.evaluated_images}, "
        "calibration images included "
        f"({labels}). int8 direct: every Conv, Gemm and MatMul with int8 weights per output channel and int8 input "
        "activations per tensor. Algorithm rows: the eligible Convs fast with V = BT2 d and U = G2 g quantized to "
        "'bits' (tap-wise: one scale per position, per position and output channel), the rest as int8 direct. "
        "mults: convolution multiplications per image (fast: tiles x products x C_in x C_out); reduction: "
        "all-direct over the row's. layer err: relative RMS error of each fast layer alone (numpy engine) on the "
        f"FP32 activations of {report.layer_images} evaluated images against the FP32 layer, mean and worst (the "
        "worst layer's name: --format csv, markdown or json); "
        "agree: top-1 equal to FP32's. acc bits (csv, markdown, json): the proved width of the widest integer sum "
        "over input channels among the row's quantized Convs. Conventions: sfc docs error-model"
    )
    return text


def model_table(report: ModelReport, encoding: str) -> Table:
    """The rows as a rich table, headers in characters ``encoding`` takes."""
    cols = _columns(report, table=True)
    table = Table(title="sfc error-report --model", box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False)
    for col in cols:
        justify = "left" if col.key == "name" else "right"
        table.add_column(encodable(col.header, encoding), justify=justify, no_wrap=True)
    for row in report.rows:
        table.add_row(*(encodable(_cell(col, report, row), encoding) for col in cols))
    return table


def render_model_table(report: ModelReport, console: Console | None = None) -> None:
    """The table and its caption on ``console`` (``report_console``), as ``print_tables`` lays them out."""
    console = report_console(console)
    print_tables(console, [(model_table(report, console.encoding), encodable(caption(report), console.encoding))])


def model_csv(report: ModelReport) -> str:
    """Full-precision values, one header row; empty cells where a figure does not apply."""
    cols = _columns(report)
    return csv_text([col.key for col in cols], ([col.value(report, row) for col in cols] for row in report.rows))


def model_markdown(report: ModelReport) -> str:
    cols = _columns(report)
    rows = ([_cell(col, report, row) for col in cols] for row in report.rows)
    return markdown_text([col.header for col in cols], rows, caption(report))


def _row_record(report: ModelReport, row: ModelRow) -> dict[str, Any]:
    algorithm = row.algorithm
    record: dict[str, Any] = {col.key: col.value(report, row) for col in COLUMNS}
    return record | {
        "kind": row.kind,
        "family": None if algorithm is None else algorithm.family,
        "tile": None if algorithm is None else algorithm.tile,
        "kernel": None if algorithm is None else algorithm.kernel,
        "reduction_exact": str(report.reduction(row)),
        "layer_errors": row.layer_errors,
    }


def model_json(report: ModelReport) -> str:
    """The report and its rows; ``accuracy_percent`` is null without labels."""
    document = {
        "model": report.model,
        "convs": report.convs,
        "eligible": {str(kernel): names for kernel, names in report.eligible.items()},
        "direct_multiplications": report.direct_multiplications,
        "calibration": {"images": report.calibration_images, "method": report.method},
        "evaluated_images": report.evaluated_images,
        "layer_images": report.layer_images,
        "classes": report.classes,
        "bits": list(report.bits),
        "rows": [_row_record(report, row) for row in report.rows],
    }
    return json.dumps(document, indent=2) + "\n"
