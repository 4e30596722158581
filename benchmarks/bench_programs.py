"""What the transform programs buy (issue 7). Prints figures; asserts nothing.

    python benchmarks/bench_programs.py [--no-yosys]

For the paper's algorithms:

1. additions of every 2-D transform: flat (each row summed on its own), row-column (1-D transforms on
   rows and columns plus mixing) and the shipped program, with its adder depth, and the optimiser's
   time for all six transforms (target for SFC-6(6x6,3x3): under 1 s);
2. C nanoseconds per tile of the exported 2-D input and output transforms against flat sums of the
   same matrices, compiled in one program with the system gcc -O2 and run in the same process
   (both are checked to give the same numbers first); target: the input transform at least 1.8x faster;
3. Yosys 6-input LUT counts of the exported 2-D modules (`synth -flatten; abc -lut 6`), input module at
   IN_W 8 and output module at its default width (targets for SFC-6(6x6,3x3): 6,000 and 23,000).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import ROOT

sys.path.insert(0, str(ROOT))

from sfc_cli.analysis.costs import addition_counts
from sfc_cli.export.content import ExportRequest
from sfc_cli.export.render import render
from sfc_cli.request import AlgorithmRequest, build_algorithm

PAPER = [
    AlgorithmRequest("sfc", 4, 3),
    AlgorithmRequest("sfc", 6, 3),
    AlgorithmRequest("sfc", 7, 3),
    AlgorithmRequest("sfc", 6, 5),
    AlgorithmRequest("winograd", 2, 3),
    AlgorithmRequest("winograd", 4, 3),
    AlgorithmRequest("winograd", 6, 3),
    AlgorithmRequest("winograd", 2, 5),
    AlgorithmRequest("winograd", 2, 7),
]
TIMED = [AlgorithmRequest("sfc", 6, 3), AlgorithmRequest("sfc", 4, 3), AlgorithmRequest("winograd", 4, 3)]
SYNTHESISED = [AlgorithmRequest("sfc", 6, 3), AlgorithmRequest("sfc", 4, 3)]
TILES = 20_000
REPEATS = 15


def additions_table() -> None:
    print("2-D additions: flat / row-column / program (depth); optimiser time for all six transforms")
    print(f"{'algorithm':<16} {'BT2':>22} {'AT2':>22} {'G2':>22} {'seconds':>8}")
    for request in PAPER:
        algorithm = build_algorithm(request)
        start = time.perf_counter()
        algorithm.programs(1), algorithm.programs(2)
        seconds = time.perf_counter() - start
        counts = {c.symbol: c for c in addition_counts(algorithm)}
        cells = []
        for symbol in ("BT2", "AT2", "G2"):
            c = counts[symbol]
            row_column = "-" if c.row_column is None else str(c.row_column)
            cells.append(f"{c.flat.additions} / {row_column} / {c.program} ({c.depth})")
        print(f"{algorithm.name:<16} {cells[0]:>22} {cells[1]:>22} {cells[2]:>22} {seconds:8.2f}")


def flat_function(name: str, numerators, in_type: str, out_type: str) -> str:
    """The baseline: one flat sum per output, as the export wrote it before programs."""
    lines = [f"static void {name}(const {in_type} *x, {out_type} *out)", "{"]
    for i, row in enumerate(numerators):
        terms = [f"{c} * (int64_t)x[{j}]" for j, c in enumerate(row) if c]
        lines.append(f"    out[{i}] = ({out_type})({' + '.join(terms) or '0'});")
    return "\n".join([*lines, "}"])


TIMING_MAIN = r"""
#include <stdio.h>
#include <time.h>

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static uint64_t state = 88172645463325252ull;
static int32_t next_value(int bits)
{
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;
    return (int32_t)(state % (1ull << bits)) - (int32_t)(1ull << (bits - 1));
}

#define TILES TILE_COUNT
#define REPEATS REPEAT_COUNT
static int32_t d[TILES][P_INPUT * P_INPUT];
static int64_t prod[TILES][P_PRODUCTS_2D];
static int32_t v[P_PRODUCTS_2D];
static int64_t y[P_TILE * P_TILE];

typedef void (*input_fn)(const int32_t *, int32_t *);
typedef void (*output_fn)(const int64_t *, int64_t *);

static double time_input(input_fn f, int64_t *check)
{
    double best = 1e30;
    for (int r = 0; r < REPEATS; ++r) {
        double start = seconds();
        int64_t sum = 0;
        for (int t = 0; t < TILES; ++t) { f(d[t], v); sum += v[t % P_PRODUCTS_2D]; }
        double elapsed = seconds() - start;
        if (elapsed < best) best = elapsed;
        *check = sum;
    }
    return 1e9 * best / TILES;
}

static double time_output(output_fn f, int64_t *check)
{
    double best = 1e30;
    for (int r = 0; r < REPEATS; ++r) {
        double start = seconds();
        int64_t sum = 0;
        for (int t = 0; t < TILES; ++t) { f(prod[t], y); sum += y[t % (P_TILE * P_TILE)]; }
        double elapsed = seconds() - start;
        if (elapsed < best) best = elapsed;
        *check = sum;
    }
    return 1e9 * best / TILES;
}

static void program_input(const int32_t *x, int32_t *out) { p_input_transform_2d(x, out); }
static void program_output(const int64_t *x, int64_t *out) { p_output_transform_2d(x, out); }

int main(void)
{
    for (int t = 0; t < TILES; ++t) {
        for (int j = 0; j < P_INPUT * P_INPUT; ++j) d[t][j] = next_value(8);
        for (int j = 0; j < P_PRODUCTS_2D; ++j) prod[t][j] = next_value(24);
    }
    int64_t a, b, c, e;
    double flat_in = time_input(flat_input, &a), program_in = time_input(program_input, &b);
    double flat_out = time_output(flat_output, &c), program_out = time_output(program_output, &e);
    if (a != b || c != e) { printf("MISMATCH\n"); return 1; }
    printf("%.1f %.1f %.1f %.1f\n", flat_in, program_in, flat_out, program_out);
    return 0;
}
"""


def c_timings(directory: Path) -> None:
    gcc = shutil.which("gcc")
    if gcc is None:
        print("gcc not found: C timings skipped")
        return
    print(f"\nC ns per tile, 2-D transforms, gcc -O2 ({TILES} tiles, best of {REPEATS}); flat sums vs program")
    headers = ("input flat", "program", "speed-up", "output flat", "program", "speed-up")
    print(f"{'algorithm':<16} " + " ".join(f"{h:>11}" for h in headers))
    for request in TIMED:
        algorithm = build_algorithm(request)
        header = render(algorithm, ExportRequest("c", "p"))
        two = algorithm.two_d
        assert two is not None
        bt = two.BT.numerators(two.BT.common_denominator())
        at = two.AT.numerators(two.AT.common_denominator())
        source = "\n\n".join(
            [
                header,
                flat_function("flat_input", bt, "int32_t", "int32_t"),
                flat_function("flat_output", at, "int64_t", "int64_t"),
                TIMING_MAIN.replace("TILE_COUNT", str(TILES)).replace("REPEAT_COUNT", str(REPEATS)),
            ]
        )
        (directory / "timing.c").write_text(source)
        binary = directory / "timing"
        subprocess.run([gcc, "-O2", "-std=gnu99", str(directory / "timing.c"), "-o", str(binary)], check=True)
        flat_in, program_in, flat_out, program_out = map(
            float, subprocess.run([str(binary)], check=True, capture_output=True, text=True).stdout.split()
        )
        print(
            f"{algorithm.name:<16} {flat_in:11.1f} {program_in:11.1f} {flat_in / program_in:10.2f}x "
            f"{flat_out:11.1f} {program_out:11.1f} {flat_out / program_out:10.2f}x"
        )


def lut_count(verilog: Path, module: str, width: int | None) -> tuple[int, float]:
    """6-input LUTs of one module after `synth -flatten; abc -lut 6`, and the synthesis seconds."""
    parameter = "" if width is None else f"chparam -set IN_W {width} {module}; "
    script = f"read_verilog -sv {verilog}; {parameter}synth -flatten -top {module}; abc -lut 6; stat"
    start = time.perf_counter()
    run = subprocess.run(["yosys", "-p", script], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    luts = re.findall(r"\$lut\s+(\d+)", run.stdout)
    return (int(luts[-1]) if luts else -1), seconds


def yosys_luts(directory: Path) -> None:
    if shutil.which("yosys") is None:
        print("\nyosys not found (apt-get install yosys): LUT counts skipped")
        return
    print("\nYosys 6-input LUTs of the exported 2-D modules (synth -flatten; abc -lut 6)")
    print(f"{'algorithm':<16} {'input (IN_W 8)':>16} {'seconds':>8} {'output (default)':>17} {'seconds':>8}")
    for request in SYNTHESISED:
        algorithm = build_algorithm(request)
        verilog = directory / "design.v"
        verilog.write_text(render(algorithm, ExportRequest("verilog", "p", 8)))
        input_luts, input_seconds = lut_count(verilog, "p_input_transform_2d", 8)
        output_luts, output_seconds = lut_count(verilog, "p_output_transform_2d", None)
        print(f"{algorithm.name:<16} {input_luts:16,d} {input_seconds:8.1f} {output_luts:17,d} {output_seconds:8.1f}")


def main() -> None:
    additions_table()
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        c_timings(directory)
        if "--no-yosys" not in sys.argv:
            yosys_luts(directory)


if __name__ == "__main__":
    main()
