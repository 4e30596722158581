"""``sfc error-report --model MODEL.onnx --images DIR``: checked options, the algorithms that fit, and the run."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import typer

from ...catalog import DEFAULT_CATALOG, CatalogChoice, catalog_rows
from ...errors import InputError
from ...request import AlgorithmRequest, build_algorithm
from ..common import TableFormat, fail, print_report, progress, wrote
from ..model_options import parse_channel_values, parse_size

if TYPE_CHECKING:
    import onnx

    from ...algorithm import Algorithm

MODEL_ONLY = ("images", "calibration", "limit", "size", "mean", "std", "method")
"""Parameters of the options that apply to --model alone."""
TILE_ONLY = ("samples", "seed", "image")
"""Parameters of the tile report's options that do not apply to --model."""


def _given(context: typer.Context, names: tuple[str, ...]) -> list[str]:
    """The options among ``names`` (parameter names) given on the command line, as --option."""
    sources = {name: context.get_parameter_source(name) for name in names}
    given = [name for name, source in sources.items() if source is not None and source.name == "COMMANDLINE"]
    return ["--" + name.replace("_", "-") for name in given]


def check_tile_report(context: typer.Context) -> None:
    """The tile report (no --model): InputError when an option of --model alone was given."""
    given = _given(context, MODEL_ONLY)
    if given:
        raise InputError(f"{given[0]} applies to --model MODEL.onnx (the model report)")


@dataclass(frozen=True)
class ModelOptions:
    """The --model options as given (text), checked by ``model_settings``."""

    model: str
    images: str | None
    calibration: int
    limit: int | None
    size: str | None
    mean: str | None
    std: str | None
    method: str


@dataclass(frozen=True)
class ModelSettings:
    """Checked options: bits, calibration and evaluation image counts, resize target, the normalisation as
    given (checked against the model's channels once it is loaded) and the plot file."""

    model: str
    images: str
    bits: tuple[int, ...]
    calibration: int
    limit: int | None
    size: tuple[int, int] | None
    mean: str | None
    std: str | None
    method: str
    plot: str | None


def model_settings(options: ModelOptions, bits: str, dims: int, plot: str | None) -> ModelSettings:
    """Raises InputError (one line) for anything the user must change, before any work."""
    from ...request import parse_bits

    if options.images is None:
        raise InputError("--model needs --images DIR: the folder of images to evaluate on")
    if dims != 2:
        raise InputError("--model runs 2-D convolutions: --dims must be 2")
    if options.limit is not None and options.limit < 1:
        raise InputError(f"--limit must be at least 1 image, got {options.limit}")
    if plot is not None:
        from ..plotting import check_plot_file

        check_plot_file(plot)
    return ModelSettings(
        options.model,
        options.images,
        parse_bits(bits),
        options.calibration,
        options.limit,
        parse_size(options.size),
        options.mean,
        options.std,
        options.method,
        plot,
    )


def model_algorithms(
    model: onnx.ModelProto,
    request: AlgorithmRequest | None,
    catalog: CatalogChoice | None,
    fractions_in: str,
    path: str,
) -> tuple[list[Algorithm], list[str]]:
    """The algorithms (and row names) to evaluate: the requested one, or the rows of ``--catalog`` whose
    kernel fits some Conv of the model; InputError when none fits."""
    from ...models.onnx_model import conv_sites, is_eligible
    from ...models.rewrite import eligible_sites, prepare

    if request is not None:
        if catalog is not None:
            raise InputError("--catalog cannot be combined with an algorithm option (--algo, --tile, ...)")
        algorithm = build_algorithm(request)
        eligible_sites(prepare(model), algorithm.kernel, path)
        return [algorithm], [algorithm.name]
    sites = conv_sites(prepare(model))
    rows = catalog_rows(catalog or DEFAULT_CATALOG)
    fitting = [row for row in rows if any(is_eligible(site, row.request.kernel) for site in sites)]
    if not fitting:
        kernels = sorted({row.request.kernel for row in rows})
        try:
            eligible_sites(prepare(model), kernels[0], path)
        except InputError as error:
            others = " or ".join(f"{k}x{k}" for k in kernels[1:])
            raise InputError(f"{error} (nor a {others} kernel, the catalog's other sizes)") from None
    algorithms = [build_algorithm(row.request_for(2, fractions_in)) for row in fitting]
    return algorithms, [f"{a.name} {row.label}".strip() for a, row in zip(algorithms, fitting, strict=True)]


def run_model_report(
    settings: ModelSettings,
    request: AlgorithmRequest | None,
    catalog: CatalogChoice | None,
    fractions_in: str,
    output_format: TableFormat,
    quiet: bool,
) -> None:
    """Load, check, evaluate, then print the report in ``output_format`` and draw the plot; InputError for
    bad input (nothing is written then)."""
    from ...models.evaluate import evaluate_model, input_spec, progress_units
    from ...models.images import load_image_folder
    from ...models.onnx_model import load_model

    model = load_model(settings.model)
    spec = input_spec(model)
    algorithms, labels = model_algorithms(model, request, catalog, fractions_in, settings.model)
    if settings.size is not None and spec.size is not None and settings.size != spec.size:
        height, width = spec.size
        raise InputError(f"--size {settings.size[0]},{settings.size[1]}: the model takes {height}x{width} images")
    size = settings.size or spec.size
    mean = parse_channel_values(settings.mean, "--mean", spec.channels, 0.0)
    std = parse_channel_values(settings.std, "--std", spec.channels, 1.0)
    limit = None if settings.limit is None else max(settings.calibration, settings.limit)
    images = load_image_folder(settings.images, size, mean, std, spec.channels, limit, settings.size is not None)
    rows = 2 + len(algorithms) * len(settings.bits)
    evaluated = len(images) if settings.limit is None else min(settings.limit, len(images))
    units = progress_units(evaluated, spec, images.images.shape[1:], rows)
    with progress(units, "FP32", quiet) as step:
        report = evaluate_model(
            model,
            images,
            algorithms,
            settings.bits,
            settings.calibration,
            settings.method,
            step,
            labels,
            settings.model,
            limit=settings.limit,
        )
    from .model_display import model_csv, model_json, model_markdown, render_model_table

    writers = {"json": model_json, "csv": model_csv, "markdown": model_markdown}
    print_report(output_format, lambda: render_model_table(report), {k: partial(w, report) for k, w in writers.items()})
    if settings.plot is not None:
        from .model_plot import write_model_plot

        wrote(settings.plot, write_model_plot(report, settings.plot), quiet)


def model_command(
    context: typer.Context,
    options: ModelOptions,
    chosen: dict[str, str | int | None],
    catalog: CatalogChoice | None,
    bits: str,
    dims: int,
    fractions_in: str,
    plot: str | None,
    output_format: TableFormat,
    quiet: bool,
) -> None:
    """``sfc error-report --model``: ``chosen`` holds the algorithm options (algo, tile, kernel, dft,
    corrections, points, moduli); bad input is one line on stderr, exit code 2, nothing written."""
    from .options import single_request

    try:
        given = _given(context, TILE_ONLY)
        if given:
            raise InputError(f"{given[0]} applies to the tile report; --model measures on the images of --images")
        settings = model_settings(options, bits, dims, plot)
        request = single_request(dims, fractions_in, **chosen)
        run_model_report(settings, request, catalog, fractions_in, output_format, quiet)
    except InputError as error:
        fail(str(error))
