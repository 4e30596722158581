"""C statements of verified straight-line programs (sfc_cli/algebra/program.py), typed by exact intervals.

Shared by the per-tile transform functions (c_header.py) and the whole layer (c_layer.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..algebra.program import Operand, Program
from ..errors import InputError
from .integers import Interval


@dataclass(frozen=True)
class CTemporary:
    """``const c_type name = expression;``: one addition of the program."""

    c_type: str
    name: str
    expression: str


C_TYPES = (("int8_t", 8), ("int16_t", 16), ("int32_t", 32), ("int64_t", 64))
"""Storage types of temporaries, narrowest first; sums are computed in int32_t or int64_t."""


def narrowest_type(interval: Interval, narrowest_bits: int = 8) -> str:
    """The narrowest signed C type of at least ``narrowest_bits`` bits holding every value of ``interval``."""
    low, high = interval
    for c_type, bits in C_TYPES:
        if bits >= narrowest_bits and -(1 << (bits - 1)) <= low and high < 1 << (bits - 1):
            return c_type
    raise InputError(f"a value range [{low}, {high}] is beyond 64 bits; it cannot be exported to C")


def program_statements(
    program: Program,
    in_name: str,
    in_type: str,
    out_type: str,
    intervals: Sequence[Interval] | None,
    element: str = "",
    single_type: str | None = None,
) -> tuple[list[CTemporary], list[str]]:
    """C statements of a program: each temporary is stored in the narrowest type that its node's
    interval proves sufficient and computed in int32_t or int64_t (whichever holds both shifted
    operands and the result), or, with ``single_type`` (intervals then unused, may be None), all of
    that one type (one type vectorises best); constants 2**k are multiplications (shifting a negative
    value is undefined behaviour in C), which compilers turn into shifts. Input j is ``in_name[j]``
    followed by ``element`` (e.g. "[b]")."""
    names = [f"{in_name}[{j}]{element}" for j in range(program.inputs)]
    types = [in_type] * program.inputs
    temporaries = []
    for index, op in enumerate(program.operations):
        if single_type is not None:
            work = store = single_type
        else:
            assert intervals is not None, "intervals type the temporaries unless single_type is given"
            node = program.inputs + index
            low, high = intervals[node]
            for operand in (op.first, op.second):
                lo, hi = intervals[operand.node]
                magnitude = max(-lo, hi) << operand.shift
                low, high = min(low, -magnitude), max(high, magnitude)
            work = narrowest_type((low, high), 32)
            store = narrowest_type(intervals[node])
        first = _operand_text(op.first, names, types, work)
        second = _operand_text(op.second, names, types, work)
        sign = "-" if op.second.negative else "+"
        expression = f"{first} {sign} {second.removeprefix('-')}"
        temporaries.append(CTemporary(store, f"t{index}", expression if store == work else f"({store})({expression})"))
        names.append(f"t{index}")
        types.append(store)
    outputs = ["0" if o is None else _operand_text(o, names, types, out_type) for o in program.outputs]
    return temporaries, outputs


def _operand_text(operand: Operand, names: list[str], types: list[str], work: str) -> str:
    """The operand in type ``work``: cast when stored otherwise, times 2**shift, negated when negative."""
    text = names[operand.node] if types[operand.node] == work else f"({work}){names[operand.node]}"
    if operand.shift:
        text = f"{1 << operand.shift} * {text}"
    return f"-{text}" if operand.negative else text
