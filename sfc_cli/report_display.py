"""Rendering of ``sfc error-report``: rich table, CSV, Markdown and JSON (presentation only)."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .analysis.conditioning import DIGITS, SCALINGS
from .analysis.report import Report, Row

MATRICES = ("AT", "G", "BT")
SCALING_LABELS = {"as_derived": "derived", "rows_unit_max": "unit"}
PIPE_WIDTH = 160
"""Console width when stdout is not a terminal (the table needs about 130 columns)."""


@dataclass(frozen=True)
class Column:
    """One report column: a CSV key, a human header, and how to read a row's value."""

    key: str
    header: str
    value: Callable[[Row], float | int | str]


def columns(report: Report) -> list[Column]:
    """The flat columns shared by the table, CSV and Markdown, in display order."""
    dims = report.rows[0].subject.dims if report.rows else 2
    cols = [
        Column("name", "algorithm", lambda r: r.subject.name),
        Column("products", f"{dims}-D products", lambda r: r.subject.transforms.products),
        Column("share_percent", "share\n%", lambda r: 100 / float(r.subject.reduction)),
        Column("reduction", "reduction", lambda r: float(r.subject.reduction)),
    ]
    for scaling in SCALINGS:
        for matrix in MATRICES:
            cols.append(
                Column(
                    f"cond_1d_{scaling}_{matrix}",
                    f"κ {matrix}\n{SCALING_LABELS[scaling]}",
                    lambda r, s=scaling, m=matrix: float(getattr(r.conditions[1][s], m)),
                )
            )
    cols.append(Column("bound_relative", "bound\n×direct", lambda r: float(r.bounds[report.bits[0]].relative)))
    for bits in report.bits:
        cols.append(
            Column(f"bound_absolute_int{bits}", f"max|ΔY|\nint{bits}", lambda r, b=bits: float(r.bounds[b].absolute))
        )
    cols.append(Column("fp16_normalized", "fp16\nnorm.", lambda r: r.measured.fp16_normalized))
    for bits in report.measured_bits:
        cols.append(Column(f"int{bits}_relative", f"int{bits}\nrel.", lambda r, b=bits: r.measured.int_relative[b]))
    return cols


def number(value: float | int | str) -> str:
    """Three significant digits for floats; integers and text as they are."""
    if isinstance(value, float):
        return "inf" if math.isinf(value) else f"{value:.3g}"
    return str(value)


def caption(report: Report) -> str:
    data = report.data.describe()
    return (
        f"κ: 2-norm condition numbers of the 1-D matrices (mpmath, {DIGITS} digits), 'derived' as derived, 'unit' "
        "after scaling every row of BT and G to max-norm 1 (AT compensated). bound ×direct: proved worst case of "
        "max|Yq - Y| for inputs and weights in [-1,1] with BT d and G g quantized tap-wise to b bits, over the same "
        "bound for direct convolution with b-bit inputs and weights (the ratio is the same for every b); "
        "max|ΔY| intb: the bound itself. "
        f"Measured on {data['source']} ({data['samples']} tiles, seed {data['seed']}): fp16 norm. = RMS error in "
        "FP16 over direct convolution's; intb rel. = relative RMS error with tap-wise b-bit quantization "
        "calibrated on the data. Definitions and proof: docs/error-model.md"
    )


def render_table(report: Report) -> None:
    """The rich table on stdout; written to a file or pipe it is laid out at full width, never cut."""
    console = Console()
    if not console.is_terminal:
        console = Console(width=PIPE_WIDTH)
    table = Table(title="sfc error-report", caption=caption(report), caption_justify="left", box=box.SIMPLE_HEAD)
    cols = columns(report)
    for col in cols:
        table.add_column(col.header, justify="left" if col.key == "name" else "right", no_wrap=True)
    for row in report.rows:
        table.add_row(*(number(col.value(row)) for col in cols))
    console.print(table)


def report_csv(report: Report) -> str:
    """Full-precision values (repr of floats), one header row."""
    cols = columns(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([col.key for col in cols])
    for row in report.rows:
        writer.writerow([col.value(row) for col in cols])
    return out.getvalue()


def report_markdown(report: Report) -> str:
    cols = columns(report)
    lines = [
        "| " + " | ".join(col.header.replace("\n", " ").replace("|", "\\|") for col in cols) + " |",
        "|" + "|".join("---" if col.key == "name" else "---:" for col in cols) + "|",
    ]
    lines += ["| " + " | ".join(number(col.value(row)) for col in cols) + " |" for row in report.rows]
    return "\n".join(lines) + "\n\n" + caption(report) + "\n"


def _finite(value: float) -> float | None:
    """JSON has no infinity: an overflowed measurement (FP16 inf) becomes null."""
    return value if math.isfinite(value) else None


def _conditions(row: Row) -> dict[str, Any]:
    figures: dict[str, Any] = {"norm": 2, "digits": DIGITS, "scalings": dict(SCALING_LABELS)}
    for dims, by_scaling in row.conditions.items():
        figures[f"{dims}d"] = {
            scaling: {m: _finite(float(getattr(c, m))) for m in MATRICES} for scaling, c in by_scaling.items()
        }
    return figures


def row_record(report: Report, row: Row) -> dict[str, Any]:
    """The JSON object of one algorithm."""
    subject = row.subject
    measured = {"fp16_normalized": _finite(row.measured.fp16_normalized)}
    measured |= {f"int{b}_relative": _finite(row.measured.int_relative[b]) for b in report.measured_bits}
    return {
        "name": subject.name,
        "family": subject.family,
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
        "measured": measured,
        "data": report.data.describe(),
    }


def report_json(report: Report) -> str:
    return json.dumps([row_record(report, row) for row in report.rows], indent=2) + "\n"


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[str], None]]:
    """A transient progress bar on stderr (only when stderr is a terminal); yields ``step(label)``."""
    console = Console(stderr=True)
    columns = (TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("error-report", total=total)
        yield lambda label: progress.update(task, advance=1, description=label)
