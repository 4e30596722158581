"""``sfc export``: a verified algorithm as a C header, Verilog, JSON, MLIR, ONNX, npz or LaTeX; whole layers with
``--channels`` and ``--size`` (C, MLIR, ONNX)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from ..errors import InputError
from ..export.layer import LayerDtype, LayerShape
from ..request import AlgorithmRequest, parse_int_pair
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
    output_file,
    progress,
    writing_stdout,
    wrote,
)

NAME = "export"
EPILOG = (
    "Examples:\n\n"
    "sfc export --format c -o sfc6.h\n\n"
    "sfc export --format verilog --tile 4 --name sfc4 --width 8 -o sfc4.v\n\n"
    "sfc export --format json --algo winograd --tile 4 --points 0,1,-1,2,-2,inf\n\n"
    "sfc export --format c --channels 64,64 --size 56,56 --padding 1 --dtype i8 -o sfc6_layer.h\n\n"
    "sfc export --format mlir --channels 16,32 --size 32,32 --padding 1 --dtype i8 -o layer.mlir\n\n"
    "sfc export --format onnx --channels 16,32 --size 32,32 --padding 1 -o layer.onnx"
)
ExportFormat = Literal["c", "verilog", "json", "mlir", "onnx", "npz", "latex"]


def layer_shape(
    channels: str | None, size: str | None, padding: int, dtype: LayerDtype | None, default_dtype: LayerDtype
) -> LayerShape | None:
    """The whole layer the options describe (``default_dtype`` without --dtype), None for per-tile exports;
    InputError when half of it is given."""
    if channels is None and size is None:
        if padding or dtype is not None:
            raise InputError("--padding and --dtype describe a whole layer: give --channels and --size too")
        return None
    if channels is None or size is None:
        raise InputError("a whole-layer export needs both --channels C_IN,C_OUT and --size H,W")
    c_in, c_out = parse_int_pair(channels, "--channels", "64,64")
    height, width = parse_int_pair(size, "--size", "56,56")
    return LayerShape(c_in, c_out, height, width, padding, dtype or default_dtype)


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
        ExportFormat,
        typer.Option(
            "--format",
            metavar="<format>",
            help="One of c, verilog, json, mlir, onnx, npz, latex. c: a C header (per tile; with --channels and "
            "--size also the whole layer); verilog; json; mlir and "
            "onnx: a whole layer (needs --channels and --size); npz: the matrices for numpy; latex: the 1-D matrices.",
        ),
    ] = "c",
    output: OutputOption = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Identifier prefix (default from the algorithm, e.g. sfc6_6x6_3x3).")
    ] = None,
    template_dir: Annotated[
        Path | None, typer.Option("--template-dir", help="Directory whose templates override the bundled ones.")
    ] = None,
    width: Annotated[int | None, typer.Option("--width", help="Verilog: default input width IN_W (8).")] = None,
    channels: Annotated[
        str | None, typer.Option("--channels", metavar="C_IN,C_OUT", help="Whole layer: input and output channels.")
    ] = None,
    size: Annotated[
        str | None, typer.Option("--size", metavar="H,W", help="Whole layer: input height and width (before padding).")
    ] = None,
    padding: Annotated[
        int, typer.Option("--padding", help="Whole layer: zeros on every side of the input (0 to kernel - 1).")
    ] = 0,
    dtype: Annotated[
        LayerDtype | None,
        typer.Option(
            "--dtype",
            help="Whole layer: element type of inputs and weights; i8/i16 are exact with integer sums "
            "(C: i8 or i16; MLIR: f32, i8, i16; ONNX: f32 or i8). Default f32 (C: i8).",
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Export a verified algorithm: per-tile transforms, or a whole layer with --channels and --size.

    Per tile: C, Verilog, JSON, npz, LaTeX; a whole layer: C, MLIR (IREE), ONNX; rendered from Jinja2 templates.

    Standard output and -o FILE get the same bytes (UTF-8 text; npz and onnx are binary).
    """
    request = AlgorithmRequest(algo, tile, kernel, dft, corrections, points, dims, fractions_in, moduli)
    output = output_file(output)
    try:
        from ..export.render import export_bytes, export_request
        from ..files import check_writable, write_output

        layer = layer_shape(channels, size, padding, dtype, "i8" if output_format == "c" else "f32")
        if layer is not None:
            layer.check(kernel)
        options = export_request(output_format, name, width, layer)
        if output is not None:
            check_writable(output)
        with progress(3, DERIVING, quiet) as step:
            algorithm = derive_with_programs(request, step)
            step(f"rendering {output_format}")
            data = export_bytes(algorithm, options, template_dir)
        if output is not None:
            wrote(output, write_output(output, data), quiet)
            return
    except InputError as error:
        fail(str(error))
    with writing_stdout():
        sys.stdout.buffer.write(data)
