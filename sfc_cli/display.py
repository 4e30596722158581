"""Rich rendering of derived algorithms for the terminal (presentation only)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .algebra.matrix import QMatrix
from .algorithm import Algorithm, SfcParameters
from .analysis.costs import RowColumnCost, row_column_cost, transform_cost
from .export.jsonio import point_text


def matrix_lines(matrix: QMatrix) -> str:
    """Exact entries in right-aligned columns, one row per line (never cropped or wrapped by rich)."""
    cells = [[str(x) for x in row] for row in matrix.rows]
    widths = [max(len(row[j]) for row in cells) for j in range(matrix.ncols)]
    return "\n".join(" " + " ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in cells)


def describe_parameters(algorithm: Algorithm, automatic: bool) -> str:
    params = algorithm.parameters
    if isinstance(params, SfcParameters):
        left, right = params.corrections
        text = f"DFT size N={params.dft}, corrections {left} left + {right} right"
        how = "chosen: fewest 2-D products among the additions-only sizes N in 2, 3, 4, 6"
    else:
        text = "points " + ", ".join(point_text(p) for p in params.points)
        how = "default point table"
    return f"{text} ({how})" if automatic else text


def summary_table(algorithm: Algorithm, row_column: RowColumnCost | None) -> Table:
    """Products against direct correlation, and what the transforms cost.

    1-D: the matrices applied row by row. 2-D: row-column (the 1-D transforms on the rows and the
    columns of the tile, then the mixing step of the 2-D symbolic DFT) when that form exists."""
    table = Table(title="Cost", title_justify="left")
    headers = ("", "products", "direct", "reduction", "share", "BT adds", "AT adds", "consts BT/AT")
    for header in headers:
        table.add_column(header, justify="right" if header else "left")
    for dims, transforms in ((1, algorithm.one_d), (2, algorithm.two_d)):
        if transforms is None:
            continue
        direct = (algorithm.tile * algorithm.kernel) ** dims
        k = transforms.products
        if dims == 2 and row_column is not None:
            bt, at = row_column.input_transform, row_column.output_transform
        else:
            bt, at = transform_cost(transforms.BT), transform_cost(transforms.AT)
        table.add_row(
            f"{dims}-D",
            str(k),
            str(direct),
            f"{direct / k:.2f}x",
            f"{100 * k / direct:.2f}%",
            str(bt.additions),
            str(at.additions),
            f"{bt.constant_multiplications}/{at.constant_multiplications}",
        )
    return table


def cost_note(algorithm: Algorithm, row_column: RowColumnCost | None) -> str:
    """How the 2-D additions were counted, with the flat-matrix figures for comparison."""
    if algorithm.two_d is None:
        return "adds: each matrix applied row by row"
    flat_bt, flat_at = transform_cost(algorithm.two_d.BT), transform_cost(algorithm.two_d.AT)
    flat = f"as flat matrices BT2 {flat_bt.additions} and AT2 {flat_at.additions} adds"
    if row_column is None:
        return f"2-D adds: {flat} (no row-column form)"
    return f"2-D adds: 1-D transforms on rows and columns + {row_column.mixing_additions} mixing adds; {flat}"


def structure_table(algorithm: Algorithm) -> Table:
    table = Table(title="Products by part", title_justify="left")
    table.add_column("")
    table.add_column("part")
    table.add_column("products", justify="right")
    for dims, structure in ((1, algorithm.structure_1d), (2, algorithm.structure_2d)):
        for part, products in structure:
            table.add_row(f"{dims}-D", part, str(products))
    if algorithm.two_d is not None:
        nested = algorithm.one_d.products**2
        table.add_row("2-D", "nesting the 1-D algorithm instead would need", str(nested))
    return table


def render_algorithm(console: Console, algorithm: Algorithm, automatic: bool) -> None:
    """The `sfc derive` display: summary, structure, and the 1-D matrices as exact rationals."""
    checked = "1-D and 2-D" if algorithm.two_d is not None else "1-D"
    console.print(Text(algorithm.name, style="bold"), Text(f"  verified exactly ({checked} identity)", style="green"))
    console.print(describe_parameters(algorithm, automatic))
    console.print(
        f"correlation y = AT @ ((G @ g) * (BT @ d)); tile {algorithm.tile}, kernel {algorithm.kernel}, "
        f"input {algorithm.input_size}; fractions in {algorithm.fractions_in}"
    )
    row_column = row_column_cost(algorithm)
    console.print(summary_table(algorithm, row_column))
    console.print(cost_note(algorithm, row_column))
    console.print(structure_table(algorithm))
    for symbol, role, matrix in (
        ("AT", "output transform", algorithm.one_d.AT),
        ("G", "filter transform", algorithm.one_d.G),
        ("BT", "input transform", algorithm.one_d.BT),
    ):
        console.print(Text(f"{symbol} ({role}, {matrix.nrows}x{matrix.ncols})", style="bold"))
        console.out(matrix_lines(matrix), highlight=False)
    if algorithm.two_d is not None:
        two = algorithm.two_d
        console.print(
            f"2-D algorithm: AT2 {two.AT.nrows}x{two.AT.ncols}, G2 {two.G.nrows}x{two.G.ncols}, "
            f"BT2 {two.BT.nrows}x{two.BT.ncols} (entries: --format json)"
        )
