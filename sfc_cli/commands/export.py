"""``sfc export``: a verified algorithm as a C header, Verilog or JSON, rendered from the Jinja2 templates."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from ..errors import InputError
from ..request import AlgorithmRequest
from .common import (
    DERIVING,
    AlgoOption,
    CorrectionsOption,
    DftOption,
    DimsOption,
    FractionsOption,
    KernelOption,
    ModuliOption,
    OutputOption,
    PointsOption,
    QuietOption,
    TileOption,
    derive_with_programs,
    fail,
    progress,
    writing_stdout,
    wrote,
)

NAME = "export"
EPILOG = (
    "Examples:\n\n"
    "sfc export --format c -o sfc6.h\n\n"
    "sfc export --format verilog --tile 4 --name sfc4 --width 8 -o sfc4.v\n\n"
    "sfc export --format json --algo winograd --tile 4 --points 0,1,-1,2,-2,inf"
)


def command(
    algo: AlgoOption = "sfc",
    tile: TileOption = 6,
    kernel: KernelOption = 3,
    dft: DftOption = None,
    corrections: CorrectionsOption = None,
    points: PointsOption = None,
    moduli: ModuliOption = None,
    dims: DimsOption = 2,
    fractions_in: FractionsOption = "G",
    output_format: Annotated[
        Literal["c", "verilog", "json"], typer.Option("--format", help="A C header, Verilog or the JSON document.")
    ] = "c",
    output: OutputOption = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Identifier prefix (default from the algorithm, e.g. sfc6_6x6_3x3).")
    ] = None,
    template_dir: Annotated[
        Path | None, typer.Option("--template-dir", help="Directory whose templates override the bundled ones.")
    ] = None,
    width: Annotated[int | None, typer.Option("--width", help="Verilog: default input width IN_W (8).")] = None,
    quiet: QuietOption = False,
) -> None:
    """Export a verified algorithm as a C header, Verilog or JSON, rendered from Jinja2 templates.

    Standard output and -o FILE get the same bytes (UTF-8).
    """
    request = AlgorithmRequest(algo, tile, kernel, dft, corrections, points, dims, fractions_in, moduli)
    try:
        from ..export.render import export_request, render
        from ..files import check_writable, write_output

        options = export_request(output_format, name, width)
        if output is not None:
            check_writable(output)
        with progress(3, DERIVING, quiet) as step:
            algorithm = derive_with_programs(request, step)
            step(f"rendering {output_format}")
            text = render(algorithm, options, template_dir)
        if output is not None:
            wrote(output, write_output(output, text), quiet)
            return
    except InputError as error:
        fail(str(error))
    with writing_stdout():
        sys.stdout.buffer.write(text.encode("utf-8"))
