"""The error report: products, conditioning, worst-case bounds and measured errors per algorithm.

Plain data only; rendering lives in ``sfc_cli.commands.error_report.display``. Everything is read from the
``Algorithm`` (or, for the baseline row, from ``direct_transforms``); nothing is re-derived.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..algebra.bilinear import Transforms
from ..algebra.transform_programs import prefetch
from ..algorithm import Algorithm
from ..catalog import CatalogChoice, catalog_rows
from ..errors import InputError
from .bounds import Bound, worst_case_bounds
from .conditioning import Conditions, conditions_by_scaling, conditions_by_scaling_2d
from .costs import AdditionCounts, addition_counts, plain_addition_counts
from .direct import direct_transforms
from .measure import DataSource, Measurement, Shape, batch_count, measure

DEFAULT_BITS = (8,)
DEFAULT_SAMPLES = 4096
DIRECT_KERNEL = 3
"""The catalog's direct-convolution row uses 3x3 kernels (its figures are 1 or the baseline); the catalog's
other rows are in ``sfc_cli.catalog``."""


def catalog_subjects(choice: CatalogChoice, dims: int, fractions_in: str) -> list[Subject]:
    """Direct convolution (``DIRECT_KERNEL``), then the rows of the catalog ``choice``, each derived and verified
    in ``dims`` dimensions with its fractions in ``fractions_in``."""
    from ..request import build_algorithm

    rows = catalog_rows(choice)
    subjects = [Subject.of(build_algorithm(row.request_for(dims, fractions_in)), row.label, row.source) for row in rows]
    return [Subject.direct(DIRECT_KERNEL, dims), *subjects]


def algorithm_subjects(algorithm: Algorithm) -> list[Subject]:
    """Direct convolution with the algorithm's kernel and dimensions, then the algorithm."""
    return [Subject.direct(algorithm.kernel, algorithm.dims), Subject.of(algorithm)]


@dataclass(frozen=True)
class Subject:
    """One row's algorithm: a derived Algorithm, or direct convolution (tile 1, the baseline, with no
    ``algorithm``). ``source``: where a literature row's algorithm comes from (None otherwise)."""

    name: str
    family: str
    tile: int
    kernel: int
    dims: int
    one_d: Transforms
    transforms: Transforms
    algorithm: Algorithm | None
    source: str | None = None

    @classmethod
    def of(cls, algorithm: Algorithm, label: str = "", source: str | None = None) -> Subject:
        """The algorithm's row, named by the algorithm followed by ``label`` (when given)."""
        return cls(
            f"{algorithm.name} {label}" if label else algorithm.name,
            algorithm.family,
            algorithm.tile,
            algorithm.kernel,
            algorithm.dims,
            algorithm.one_d,
            algorithm.transforms,
            algorithm,
            source,
        )

    @classmethod
    def direct(cls, kernel: int, dims: int) -> Subject:
        name = f"direct({'x'.join([str(kernel)] * dims)})"
        transforms = direct_transforms(1, kernel, dims)
        return cls(name, "direct", 1, kernel, dims, direct_transforms(1, kernel, 1), transforms, None)

    def additions(self) -> dict[str, AdditionCounts]:
        """Addition counts of the input, filter and output transforms (by role) in ``dims`` dimensions."""
        if self.algorithm is None:
            counts = plain_addition_counts(self.transforms, self.dims)
        else:
            counts = [c for c in addition_counts(self.algorithm) if c.dims == self.dims]
        return {c.role: c for c in counts}

    @property
    def shape(self) -> Shape:
        return Shape(self.tile, self.kernel, self.dims)

    @property
    def reduction(self) -> Fraction:
        """Direct multiplications over fast ones (in ``dims`` dimensions)."""
        return Fraction((self.tile * self.kernel) ** self.dims, self.transforms.products)


@dataclass(frozen=True)
class Row:
    """Every figure of one algorithm. ``conditions[dims][scaling]``; ``bounds[bits]``; ``additions[role]``."""

    subject: Subject
    conditions: dict[int, dict[str, Conditions]]
    bounds: dict[int, Bound]
    measured: Measurement
    additions: dict[str, AdditionCounts]


@dataclass(frozen=True)
class Report:
    rows: list[Row]
    bits: tuple[int, ...]
    data: DataSource

    @property
    def measured_bits(self) -> tuple[int, ...]:
        return measured_bits(self.bits)

    @property
    def dims(self) -> int:
        """Dimensions of the report's algorithms (2 for an empty report)."""
        return self.rows[0].subject.dims if self.rows else 2


def measured_bits(bits: Sequence[int]) -> tuple[int, ...]:
    """Bit widths with an ``int<b>_relative`` figure: 8 always, and the requested ones, widest first."""
    return tuple(sorted({8, *bits}, reverse=True))


def analyse(subject: Subject, bits: Sequence[int], data: DataSource, on_batch: Callable[[], None]) -> Row:
    conditions = {1: conditions_by_scaling(subject.one_d)}
    if subject.dims == 2:
        conditions[2] = conditions_by_scaling_2d(subject.one_d, subject.transforms)
    bounds = worst_case_bounds(subject.transforms, subject.tile, subject.kernel, subject.dims, bits)
    measured = measure(subject.transforms, subject.shape, data, measured_bits(bits), on_batch)
    return Row(subject, conditions, bounds, measured, subject.additions())


def progress_steps(subjects: Sequence[Subject], data: DataSource) -> int:
    """Progress units of ``build_report``: per subject one for its programs, one for its analysis and
    one per batch."""
    return len(subjects) * (2 + batch_count(data.samples))


def check_image_size(subjects: Sequence[Subject], data: DataSource) -> None:
    """Raises InputError when the image cannot hold the largest input tile of the report (1-D tiles lie
    along a pixel row, so they need only the width)."""
    if data.image is None or not subjects:
        return
    height, width = data.image.shape
    largest = max(subjects, key=lambda s: s.shape.side)
    side, dims = largest.shape.side, largest.dims
    if width < side or (dims == 2 and height < side):
        need = f"{side}x{side}" if dims == 2 else f"{side}x1"
        raise InputError(
            f"image {data.image_name!r} is {width}x{height} pixels, smaller than the {need} input tile of "
            f"{largest.name}: use an image of at least {need} pixels"
        )


def build_report(
    subjects: Sequence[Subject],
    bits: Sequence[int],
    data: DataSource,
    on_step: Callable[[str], None] = lambda label: None,
) -> Report:
    """Analyse every subject; ``on_step(label)`` is called ``progress_steps`` times. Raises InputError
    before any work when the image is too small, and when a measured figure is undefined. The
    transform programs of all subjects are found first, on every core."""
    check_image_size(subjects, data)
    requests = [
        (s.algorithm.two_d, s.algorithm.one_d) if s.algorithm.two_d is not None else (s.algorithm.one_d, None)
        for s in subjects
        if s.algorithm is not None
    ]
    prefetch(requests, os.cpu_count() or 1, lambda: on_step("transform programs"))
    for _ in range(len(subjects) - len(requests)):
        on_step("transform programs")
    rows = []
    for subject in subjects:
        rows.append(analyse(subject, bits, data, lambda s=subject: on_step(s.name)))
        on_step(subject.name)
    return Report(rows, tuple(bits), data)
