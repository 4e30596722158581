"""The programs of an algorithm's transforms, and the row-column structure they start from.

Every program computes a matrix's integer numerators over its least common denominator (the
integers the C and Verilog exports work in): BT (input transform), G (filter transform) and AT
(output transform). In 2-D, besides the flat matrix, the optimiser is offered the structural
factorisations ``BT2 = M (BT (x) BT)`` with the Kronecker part applied row-column (rows first or
columns first, the last two stages merged or not), and the same for G2 and, transposed, for AT2.
Results are cached per transforms (pure functions of the exact matrices): an error report that
derives the same algorithm twice optimises it once, and ``prefetch`` fills the cache from worker
processes so that a report of many algorithms uses every core.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from .bilinear import Transforms
from .kronecker import SparseRow, kronecker_mixing
from .matrix import QMatrix
from .optimise import WORK_BUDGET, AnyStage, Replicated, Stage, best_program
from .program import Program

FILTER_BUDGET = WORK_BUDGET // 4
"""The filter transform runs offline, once per kernel: less search for its additions."""


@dataclass(frozen=True)
class TransformPrograms:
    """One dimension's programs; each computes its matrix times that matrix's common denominator."""

    input_transform: Program
    filter_transform: Program
    output_transform: Program


@dataclass(frozen=True)
class KroneckerStructure:
    """2-D transforms as mixing after the nested 1-D ones, on numerators (each matrix times its common
    denominator): ``BT2 = input_mixing @ (BT (x) BT)``, ``G2 = filter_mixing @ (G (x) G)`` and
    ``AT2.T = output_mixing @ (AT.T (x) AT.T)``; None where a row (column) is not a combination of at
    most two nested ones. Rows are sparse {t1 * K + t2: c}."""

    input_mixing: list[SparseRow] | None
    filter_mixing: list[SparseRow] | None
    output_mixing: list[SparseRow] | None


@cache
def kronecker_structure(two: Transforms, one: Transforms) -> KroneckerStructure:
    def mixing(two_matrix: QMatrix, one_matrix: QMatrix) -> list[SparseRow] | None:
        return kronecker_mixing(_numerators(two_matrix), _numerators(one_matrix))

    return KroneckerStructure(mixing(two.BT, one.BT), mixing(two.G, one.G), mixing(two.AT.T, one.AT.T))


def _numerators(matrix: QMatrix) -> list[list[int]]:
    return matrix.numerators(matrix.common_denominator())


ProgramRequest = tuple[Transforms, Transforms | None]
"""``(transforms, None)`` for the programs of one set of matrices on their own (``programs_1d``),
``(two, one)`` for 2-D transforms with their 1-D ones (``programs_2d``)."""
_PROGRAMS: dict[ProgramRequest, TransformPrograms] = {}


def programs_1d(transforms: Transforms) -> TransformPrograms:
    """Each matrix optimised on its own (1-D transforms, or any transforms without structure)."""
    return _cached((transforms, None))


def programs_2d(two: Transforms, one: Transforms) -> TransformPrograms:
    """Each 2-D matrix: the best of the flat matrix and its row-column factorisations."""
    return _cached((two, one))


def _cached(request: ProgramRequest) -> TransformPrograms:
    if request not in _PROGRAMS:
        _PROGRAMS[request] = _programs(request)
    return _PROGRAMS[request]


def prefetch(requests: Sequence[ProgramRequest], workers: int, on_done: Callable[[], None] = lambda: None) -> None:
    """Find and cache the programs of ``requests``: in up to ``workers`` forked processes when there are
    several to find and the platform forks, else here. ``on_done`` is called once per request. The
    results are the same either way (the optimiser is deterministic and verifies what it returns)."""
    import multiprocessing  # here, not at import: only reports of several algorithms need workers
    from concurrent.futures import ProcessPoolExecutor

    missing = list(dict.fromkeys(r for r in requests if r not in _PROGRAMS))
    if workers < 2 or len(missing) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for request in requests:
            _cached(request)
            on_done()
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(workers, len(missing)), mp_context=context) as pool:
        for request, programs in zip(missing, pool.map(_programs, missing), strict=True):
            _PROGRAMS[request] = programs
            on_done()
    for _ in range(len(requests) - len(missing)):
        on_done()


def _programs(request: ProgramRequest) -> TransformPrograms:
    transforms, one = request
    if one is None:
        return _flat_programs(transforms)
    return _structured_programs(transforms, one)


def _flat_programs(transforms: Transforms) -> TransformPrograms:
    return TransformPrograms(
        best_program(_numerators(transforms.BT), what="BT"),
        best_program(_numerators(transforms.G), what="G"),
        best_program(_numerators(transforms.AT), what="AT"),
    )


def transpose(stage: Stage) -> Stage:
    rows: list[dict[int, int]] = [{} for _ in range(stage.columns)]
    for i, row in enumerate(stage.rows):
        for j, c in row.items():
            rows[j][i] = c
    return Stage(rows, len(stage.rows))


def _integer_mixing(mixing: list[SparseRow] | None, columns: int) -> Stage | None:
    """The mixing as a stage of a program, if its coefficients are integers."""
    if mixing is None or any(c.denominator != 1 for row in mixing for c in row.values()):
        return None
    return Stage([{j: int(c) for j, c in row.items()} for row in mixing], columns)


def _stage(matrix: QMatrix) -> Stage:
    return Stage.dense(_numerators(matrix), matrix.ncols)


def _row_column(one: QMatrix, mixing: list[SparseRow] | None) -> list[list[AnyStage]]:
    """``two == M (one (x) one)``: the Kronecker part rows first or columns first, then M."""
    k, n = one.nrows, one.ncols
    m = _integer_mixing(mixing, k * k)
    if m is None:
        return []
    b = _stage(one)
    options: list[list[AnyStage]] = []
    for first, second in (
        (Replicated(b, n, True), Replicated(b, k, False)),
        (Replicated(b, n, False), Replicated(b, k, True)),
    ):
        options += [[first, second, m], [first, m.after(second)]]
    return options


def _column_row(one_t: QMatrix, mixing: list[SparseRow] | None) -> list[list[AnyStage]]:
    """``two == (one (x) one) M.T`` (the transpose of ``_row_column``): M.T first, then the Kronecker part."""
    k, m_size = one_t.nrows, one_t.ncols
    m = _integer_mixing(mixing, k * k)
    if m is None:
        return []
    scatter = transpose(m)
    a = transpose(_stage(one_t))
    options: list[list[AnyStage]] = []
    pairs = (
        (Replicated(a, k, True), Replicated(a, m_size, False)),
        (Replicated(a, k, False), Replicated(a, m_size, True)),
    )
    for first, second in pairs:
        options += [[scatter, first, second], [first.stage.after(scatter), second]]
    return options


def _structured_programs(two: Transforms, one: Transforms) -> TransformPrograms:
    structure = kronecker_structure(two, one)
    return TransformPrograms(
        best_program(_numerators(two.BT), _row_column(one.BT, structure.input_mixing), "BT2"),
        best_program(_numerators(two.G), _row_column(one.G, structure.filter_mixing), "G2", FILTER_BUDGET),
        best_program(_numerators(two.AT), _column_row(one.AT.T, structure.output_mixing), "AT2"),
    )
