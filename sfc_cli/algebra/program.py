"""Straight-line programs: how a transform is computed with additions, shifts and negations only.

A program computes ``y = M @ x`` for an integer matrix M (a transform's numerators). Nodes
``0 .. inputs - 1`` are the inputs; operation j defines node ``inputs + j`` as the sum of two
operands, and an operand is a node shifted left by ``shift`` bits and possibly negated:
``node_value = (-1)**neg1 * (a << s1) + (-1)**neg2 * (b << s2)``. Output i is one operand, or None for
an output that is identically zero. Shifts and negations are free in the cost model (they are
counted, not charged); every operation is one addition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np

from ..errors import VerificationError

IntegerRows = Sequence[Sequence[int]]


@dataclass(frozen=True)
class Operand:
    """``(-1 if negative else 1) * (node << shift)``."""

    node: int
    shift: int = 0
    negative: bool = False

    @property
    def coefficient(self) -> int:
        return -(1 << self.shift) if self.negative else 1 << self.shift

    def scaled(self, shift: int, negative: bool) -> Operand:
        """This operand shifted further and negated when ``negative``."""
        return Operand(self.node, self.shift + shift, self.negative != negative)


@dataclass(frozen=True)
class Operation:
    """One addition: ``first + second`` (each operand carries its own sign and shift)."""

    first: Operand
    second: Operand


@dataclass(frozen=True)
class Program:
    """A straight-line program for ``y = M @ x`` (see the module docstring for the node numbering)."""

    inputs: int
    operations: tuple[Operation, ...]
    outputs: tuple[Operand | None, ...]

    @property
    def additions(self) -> int:
        return len(self.operations)

    @cached_property
    def node_depths(self) -> tuple[int, ...]:
        """Adder levels of every node: 0 for inputs, 1 + the deeper operand for an operation."""
        depths = [0] * self.inputs
        for op in self.operations:
            depths.append(1 + max(depths[op.first.node], depths[op.second.node]))
        return tuple(depths)

    @property
    def depth(self) -> int:
        """Adder depth: the most additions on any path from an input to an output."""
        return max((self.node_depths[o.node] for o in self.outputs if o is not None), default=0)

    def _operands(self) -> list[Operand]:
        return [x for op in self.operations for x in (op.first, op.second)] + [o for o in self.outputs if o]

    @property
    def shifts(self) -> int:
        """Operands shifted by a nonzero amount (free, but counted)."""
        return sum(1 for x in self._operands() if x.shift)

    @property
    def negations(self) -> int:
        """Negated operands (free, but counted)."""
        return sum(1 for x in self._operands() if x.negative)

    def evaluate(self, values: Sequence[int | Fraction]) -> list[int | Fraction]:
        """The outputs for one input vector, computed exactly (integers or Fractions, never floats)."""
        nodes = list(values)
        if len(nodes) != self.inputs:
            raise ValueError(f"the program reads {self.inputs} inputs, got {len(nodes)}")
        for op in self.operations:
            nodes.append(nodes[op.first.node] * op.first.coefficient + nodes[op.second.node] * op.second.coefficient)
        return [0 if o is None else nodes[o.node] * o.coefficient for o in self.outputs]

    @cached_property
    def node_matrix(self) -> np.ndarray:
        """Every node's value on every unit vector: row k is node k's integer coefficients over the
        inputs. Computed exactly, all unit vectors at once: in int64 when that cannot overflow,
        else in Python integers (a bound on every entry, propagated through the operations, decides)."""
        bounds = [1] * self.inputs  # |entry| of each node row
        for op in self.operations:
            bounds.append((bounds[op.first.node] << op.first.shift) + (bounds[op.second.node] << op.second.shift))
        peak = max([*bounds, *((bounds[o.node] << o.shift) for o in self.outputs if o is not None)], default=0)
        dtype = np.int64 if peak < INT64_SAFE else object  # outputs (shifted) included
        values = np.zeros((self.inputs + len(self.operations), self.inputs), dtype=dtype)
        values[: self.inputs] = np.identity(self.inputs, dtype=np.int64)
        for index, op in enumerate(self.operations, start=self.inputs):
            values[index] = (
                values[op.first.node] * op.first.coefficient + values[op.second.node] * op.second.coefficient
            )
        return values

    @cached_property
    def node_rows(self) -> tuple[tuple[int, ...], ...]:
        """Every node as a row of integer coefficients over the inputs (what it computes)."""
        return tuple(tuple(int(x) for x in row) for row in self.node_matrix)


INT64_SAFE = 2**62


def computes(program: Program, matrix: IntegerRows) -> bool:
    """True exactly when the program applied to each unit vector gives the matching column of ``matrix``
    (all unit vectors at once, see ``Program.node_matrix``; integers only)."""
    if len(matrix) != len(program.outputs) or any(len(row) != program.inputs for row in matrix):
        return False
    values = program.node_matrix
    zero = np.zeros(program.inputs, dtype=values.dtype)
    rows = [zero if o is None else values[o.node] * o.coefficient for o in program.outputs]
    if values.dtype != object and max((abs(c) for row in matrix for c in row), default=0) >= INT64_SAFE:
        return False  # an entry the int64 evaluation proved unreachable
    return bool(
        np.array_equal(
            np.array(rows, dtype=values.dtype).reshape(len(matrix), -1),
            np.array(matrix, dtype=values.dtype).reshape(len(matrix), -1),
        )
    )


def verified_program(program: Program, matrix: IntegerRows, what: str) -> Program:
    """The program, after checking exactly that it computes ``matrix``; VerificationError otherwise."""
    if not computes(program, matrix):
        raise VerificationError(f"the program for {what} does not compute its matrix")
    return program
