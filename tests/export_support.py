"""Shared by the export tests: the algorithms the issue names, their exports, and the external tools.

The tools (gcc, g++, iverilog, vvp, verilator) are required: a missing one fails the test instead of
skipping it (CI installs them).
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

from sfc_cli.algorithm import Algorithm
from sfc_cli.export.content import ExportRequest
from sfc_cli.export.integers import signed_width
from sfc_cli.export.render import render
from sfc_cli.request import AlgorithmRequest, build_algorithm

REPO = Path(__file__).resolve().parent.parent

NAMED = {
    "SFC-6(6x6,3x3)": AlgorithmRequest("sfc", 6, 3),
    "SFC-4(4x4,3x3)": AlgorithmRequest("sfc", 4, 3),
    "SFC-6(6x6,5x5)": AlgorithmRequest("sfc", 6, 5),
    "F(4x4,3x3)": AlgorithmRequest("winograd", 4, 3),
}
"""The four algorithms the issue requires to compile, simulate and read back."""

LARGE_DENOMINATOR = "F(2x2,3x3) points 1/3,2/3,-1/7,5"
"""G2_DEN = 310159886400, between 2**31 and 2**63: a 64-bit constant."""

VARIANTS = {
    "F(4x4,3x3) fractions in A": AlgorithmRequest("winograd", 4, 3, fractions_in="A"),
    "SFC-4(4x4,3x3) fractions in B": AlgorithmRequest("sfc", 4, 3, fractions_in="B"),
    "F(1x1,1x1)": AlgorithmRequest("winograd", 1, 1),
    LARGE_DENOMINATOR: AlgorithmRequest("winograd", 2, 3, points="1/3,2/3,-1/7,5"),
    "CRT(3x3,3x3) x, x^2+3, x^2+x+1": AlgorithmRequest("crt", 3, 3, moduli="x, x^2+3, x^2+x+1"),
}
"""Small extras: fractions outside G give the C and Verilog transforms denominators of their own;
F(1x1,1x1) has one-element ports; the large-denominator one has a denominator beyond 32 bits; the CRT
set splits its two Q(sqrt(-3)) fields in 2-D (--algo crt exports like the other families)."""


def exact_output_width(numerators: list[list[int]] | tuple[tuple[int, ...], ...], in_width: int) -> int:
    """The least signed width holding every output ``row @ x`` for signed in_width-bit inputs x, from the
    attained extremes (each input at its minimum or maximum): the oracle for ``growth_bits``."""
    lo, hi = -(1 << (in_width - 1)), (1 << (in_width - 1)) - 1
    low = min(sum(min(c * lo, c * hi) for c in row) for row in numerators)
    high = max(sum(max(c * lo, c * hi) for c in row) for row in numerators)
    return signed_width(low, high)


@cache
def algorithm(key: str) -> Algorithm:
    """One of NAMED (its key is its name) or VARIANTS."""
    built = build_algorithm({**NAMED, **VARIANTS}[key])
    assert key in VARIANTS or built.name == key
    return built


@cache
def exported(name: str, output_format: str, prefix: str = "chk", width: int = 8) -> str:
    return render(algorithm(name), ExportRequest(output_format, prefix, width))


def tool(name: str) -> str:
    """The path of a required tool; fails (never skips) when it is missing."""
    path = shutil.which(name)
    assert path, f"{name} is required for this test (CI installs it with apt-get); it is not on PATH"
    return path


def run(command: list[str], cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a command; fail with its output when it does not exit 0."""
    proc = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(command)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc
