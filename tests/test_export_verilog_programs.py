"""The Verilog modules are the transforms' programs: read back from the exported text, every module
computes its exact matrix with one adder per operation, every wire is exactly as wide as its range needs
or, when less, as its widest reader reads, and at every PIPELINE each sum reads operands of its own stage
and every output leaves after LATENCY cycles. A property test simulates modules of small algorithms at
random widths and pipelines."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfc_cli.algebra.program import Program
from sfc_cli.export.content import ExportRequest, dimensions
from sfc_cli.export.integers import growth_bits
from sfc_cli.export.render import render
from sfc_cli.request import AlgorithmRequest, build_algorithm

from .export_support import NAMED, VARIANTS, algorithm, exact_output_width, exported
from .test_export_verilog import KINDS, check_simulation, latency, module_check
from .verilog_reading import Wire, read_module


def registers(expression: str, step: int, latency: int) -> int:
    """A delay's register count: terms k/STEP, LATENCY or 0, joined by minus signs."""
    values = {"0": 0, "LATENCY": latency}
    terms = [values[t] if t in values else int(t.split("/")[0]) // step for t in expression.split(" - ")]
    return terms[0] - sum(terms[1:])


def check_pipeline(wires: dict[str, Wire], reads: list[str], program: Program, pipeline: int) -> None:
    """Each sum at level L takes operands that arrive in its stage (L-1)/PIPELINE, every delay has a
    nonnegative register count, and every output arrives after LATENCY cycles."""
    step = pipeline or program.depth + 1  # as the module's localparam STEP
    cycles = latency(program, pipeline)
    arrival: dict[str, int] = {}
    for name, wire in wires.items():  # in declaration order: sources first
        if wire.source is not None:
            count = registers(wire.registers, step, cycles)
            assert count >= 0
            arrival[name] = arrival[wire.source] + count
        else:
            arrival[name] = (wire.level - 1) // step if wire.level else 0
            assert all(arrival[operand] == arrival[name] for operand in wire.operands)
    assert {arrival[name] for name in reads} <= {cycles}


@pytest.mark.parametrize("name", [*NAMED, *VARIANTS])
def test_modules_compute_their_matrices_with_exact_widths_and_consistent_pipelines(name):
    built, text = algorithm(name), exported(name, "verilog")
    for dims in range(1, len(dimensions(built)) + 1):
        for kind in KINDS:
            check = module_check(built, kind, dims, 8, 0)
            program = check.program
            wires, rows, reads = read_module(text, check.module, program.inputs)
            assert tuple(rows) == check.numerators
            assert all(wire.level >= 0 for wire in wires.values())  # every copy is driven
            assert len([w for w in wires.values() if w.operands]) == program.additions
            assert max((wires[n].level for n in reads), default=0) == program.depth
            start = text.index(f"module {check.module} ")
            assert text.index(f"  localparam integer DEPTH = {program.depth};", start) < text.index("endmodule", start)
            for wire in wires.values():  # narrower only where every reader reads fewer bits (read_module)
                assert wire.growth <= growth_bits([wire.row])
                if any(wire.row) and sum(map(abs, wire.row)) < 1 << 15:  # exact: no narrower width holds it
                    assert exact_output_width([wire.row], 16) == 16 + growth_bits([wire.row])
            for pipeline in range(program.depth + 2):
                check_pipeline(wires, reads, program, pipeline)


@st.composite
def small_algorithms(draw) -> AlgorithmRequest:
    """SFC-N and Winograd algorithms of a few tile and kernel sizes."""
    tile, kernel = draw(st.integers(1, 4)), draw(st.integers(2, 3))
    if draw(st.booleans()):
        return AlgorithmRequest("winograd", tile, kernel, dims=2)
    n = tile + kernel - 1
    return AlgorithmRequest("sfc", tile, kernel, dft=draw(st.integers(2, min(n, 6))), dims=2)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=small_algorithms(), dims=st.sampled_from([1, 2]), width=st.integers(2, 20), pipeline=st.integers(1, 4))
def test_modules_of_small_algorithms_match_their_matrices_at_any_width_and_pipeline(request, dims, width, pipeline):
    built = build_algorithm(request)
    checks = [module_check(built, kind, dims, width) for kind in KINDS]
    design = render(built, ExportRequest("verilog", "chk", 8))
    with tempfile.TemporaryDirectory() as directory:
        check_simulation(Path(directory), design, checks, (0, pipeline))
