"""Derive, verify and score candidates on every core, then keep the Pareto front.

Stage 1 scores every candidate on a cheap sample (``SCREEN_SAMPLES`` tiles); stage 2 re-measures the
candidates within ``SCREEN_MARGIN`` of the stage-1 front and the literature's algorithms on the full
sample and takes the front again, so the published front is the front at its own sample size. Each
candidate is derived and verified exactly by its family (Winograd in 2-D: its 1-D algorithm, verified
exactly, and the Kronecker square, whose 2-D identity follows from the 1-D one).

Scores: products per output, the proved worst-case int8 bound relative to direct convolution, the
measured ``fp16_normalized`` and ``int8_relative``. Candidates whose products are no fewer than direct
convolution's are pruned before deriving.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Literal

import numpy as np

from ..algorithm import Algorithm, Parameters, WinogradParameters, algorithm_name
from ..analysis.bounds import kronecker_square_bounds, worst_case_bounds
from ..analysis.measure import DataSource, FloatTransforms, PreparedData, Shape, measure_floats, prepare
from ..errors import InputError
from ..request import AlgorithmRequest, build_algorithm
from .candidates import QUADRATICS, Candidate

Metric = Literal["int8", "fp16", "bound"]
METRIC_NAMES: dict[str, str] = {
    "int8": "int8 relative RMS error (tap-wise)",
    "fp16": "fp16 error / direct fp16 error",
    "bound": "proved int8 worst-case bound / direct's",
}
SCREEN_SAMPLES = 512
SCREEN_MARGIN = 0.1
"""Stage 2 re-measures every screened candidate within this relative margin of the screening front
(``near_front``), not only the front: on 512 tiles an error is known to a few percent, so candidates
a little behind the screening front can lead at the full sample (the default run's #8 scored 0.02140
there against 0.02109 for a dropped candidate with the same products, 1.5% apart). 10% is several
times the screening noise (docs/design.md section 9 gives the measured spread) and re-measures some
dozens of candidates more."""
BITS = 8


@dataclass(frozen=True)
class Score:
    """What the search compares: products per output (exact) and three errors (lower is better).

    ``fp16`` is measured with the fractions in ``fp16_fractions_in``: the candidate's own placement on
    the screening sample, the best of G, A and B at the full one (``PLACEMENTS``). The int8 figure and
    the bound do not depend on the placement (rescaling a product changes only floating-point rounding)."""

    products: int
    products_per_output: Fraction
    bound: float
    fp16: float
    int8: float
    fp16_fractions_in: str = "G"

    def error(self, metric: Metric) -> float:
        return {"int8": self.int8, "fp16": self.fp16, "bound": self.bound}[metric]


@dataclass(frozen=True)
class Scored:
    """A candidate, derived and verified, with its name, identity and score on ``samples`` tiles.

    ``key`` identifies the algorithm up to the order of its products and the placement of its fractions
    (family, shape, parameters); ``fractions_in`` is the placement."""

    candidate: Candidate
    name: str
    key: tuple[object, ...]
    score: Score
    samples: int

    @property
    def fractions_in(self) -> str:
        return self.candidate.request.fractions_in


# --- one candidate (runs in the workers) ------------------------------------------------------------

_prepared: dict[tuple[Shape, int, int], PreparedData] = {}


def _prepared_data(shape: Shape, data: DataSource) -> PreparedData:
    """The data, its exact correlations and direct's FP16 error: the same for every candidate of a shape
    (kept per process; a few MiB per shape at the screening sample)."""
    key = (shape, data.samples, data.seed)
    if key not in _prepared:
        _prepared[key] = prepare(shape, data)
    return _prepared[key]


PLACEMENTS = "GAB"
"""Where the fractions may go; at the full sample each algorithm's FP16 figure is that of the best
placement (with fractions in G, points such as +-1/2 put entries of G2 below FP16's smallest normal,
and the FP16 error of such CRT sets was 4 to 8 times that with fractions in B)."""


def _float_transforms(request: AlgorithmRequest) -> tuple[Algorithm, FloatTransforms]:
    """The algorithm (derived and verified exactly) and its transforms in floats; a 2-D Winograd
    algorithm as the Kronecker square of its 1-D one (the returned algorithm is that 1-D one)."""
    if request.algo == "winograd" and request.dims == 2:
        algorithm = build_algorithm(replace(request, dims=1))
        one = FloatTransforms.of(algorithm.one_d)
        return algorithm, FloatTransforms(np.kron(one.AT, one.AT), np.kron(one.G, one.G), np.kron(one.BT, one.BT))
    algorithm = build_algorithm(request)
    return algorithm, FloatTransforms.of(algorithm.transforms)


def score_candidate(candidate: Candidate, data: DataSource, placements: bool = False) -> Scored:
    """Derive and verify exactly, then score; with ``placements``, FP16 at the best of ``PLACEMENTS``
    (the candidate's own first: it is kept on a tie). Raises InputError when a figure is undefined."""
    request = candidate.request
    shape = Shape(request.tile, request.kernel, request.dims)
    algorithm, fast = _float_transforms(request)
    if request.algo == "winograd" and request.dims == 2:
        bound = kronecker_square_bounds(algorithm.one_d, shape.tile, shape.kernel, (BITS,))[BITS]
        products, name = algorithm.one_d.products**2, algorithm_name("F", shape.tile, shape.kernel, 2)
    else:
        bound = worst_case_bounds(algorithm.transforms, shape.tile, shape.kernel, shape.dims, (BITS,))[BITS]
        products, name = algorithm.transforms.products, algorithm.name
    prepared = _prepared_data(shape, data)
    measured = measure_floats(fast, shape, data, (BITS,), prepared=prepared)
    fp16, placed = measured.fp16_normalized, request.fractions_in
    others = [f for f in PLACEMENTS if f != request.fractions_in] if placements else []
    for other in others:
        moved_fast = _float_transforms(replace(request, fractions_in=other))[1]
        moved = measure_floats(moved_fast, shape, data, (), prepared=prepared)
        if moved.fp16_normalized < fp16:
            fp16, placed = moved.fp16_normalized, other
    key = (algorithm.family, shape, _canonical(algorithm.parameters))
    score = Score(
        products,
        Fraction(products, shape.tile**shape.dims),
        float(bound.relative),
        fp16,
        measured.int_relative[BITS],
        placed,
    )
    return Scored(candidate, name, key, score, data.samples)


def _canonical(parameters: Parameters) -> object:
    """Parameters up to the order of products: Winograd's points as a set (infinity last)."""
    if isinstance(parameters, WinogradParameters):
        finite = sorted(p for p in parameters.points if p is not None)
        return ("points", tuple(finite), parameters.points.count(None))
    return parameters


_worker_data: tuple[DataSource, bool] | None = None


def _init_worker(data: DataSource, placements: bool) -> None:
    global _worker_data
    _worker_data = data, placements


def _score_in_worker(index: int, candidate: Candidate) -> tuple[int, Scored | None]:
    """None for a candidate whose figures are undefined (e.g. FP16 direct error of zero)."""
    assert _worker_data is not None
    try:
        return index, score_candidate(candidate, *_worker_data)
    except InputError:
        return index, None


def warm_caches() -> None:
    """Before the workers fork and inherit the caches: factor every pair of pool quadratics, and build
    every Karatsuba variant of each (the recipe search of every CRT candidate reads them)."""
    from ..algebra.fields import factors_over, quadratic_recipes, ring_multiplication
    from ..families.crt import parse_modulus

    monic = [parse_modulus(text).factors[0][0] for text in QUADRATICS]
    for a in monic:
        for recipe in quadratic_recipes():
            ring_multiplication(a, recipe)
        for b in monic:
            factors_over(a, b)


@dataclass
class Progress:
    """Counts so far, for a progress bar: scored, pruned, undefined, and whether the budget ran out."""

    done: int = 0
    undefined: int = 0
    out_of_time: bool = False


def score_all(
    candidates: Sequence[Candidate],
    data: DataSource,
    workers: int,
    deadline: float | None,
    on_done: Callable[[Progress], None] = lambda progress: None,
    placements: bool = False,
) -> tuple[list[Scored], Progress]:
    """Score candidates on ``workers`` processes, in order, at most a few in flight per worker (memory
    stays that of the workers); ``placements`` as in ``score_candidate``. Past ``deadline``
    (time.monotonic; math.inf or any time too far for the clock is no deadline) nothing more is
    started; the result is in candidate order whatever the completion order."""
    progress, results = Progress(), {}
    pending = list(enumerate(candidates))[::-1]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(data, placements)
    ) as pool:
        running: set[Future[tuple[int, Scored | None]]] = set()
        while pending or running:
            while pending and len(running) < 4 * workers and not progress.out_of_time:
                running.add(pool.submit(_score_in_worker, *pending.pop()))
            timeout = None if deadline is None else min(max(0.0, deadline - time.monotonic()), threading.TIMEOUT_MAX)
            finished, running = wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
            for future in finished:
                index, scored = future.result()
                progress.done += 1
                if scored is None:
                    progress.undefined += 1
                else:
                    results[index] = scored
                on_done(progress)
            if deadline is not None and time.monotonic() >= deadline and not progress.out_of_time:
                progress.out_of_time = True
                pending.clear()
    return [results[i] for i in sorted(results)], progress


# --- the front ----------------------------------------------------------------------------------------


def pareto_front(entries: Sequence[Scored], metric: Metric) -> list[Scored]:
    """Entries no other entry beats on both axes, by products per output then error; of entries with
    equal scores the first is kept, and entries with an infinite error never enter."""
    ordered = sorted(
        enumerate(entries), key=lambda ie: (ie[1].score.products_per_output, ie[1].score.error(metric), ie[0])
    )
    front, best = [], math.inf
    for _, entry in ordered:
        if entry.score.error(metric) < best:
            front.append(entry)
            best = entry.score.error(metric)
    return front


def near_front(entries: Sequence[Scored], front: Sequence[Scored], metric: Metric, margin: float) -> list[Scored]:
    """The entries (in their order) that no front entry beats by more than ``margin``: none has at most
    their products per output and an error below theirs / (1 + margin). The front itself is among them;
    an infinite error never is."""
    return [
        e
        for e in entries
        if math.isfinite(e.score.error(metric))
        and not any(
            f.score.products_per_output <= e.score.products_per_output
            and f.score.error(metric) * (1 + margin) < e.score.error(metric)
            for f in front
        )
    ]


def dominates(a: Score, b: Score, metric: Metric) -> bool:
    """a is no worse than b on both axes and better on one."""
    pa, pb, ea, eb = a.products_per_output, b.products_per_output, a.error(metric), b.error(metric)
    return pa <= pb and ea <= eb and (pa < pb or ea < eb)


@dataclass(frozen=True)
class LiteratureEntry:
    """A published algorithm against the front: on it, the same algorithm as a front entry (``same_as``:
    e.g. the same points in another order, or its fractions placed elsewhere), or dominated by the front
    entries ``dominated_by``."""

    scored: Scored
    same_as: Scored | None
    dominated_by: tuple[Scored, ...]


def _same_as(scored: Scored, front: Sequence[Scored]) -> Scored | None:
    return next((f for f in front if f is not scored and f.key == scored.key), None)


def _dominating(scored: Scored, front: Sequence[Scored], metric: Metric) -> tuple[Scored, ...]:
    """Front entries at least as good on both axes (an exact tie counts: the front keeps one of equals)."""
    if any(f is scored or f.key == scored.key for f in front):
        return ()
    s = scored.score
    return tuple(
        f
        for f in front
        if f.score.products_per_output <= s.products_per_output and f.score.error(metric) <= s.error(metric)
    )


@dataclass(frozen=True)
class SearchResult:
    kernel: int
    dims: int
    max_tile: int
    metric: Metric
    screening_samples: int
    samples: int
    seed: int
    candidates: int
    pruned: int
    scored: int
    undefined: int
    out_of_time: bool
    front: list[Scored]
    literature: list[LiteratureEntry]
    near_front: int = 0
    """Screened candidates re-measured for being within ``SCREEN_MARGIN`` of the screening front."""


def _direct_products(candidate: Candidate) -> int:
    r = candidate.request
    return (r.tile * r.kernel) ** r.dims


def search(
    candidates: Sequence[Candidate],
    literature: Sequence[Candidate],
    metric: Metric,
    samples: int,
    seed: int,
    budget: float | None = None,
    workers: int | None = None,
    on_progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
) -> SearchResult:
    """Both stages; ``on_progress(stage, done, total)`` after every scored candidate of a stage."""
    start = time.monotonic()
    deadline = None if budget is None else start + budget
    workers = workers or os.cpu_count() or 1
    kept = [c for c in candidates if c.products is None or not c.exact or c.products < _direct_products(c)]
    warm_caches()
    screen = DataSource(SCREEN_SAMPLES, seed)
    screened, first = score_all(kept, screen, workers, deadline, lambda p: on_progress("screening", p.done, len(kept)))
    front = pareto_front(screened, metric)
    near = [s.candidate for s in near_front(screened, front, metric, SCREEN_MARGIN)]
    finalists = near + list(literature)
    full = DataSource(samples, seed)
    measured, _ = score_all(
        finalists,
        full,
        workers,
        None,
        lambda p: on_progress("re-measuring", p.done, len(finalists)),
        placements=True,
    )
    published = [s for s in measured if s.candidate.literature is not None]
    known = {(s.key, s.fractions_in) for s in published}  # a finalist that is a published one is shown as it
    final = pareto_front(
        [s for s in measured if s.candidate.literature is None and (s.key, s.fractions_in) not in known] + published,
        metric,
    )
    entries = [LiteratureEntry(s, _same_as(s, final), _dominating(s, final, metric)) for s in published]
    dims, kernel = candidates[0].request.dims, candidates[0].request.kernel
    max_tile = max((c.request.tile for c in candidates), default=0)
    return SearchResult(
        kernel,
        dims,
        max_tile,
        metric,
        SCREEN_SAMPLES,
        samples,
        seed,
        len(candidates),
        len(candidates) - len(kept),
        first.done - first.undefined,
        first.undefined,
        first.out_of_time,
        final,
        entries,
        len(near),
    )
