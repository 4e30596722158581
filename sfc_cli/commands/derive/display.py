"""Rich rendering of derived algorithms for the terminal (presentation only)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ...algebra.matrix import QMatrix
from ...algorithm import Algorithm, CrtParameters, SfcParameters, point_text
from ...analysis.costs import AdditionCounts, addition_counts
from ...families.sfc import fewer_products_elsewhere, products_2d


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
        elsewhere = fewer_products_elsewhere(algorithm.tile, algorithm.kernel, products_2d_of(algorithm))
        if automatic and elsewhere is not None:
            better, count = elsewhere
            command = (
                f"sfc derive --tile {algorithm.tile} --kernel {algorithm.kernel} --dft {better.dft} "
                f"--corrections {better.corrections[0]},{better.corrections[1]}"
            )
            how += (
                f"; N={better.dft} would need at most {count} 2-D products, with constants other than 0 and +-1 "
                f"in BT and AT: {command}"
            )
    elif isinstance(params, CrtParameters):
        text, how = "moduli " + ", ".join(params.moduli), ""
    else:
        text = "points " + ", ".join(point_text(p) for p in params.points)
        how = "default point table"
    return f"{text} ({how})" if automatic else text


def products_2d_of(algorithm: Algorithm) -> int:
    """The algorithm's 2-D products (built, or counted when only 1-D was asked for)."""
    if algorithm.two_d is not None:
        return algorithm.two_d.products
    assert isinstance(algorithm.parameters, SfcParameters)
    return products_2d(algorithm.parameters, algorithm.tile, algorithm.kernel)


def summary_table(algorithm: Algorithm) -> Table:
    """Products against direct correlation, per dimension."""
    table = Table(title="Cost", title_justify="left")
    for header in ("", "products", "direct", "reduction", "share"):
        table.add_column(header, justify="right" if header else "left")
    for dims, transforms in ((1, algorithm.one_d), (2, algorithm.two_d)):
        if transforms is None:
            continue
        direct = (algorithm.tile * algorithm.kernel) ** dims
        k = transforms.products
        table.add_row(f"{dims}-D", str(k), str(direct), f"{direct / k:.2f}x", f"{100 * k / direct:.2f}%")
    return table


def additions_table(counts: list[AdditionCounts]) -> Table:
    """What each transform costs in additions: the shipped program against flat and row-column sums."""
    table = Table(title="Transform additions", title_justify="left")
    for header in ("", "role", "program", "depth", "flat", "consts", "row-column"):
        table.add_column(header, justify="right" if header not in ("", "role") else "left")
    for c in counts:
        table.add_row(
            c.symbol,
            c.role,
            str(c.program),
            str(c.depth),
            str(c.flat.additions),
            str(c.flat.constant_multiplications),
            "-" if c.row_column is None else str(c.row_column),
        )
    return table


def additions_note(counts: list[AdditionCounts]) -> str:
    """What the columns of the additions table count."""
    mixing = ", ".join(f"{c.symbol} {c.mixing}" for c in counts if c.mixing is not None)
    note = (
        "program: the verified straight-line program that the C and Verilog exports compute (constants "
        "other than +-2^k as shift-and-add chains, counted); depth: adder levels; flat: each row of the "
        "integer matrix summed on its own; consts: its entries other than 0 and +-1 (multiplications, "
        "not counted as additions)"
    )
    if mixing:
        note += f"; row-column: the 1-D transform on rows and columns plus the mixing adds ({mixing})"
    return note


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
    console.print(summary_table(algorithm))
    counts = addition_counts(algorithm)
    console.print(additions_table(counts))
    console.print(additions_note(counts))
    for dims in range(1, algorithm.dims + 1):
        for note in algorithm.programs(dims).notes:
            console.print(f"note: {note}", style="yellow")
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
