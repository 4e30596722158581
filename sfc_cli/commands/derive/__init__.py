"""``sfc derive``: derive and verify one algorithm, show its matrices and costs (``display``) or its JSON."""

from __future__ import annotations

import sys
from typing import Annotated, Literal

import typer

from ...errors import InputError
from ...request import AlgorithmRequest
from ..common import (
    DERIVING,
    AlgoOption,
    CorrectionsOption,
    DftOption,
    DimsOption,
    FractionsOption,
    KernelOption,
    ModuliOption,
    PointsOption,
    TileOption,
    derive_with_programs,
    fail,
    progress,
    writing_stdout,
)

NAME = "derive"
EPILOG = (
    "Examples:\n\n"
    "sfc derive --tile 6 --kernel 3\n\n"
    "sfc derive --algo winograd --tile 4 --points 0,1,-1,2,-2,inf\n\n"
    'sfc derive --algo crt --tile 4 --moduli "x, x-1, x+1, x^2+1, inf"\n\n'
    "sfc derive --tile 7 --kernel 3 --dft 6 --corrections 1,2 --format json"
)
MIN_TABLE_WIDTH = 80
"""derive's tables need this many columns; a narrower terminal gets wrapped lines, never cut numbers."""


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
        Literal["table", "json"], typer.Option("--format", help="The rich display or the JSON document.")
    ] = "table",
) -> None:
    """Derive an SFC, Winograd or CRT-moduli algorithm exactly, verify it, and show AT, G, BT and its costs."""
    request = AlgorithmRequest(algo, tile, kernel, dft, corrections, points, dims, fractions_in, moduli)
    try:
        with progress(2, DERIVING) as step:
            algorithm = derive_with_programs(request, step)
    except InputError as error:
        fail(str(error))
    with writing_stdout():
        if output_format == "json":
            from ...export.jsonio import algorithm_json

            sys.stdout.write(algorithm_json(algorithm))
            return
        from rich.console import Console

        from .display import render_algorithm

        console = Console()
        console.width = max(console.width, MIN_TABLE_WIDTH)  # narrower terminals wrap lines, never cut numbers
        render_algorithm(console, algorithm, request.chooses_automatically)
