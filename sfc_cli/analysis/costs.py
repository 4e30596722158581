"""Operation counts read off the transforms.

Two ways to apply a 2-D transform are counted. *As a matrix*: each row of BT2 (or AT2) summed on its
own. *Row-column*: the 1-D transform applied to the rows and the columns of the tile (what one
does for Winograd, where BT2 = BT (x) BT), followed for SFC by a mixing step: every row of BT2 is a
combination of at most two rows of BT (x) BT (the 2-D symbolic DFT splits a pair of quadratic
fields with additions only); for AT2 the same holds for columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..algebra.matrix import QMatrix, primitive_scale
from ..algorithm import Algorithm

Combination = dict[int, Fraction]


@dataclass(frozen=True)
class TransformCost:
    """Additions, and multiplications by constants other than 0 and +-1."""

    additions: int
    constant_multiplications: int


def transform_cost(matrix: QMatrix) -> TransformCost:
    """The matrix applied row by row: nonzeros - 1 additions per row."""
    additions = sum(max(0, sum(1 for x in row if x) - 1) for row in matrix.rows)
    constants = sum(1 for row in matrix.rows for x in row if x and abs(x) != 1)
    return TransformCost(additions, constants)


def _key(row: tuple[Fraction, ...]) -> tuple[tuple[Fraction, ...], Fraction]:
    """A row up to scale: (primitive integer row with a positive first entry, the factor back)."""
    scale = primitive_scale(row)
    first = next((x for x in row if x), Fraction(1))
    scale = scale if first > 0 else -scale
    return tuple(x * scale for x in row), 1 / scale


def nested_combinations(two: QMatrix, one: QMatrix) -> list[Combination] | None:
    """Each row of ``two`` as a combination of at most two rows of ``one (x) one``, exactly.

    Returns {nested row index: coefficient} per row, or None when some row needs more terms (or
    the entries are too large for the floating-point screening of candidate pairs).
    """
    nested = one.kron(one)
    by_key: dict[tuple[Fraction, ...], list[tuple[int, Fraction]]] = {}
    for index, row in enumerate(nested.rows):
        normal, back = _key(row)
        by_key.setdefault(normal, []).append((index, back))
    taken: dict[tuple[Fraction, ...], int] = {}
    try:
        floats = np.array([[float(x) for x in row] for row in nested.rows])
    except OverflowError:  # entries beyond double range (absurd points): no screening, no row-column form
        return None
    combinations = []
    for row in two.rows:
        normal, back = _key(row)
        if normal in by_key:  # a nested row itself: take the next copy, so equal rows keep their own slots
            copies = by_key[normal]
            index, nested_back = copies[min(taken.get(normal, 0), len(copies) - 1)]
            taken[normal] = taken.get(normal, 0) + 1
            combinations.append({index: back / nested_back})
            continue
        pair = _pair_combination(row, nested, floats)
        if pair is None:
            return None
        combinations.append(pair)
    return combinations


def _pair_combination(row: tuple[Fraction, ...], nested: QMatrix, floats: np.ndarray) -> Combination | None:
    """Two nested rows spanning ``row``, preferring coefficients +-1: every pair is screened at once
    in floating point (2 x 2 normal equations), then the chosen one is solved and checked exactly."""
    target = np.array([float(x) for x in row])
    candidates = np.nonzero(np.abs(floats @ target) > 1e-9)[0]
    rows = floats[candidates]
    gram, rhs = rows @ rows.T, rows @ target
    diag = np.diag(gram)
    det = diag[:, None] * diag[None, :] - gram**2
    with np.errstate(divide="ignore", invalid="ignore"):
        first = (rhs[:, None] * diag[None, :] - rhs[None, :] * gram) / det
        second = (rhs[None, :] * diag[:, None] - rhs[:, None] * gram) / det
        residual = target @ target - (first * rhs[:, None] + second * rhs[None, :])
    ok = (det > 1e-9) & (np.abs(residual) < 1e-9)
    non_unit = (np.abs(np.abs(first) - 1) > 1e-9).astype(int) + (np.abs(np.abs(second) - 1) > 1e-9)
    for a, b in sorted(zip(*np.nonzero(np.triu(ok, 1)), strict=True), key=lambda ab: (non_unit[ab], ab)):
        i, j = int(candidates[a]), int(candidates[b])
        exact = _solve_pair(row, nested.rows[i], nested.rows[j])
        if exact is not None:
            return {i: exact[0], j: exact[1]}
    return None


def _solve_pair(row, first, second) -> tuple[Fraction, Fraction] | None:
    """c1, c2 with c1 * first + c2 * second == row exactly, if they exist."""
    p = next(i for i, x in enumerate(first) if x)
    for q in range(len(row)):
        det = first[p] * second[q] - first[q] * second[p]
        if det:
            c1 = (row[p] * second[q] - row[q] * second[p]) / det
            c2 = (first[p] * row[q] - first[q] * row[p]) / det
            if all(c1 * a + c2 * b == x for a, b, x in zip(first, second, row, strict=True)):
                return c1, c2
            return None
    return None


def _mixing_cost(combinations: list[Combination]) -> TransformCost:
    additions = sum(len(c) - 1 for c in combinations)
    constants = sum(1 for c in combinations for x in c.values() if abs(x) != 1)
    return TransformCost(additions, constants)


def _scatter_cost(combinations: list[Combination]) -> TransformCost:
    """Products added into nested slots (the transpose of mixing): a slot fed k times costs k - 1."""
    feeds: dict[int, int] = {}
    for combination in combinations:
        for slot in combination:
            feeds[slot] = feeds.get(slot, 0) + 1
    constants = sum(1 for c in combinations for x in c.values() if abs(x) != 1)
    return TransformCost(sum(k - 1 for k in feeds.values()), constants)


def _times(cost: TransformCost, count: int) -> TransformCost:
    return TransformCost(cost.additions * count, cost.constant_multiplications * count)


def _plus(a: TransformCost, b: TransformCost) -> TransformCost:
    return TransformCost(a.additions + b.additions, a.constant_multiplications + b.constant_multiplications)


@dataclass(frozen=True)
class RowColumnCost:
    """Row-column costs of the 2-D input and output transforms and the size of the mixing step."""

    input_transform: TransformCost
    output_transform: TransformCost
    mixing_additions: int


def row_column_cost(algorithm: Algorithm) -> RowColumnCost | None:
    """Costs of the 2-D transforms applied row-column (plus mixing); None for 1-D algorithms or
    when a row of BT2 or a column of AT2 is not a combination of at most two nested ones."""
    if algorithm.two_d is None:
        return None
    one, two = algorithm.one_d, algorithm.two_d
    inputs = nested_combinations(two.BT, one.BT)
    outputs = nested_combinations(two.AT.T, one.AT.T)
    if inputs is None or outputs is None:
        return None
    n, k1, m = algorithm.input_size, one.products, algorithm.tile
    mix_in, mix_out = _mixing_cost(inputs), _scatter_cost(outputs)
    return RowColumnCost(
        _plus(_times(transform_cost(one.BT), n + k1), mix_in),
        _plus(_times(transform_cost(one.AT), k1 + m), mix_out),
        mix_in.additions + mix_out.additions,
    )
