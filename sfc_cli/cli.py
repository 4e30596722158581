"""The `sfc` command line: parses options, calls the library, prints. Nothing else lives here."""

from __future__ import annotations

import sys
from typing import Annotated, NoReturn

import typer

from .errors import InputError
from .options import AlgorithmRequest

app = typer.Typer(
    add_completion=False,
    help="Derive, analyse and export fast-convolution transforms (SFC and Winograd), exactly.",
)

AlgoOption = Annotated[str, typer.Option("--algo", help="Algorithm family: sfc or winograd.")]
TileOption = Annotated[int, typer.Option("--tile", "-m", help="Output tile size m (per dimension).")]
KernelOption = Annotated[int, typer.Option("--kernel", "-r", help="Kernel size r (per dimension).")]
DftOption = Annotated[int | None, typer.Option("--dft", help="SFC: DFT size N (default: fewest 2-D products).")]
CorrectionsOption = Annotated[
    str | None, typer.Option("--corrections", help="SFC: correction terms LEFT,RIGHT, e.g. 1,1.")
]
PointsOption = Annotated[
    str | None, typer.Option("--points", help="Winograd: rational points and inf, e.g. 0,1,-1,1/2,-2,inf.")
]
DimsOption = Annotated[int, typer.Option("--dims", help="1 or 2 dimensions.")]
FractionsOption = Annotated[str, typer.Option("--fractions-in", help="Matrix that holds the fractions: G, A or B.")]


def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        print(f"sfc {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_print_version, help="Print the version and exit.")
    ] = False,
) -> None:
    """Derive, analyse and export fast-convolution transforms (SFC and Winograd), exactly.

    Example: sfc derive --tile 6 --kernel 3
    """


def fail(message: str) -> NoReturn:
    """One line on stderr, exit code 2."""
    print(f"sfc: error: {message}", file=sys.stderr)
    raise typer.Exit(2)


@app.command(
    epilog="Examples: sfc derive --tile 6 --kernel 3 | sfc derive --algo winograd --tile 4 --points 0,1,-1,2,-2,inf "
    "| sfc derive --tile 7 --kernel 3 --dft 6 --corrections 1,2 --format json"
)
def derive(
    algo: AlgoOption = "sfc",
    tile: TileOption = 6,
    kernel: KernelOption = 3,
    dft: DftOption = None,
    corrections: CorrectionsOption = None,
    points: PointsOption = None,
    dims: DimsOption = 2,
    fractions_in: FractionsOption = "G",
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Derive an SFC or Winograd algorithm exactly, verify it, and show AT, G, BT and its costs."""
    if output_format not in ("table", "json"):
        fail(f"unknown format {output_format!r}: choose table or json")
    request = AlgorithmRequest(algo, tile, kernel, dft, corrections, points, dims, fractions_in)
    try:
        from .options import build_algorithm

        algorithm = build_algorithm(request)
    except InputError as error:
        fail(str(error))
    if output_format == "json":
        from .export.jsonio import algorithm_json

        sys.stdout.write(algorithm_json(algorithm))
        return
    from rich.console import Console

    from .display import render_algorithm

    render_algorithm(Console(), algorithm, request.chooses_automatically)


def main() -> None:
    """Entry point: usage errors (bad option values, unknown options or commands) are one line, exit 2."""
    args = sys.argv[1:] or ["--help"]
    try:
        code = typer.main.get_command(app).main(args, prog_name="sfc", standalone_mode=False)
    except typer.TyperException as error:  # typer's click usage errors
        print(f"sfc: error: {error.format_message()}", file=sys.stderr)  # type: ignore[attr-defined]
        code = getattr(error, "exit_code", 2)
    except typer.Abort:
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
