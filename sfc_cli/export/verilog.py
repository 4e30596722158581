"""The Verilog file of docs/design.md section 7.3: what goes in it (templates/algorithm.v.j2 lays it out).

A package ``p_pkg`` holds the constants as localparams, and the 1-D matrices as packed vectors of
signed numerators (element e of the row-major matrix at ``[e*W +: W]``, the JSON order). The 2-D
matrices are left out: packed, they grow with the fourth power of the tile, and Verilator -Wall took
24 minutes to lint SFC-6(10x10,7x7) with them (5 s without); the filter transform modules compute G2
in hardware, and the C and JSON exports list every matrix.

The modules ``p_input_transform_Nd`` (v = BT @ d), ``p_filter_transform_Nd`` (u = G @ g) and
``p_output_transform_Nd`` (y = AT @ prod) compute ``X_DEN * X @ in`` with the transform's verified
straight-line program (``Algorithm.programs``): one adder per operation, shifts and negations free.
Widths: an input element has IN_W bits, node k of the program ``IN_W + growth_bits([row_k])`` where
row_k is what it computes over the inputs, so its range fits (exactly once 2**(IN_W-1) exceeds the
row's L1 norm), or fewer when its readers all read fewer (``node_growths``; every copy likewise keeps
what its readers read). Each sum is computed in its own width from operands cast to it (wrap-around in
a cast is harmless in two's complement: the sum fits). Every output port element has the uniform
OUT_W = IN_W + GROWTH bits, GROWTH from ``integers.growth_bits`` of the whole matrix.

Pipelining: every module has an input clk and a parameter PIPELINE; 0 is combinational (clk unused),
k > 0 puts a register after every k adder levels and on the outputs. A node at level L > 0 is
computed in stage (L-1)/k (the inputs in stage 0); each node has one chain of ``p_delay`` copies, one
per level that reads it, so a reader takes the node through one register per stage boundary crossed.
Outputs leave LATENCY = ceil(depth / k) cycles after their inputs (localparam LATENCY, 0 when
combinational), and a new input vector may enter every cycle.

Every literal is sized to the width declared for it (plain decimals above 32 bits are truncated by the
tools); a constant beyond the 64 bits of a longint is refused with InputError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..algebra.program import Operand, Program
from ..algebra.transform_programs import TransformPrograms
from ..algorithm import Algorithm
from ..errors import InputError
from .content import (
    Dimension,
    ExportRequest,
    NamedInteger,
    command_line,
    dimensions,
    divisor_lines,
    generator,
    size_constants,
    summary_lines,
    transform_constants,
)
from .integers import ScaledMatrix, growth_bits, signed_width

OUTPUT_TRANSFORM_WIDTH = 32
"""Default IN_W of the output transforms (the products), as docs/design.md section 7.3 fixes it."""


@dataclass(frozen=True)
class Localparam:
    """``localparam kind name = literal;`` with kind integer (32 bits) or longint (64 bits)."""

    name: str
    kind: str
    literal: str
    comment: str


@dataclass(frozen=True)
class PackedMatrix:
    """Signed numerators of ``width`` bits; ``lines`` holds (row, literals) from the last element to the
    first, as a concatenation reads (its first element is the most significant)."""

    name: str
    rows: int
    cols: int
    width: int
    lines: list[tuple[int, list[str]]]
    comment: str


@dataclass(frozen=True)
class Read:
    """``+-(source << shift)``, the source cast to the reader's width first."""

    source: str
    shift: int
    negative: bool


@dataclass(frozen=True)
class Delay:
    """Wire ``name`` of ``width`` bits is the low ``width`` bits of ``source`` after ``registers`` clock
    cycles (Verilog expressions; registers is 0 when PIPELINE is 0). ``source`` is sliced when wider."""

    name: str
    width: str
    source: str
    registers: str


@dataclass(frozen=True)
class Node:
    """A signed wire of ``width`` bits (a Verilog expression in IN_W): input ``element`` when that is not
    None, else the sum of ``terms``; ``delays`` are its copies for later stages, each from the previous."""

    name: str
    width: str
    element: int | None
    terms: tuple[Read, ...]
    delays: tuple[Delay, ...]


@dataclass(frozen=True)
class Module:
    """``out = matrix @ in`` over signed IN_W-bit inputs by a program; OUT_W = IN_W + growth per output.

    ``outputs[i]`` reads a node's output copy, or is None for an output that is identically zero."""

    name: str
    comment: str
    in_name: str
    in_size: int
    default_width: int
    out_name: str
    growth_constant: str
    depth: int
    nodes: list[Node]
    outputs: list[Read | None]


def literal(value: int, width: int, what: str) -> str:
    """A sized signed decimal literal: 3'sd3, -3'sd2; InputError if value needs more than width bits."""
    needed = signed_width(value, value)
    if needed > width:
        raise InputError(
            f"{what} needs {needed} bits, beyond its {width}-bit declaration; it cannot be exported to Verilog"
        )
    return f"{'-' if value < 0 else ''}{width}'sd{abs(value)}"


def localparam(constant: NamedInteger) -> Localparam:
    """An integer (a plain decimal) when |value| < 2**31, else a longint with a sized 64-bit literal."""
    if abs(constant.value) < 1 << 31:
        return Localparam(constant.name, "integer", str(constant.value), constant.comment)
    return Localparam(constant.name, "longint", literal(constant.value, 64, constant.name), constant.comment)


def packed(name: str, matrix: ScaledMatrix, comment: str) -> PackedMatrix:
    """The numerators as one vector of elements just wide enough for the largest magnitude."""
    flat = [x for row in matrix.numerators for x in row]
    width = max(2, signed_width(min(flat), max(flat)))
    rows, cols = matrix.shape
    lines = [
        (i, [literal(x, width, name) for x in reversed(row)]) for i, row in reversed(list(enumerate(matrix.numerators)))
    ]
    return PackedMatrix(name, rows, cols, width, lines, comment)


def width(growth: int) -> str:
    """IN_W + growth bits, as a Verilog expression."""
    return f"IN_W+{growth}" if growth else "IN_W"


def stage(level: int) -> str:
    """The pipeline stage of a node at adder ``level`` as a Verilog expression in the module's localparam
    STEP (adder levels per stage): (level-1)/STEP, written 0 for the inputs (level 0) and level 1."""
    return f"{level - 1}/STEP" if level > 1 else "0"


def copy_name(name: str, level: int | None) -> str:
    """The copy of node ``name`` read by the nodes at ``level``, or by the outputs (level None). Level 1
    reads only inputs, always in its own stage: it takes them directly."""
    if level is None:
        return f"{name}_out"
    return name if level == 1 else f"{name}_at{level}"


def registers(later: str, earlier: str) -> str:
    """The registers from stage ``earlier`` to stage ``later`` (Verilog expressions), as one."""
    return later if earlier == "0" else f"{later} - {earlier}"


def copies(name: str, level: int, growth: int, readers: dict[int | None, int]) -> tuple[Delay, ...]:
    """The delay chain of node ``name`` at ``level`` (IN_W + ``growth`` bits): a copy per level that
    reads it, in order, each from the previous one, then the outputs' copy (None in ``readers``), which
    arrives after LATENCY cycles. ``readers`` maps each reading level to the widest growth read there;
    a copy keeps only the bits that it and the later copies' readers read (a reader casts its operands
    to its own width, so the bits above it never matter), and the outputs read the whole node."""
    levels = sorted(r for r in readers if r is not None and r > 1)  # level 1 takes the inputs directly
    targets: list[tuple[int | None, str, int]] = [(r, stage(r), readers[r]) for r in levels]
    if None in readers:
        targets.append((None, "LATENCY", growth))
    chain: list[Delay] = []
    source, earlier, source_growth = name, stage(level), growth
    for i, (reader, later, _) in enumerate(targets):
        kept = min(growth, max(g for _, _, g in targets[i:]))
        sliced = source if kept == source_growth else f"{source}[{width(kept)}-1:0]"
        chain.append(Delay(copy_name(name, reader), width(kept), sliced, registers(later, earlier)))
        source, earlier, source_growth = chain[-1].name, later, kept
    return tuple(chain)


def node_name(program: Program, k: int) -> str:
    """Input element k is ``xk``; operation j is ``tk`` with k = inputs + j, its node number."""
    return f"x{k}" if k < program.inputs else f"t{k}"


def node_growths(program: Program) -> list[int]:
    """The growth of every node's wire over IN_W: what its range needs, or what its widest reader reads
    when that is less. A reader casts its operands to its own width, and the low bits of a sum depend
    only on the low bits of its operands, so the bits above would be computed for no one. Readers come
    after what they read, so one pass from the last node settles every width; outputs read whole nodes."""
    growths = [growth_bits([row]) for row in program.node_rows]
    read_width = [-1] * len(growths)  # the widest reader's growth so far; -1: none yet
    for output in program.outputs:
        if output is not None:
            read_width[output.node] = growths[output.node]
    for k in range(len(growths) - 1, program.inputs - 1, -1):
        growths[k] = min(growths[k], read_width[k])
        operation = program.operations[k - program.inputs]
        for operand in (operation.first, operation.second):
            read_width[operand.node] = max(read_width[operand.node], growths[k])
    return growths


def nodes(program: Program) -> list[Node]:
    """Every node of the program as a wire (``node_growths`` wide), with the delayed copies its readers
    take."""
    depths = program.node_depths
    growths = node_growths(program)
    readers: list[dict[int | None, int]] = [{} for _ in depths]
    for k, operation in enumerate(program.operations, program.inputs):
        for operand in (operation.first, operation.second):
            seen = readers[operand.node]
            seen[depths[k]] = max(seen.get(depths[k], 0), growths[k])
    for output in program.outputs:
        if output is not None:
            readers[output.node][None] = growths[output.node]
    out = []
    for k, growth in enumerate(growths):
        name = node_name(program, k)
        chain = copies(name, depths[k], growth, readers[k])
        if k < program.inputs:
            out.append(Node(name, width(growth), k, (), chain))
        else:
            operation = program.operations[k - program.inputs]
            terms = (read(program, operation.first, depths[k]), read(program, operation.second, depths[k]))
            out.append(Node(name, width(growth), None, terms, chain))
    return out


def read(program: Program, operand: Operand, level: int | None) -> Read:
    """The operand as read by a node at ``level`` (None: by an output), through that reader's copy."""
    return Read(copy_name(node_name(program, operand.node), level), operand.shift, operand.negative)


def module(
    name: str, comment: str, ports: tuple[str, str], default_width: int, growth: str, program: Program
) -> Module:
    """The module computing ``program``, from input port ports[0] to output port ports[1]."""
    return Module(
        name,
        f"{comment}; {program.additions} additions, adder depth {program.depth}",
        ports[0],
        program.inputs,
        default_width,
        ports[1],
        growth,
        program.depth,
        nodes(program),
        [None if o is None else read(program, o, None) for o in program.outputs],
    )


def _constants(part: Dimension, upper: str) -> list[NamedInteger]:
    s, d = part.suffix, part.dims
    names = {"AT": f"{upper}_AT{s}", "G": f"{upper}_G{s}_NUM", "BT": f"{upper}_BT{s}"}
    growth = [
        (f"{upper}_BT{s}_GROWTH", part.BT, "input"),
        (f"{upper}_G{s}_GROWTH", part.G, "filter"),
        (f"{upper}_AT{s}_GROWTH", part.AT, "output"),
    ]
    return [
        *transform_constants(part, upper, names),
        *(NamedInteger(n, growth_bits(m.numerators), f"{kind} transform {d}-D: OUT_W - IN_W") for n, m, kind in growth),
    ]


def _matrices(part: Dimension, upper: str) -> list[PackedMatrix]:
    """The 1-D matrices; none in 2-D (see the module docstring)."""
    if part.dims != 1:
        return []
    return [
        packed(f"{upper}_AT", part.AT, f"AT * {upper}_AT_DEN"),
        packed(f"{upper}_G_NUM", part.G, f"G * {upper}_G_DEN"),
        packed(f"{upper}_BT", part.BT, f"BT * {upper}_BT_DEN"),
    ]


def _modules(part: Dimension, programs: TransformPrograms, prefix: str, upper: str, width: int) -> list[Module]:
    s, d = part.suffix, part.dims
    return [
        module(
            f"{prefix}_input_transform_{d}d",
            f"v = {upper}_BT{s}_DEN * BT{s} @ d, one input tile of {part.BT.shape[1]} elements",
            ("d", "v"),
            width,
            f"{upper}_BT{s}_GROWTH",
            programs.input_transform,
        ),
        module(
            f"{prefix}_filter_transform_{d}d",
            f"u = {upper}_G{s}_DEN * G{s} @ g, one kernel of {part.G.shape[1]} taps",
            ("g", "u"),
            width,
            f"{upper}_G{s}_GROWTH",
            programs.filter_transform,
        ),
        module(
            f"{prefix}_output_transform_{d}d",
            f"y = {upper}_AT{s}_DEN * AT{s} @ prod, the {part.AT.shape[1]} products of one tile",
            ("prod", "y"),
            OUTPUT_TRANSFORM_WIDTH,
            f"{upper}_AT{s}_GROWTH",
            programs.output_transform,
        ),
    ]


def verilog_context(algorithm: Algorithm, request: ExportRequest) -> dict[str, Any]:
    """Everything algorithm.v.j2 prints."""
    prefix, upper = request.prefix, request.prefix.upper()
    parts = dimensions(algorithm)
    sizes = size_constants(algorithm, upper)
    return {
        "package": f"{prefix}_pkg",
        "delay": f"{prefix}_delay",
        "generator": generator(),
        "command": command_line(algorithm, request),
        "summary": summary_lines(algorithm),
        "divisor": divisor_lines(algorithm, upper),
        "constants": [localparam(c) for c in sizes + [c for part in parts for c in _constants(part, upper)]],
        "matrices": [m for part in parts for m in _matrices(part, upper)],
        "modules": [
            m for part in parts for m in _modules(part, algorithm.programs(part.dims), prefix, upper, request.width)
        ],
    }
