"""``sfc error-report``: products saved against accuracy lost, per tile (``options``, ``display``, ``plot``), or
on a model's images with --model (``model``, ``model_display``, ``model_plot``)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

import typer

from ...errors import InputError
from ...request import MAX_PIXELS, MAX_SAMPLES, MAX_SIDE
from ..common import (
    ALGO_METAVAR,
    CorrectionsOption,
    DftOption,
    DimsOption,
    FractionsOption,
    ModuliOption,
    PointsOption,
    QuietOption,
    TableFormat,
    check_algo,
    fail,
    print_report,
    progress,
    wrote,
)
from ..model_options import DEFAULT_CALIBRATION, CalibrationOption, MeanOption, MethodOption, SizeOption, StdOption
from .model import ModelOptions, check_tile_report, model_command

NAME = "error-report"
EPILOG = (
    "Examples:\n\n"
    "sfc error-report\n\n"
    "sfc error-report --bits 8,6,4 --format markdown\n\n"
    "sfc error-report --catalog all --format json\n\n"
    "sfc error-report --image builtin --plot errors.svg\n\n"
    "sfc error-report --tile 6 --kernel 3 --samples 20000 --seed 1 --format json\n\n"
    "sfc error-report --model examples/models/digits_cnn.onnx --images examples/models/digits-test "
    "--calibration 150 --bits 8,6"
)

ReportAlgoOption = Annotated[
    str | None,
    typer.Option(
        "--algo", metavar=ALGO_METAVAR, callback=check_algo, help="Report on one algorithm of this family (any case)."
    ),
]
ReportTileOption = Annotated[int | None, typer.Option("--tile", "-m", help="Output tile size m (per dimension).")]
ReportKernelOption = Annotated[int | None, typer.Option("--kernel", "-r", help="Kernel size r (per dimension).")]
CatalogOption = Annotated[
    Literal["paper", "all"] | None,
    typer.Option(
        "--catalog",
        help="Rows of the report: paper (the default) = direct convolution and the paper's Winograd and SFC "
        "algorithms; all = also the literature's Winograd points (Barabasz et al., NOVA, wincnn issue 1) and "
        "Gaussian-integer Winograd as CRT moduli, each named with its source (JSON: 'source'). An error with "
        "an algorithm option (--algo, --tile, ...).",
    ),
]


def command(
    context: typer.Context,
    catalog: CatalogOption = None,
    algo: ReportAlgoOption = None,
    tile: ReportTileOption = None,
    kernel: ReportKernelOption = None,
    dft: DftOption = None,
    corrections: CorrectionsOption = None,
    points: PointsOption = None,
    moduli: ModuliOption = None,
    dims: DimsOption = 2,
    fractions_in: FractionsOption = "G",
    bits: Annotated[
        str, typer.Option("--bits", help="Bit widths for bounds and int errors, e.g. 8,6,4 (2..16).")
    ] = "8",
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            help=f"Output tiles measured per algorithm, 1 to {MAX_SAMPLES} (time grows with the count; memory "
            "does not, tiles are measured in batches).",
        ),
    ] = 4096,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random data and kernels.")] = 0,
    image: Annotated[
        str | None,
        typer.Option(
            "--image",
            help=f"Measure on this grayscale image (PGM, PNG; a regular file of at most {MAX_PIXELS:,} pixels, "
            f"{MAX_SIDE}x{MAX_SIDE}) instead of random data; 'builtin' is the photograph shipped with sfc.",
        ),
    ] = None,
    plot: Annotated[
        str | None,
        typer.Option("--plot", metavar="<file>", help="Also draw reduction against error to this .png or .svg file."),
    ] = None,
    output_format: Annotated[TableFormat, typer.Option("--format", help="Tables or a document.")] = "table",
    quiet: QuietOption = False,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            metavar="<MODEL.onnx>",
            help="Evaluate this ONNX model (NCHW image input) on --images: FP32, int8 direct and each algorithm "
            "at each --bits, its fitting Convs fast and quantized tap-wise (sfc docs error-model, section 7).",
        ),
    ] = None,
    images: Annotated[
        str | None,
        typer.Option(
            "--images",
            metavar="<DIR>",
            help="With --model: PNG/JPEG/PGM images, one sub-folder per class (labels, accuracy) or flat.",
        ),
    ] = None,
    calibration: CalibrationOption = DEFAULT_CALIBRATION,
    limit: Annotated[
        int | None,
        typer.Option("--limit", help="With --model: evaluate the first N images (calibration included)."),
    ] = None,
    size: SizeOption = None,
    mean: MeanOption = None,
    std: StdOption = None,
    method: MethodOption = "max",
) -> None:
    """Products saved against accuracy lost: conditioning, proved int bounds and measured errors, side by side.

    With no algorithm option: direct convolution and the paper's Winograd and SFC algorithms.
    --catalog all adds the literature's Winograd points, each row with its source.
    With any of --algo, --tile, --kernel, --dft, --corrections, --points, --moduli: that one algorithm (like derive).
    With --model MODEL.onnx --images DIR: the model's accuracy with those algorithms, quantized.
    """
    chosen = {"algo": algo, "tile": tile, "kernel": kernel, "dft": dft, "corrections": corrections}
    if model is not None:
        options = ModelOptions(model, images, calibration, limit, size, mean, std, method)
        chosen |= {"points": points, "moduli": moduli}
        model_command(context, options, chosen, catalog, bits, dims, fractions_in, plot, output_format, quiet)
        return
    try:
        check_tile_report(context)
        from ...analysis.report import build_report, progress_steps
        from .options import report_settings, report_subjects, single_request

        settings = report_settings(bits, samples, seed, image, plot)
        request = single_request(dims, fractions_in, points=points, moduli=moduli, **chosen)
        subjects = report_subjects(request, dims, fractions_in, catalog)
        with progress(progress_steps(subjects, settings.data), "error-report", quiet) as step:
            report = build_report(subjects, settings.bits, settings.data, step)
    except InputError as error:
        fail(str(error))
    from .display import render_table, report_csv, report_json, report_markdown

    writers = {"json": report_json, "csv": report_csv, "markdown": report_markdown}
    print_report(output_format, lambda: render_table(report), {k: partial(w, report) for k, w in writers.items()})
    if settings.plot is not None:
        from .plot import write_plot

        try:
            size = write_plot(report, settings.plot)
        except InputError as error:
            fail(str(error))
        wrote(settings.plot, size, quiet)
