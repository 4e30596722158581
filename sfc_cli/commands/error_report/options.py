"""Turning ``sfc error-report`` options into checked settings and the algorithms to report on."""

from __future__ import annotations

from dataclasses import dataclass

from ...analysis.images import load_grayscale
from ...analysis.measure import DataSource
from ...analysis.report import Subject, algorithm_subjects, catalog_subjects
from ...catalog import DEFAULT_CATALOG, CatalogChoice
from ...errors import InputError
from ...request import MAX_SAMPLES, AlgorithmRequest, build_algorithm, parse_bits
from ..plotting import check_plot_file


@dataclass(frozen=True)
class ReportSettings:
    """Checked options: bit widths (as given, duplicates dropped), data, plot file name."""

    bits: tuple[int, ...]
    data: DataSource
    plot: str | None


def report_settings(bits: str, samples: int, seed: int, image: str | None, plot: str | None) -> ReportSettings:
    """Raises InputError (one line) for anything the user must change, the plot file included."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise InputError(f"--samples must be between 1 and {MAX_SAMPLES}, got {samples}")
    if seed < 0:
        raise InputError(f"--seed must be at least 0, got {seed}")
    if plot is not None:
        check_plot_file(plot)
    pixels = None if image is None else load_grayscale(image)
    return ReportSettings(parse_bits(bits), DataSource(samples, seed, pixels, image or ""), plot)


def single_request(dims: int, fractions_in: str, **chosen: str | int | None) -> AlgorithmRequest | None:
    """The one algorithm the user chose (unset options keep derive's defaults), or None for the catalog.

    ``chosen`` holds the algorithm-selecting options (algo, tile, kernel, dft, corrections, points, moduli).
    """
    given = {name: value for name, value in chosen.items() if value is not None}
    if not given:
        return None
    return AlgorithmRequest(**given, dims=dims, fractions_in=fractions_in)  # type: ignore[arg-type]


def report_subjects(
    request: AlgorithmRequest | None, dims: int, fractions_in: str, catalog: CatalogChoice | None = None
) -> list[Subject]:
    """Direct convolution, the baseline, then the requested algorithm (direct with its kernel and dimensions)
    or the catalog (direct with ``DIRECT_KERNEL``, then the rows of ``--catalog`` (None: the default,
    "paper") in ``dims`` dimensions). Raises InputError when both an algorithm and a catalog are chosen."""
    if request is not None:
        if catalog is not None:
            raise InputError(
                "--catalog chooses the rows of the catalog report; it cannot be combined with --algo, --tile, "
                "--kernel, --dft, --corrections, --points or --moduli, which report one algorithm"
            )
        return algorithm_subjects(build_algorithm(request))
    return catalog_subjects(catalog or DEFAULT_CATALOG, dims, fractions_in)
