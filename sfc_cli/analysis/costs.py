"""Addition counts of the transforms: the shipped programs against the naive ways to apply them.

Three counts per transform and dimension, all on the integer numerators the exports compute:

- *flat*: each row of the matrix summed on its own (nonzeros - 1 additions per row; constants other
  than +-1 are counted apart, as multiplications);
- *row-column* (2-D only): the 1-D transform applied to every row and every column of the tile, plus
  the mixing step of the 2-D symbolic DFT (each row of BT2 or G2, each column of AT2, combines at
  most two nested ones); for Winograd the mixing step is empty;
- *program*: the verified straight-line program the exports emit (constant multiples as
  shift-and-add chains, counted as additions), with its adder depth.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..algebra.bilinear import Transforms
from ..algebra.kronecker import SparseRow
from ..algebra.matrix import QMatrix
from ..algebra.program import Program
from ..algebra.transform_programs import programs_1d
from ..algorithm import Algorithm

ROLES = ("input", "filter", "output")
SYMBOLS = {"input": "BT", "filter": "G", "output": "AT"}


@dataclass(frozen=True)
class TransformCost:
    """Additions, and multiplications by constants other than 0 and +-1."""

    additions: int
    constant_multiplications: int


def transform_cost(matrix: QMatrix) -> TransformCost:
    """The matrix applied row by row: nonzeros - 1 additions per row (on its integer numerators)."""
    numerators = matrix.numerators(matrix.common_denominator())
    additions = sum(max(0, sum(1 for x in row if x) - 1) for row in numerators)
    constants = sum(1 for row in numerators for x in row if x and abs(x) != 1)
    return TransformCost(additions, constants)


@dataclass(frozen=True)
class AdditionCounts:
    """One transform (role input, filter or output) in one dimension."""

    role: str
    dims: int
    program: int
    depth: int
    flat: TransformCost
    row_column: int | None
    mixing: int | None

    @property
    def symbol(self) -> str:
        """BT, G, AT in 1-D; BT2, G2, AT2 in 2-D."""
        return SYMBOLS[self.role] + ("2" if self.dims == 2 else "")


def _mixing_additions(mixing: list[SparseRow]) -> int:
    """Each row combines its terms: len - 1 additions."""
    return sum(max(0, len(row) - 1) for row in mixing)


def _scatter_additions(mixing: list[SparseRow]) -> int:
    """The transpose of mixing (products added into nested slots): a slot fed k times costs k - 1."""
    feeds: dict[int, int] = {}
    for row in mixing:
        for slot in row:
            feeds[slot] = feeds.get(slot, 0) + 1
    return sum(k - 1 for k in feeds.values())


def _counts(role: str, dims: int, program: Program, matrix: QMatrix, row_column: tuple[int, int] | None):
    return AdditionCounts(
        role,
        dims,
        program.additions,
        program.depth,
        transform_cost(matrix),
        None if row_column is None else row_column[0],
        None if row_column is None else row_column[1],
    )


def plain_addition_counts(transforms: Transforms, dims: int) -> list[AdditionCounts]:
    """Counts for transforms that are not a derived algorithm (direct convolution): each matrix's own
    program, no row-column form."""
    programs = programs_1d(transforms)
    return [
        _counts(role, dims, getattr(programs, f"{role}_transform"), getattr(transforms, SYMBOLS[role]), None)
        for role in ROLES
    ]


def addition_counts(algorithm: Algorithm) -> list[AdditionCounts]:
    """Input, filter and output transform in 1-D, then in 2-D when the algorithm has it."""
    one = algorithm.one_d
    programs = algorithm.programs(1)
    out = [
        _counts(role, 1, getattr(programs, f"{role}_transform"), getattr(one, SYMBOLS[role]), None) for role in ROLES
    ]
    if algorithm.two_d is None or algorithm.kronecker is None:
        return out
    two, structure, programs = algorithm.two_d, algorithm.kronecker, algorithm.programs(2)
    k = one.products
    mixings = {
        "input": (structure.input_mixing, algorithm.input_size, _mixing_additions),
        "filter": (structure.filter_mixing, algorithm.kernel, _mixing_additions),
        "output": (structure.output_mixing, algorithm.tile, _scatter_additions),
    }
    for role in ROLES:
        mixing, size, count = mixings[role]
        row_column = None
        if mixing is not None:
            extra = count(mixing)
            row_column = ((size + k) * transform_cost(getattr(one, SYMBOLS[role])).additions + extra, extra)
        out.append(_counts(role, 2, getattr(programs, f"{role}_transform"), getattr(two, SYMBOLS[role]), row_column))
    return out
