"""The programs of an algorithm's transforms, and the row-column structure they start from.

Every program computes a matrix's integer numerators over its least common denominator (the
integers the C and Verilog exports work in): BT (input transform), G (filter transform) and AT
(output transform). In 2-D, besides the flat matrix, the optimiser is offered the structural
factorisations ``BT2 = M (BT (x) BT)`` with the Kronecker part applied row-column (rows first or
columns first, the last two stages merged or not), and the same for G2 and, transposed, for AT2.
Results are cached per transforms (pure functions of the exact matrices), keyed by the integer
numerators every step works on (computed once per request, and far cheaper to hash than Fractions):
an error report that derives the same algorithm twice optimises it once, and ``prefetch`` fills the
cache from worker processes so that a report of many algorithms uses every core.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from math import gcd, lcm

from .bilinear import Transforms
from .kronecker import SparseRow, kronecker_mixing
from .matrix import ZERO, QMatrix
from .optimise import WORK_BUDGET, AnyStage, Replicated, Stage, best_program, search_note
from .program import Program

FILTER_BUDGET = WORK_BUDGET // 4
"""The filter transform runs offline, once per kernel: less search for its additions."""

IntegerMatrix = tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class TransformPrograms:
    """One dimension's programs; each computes its matrix times that matrix's common denominator.
    ``notes``: one line per program the optimiser did not search (too large), empty when it searched all."""

    input_transform: Program
    filter_transform: Program
    output_transform: Program
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class KroneckerStructure:
    """2-D transforms as mixing after the nested 1-D ones, on numerators (each matrix times its common
    denominator): ``BT2 = input_mixing @ (BT (x) BT)``, ``G2 = filter_mixing @ (G (x) G)`` and
    ``AT2.T = output_mixing @ (AT.T (x) AT.T)``; None where a row (column) is not a combination of at
    most two nested ones. Rows are sparse {t1 * K + t2: c}."""

    input_mixing: list[SparseRow] | None
    filter_mixing: list[SparseRow] | None
    output_mixing: list[SparseRow] | None


@dataclass(frozen=True)
class _Integers:
    """Transforms as integer numerators (each matrix times its least common denominator) with those
    denominators and the column counts: equal exactly when the transforms are equal, cheap to hash."""

    BT: IntegerMatrix
    G: IntegerMatrix
    AT: IntegerMatrix
    denominators: tuple[int, ...]
    columns: tuple[int, ...]

    @classmethod
    def of(cls, transforms: Transforms) -> _Integers:
        matrices = (transforms.BT, transforms.G, transforms.AT)
        (bt, bt_den), (g, g_den), (at, at_den) = (_numerators(m) for m in matrices)
        return cls(bt, g, at, (bt_den, g_den, at_den), tuple(m.ncols for m in matrices))

    @cached_property
    def AT_T(self) -> IntegerMatrix:
        """AT's numerators transposed: the output transform's structure is read off AT's columns."""
        return tuple(zip(*self.AT, strict=True)) if self.AT else ((),) * self.columns[2]


_REMEMBERED: dict[int, tuple[weakref.ref[Transforms], _Integers]] = {}


def _integers(transforms: Transforms) -> _Integers:
    """``_Integers.of(transforms)``, remembered while that Transforms object lives: an algorithm's
    programs and its row-column structure read the same integers."""
    key = id(transforms)
    remembered = _REMEMBERED.get(key)
    if remembered is not None and remembered[0]() is transforms:
        return remembered[1]

    def forget(ref: weakref.ref[Transforms]) -> None:
        if key in _REMEMBERED and _REMEMBERED[key][0] is ref:
            del _REMEMBERED[key]

    integers = _Integers.of(transforms)
    _REMEMBERED[key] = (weakref.ref(transforms, forget), integers)
    return integers


def _numerators(matrix: QMatrix) -> tuple[IntegerMatrix, int]:
    """``(matrix.numerators(d), d)`` for the least common denominator d, reading each nonzero entry's
    numerator and denominator once (zeros, mostly the shared ZERO, are skipped by identity first)."""
    rows = matrix.rows
    denominators = {x.denominator for row in rows for x in row if x is not ZERO}
    denominator = lcm(*denominators)
    if denominator == 1:
        return tuple(tuple(0 if x is ZERO else x.numerator for x in row) for row in rows), 1
    scales = {d: denominator // d for d in denominators}
    numerators = tuple(tuple(0 if x is ZERO else x.numerator * scales[x.denominator] for x in row) for row in rows)
    return numerators, denominator


def _square_mixing(two: IntegerMatrix, one: IntegerMatrix) -> list[SparseRow] | None:
    """What ``kronecker_mixing(two, one)`` finds, found directly, when ``two == c * (one (x) one)`` for a
    rational c and the rows of ``one`` are nonzero and pairwise non-parallel (Winograd): every row of
    ``two`` is then c times one row of the Kronecker square, whose direction no other row shares, so
    the mixing is c on the diagonal. The premise is checked exactly, in integers; None when it does
    not hold (the general search decides then)."""
    products = len(one)
    size = len(one[0]) if one else 0
    if not size or len(two) != products * products or any(len(row) != size * size for row in two):
        return None
    directions = set()
    for row in one:
        common = gcd(*row)
        if not common:
            return None
        sign = 1 if next(x for x in row if x) > 0 else -1
        directions.add(tuple(x // (sign * common) for x in row))
    if len(directions) != products:
        return None
    lead = next(j for j, x in enumerate(one[0]) if x)
    c = Fraction(two[0][lead * size + lead], one[0][lead] ** 2)
    p, q = c.numerator, c.denominator
    if not p:
        return None
    for index, row in enumerate(two):
        right = [p * y for y in one[index % products]]
        if [q * v for v in row] != [x * y for x in one[index // products] for y in right]:
            return None
    return [{t: c} for t in range(products * products)]


def _mixing(two: IntegerMatrix, one: IntegerMatrix) -> list[SparseRow] | None:
    square = _square_mixing(two, one)
    return square if square is not None else kronecker_mixing(two, one)


_STRUCTURES: dict[tuple[_Integers, _Integers], KroneckerStructure] = {}


def _structure(two: _Integers, one: _Integers) -> KroneckerStructure:
    key = (two, one)
    structure = _STRUCTURES.get(key)
    if structure is None:
        structure = _STRUCTURES[key] = KroneckerStructure(
            _mixing(two.BT, one.BT), _mixing(two.G, one.G), _mixing(two.AT_T, one.AT_T)
        )
    return structure


def kronecker_structure(two: Transforms, one: Transforms) -> KroneckerStructure:
    """The row-column structure of 2-D transforms over their 1-D ones (cached per transforms)."""
    return _structure(_integers(two), _integers(one))


ProgramRequest = tuple[Transforms, Transforms | None]
"""``(transforms, None)`` for the programs of one set of matrices on their own (``programs_1d``),
``(two, one)`` for 2-D transforms with their 1-D ones (``programs_2d``)."""
_Key = tuple[_Integers, _Integers | None]
_PROGRAMS: dict[_Key, TransformPrograms] = {}


def programs_1d(transforms: Transforms) -> TransformPrograms:
    """Each matrix optimised on its own (1-D transforms, or any transforms without structure)."""
    return _cached((transforms, None))


def programs_2d(two: Transforms, one: Transforms) -> TransformPrograms:
    """Each 2-D matrix: the best of the flat matrix and its row-column factorisations."""
    return _cached((two, one))


def _key(request: ProgramRequest) -> _Key:
    transforms, one = request
    return _integers(transforms), None if one is None else _integers(one)


def _cached(request: ProgramRequest) -> TransformPrograms:
    key = _key(request)
    programs = _PROGRAMS.get(key)
    if programs is None:
        programs = _PROGRAMS[key] = _programs_of(key)
    return programs


def prefetch(requests: Sequence[ProgramRequest], workers: int, on_done: Callable[[], None] = lambda: None) -> None:
    """Find and cache the programs of ``requests``: in up to ``workers`` forked processes when there are
    several to find and the platform forks, else here. ``on_done`` is called once per request. The
    results are the same either way (the optimiser is deterministic and verifies what it returns)."""
    import multiprocessing  # here, not at import: only reports of several algorithms need workers
    from concurrent.futures import ProcessPoolExecutor

    keys = [_key(r) for r in requests]
    missing = list(dict.fromkeys(k for k in keys if k not in _PROGRAMS))
    if workers < 2 or len(missing) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for key in keys:
            if key not in _PROGRAMS:
                _PROGRAMS[key] = _programs_of(key)
            on_done()
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(workers, len(missing)), mp_context=context) as pool:
        for key, programs in zip(missing, pool.map(_programs_of, missing), strict=True):
            _PROGRAMS[key] = programs
            on_done()
    for _ in range(len(requests) - len(missing)):
        on_done()


def _programs(request: ProgramRequest) -> TransformPrograms:
    """The programs of a request, found here and now (the cache is neither read nor filled)."""
    return _programs_of(_key(request))


def _programs_of(key: _Key) -> TransformPrograms:
    transforms, one = key
    if one is None:
        return _flat_programs(transforms)
    return _structured_programs(transforms, one)


def _found(tasks: Sequence[tuple[str, IntegerMatrix, list[list[AnyStage]], int]]) -> TransformPrograms:
    """The programs of (what, matrix, factorisations, budget) for BT, G and AT, with their notes."""
    programs = [best_program(matrix, options, what, budget) for what, matrix, options, budget in tasks]
    notes = (search_note(what, matrix, options) for what, matrix, options, _ in tasks)
    return TransformPrograms(*programs, notes=tuple(note for note in notes if note))


def _flat_programs(transforms: _Integers) -> TransformPrograms:
    return _found(
        [
            ("BT", transforms.BT, [], WORK_BUDGET),
            ("G", transforms.G, [], WORK_BUDGET),
            ("AT", transforms.AT, [], WORK_BUDGET),
        ]
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


def _row_column(one: IntegerMatrix, columns: int, mixing: list[SparseRow] | None) -> list[list[AnyStage]]:
    """``two == M (one (x) one)``: the Kronecker part rows first or columns first, then M (``one`` is
    K x n numerators, n = ``columns``)."""
    k, n = len(one), columns
    m = _integer_mixing(mixing, k * k)
    if m is None:
        return []
    b = Stage.dense(one, n)
    options: list[list[AnyStage]] = []
    for first, second in (
        (Replicated(b, n, True), Replicated(b, k, False)),
        (Replicated(b, n, False), Replicated(b, k, True)),
    ):
        options += [[first, second, m], [first, m.after(second)]]
    return options


def _column_row(one_t: IntegerMatrix, columns: int, mixing: list[SparseRow] | None) -> list[list[AnyStage]]:
    """``two == (one (x) one) M.T`` (the transpose of ``_row_column``): M.T first, then the Kronecker part
    (``one_t`` is K x m numerators, m = ``columns``)."""
    k, m_size = len(one_t), columns
    m = _integer_mixing(mixing, k * k)
    if m is None:
        return []
    scatter = transpose(m)
    a = transpose(Stage.dense(one_t, m_size))
    options: list[list[AnyStage]] = []
    pairs = (
        (Replicated(a, k, True), Replicated(a, m_size, False)),
        (Replicated(a, k, False), Replicated(a, m_size, True)),
    )
    for first, second in pairs:
        options += [[scatter, first, second], [first.stage.after(scatter), second]]
    return options


def _structured_programs(two: _Integers, one: _Integers) -> TransformPrograms:
    structure = _structure(two, one)
    return _found(
        [
            ("BT2", two.BT, _row_column(one.BT, one.columns[0], structure.input_mixing), WORK_BUDGET),
            ("G2", two.G, _row_column(one.G, one.columns[1], structure.filter_mixing), FILTER_BUDGET),
            ("AT2", two.AT, _column_row(one.AT_T, len(one.AT), structure.output_mixing), WORK_BUDGET),
        ]
    )
