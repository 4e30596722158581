"""Operation counts read off the transforms."""

from __future__ import annotations

from dataclasses import dataclass

from ..algebra.matrix import QMatrix


@dataclass(frozen=True)
class TransformCost:
    """Applying a matrix row by row to a vector: additions (nonzeros - 1 per row) and
    multiplications by constants other than 0 and +-1."""

    additions: int
    constant_multiplications: int


def transform_cost(matrix: QMatrix) -> TransformCost:
    additions = sum(max(0, sum(1 for x in row if x) - 1) for row in matrix.rows)
    constants = sum(1 for row in matrix.rows for x in row if x and abs(x) != 1)
    return TransformCost(additions, constants)
