"""The exported Verilog: lint-clean under Verilator -Wall, and bit-exact under Icarus Verilog.

Each transform module (input, filter and output, 1-D and 2-D) is simulated combinationally and with
PIPELINE = 1 and 2, streaming a new input vector every clock cycle and reading each result LATENCY
cycles later. The vectors are extreme (all minimum, all maximum, and for every output the two sign
patterns that drive it to its largest and smallest value) and random, and every result is compared
with the exact integer reference ``numerators @ x``: an overflow anywhere would show as a mismatch.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from sfc_cli.algebra.program import Program
from sfc_cli.algorithm import Algorithm
from sfc_cli.errors import InputError
from sfc_cli.export.content import ExportRequest, NamedInteger, dimensions
from sfc_cli.export.integers import growth_bits
from sfc_cli.export.render import render
from sfc_cli.export.verilog import localparam
from sfc_cli.request import AlgorithmRequest, build_algorithm

from .export_support import LARGE_DENOMINATOR, NAMED, VARIANTS, algorithm, exported, run, tool
from .helpers import run_sfc

RANDOM_VECTORS = 24
PIPELINES = (0, 1, 2)
KINDS = {
    "input": ("d", "v", "input_transform"),
    "filter": ("g", "u", "filter_transform"),
    "output": ("prod", "y", "output_transform"),
}
"""Ports and program of each module kind."""


def extreme_vectors(numerators: tuple[tuple[int, ...], ...], width: int) -> list[list[int]]:
    """All-min, all-max, and per row the inputs that maximise and minimise that output (each once)."""
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    size = len(numerators[0])
    vectors = {(lo,) * size: None, (hi,) * size: None}
    for row in numerators:
        vectors[tuple(hi if c > 0 else lo for c in row)] = None
        vectors[tuple(lo if c > 0 else hi for c in row)] = None
    return [list(x) for x in vectors]


def random_vectors(size: int, width: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    return [[rng.randint(lo, hi) for _ in range(size)] for _ in range(RANDOM_VECTORS)]


def pack(values: list[int], width: int) -> int:
    """Element j at bits [j*width +: width], two's complement."""
    mask = (1 << width) - 1
    return sum((v & mask) << (j * width) for j, v in enumerate(values))


def unpack(word: int, count: int, width: int) -> list[int]:
    fields = [(word >> (j * width)) & ((1 << width) - 1) for j in range(count)]
    return [f - (1 << width) if f >> (width - 1) else f for f in fields]


def latency(program: Program, pipeline: int) -> int:
    """ceil(depth / PIPELINE) cycles, 0 when combinational."""
    return -(-program.depth // pipeline) if pipeline else 0


@dataclass(frozen=True)
class Check:
    """One module under test, ``chk_<kind>_transform_<dims>d`` at input width ``width``, its exact matrix
    and its program (for the latency), and the vectors to stream through it."""

    kind: str
    dims: int
    numerators: tuple[tuple[int, ...], ...]
    program: Program
    width: int
    vectors: list[list[int]]

    @property
    def module(self) -> str:
        return f"chk_{KINDS[self.kind][2]}_{self.dims}d"

    @property
    def out_width(self) -> int:
        return self.width + growth_bits(self.numerators)


def module_check(built: Algorithm, kind: str, dims: int, width: int, extremes: int | None = None) -> Check:
    """The module's check on the first ``extremes`` extreme vectors (all when None) and random ones."""
    part = dimensions(built)[dims - 1]
    numerators = {"input": part.BT, "filter": part.G, "output": part.AT}[kind].numerators
    size = len(numerators[0])
    vectors = extreme_vectors(numerators, width)[:extremes] + random_vectors(size, width, seed=size * width)
    return Check(kind, dims, numerators, getattr(built.programs(dims), KINDS[kind][2]), width, vectors)


def bench_source(checks: list[Check], pipelines: tuple[int, ...]) -> str:
    """A testbench that streams each check's vectors, one per clock cycle, through its module at every
    PIPELINE, and prints the output width and latencies, then every cycle's output words in hex."""
    lines = ["module tb;", "  reg clk = 1'b0;"]
    for i, c in enumerate(checks):
        in_port, out_port, _ = KINDS[c.kind]
        n_in, n_out = len(c.numerators[0]), len(c.numerators)
        lines.append(f"  reg [{c.width * n_in}-1:0] s{i};")
        for p in pipelines:
            lines += [
                f"  wire [{c.out_width * n_out}-1:0] r{i}_{p};",
                f"  {c.module} #(.IN_W({c.width}), .PIPELINE({p})) m{i}_{p} "
                f"(.clk(clk), .{in_port}(s{i}), .{out_port}(r{i}_{p}));",
            ]
    lines.append("  initial begin")
    for i, c in enumerate(checks):
        latencies = ", ".join(f"m{i}_{p}.LATENCY" for p in pipelines)
        responses = ", ".join(f"r{i}_{p}" for p in pipelines)
        lines.append(
            f'    $display("bits %0d latency{" %0d" * len(pipelines)}", $bits(r{i}_{pipelines[0]}), {latencies});'
        )
        flush = [[0] * len(c.numerators[0])] * c.program.depth
        for x in c.vectors + flush:
            lines.append(
                f"    s{i} = {len(x) * c.width}'h{pack(x, c.width):x};"
                f' #1 $display("{" ".join(["%h"] * len(pipelines))}", {responses}); clk = 1; #1 clk = 0;'
            )
    lines += ["    $finish;", "  end", "endmodule", ""]
    return "\n".join(lines)


def simulate(tmp_path: Path, design: str, bench: str) -> list[str]:
    (tmp_path / "design.sv").write_text(design)
    (tmp_path / "tb.sv").write_text(bench)
    binary = str(tmp_path / "sim.vvp")
    run([tool("iverilog"), "-g2012", "-Wall", "-o", binary, str(tmp_path / "design.sv"), str(tmp_path / "tb.sv")])
    return run([tool("vvp"), "-n", binary]).stdout.splitlines()


def check_simulation(tmp_path: Path, design: str, checks: list[Check], pipelines: tuple[int, ...] = PIPELINES) -> None:
    """Every check's module, at every PIPELINE, gives exactly ``numerators @ x`` LATENCY cycles after x."""
    lines = simulate(tmp_path, design, bench_source(checks, pipelines))
    for c in checks:
        n_out = len(c.numerators)
        latencies = [latency(c.program, p) for p in pipelines]
        # the port is exactly OUT_W = IN_W + GROWTH wide; LATENCY is ceil(depth / PIPELINE)
        assert lines.pop(0).split() == ["bits", str(c.out_width * n_out), "latency", *map(str, latencies)]
        cycles = [lines.pop(0).split() for _ in range(len(c.vectors) + c.program.depth)]
        for t, x in enumerate(c.vectors):
            expected = [sum(a * b for a, b in zip(row, x, strict=True)) for row in c.numerators]
            for p, delay in zip(pipelines, latencies, strict=True):
                word = cycles[t + delay][pipelines.index(p)]
                assert re.fullmatch("[0-9a-f]+", word), (c.module, p, t, word)  # no x or z bits
                assert unpack(int(word, 16), n_out, c.out_width) == expected, (c.module, p, t)
    assert lines == []


def lint_top(built: Algorithm) -> str:
    """A top module instantiating every transform module at PIPELINE = 1 and 2, its ports passed through."""
    ports, body = ["input wire clk"], []
    for dims in range(1, len(dimensions(built)) + 1):
        for kind, (in_port, out_port, _) in KINDS.items():
            c = module_check(built, kind, dims, DEFAULT_WIDTHS[kind], 0)
            for p in PIPELINES[1:]:
                tag = f"{kind}_{dims}_{p}"
                ports += [
                    f"input wire [{c.width * len(c.numerators[0])}-1:0] {in_port}_{tag}",
                    f"output wire [{c.out_width * len(c.numerators)}-1:0] {out_port}_{tag}",
                ]
                body.append(
                    f"  {c.module} #(.PIPELINE({p})) m_{tag} (.clk(clk), .{in_port}({in_port}_{tag}), "
                    f".{out_port}({out_port}_{tag}));"
                )
    return "\n".join(["module lint_top (", ",\n".join(f"    {p}" for p in ports), ");", *body, "endmodule", ""])


@pytest.mark.parametrize("name", [*NAMED, *VARIANTS])
def test_verilator_lint_is_clean_combinational_and_pipelined(tmp_path, name):
    path = tmp_path / "exported.sv"
    path.write_text(exported(name, "verilog"))
    proc = run([tool("verilator"), "--lint-only", "-Wall", str(path)])
    assert proc.stdout == "" and proc.stderr == ""
    top = tmp_path / "lint_top.sv"
    top.write_text(lint_top(algorithm(name)))
    proc = run([tool("verilator"), "--lint-only", "-Wall", "--top-module", "lint_top", str(path), str(top)])
    assert proc.stdout == "" and proc.stderr == ""


NARROWED = {
    "x+1, x^2-2x+2, x^2-x+1, inf": AlgorithmRequest("crt", 4, 3, moduli="x+1, x^2-2x+2, x^2-x+1, inf"),
    "x-1, x^2+1, x^2+2x+2, inf": AlgorithmRequest("crt", 4, 3, moduli="x-1, x^2+1, x^2+2x+2, inf"),
}
"""CRT(4x4,3x3) sets whose 2-D programs have nodes read only by narrower sums: their wires are narrowed to
what is read (a delayed copy one bit wider than its readers failed -Wall with UNUSEDSIGNAL)."""


@pytest.mark.parametrize("moduli", NARROWED)
def test_narrowed_wires_lint_clean_and_compute_exactly(tmp_path, moduli):
    built = build_algorithm(NARROWED[moduli])
    design = render(built, ExportRequest("verilog", "chk", 8))
    (tmp_path / "exported.sv").write_text(design)
    (tmp_path / "lint_top.sv").write_text(lint_top(built))
    files = [str(tmp_path / "exported.sv"), str(tmp_path / "lint_top.sv")]
    proc = run([tool("verilator"), "--lint-only", "-Wall", "--top-module", "lint_top", *files])
    assert proc.stdout == "" and proc.stderr == ""
    checks = [module_check(built, kind, 2, width, 2) for kind, width in NARROW_WIDTHS.items()]
    check_simulation(tmp_path, design, checks, (0, 1))


DEFAULT_WIDTHS = {"input": 8, "filter": 8, "output": 32}
NARROW_WIDTHS = {"input": 3, "filter": 3, "output": 12}


SIMULATED = [
    *[(name, False) for name in [*NAMED, *VARIANTS] if name != "SFC-6(6x6,5x5)"],
    *[(name, True) for name in [*NAMED, *VARIANTS]],
]
"""Every algorithm at narrow widths; at default widths all but SFC-6(6x6,5x5), whose 2-D modules take
Icarus some 15 s on all extreme vectors (its wire widths are checked exactly by the structural test)."""


@pytest.mark.parametrize(
    ("name", "narrow"), SIMULATED, ids=[f"{'narrow' if n else 'default'}-widths-{a}" for a, n in SIMULATED]
)
def test_simulation_matches_the_exact_reference(tmp_path, name, narrow):
    """Every module at its default input width on all extreme vectors, and at a narrow width on all-min,
    all-max and random vectors only (Icarus Verilog takes seconds per few hundred wide vectors)."""
    built = algorithm(name)
    checks = [
        module_check(built, kind, dims, width, 2 if narrow else None)
        for dims in range(1, len(dimensions(built)) + 1)
        for kind, width in (NARROW_WIDTHS if narrow else DEFAULT_WIDTHS).items()
    ]
    check_simulation(tmp_path, exported(name, "verilog"), checks)


def test_modules_are_additions_only_one_per_program_operation():
    text = exported("F(4x4,3x3)", "verilog")
    for dims in (1, 2):
        programs = algorithm("F(4x4,3x3)").programs(dims)
        for _, out_port, program_name in KINDS.values():
            start = text.index(f"module chk_{program_name}_{dims}d ")
            body = text[start : text.index("endmodule", start)]
            sums = re.findall(r"^  wire signed \[[^\]]*\] t\d+ = (.*);$", body, re.M)
            assert len(sums) == getattr(programs, program_name).additions
            assert all(len(re.findall(r" [+-] ", s)) == 1 and "*" not in s for s in sums)
            assert "*" not in "".join(re.findall(rf"^  assign {out_port}\[[^=]*= (.*);$", body, re.M))
    assert "<<< 2)" in text  # a constant multiple written as shifted copies


def test_the_package_packs_the_1d_matrices_only_and_has_every_growth():
    text = exported("SFC-6(6x6,3x3)", "verilog")
    packed = re.findall(r"localparam logic \[\d+-1:0\] CHK_(\w+) =", text)
    assert packed == ["AT", "G_NUM", "BT"]
    part = dimensions(algorithm("SFC-6(6x6,3x3)"))[1]
    for key, matrix in (("BT2", part.BT), ("G2", part.G), ("AT2", part.AT)):
        assert f"  localparam integer CHK_{key}_GROWTH = {growth_bits(matrix.numerators)};" in text


def test_a_denominator_beyond_32_bits_is_a_sized_64_bit_literal_with_its_exact_value(tmp_path):
    part = dimensions(algorithm(LARGE_DENOMINATOR))[1]
    den = part.G.denominator
    assert 1 << 31 < den < 1 << 63
    text = exported(LARGE_DENOMINATOR, "verilog")
    assert f"  localparam longint CHK_G2_DEN = 64'sd{den};" in text
    assert f"  localparam longint CHK_SCALE_2D = 64'sd{den};" in text
    bench = 'module tb;\n  initial $display("%0d %0d", chk_pkg::CHK_G2_DEN, chk_pkg::CHK_SCALE_2D);\nendmodule\n'
    assert simulate(tmp_path, text, bench) == [f"{den} {den}"]


def test_constants_take_the_narrowest_declaration_and_are_refused_beyond_64_bits():
    declared = [localparam(NamedInteger("X", value, "")) for value in (2**31 - 1, 2**31, 2**63 - 1, -(2**63))]
    assert [(c.kind, c.literal) for c in declared] == [
        ("integer", "2147483647"),
        ("longint", "64'sd2147483648"),
        ("longint", "64'sd9223372036854775807"),
        ("longint", "-64'sd9223372036854775808"),
    ]
    for value in (2**63, -(2**63) - 1):
        with pytest.raises(InputError, match="X needs 65 bits, beyond its 64-bit declaration"):
            localparam(NamedInteger("X", value, ""))


def test_a_denominator_beyond_64_bits_is_refused_in_one_line(tmp_path):
    target = tmp_path / "w.v"
    run = run_sfc(
        "export",
        "--format",
        "verilog",
        "--algo",
        "winograd",
        "--tile",
        "2",
        "--points",
        "1/999983,-1/999979,1/999961,inf",
        "-o",
        str(target),
    )
    assert run.code == 2 and run.stdout == "" and not target.exists()
    message = "F_2X2_3X3_F92E1DA2_G_DEN needs 107 bits, beyond its 64-bit declaration; it cannot be exported to Verilog"
    assert run.stderr == f"sfc: error: {message}\n"
