"""Exact rational matrices: immutable, row-major, entries are ``fractions.Fraction``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from math import gcd, lcm

ZERO = Fraction(0)
ONE = Fraction(1)


class QMatrix:
    """An immutable matrix over Q. ``rows`` is a tuple of equal-length tuples of Fractions."""

    __slots__ = ("rows", "shape")

    def __init__(self, rows: Iterable[Iterable[Fraction | int | str]], ncols: int | None = None) -> None:
        self.rows = tuple(tuple(Fraction(x) for x in row) for row in rows)
        if ncols is None:
            if not self.rows:
                raise ValueError("an empty matrix needs its column count")
            ncols = len(self.rows[0])
        if any(len(row) != ncols for row in self.rows):
            raise ValueError("rows of different lengths")
        self.shape = (len(self.rows), ncols)

    @classmethod
    def _of(cls, rows: tuple[tuple[Fraction, ...], ...], ncols: int) -> QMatrix:
        """Wrap rows that are already tuples of Fractions (no copying or checks)."""
        matrix = cls.__new__(cls)
        matrix.rows = rows
        matrix.shape = (len(rows), ncols)
        return matrix

    @classmethod
    def zeros(cls, nrows: int, ncols: int) -> QMatrix:
        return cls._of(tuple((ZERO,) * ncols for _ in range(nrows)), ncols)

    @classmethod
    def identity(cls, size: int) -> QMatrix:
        return cls._of(tuple(tuple(ONE if i == j else ZERO for j in range(size)) for i in range(size)), size)

    @classmethod
    def from_columns(cls, columns: Sequence[Sequence[Fraction | int]], nrows: int) -> QMatrix:
        return cls([[col[i] for col in columns] for i in range(nrows)], len(columns))

    @property
    def nrows(self) -> int:
        return self.shape[0]

    @property
    def ncols(self) -> int:
        return self.shape[1]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, QMatrix) and self.shape == other.shape and self.rows == other.rows

    def __hash__(self) -> int:
        return hash((self.shape, self.rows))

    def __repr__(self) -> str:
        return f"QMatrix({[[str(x) for x in row] for row in self.rows]})"

    def __getitem__(self, index: tuple[int, int]) -> Fraction:
        i, j = index
        return self.rows[i][j]

    def column(self, j: int) -> tuple[Fraction, ...]:
        return tuple(row[j] for row in self.rows)

    @property
    def T(self) -> QMatrix:
        if not self.nrows:
            return QMatrix._of(((),) * self.ncols, 0)
        return QMatrix._of(tuple(zip(*self.rows, strict=True)), self.nrows)

    def __matmul__(self, other: QMatrix) -> QMatrix:
        if self.ncols != other.nrows:
            raise ValueError(f"shapes {self.shape} and {other.shape} do not multiply")
        sparse = [[(j, b) for j, b in enumerate(row) if b] for row in other.rows]
        width = other.ncols
        out = []
        for row in self.rows:
            acc = [ZERO] * width
            for k, a in enumerate(row):
                if a:
                    for j, b in sparse[k]:
                        acc[j] += a * b
            out.append(tuple(acc))
        return QMatrix._of(tuple(out), width)

    def kron(self, other: QMatrix) -> QMatrix:
        """Kronecker product: row (i1, i2) -> i1 * other.nrows + i2, likewise for columns."""
        zero_row = (ZERO,) * other.ncols
        negated = [tuple(-b if b else ZERO for b in r2) for r2 in other.rows]
        rows = []
        for r1 in self.rows:
            for r2, minus_r2 in zip(other.rows, negated, strict=True):
                rows.append(tuple(x for a in r1 for x in _times(a, r2, minus_r2, zero_row)))
        return QMatrix._of(tuple(rows), self.ncols * other.ncols)

    def scale_rows(self, factors: Sequence[Fraction]) -> QMatrix:
        return QMatrix._of(tuple(_scaled(f, row) for f, row in zip(factors, self.rows, strict=True)), self.ncols)

    def scale_columns(self, factors: Sequence[Fraction]) -> QMatrix:
        if all(f == 1 for f in factors):
            return self
        return QMatrix._of(
            tuple(tuple(f * x if x else ZERO for f, x in zip(factors, row, strict=True)) for row in self.rows),
            self.ncols,
        )

    def select_columns(self, indices: Sequence[int]) -> QMatrix:
        return QMatrix._of(tuple(tuple(row[j] for j in indices) for row in self.rows), len(indices))

    def inverse(self) -> QMatrix:
        """Exact inverse by Gauss-Jordan elimination; raises ValueError if singular."""
        size = self.nrows
        if size != self.ncols:
            raise ValueError("only square matrices have inverses")
        work = [list(row) + [ONE if i == j else ZERO for j in range(size)] for i, row in enumerate(self.rows)]
        for col in range(size):
            pivot = next((i for i in range(col, size) if work[i][col]), None)
            if pivot is None:
                raise ValueError("matrix is singular")
            work[col], work[pivot] = work[pivot], work[col]
            inv = 1 / work[col][col]
            prow = [x * inv for x in work[col]]
            work[col] = prow
            nonzero = [(j, x) for j, x in enumerate(prow) if x]
            for i in range(size):
                factor = work[i][col]
                if i != col and factor:
                    row = work[i]
                    for j, x in nonzero:
                        row[j] -= factor * x
        return QMatrix._of(tuple(tuple(row[size:]) for row in work), size)

    def is_integer(self) -> bool:
        return all(x.denominator == 1 for row in self.rows for x in row)

    def max_abs(self) -> Fraction:
        return max((abs(x) for row in self.rows for x in row), default=ZERO)

    def common_denominator(self) -> int:
        return lcm(*(x.denominator for row in self.rows for x in row)) if self.nrows and self.ncols else 1

    def numerators(self, denominator: int) -> list[list[int]]:
        """Integer matrix N with self == N / denominator (denominator must clear every entry)."""
        if any(denominator % x.denominator for row in self.rows for x in row):
            raise ValueError(f"{denominator} does not clear the denominators")
        return [[x.numerator * (denominator // x.denominator) if x else 0 for x in row] for row in self.rows]

    def nonzeros(self) -> int:
        return sum(1 for row in self.rows for x in row if x)


def _scaled(factor: Fraction, row: tuple[Fraction, ...]) -> tuple[Fraction, ...]:
    """factor * row; rows scaled by 1 or -1 (most, in the transforms) cost no multiplication."""
    if factor == 1:
        return row
    if factor == -1:
        return tuple(-x if x else ZERO for x in row)
    return tuple(factor * x if x else ZERO for x in row)


def _times(
    a: Fraction, row: tuple[Fraction, ...], negated: tuple[Fraction, ...], zeros: tuple[Fraction, ...]
) -> tuple[Fraction, ...]:
    """a * row for one block of a Kronecker product, with -row given."""
    if not a:
        return zeros
    if a == 1:
        return row
    if a == -1:
        return negated
    return tuple(a * b if b else ZERO for b in row)


def vstack(blocks: Sequence[QMatrix]) -> QMatrix:
    ncols = blocks[0].ncols
    if any(b.ncols != ncols for b in blocks):
        raise ValueError("vstack needs equal column counts")
    return QMatrix._of(tuple(row for b in blocks for row in b.rows), ncols)


def hstack(blocks: Sequence[QMatrix]) -> QMatrix:
    nrows = blocks[0].nrows
    if any(b.nrows != nrows for b in blocks):
        raise ValueError("hstack needs equal row counts")
    rows = tuple(tuple(x for b in blocks for x in b.rows[i]) for i in range(nrows))
    return QMatrix._of(rows, sum(b.ncols for b in blocks))


def block_diagonal(blocks: Sequence[QMatrix]) -> QMatrix:
    ncols = sum(b.ncols for b in blocks)
    rows = []
    offset = 0
    for b in blocks:
        left, right = (ZERO,) * offset, (ZERO,) * (ncols - offset - b.ncols)
        rows.extend(left + row + right for row in b.rows)
        offset += b.ncols
    return QMatrix._of(tuple(rows), ncols)


def primitive_scale(vector: Sequence[Fraction]) -> Fraction:
    """The positive rational c such that c * vector is an integer vector with gcd 1 (1 for a zero vector)."""
    nonzero = [x for x in vector if x]
    if not nonzero:
        return ONE
    den = lcm(*(x.denominator for x in nonzero))
    num = gcd(*(x.numerator * (den // x.denominator) for x in nonzero))
    return ONE if den == num else Fraction(den, num)
