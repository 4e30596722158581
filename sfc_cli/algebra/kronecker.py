"""2-D transforms as 1-D transforms on rows and columns plus a sparse mixing step, found exactly.

For Winograd, BT2 = BT (x) BT. For SFC the 2-D symbolic DFT makes every row of BT2 a combination of
at most two rows of BT (x) BT (a pair of quadratic fields splits with additions only), and likewise
for the columns of AT2 and the rows of G2. ``kronecker_mixing(two, one)`` finds such an M with
``two == M @ (one (x) one)`` for integer matrices (numerators), by exact integer arithmetic.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from math import gcd, lcm

from .program import IntegerRows

SparseRow = dict[int, Fraction]
Vector = Sequence[int]


def _support(vector: Vector) -> int:
    """The nonzero positions as a bit mask."""
    return sum(1 << j for j, x in enumerate(vector) if x)


def _direction(vector: Vector) -> tuple[tuple[int, ...], Fraction]:
    """(primitive integer vector with a positive first entry, c) with vector == c * primitive."""
    common = gcd(*vector)
    if next(x for x in vector if x) < 0:
        common = -common
    return tuple(x // common for x in vector), Fraction(common)


def _solve_single(vector: Vector, row: Vector) -> Fraction | None:
    """c with c * row == vector exactly, if it exists (row nonzero)."""
    p = next(i for i, x in enumerate(row) if x)
    if all(v * row[p] == vector[p] * x for v, x in zip(vector, row, strict=True)):
        return Fraction(vector[p], row[p])
    return None


def _solve_pair(vector: Vector, first: Vector, second: Vector) -> tuple[Fraction, Fraction] | None:
    """c1, c2 with c1 * first + c2 * second == vector exactly, if they exist (first, second independent)."""
    for p, q in itertools.combinations(range(len(vector)), 2):
        det = first[p] * second[q] - first[q] * second[p]
        if det:
            n1 = vector[p] * second[q] - vector[q] * second[p]
            n2 = first[p] * vector[q] - first[q] * vector[p]
            if all(det * v == n1 * a + n2 * b for v, a, b in zip(vector, first, second, strict=True)):
                return Fraction(n1, det), Fraction(n2, det)
            return None
    return None


class _Combinations:
    """Vectors written as combinations of at most two rows of an integer matrix (exact; cached)."""

    def __init__(self, rows: IntegerRows) -> None:
        self.rows = rows
        self.supports = [_support(row) for row in rows]
        self.by_direction: dict[tuple[int, ...], tuple[int, Fraction]] = {}
        for index, row in enumerate(rows):
            if any(row):
                direction, scale = _direction(row)
                self.by_direction.setdefault(direction, (index, scale))
        self.cache: dict[tuple[Fraction, ...], SparseRow | None] = {}

    def of(self, vector: tuple[Fraction, ...]) -> SparseRow | None:
        if vector not in self.cache:
            common = lcm(*(x.denominator for x in vector))
            found = self._find([int(x * common) for x in vector])
            self.cache[vector] = None if found is None else {t: c / common for t, c in found.items()}
        return self.cache[vector]

    def _find(self, vector: list[int]) -> SparseRow | None:
        if not any(vector):
            return {}
        direction, scale = _direction(vector)
        hit = self.by_direction.get(direction)
        if hit is not None:
            index, row_scale = hit
            return {index: scale / row_scale}
        support = _support(vector)
        for i, si in enumerate(self.supports):
            if not si & support:
                continue
            for k in range(i + 1, len(self.rows)):
                if support & ~(si | self.supports[k]) == 0:
                    pair = _solve_pair(vector, self.rows[i], self.rows[k])
                    if pair is not None:
                        return {i: pair[0], k: pair[1]}
        return None


def _basis(vectors: Sequence[Vector]) -> list[Vector] | None:
    """At most two of ``vectors`` spanning all of them; None if their rank exceeds 2."""
    basis: list[Vector] = []
    for v in vectors:
        if not any(v):
            continue
        if not basis or (len(basis) == 1 and _solve_single(v, basis[0]) is None):
            basis.append(v)
        elif len(basis) == 2 and _solve_pair(v, basis[0], basis[1]) is None:
            return None
    return basis


def _weights(vector: Vector, rows: list[Vector]) -> tuple[Fraction, ...]:
    """The (unique) coefficients of ``vector`` over one row or two independent rows that span it."""
    if not any(vector):
        return (Fraction(0),) * len(rows)
    if len(rows) == 1:
        single = _solve_single(vector, rows[0])
        assert single is not None
        return (single,)
    pair = _solve_pair(vector, rows[0], rows[1])
    assert pair is not None
    return pair


def _mixing_row(row: Vector, one: IntegerRows, combine: _Combinations) -> SparseRow | None:
    """One row of ``two`` (an n x n array) as {t1 * K + t2: c} over rows of one (x) one, fewest terms."""
    size, products = len(one[0]), len(one)
    slices = [row[a * size : (a + 1) * size] for a in range(size)]
    basis = _basis(slices)
    if basis is None:
        return None
    if not basis:
        return {}
    if len(basis) == 1:  # the slices are multiples of one row of ``one``, found by its direction
        hit = combine.by_direction.get(_direction(basis[0])[0])
        inside = [] if hit is None else [hit[0]]
    else:
        support = _support(basis[0]) | _support(basis[1])
        inside = [
            t
            for t, (r, s) in enumerate(zip(one, combine.supports, strict=True))
            if s and not s & ~support and _solve_pair(r, *basis) is not None
        ]
    best: SparseRow | None = None
    for choice in itertools.combinations(inside, len(basis)):
        rows = [one[t] for t in choice]
        if len(rows) == 2 and _solve_single(rows[1], rows[0]) is not None:
            continue
        weights = [_weights(v, rows) for v in slices]
        entry: SparseRow = {}
        for position, t2 in enumerate(choice):
            outer = combine.of(tuple(w[position] for w in weights))
            if outer is None:
                break
            for t1, c in outer.items():
                entry[t1 * products + t2] = entry.get(t1 * products + t2, Fraction(0)) + c
        else:
            entry = {k: c for k, c in sorted(entry.items()) if c}
            if best is None or _weight(entry) < _weight(best):
                best = entry
    return best


def _weight(entry: SparseRow) -> tuple[int, int]:
    """Fewest terms first, then fewest coefficients other than +-1."""
    return len(entry), sum(1 for c in entry.values() if abs(c) != 1)


def kronecker_mixing(two: IntegerRows, one: IntegerRows) -> list[SparseRow] | None:
    """Sparse rows of M (columns indexed t1 * K + t2) with ``two == M @ (one (x) one)``, or None.

    ``one`` is K x n and ``two`` is K2 x n*n (row-major pairs), both integer. Each row of ``two``,
    read as an n x n array, must have rank at most 2 with its row slices spanned by one or two rows
    of ``one``; the coefficients along the first index are then combinations of rows of ``one`` too.
    Among the choices the one with the fewest terms (then unit coefficients) is kept, and the result is checked exactly.
    """
    if not one or not two or len(two[0]) != len(one[0]) ** 2:
        return None
    combine = _Combinations(one)
    mixing = []
    for row in two:
        entry = _mixing_row(row, one, combine)
        if entry is None:
            return None
        mixing.append(entry)
    return mixing if _reproduces(mixing, two, one) else None


def _reproduces(mixing: list[SparseRow], two: IntegerRows, one: IntegerRows) -> bool:
    """Exactly: every row of ``two`` equals its mixing row applied to the rows of one (x) one."""
    products, size = len(one), len(one[0])
    for entry, row in zip(mixing, two, strict=True):
        acc = [Fraction(0)] * len(row)
        for slot, c in entry.items():
            r1, r2 = one[slot // products], one[slot % products]
            for a, x in enumerate(r1):
                if x:
                    for b, y in enumerate(r2):
                        if y:
                            acc[a * size + b] += c * x * y
        if any(value != target for value, target in zip(acc, row, strict=True)):
            return False
    return True
