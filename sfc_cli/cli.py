"""The `sfc` command line: parses options, calls the library, prints. Nothing else lives here."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from .errors import InputError
from .options import AlgorithmRequest

app = typer.Typer(
    add_completion=False,
    help="Derive, analyse and export fast-convolution transforms (SFC and Winograd), exactly.",
    epilog="Example: sfc derive --tile 6 --kernel 3",
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
    """Derive, analyse and export fast-convolution transforms (SFC and Winograd), exactly."""


MIN_TABLE_WIDTH = 80
"""derive's tables need this many columns; a narrower terminal gets wrapped lines, never cut numbers."""


def fail(message: str) -> NoReturn:
    """One line on stderr, exit code 2."""
    print(f"sfc: error: {message}", file=sys.stderr)
    raise typer.Exit(2)


@app.command(
    epilog="Examples:\n\n"
    "sfc derive --tile 6 --kernel 3\n\n"
    "sfc derive --algo winograd --tile 4 --points 0,1,-1,2,-2,inf\n\n"
    "sfc derive --tile 7 --kernel 3 --dft 6 --corrections 1,2 --format json"
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

    console = Console()
    console.width = max(console.width, MIN_TABLE_WIDTH)  # narrower terminals wrap lines instead of cutting numbers
    render_algorithm(console, algorithm, request.chooses_automatically)


@app.command(
    epilog="Examples:\n\n"
    "sfc export --format c -o sfc6.h\n\n"
    "sfc export --format verilog --tile 4 --name sfc4 --width 8 -o sfc4.v\n\n"
    "sfc export --format json --algo winograd --tile 4 --points 0,1,-1,2,-2,inf"
)
def export(
    algo: AlgoOption = "sfc",
    tile: TileOption = 6,
    kernel: KernelOption = 3,
    dft: DftOption = None,
    corrections: CorrectionsOption = None,
    points: PointsOption = None,
    dims: DimsOption = 2,
    fractions_in: FractionsOption = "G",
    output_format: Annotated[str, typer.Option("--format", help="c (header), verilog or json.")] = "c",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write this file (atomically) instead of stdout.")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Identifier prefix (default from the algorithm, e.g. sfc6_6x6_3x3).")
    ] = None,
    template_dir: Annotated[
        Path | None, typer.Option("--template-dir", help="Directory whose templates override the bundled ones.")
    ] = None,
    width: Annotated[int | None, typer.Option("--width", help="Verilog: default input width IN_W (8).")] = None,
) -> None:
    """Export a verified algorithm as a C header, Verilog or JSON, rendered from Jinja2 templates."""
    request = AlgorithmRequest(algo, tile, kernel, dft, corrections, points, dims, fractions_in)
    try:
        from .export.render import export_request, render
        from .files import write_atomically
        from .options import build_algorithm

        options = export_request(output_format, name, width)
        text = render(build_algorithm(request), options, template_dir)
        if output is None:
            sys.stdout.write(text)
        else:
            write_atomically(output, text)
    except InputError as error:
        fail(str(error))


ReportAlgoOption = Annotated[
    str | None, typer.Option("--algo", help="Report on one algorithm of this family (sfc or winograd).")
]
ReportTileOption = Annotated[int | None, typer.Option("--tile", "-m", help="Output tile size m (per dimension).")]
ReportKernelOption = Annotated[int | None, typer.Option("--kernel", "-r", help="Kernel size r (per dimension).")]


@app.command(
    "error-report",
    epilog="Examples:\n\n"
    "sfc error-report\n\n"
    "sfc error-report --bits 8,6,4 --format markdown\n\n"
    "sfc error-report --image builtin --plot errors.svg\n\n"
    "sfc error-report --tile 6 --kernel 3 --samples 20000 --seed 1 --format json",
)
def error_report(
    algo: ReportAlgoOption = None,
    tile: ReportTileOption = None,
    kernel: ReportKernelOption = None,
    dft: DftOption = None,
    corrections: CorrectionsOption = None,
    points: PointsOption = None,
    dims: DimsOption = 2,
    fractions_in: FractionsOption = "G",
    bits: Annotated[
        str, typer.Option("--bits", help="Bit widths for bounds and int errors, e.g. 8,6,4 (2..16).")
    ] = "8",
    samples: Annotated[int, typer.Option("--samples", help="Output tiles measured per algorithm.")] = 4096,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random data and kernels.")] = 0,
    image: Annotated[
        str | None,
        typer.Option(
            "--image",
            help="Measure on this grayscale image (PGM, PNG) instead of random data; 'builtin' "
            "is the photograph shipped with sfc.",
        ),
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Also draw reduction against error to FILE (.png/.svg).")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, json, csv or markdown.")] = "table",
) -> None:
    """Products saved against accuracy lost: conditioning, proved int bounds and measured errors, side by side.

    With no algorithm option: direct convolution and the paper's Winograd and SFC algorithms. With any of
    --algo, --tile, --kernel, --dft, --corrections, --points: that one algorithm (like derive).
    """
    try:
        from .report_options import report_settings, report_subjects, single_request

        settings = report_settings(bits, samples, seed, image, plot, output_format)
        chosen = {"algo": algo, "tile": tile, "kernel": kernel, "dft": dft, "corrections": corrections}
        request = single_request(dims, fractions_in, points=points, **chosen)
        subjects = report_subjects(request, dims, fractions_in)
    except InputError as error:
        fail(str(error))
    from .analysis.report import build_report, progress_steps
    from .report_display import progress_bar, render_table, report_csv, report_json, report_markdown

    try:
        with progress_bar(progress_steps(subjects, settings.data)) as step:
            report = build_report(subjects, settings.bits, settings.data, step)
    except InputError as error:
        fail(str(error))
    if settings.output_format == "table":
        render_table(report)
    else:
        writers = {"json": report_json, "csv": report_csv, "markdown": report_markdown}
        sys.stdout.write(writers[settings.output_format](report))
    if settings.plot is not None:
        from .report_plot import write_plot

        try:
            write_plot(report, settings.plot)
        except InputError as error:
            fail(str(error))


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
