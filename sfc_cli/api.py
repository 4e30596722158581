"""sfc as a Python library: the functions behind the commands, for notebooks and other tools.

Every function takes Python values (not command-line text, though strings are accepted where the command line
takes them), raises ``sfc_cli.errors.InputError`` (a ``ValueError``) with the command's one-line message for
anything the caller must change, and returns the library's own objects: an ``Algorithm`` (verified exactly, with
exact ``QMatrix`` transforms), a ``Report``, a ``SearchResult``, the exported bytes or text.

>>> import sfc                      # the package that re-exports this module
>>> alg = sfc.derive("sfc", tile=6, kernel=3)
>>> alg.name, alg.one_d.products, alg.two_d.products
('SFC-6(6x6,3x3)', 10, 88)
>>> sfc.verify(alg)
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .algebra.verify import satisfies_identity
from .algorithm import Algorithm, point_text
from .errors import InputError
from .request import AlgorithmFamily, AlgorithmRequest, build_algorithm, check_bits

if TYPE_CHECKING:
    import onnx

    from .analysis.report import Report
    from .catalog import CatalogChoice
    from .export.layer import LayerShape
    from .models.evaluate import ModelReport
    from .models.images import ImageSet
    from .search.engine import Metric, SearchResult

Points = str | Sequence[Fraction | int | str | None]


def _points_text(points: Points | None) -> str | None:
    if points is None or isinstance(points, str):
        return points
    return ",".join("inf" if p is None else point_text(Fraction(p)) if not isinstance(p, str) else p for p in points)


def _pair_text(pair: str | tuple[int, int] | None) -> str | None:
    return pair if pair is None or isinstance(pair, str) else f"{pair[0]},{pair[1]}"


def derive(
    algo: AlgorithmFamily = "sfc",
    tile: int = 6,
    kernel: int = 3,
    *,
    dft: int | None = None,
    corrections: str | tuple[int, int] | None = None,
    points: Points | None = None,
    moduli: str | Sequence[str] | None = None,
    dims: int = 2,
    fractions_in: str = "G",
) -> Algorithm:
    """Derive and verify one algorithm, as ``sfc derive`` does (the same options and defaults).

    ``points``: Winograd points as a list (``[0, 1, -1, Fraction(1, 2), None]``, None = infinity) or as the
    command line writes them (``"0,1,-1,1/2,inf"``); ``moduli``: a list of polynomials in x or one string.
    The transform programs are found on first use (``algorithm.programs(dims)``)."""
    moduli_text = moduli if moduli is None or isinstance(moduli, str) else ", ".join(moduli)
    request = AlgorithmRequest(
        algo, tile, kernel, dft, _pair_text(corrections), _points_text(points), dims, fractions_in, moduli_text
    )
    return build_algorithm(request)


def verify(algorithm: Algorithm) -> bool:
    """Check the exact identity ``sum_t AT[i,t] G[t,k] BT[t,j] == [j == i + k]`` again, in every dimension the
    algorithm has (``derive`` has checked it already; this is for algorithms built or modified by hand)."""
    checks = [(algorithm.one_d, 1)] + ([] if algorithm.two_d is None else [(algorithm.two_d, 2)])
    return all(satisfies_identity(transforms, algorithm.tile, algorithm.kernel, dims) for transforms, dims in checks)


def error_report(
    algorithms: Sequence[Algorithm] | None = None,
    *,
    catalog: CatalogChoice = "paper",
    bits: Sequence[int] = (8,),
    samples: int = 4096,
    seed: int = 0,
    image: str | Path | None = None,
    dims: int = 2,
    fractions_in: str = "G",
) -> Report:
    """Conditioning, proved int bounds and measured errors, as ``sfc error-report``: for ``algorithms`` (each
    after a direct-convolution row of its kernel), or for the rows of ``catalog`` when None. ``image``: a
    grayscale PGM/PNG to measure on ("builtin": the shipped photograph), else random data."""
    from .analysis.images import load_grayscale
    from .analysis.measure import DataSource
    from .analysis.report import algorithm_subjects, build_report, catalog_subjects

    if not samples >= 1:
        raise InputError(f"samples must be at least 1, got {samples}")
    widths = tuple(check_bits(width) for width in dict.fromkeys(bits))
    subjects = (
        catalog_subjects(catalog, dims, fractions_in)
        if algorithms is None
        else [subject for algorithm in algorithms for subject in algorithm_subjects(algorithm)]
    )
    pixels = None if image is None else load_grayscale(str(image))
    data = DataSource(samples, seed, pixels, "" if image is None else str(image))
    return build_report(subjects, widths, data)


def search(
    kernel: int = 3,
    *,
    dims: int = 2,
    max_tile: int = 8,
    metric: Metric = "int8",
    samples: int = 4096,
    seed: int = 0,
    budget: float | None = None,
    workers: int | None = None,
    on_progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
) -> SearchResult:
    """The Pareto front of products per output against ``metric`` over SFC, Winograd and CRT moduli, as
    ``sfc search`` (every candidate derived and verified exactly; ``workers`` processes, default every core)."""
    from .search.engine import search as run_search
    from .search.settings import search_settings

    settings = search_settings(kernel, dims, max_tile, samples, budget, seed, workers)
    return run_search(
        settings.candidates, settings.literature, metric, samples, seed, budget, settings.workers, on_progress
    )


def export(
    algorithm: Algorithm,
    output_format: str = "c",
    *,
    name: str | None = None,
    width: int | None = None,
    layer: LayerShape | None = None,
    template_dir: str | Path | None = None,
) -> str | bytes:
    """What ``sfc export --format output_format`` writes: text (c, verilog, json, mlir, latex) or bytes (npz,
    onnx). ``layer``: a ``LayerShape`` for the whole-layer formats (c, mlir, onnx)."""
    from .export.render import export_bytes, export_request

    if layer is not None:
        layer.check(algorithm.kernel)
    request = export_request(output_format, name, width, layer)
    data = export_bytes(algorithm, request, None if template_dir is None else Path(template_dir))
    return data if output_format in ("npz", "onnx") else data.decode("utf-8")


def load_images(
    folder: str | Path,
    channels: int,
    *,
    size: tuple[int, int] | None = None,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
    limit: int | None = None,
) -> ImageSet:
    """An image folder (one sub-folder per class, classes sorted, or flat) as ``error-report --model`` reads it:
    float32 NCHW with ``channels`` channels, pixels / 255 then normalised by ``mean`` and ``std`` per channel
    (default 0 and 1), resized to ``size`` (H, W) when given, the classes interleaved; the first ``limit``."""
    from .models.images import load_image_folder

    means = tuple(mean) if mean is not None else (0.0,) * channels
    stds = tuple(std) if std is not None else (1.0,) * channels
    return load_image_folder(str(folder), size, means, stds, channels, limit, resize=size is not None)


def quantize_model(
    model: str | Path | onnx.ModelProto,
    algorithm: Algorithm,
    *,
    bits: int | None = 8,
    images: ImageSet | None = None,
    calibration: int = 256,
    method: Literal["max", "mse"] = "max",
) -> onnx.ModelProto:
    """As ``sfc quantize``: every Conv ``algorithm`` fits rewritten into the fast algorithm as standard ONNX,
    V and U quantized tap-wise at ``bits`` with scales calibrated (``method``) on the first ``calibration`` of
    ``images`` (``load_images``), the other Convs, Gemms and MatMuls int8 direct; ``bits`` None: the float
    rewrite (no images needed), equal to the model."""
    import onnx

    from .models.evaluate import calibration_batches
    from .models.onnx_model import load_model
    from .models.rewrite import calibrate, rewrite

    loaded = model if isinstance(model, onnx.ModelProto) else load_model(model)
    if bits is None:
        return rewrite(loaded, algorithm)
    if images is None:
        raise InputError("quantize_model with bits needs images to calibrate on (load_images)")
    scales, direct = calibrate(
        loaded, algorithm, calibration_batches(loaded, images.images[:calibration]), bits, method
    )
    return rewrite(loaded, algorithm, scales, direct)


def evaluate_model(
    model: str | Path | onnx.ModelProto,
    images: ImageSet,
    algorithms: Sequence[Algorithm],
    *,
    bits: Sequence[int] = (8,),
    calibration: int = 256,
    method: Literal["max", "mse"] = "max",
    limit: int | None = None,
) -> ModelReport:
    """As ``sfc error-report --model``: rows FP32, int8 direct and each algorithm at each of ``bits`` (tap-wise
    quantized fast Convs, the rest int8 direct), calibrated on the first ``calibration`` images, measured on the
    first ``limit`` (None: all): multiplications, per-layer relative RMS errors, top-1 agreement and accuracy."""
    from .models.evaluate import evaluate_model as evaluate

    source = str(model) if isinstance(model, Path) else model
    return evaluate(source, images, algorithms, bits, calibration, method, limit=limit)
