"""Reading an exported Verilog module back: what every wire computes, its declared width and adder level,
and what every output reads (used by the Verilog and cross-format tests)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sfc_cli.export.integers import growth_bits

WIDTH = r"IN_W(?:\+(\d+))?"
SUM = re.compile(rf"^  wire signed \[{WIDTH}-1:0\] (\w+) = (.*);$", re.M)
COPIES = re.compile(rf"^  wire signed \[{WIDTH}-1:0\] (\w+(?:, \w+)*);$", re.M)
DELAY = re.compile(
    rf"^  chk_delay #\(\.W\({WIDTH}\), \.N\((.*)\)\) \w+ \(\.clk\(clk\), \.in\((\w+)(\[[^\]]*\])?\), "
    r"\.out\((\w+)\)\);$",
    re.M,
)
OUTPUT = re.compile(r"^  assign \w+\[(\d+)\*OUT_W\+:OUT_W\] = (.*);$", re.M)
TERM = re.compile(r"(-?)\(*\(([^)]*)\)'\((\w+)\)(?: <<< (\d+))?\)*")


@dataclass
class Wire:
    """What a wire computes over the module's inputs, its declared growth and its adder level; for a sum
    its two operands, for a delayed copy its source and register count (a Verilog expression)."""

    row: tuple[int, ...]
    growth: int
    level: int
    operands: tuple[str, ...] = ()
    source: str | None = None
    registers: str = "0"


def width_text(growth: int) -> str:
    """IN_W + growth as the exported text writes it."""
    return f"IN_W+{growth}" if growth else "IN_W"


def term(text: str, wires: dict[str, Wire], width: str, growth: int) -> tuple[str, tuple[int, ...]]:
    """One operand: its source wire and the row it contributes; the cast must be to ``width``, IN_W +
    ``growth``. The source holds its whole range, or at least the bits the cast keeps (a narrowed wire)."""
    match = TERM.fullmatch(text)
    assert match, text
    sign, cast, source, shift = match.groups()
    assert cast == width, text
    assert wires[source].growth >= min(growth, growth_bits([wires[source].row])), text
    factor = (-1 if sign else 1) << int(shift or 0)
    return source, tuple(factor * c for c in wires[source].row)


def read_module(text: str, module: str, inputs: int) -> tuple[dict[str, Wire], list[tuple[int, ...]], list[str]]:
    """The module's wires, the rows of its outputs, and the output copies they read, from its text."""
    start = text.index(f"module {module} ")
    body = text[start : text.index("endmodule", start)]
    wires = {f"x{j}": Wire(tuple(int(i == j) for i in range(inputs)), 0, 0) for j in range(inputs)}
    for j in range(inputs):
        assert re.search(rf"^  wire signed \[IN_W-1:0\] x{j} = \w+\[{j}\*IN_W\+:IN_W\];$", body, re.M)
    events = sorted(
        [(m.start(), "sum", m) for m in SUM.finditer(body) if "]" not in m.group(3)]
        + [(m.start(), "copies", m) for m in COPIES.finditer(body)]
        + [(m.start(), "delay", m) for m in DELAY.finditer(body)],
        key=lambda event: event[0],
    )
    for _, kind, match in events:
        if kind == "sum":
            growth, name, expression = match.groups()
            first, operator, second = re.split(r" ([+-]) ", expression)
            width = width_text(int(growth or 0))
            (a, row_a), (b, row_b) = (
                term(first, wires, width, int(growth or 0)),
                term(second, wires, width, int(growth or 0)),
            )
            sign = -1 if operator == "-" else 1
            row = tuple(x + sign * y for x, y in zip(row_a, row_b, strict=True))
            level = 1 + max(wires[a].level, wires[b].level)
            wires[name] = Wire(row, int(growth or 0), level, (a, b))
            copies = {f"x{j}" for j in range(inputs)} if level == 1 else {n for n in wires if n.endswith(f"_at{level}")}
            assert {a, b} <= copies  # level 1 reads the inputs, any other level its own copies
        elif kind == "copies":
            for name in match.group(2).split(", "):
                wires[name] = Wire((), int(match.group(1) or 0), -1)
        else:
            growth, registers, source, sliced, name = match.groups()
            kept = int(growth or 0)
            assert wires[name].growth == kept  # the copy is declared as wide as its delay
            if sliced is None:
                assert kept == wires[source].growth  # a whole copy
            else:
                assert sliced == f"[{width_text(kept)}-1:0]" and kept < wires[source].growth  # low bits of a wider one
            wires[name] = Wire(wires[source].row, kept, wires[source].level, (), source, registers)
    rows, reads = [], []
    for i, (index, expression) in enumerate(OUTPUT.findall(body)):
        assert int(index) == i
        if expression == "'0":
            rows.append((0,) * inputs)
        else:
            source, row = term(expression, wires, "OUT_W", 0)
            assert wires[source].growth == growth_bits([wires[source].row])  # outputs read whole ranges
            rows.append(row)
            reads.append(source)
    return wires, rows, reads
