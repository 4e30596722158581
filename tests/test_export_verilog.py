"""The exported Verilog: lint-clean under Verilator -Wall, and bit-exact under Icarus Verilog.

Each transform module is simulated on extreme vectors (all minimum, all maximum, and for every output
the two sign patterns that drive it to its largest and smallest value) and random ones, and compared
with the exact integer reference ``numerators @ x``: an overflow anywhere would show as a mismatch.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from sfc_cli.errors import InputError
from sfc_cli.export.content import NamedInteger, dimensions
from sfc_cli.export.integers import growth_bits
from sfc_cli.export.verilog import localparam

from .export_support import LARGE_DENOMINATOR, NAMED, VARIANTS, algorithm, exported, run, tool
from .helpers import run_sfc

RANDOM_VECTORS = 24


def extreme_vectors(numerators: tuple[tuple[int, ...], ...], width: int) -> list[list[int]]:
    """All-min, all-max, and per row the inputs that maximise and minimise that output."""
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    size = len(numerators[0])
    vectors = [[lo] * size, [hi] * size]
    for row in numerators:
        vectors.append([hi if c > 0 else lo for c in row])
        vectors.append([lo if c > 0 else hi for c in row])
    return vectors


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


def bench_source(module: str, ports: tuple[str, str], sizes: tuple[int, int], width: int, out_width: int, words) -> str:
    """A testbench that prints the output width, then every output word in hex."""
    (in_port, out_port), (n_in, n_out) = ports, sizes
    lines = [
        "module tb;",
        f"  reg [{width * n_in}-1:0] stimulus;",
        f"  wire [{out_width * n_out}-1:0] response;",
        f"  {module} #(.IN_W({width})) dut(.{in_port}(stimulus), .{out_port}(response));",
        "  initial begin",
        '    $display("bits %0d", $bits(response));',
    ]
    lines += [f'    stimulus = {width * n_in}\'h{word:x}; #1 $display("%h", response);' for word in words]
    lines += ["    $finish;", "  end", "endmodule", ""]
    return "\n".join(lines)


def simulate(tmp_path: Path, design: str, bench: str) -> list[str]:
    (tmp_path / "design.sv").write_text(design)
    (tmp_path / "tb.sv").write_text(bench)
    binary = str(tmp_path / "sim.vvp")
    run([tool("iverilog"), "-g2012", "-Wall", "-o", binary, str(tmp_path / "design.sv"), str(tmp_path / "tb.sv")])
    return run([tool("vvp"), "-n", binary]).stdout.split()


@pytest.mark.parametrize("name", [*NAMED, *VARIANTS])
def test_verilator_lint_is_clean(tmp_path, name):
    path = tmp_path / "exported.sv"
    path.write_text(exported(name, "verilog"))
    proc = run([tool("verilator"), "--lint-only", "-Wall", str(path)])
    assert proc.stdout == "" and proc.stderr == ""


DEFAULT_WIDTHS = {"input": 8, "output": 32}
CASES = [
    (kind, dims, width)
    for dims in (1, 2)
    for kind, widths in (("input", (8, 3)), ("output", (32, 12)))
    for width in widths
]
"""Every module at its default input width (all extreme patterns) and at one other width (all-min,
all-max and random vectors only: Icarus Verilog takes seconds per few hundred wide vectors)."""


@pytest.mark.parametrize("name", [*NAMED, *VARIANTS])
@pytest.mark.parametrize(("kind", "dims", "width"), CASES)
def test_simulation_matches_the_exact_reference(tmp_path, name, kind, dims, width):
    part = dimensions(algorithm(name))[dims - 1]
    matrix = part.BT if kind == "input" else part.AT
    numerators = matrix.numerators
    n_out, n_in = matrix.shape
    out_width = width + growth_bits(numerators)
    extremes = extreme_vectors(numerators, width)
    if width != DEFAULT_WIDTHS[kind]:
        extremes = extremes[:2]
    vectors = extremes + random_vectors(n_in, width, seed=n_in * width)
    ports = ("d", "v") if kind == "input" else ("prod", "y")
    bench = bench_source(
        f"chk_{kind}_transform_{dims}d", ports, (n_in, n_out), width, out_width, [pack(x, width) for x in vectors]
    )
    lines = simulate(tmp_path, exported(name, "verilog"), bench)
    assert lines[:2] == ["bits", str(out_width * n_out)]  # the port is exactly OUT_W = IN_W + GROWTH wide
    assert len(lines) == 2 + len(vectors)
    for x, word in zip(vectors, lines[2:], strict=True):
        assert re.fullmatch("[0-9a-f]+", word), word  # no x or z bits
        expected = [sum(c * xj for c, xj in zip(row, x, strict=True)) for row in numerators]
        assert unpack(int(word, 16), n_out, out_width) == expected


def test_modules_are_additions_only():
    text = exported("F(4x4,3x3)", "verilog")
    body = text[text.index("endpackage") :]
    assigns = [line for line in body.splitlines() if line.strip().startswith(("assign v[", "assign y["))]
    assert assigns and not any("*" in line.split("=", 1)[1] for line in assigns)
    assert "(x5 <<< 2)" in body  # a constant multiple written as shifted copies


def test_a_denominator_beyond_32_bits_is_a_sized_64_bit_literal_with_its_exact_value(tmp_path):
    part = dimensions(algorithm(LARGE_DENOMINATOR))[1]
    den = part.G.denominator
    assert 1 << 31 < den < 1 << 63
    text = exported(LARGE_DENOMINATOR, "verilog")
    assert f"  localparam longint CHK_G2_DEN = 64'sd{den};" in text
    assert f"  localparam longint CHK_SCALE_2D = 64'sd{den};" in text
    bench = 'module tb;\n  initial $display("%0d %0d", chk_pkg::CHK_G2_DEN, chk_pkg::CHK_SCALE_2D);\nendmodule\n'
    assert simulate(tmp_path, text, bench) == [str(den), str(den)]


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
        "0,1,-1,1e30",
        "-o",
        str(target),
    )
    assert run.code == 2 and run.stdout == "" and not target.exists()
    message = "F_2X2_3X3_G_DEN needs 300 bits, beyond its 64-bit declaration; it cannot be exported to Verilog"
    assert run.stderr == f"sfc: error: {message}\n"
