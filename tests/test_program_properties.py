"""Properties over many algorithms: every program computes its matrix, and so does the C compiled from it."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfc_cli.algebra.program import Program
from sfc_cli.export.content import ExportRequest
from sfc_cli.export.render import render
from sfc_cli.request import AlgorithmRequest, build_algorithm

from .export_support import REPO, run, tool

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COMPILED = settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def requests(draw) -> AlgorithmRequest:
    """SFC with any N and corrections, or Winograd with the default points, tiles small enough to be quick."""
    dims = draw(st.sampled_from([1, 2]))
    tile = draw(st.integers(1, 6))
    kernel = draw(st.integers(1, 5))
    n = tile + kernel - 1
    fractions_in = draw(st.sampled_from("GAB"))
    if n < 2 or draw(st.booleans()):
        return AlgorithmRequest("winograd", tile, kernel, dims=dims, fractions_in=fractions_in)
    dft = draw(st.integers(2, min(n, 8)))
    left = draw(st.integers(0, n - dft))
    corrections = f"{left},{n - dft - left}"
    return AlgorithmRequest("sfc", tile, kernel, dft, corrections, dims=dims, fractions_in=fractions_in)


def numerators(matrix) -> list[list[int]]:
    return matrix.numerators(matrix.common_denominator())


def applied(rows: list[list[int]], vector: list[int]) -> list[int]:
    return [sum(c * x for c, x in zip(row, vector, strict=True)) for row in rows]


def check_on_vectors(program: Program, rows: list[list[int]], rng: random.Random) -> None:
    """The program's outputs equal ``rows @ x`` for extreme and random integer vectors (independent of
    the unit-vector verification the library does)."""
    size = program.inputs
    vectors = [[1] * size, [-(2**40)] * size, [2**40 - 1] * size]
    vectors += [[rng.choice([-(2**31), 2**31 - 1]) for _ in range(size)] for _ in range(4)]
    vectors += [[rng.randint(-1000, 1000) for _ in range(size)] for _ in range(4)]
    for vector in vectors:
        assert program.evaluate(vector) == applied(rows, vector)


@SETTINGS
@given(requests(), st.integers(0, 2**32))
def test_every_program_computes_its_matrix(wanted, seed):
    algorithm = build_algorithm(wanted)
    rng = random.Random(seed)
    for dims in range(1, algorithm.dims + 1):
        transforms = algorithm.one_d if dims == 1 else algorithm.two_d
        programs = algorithm.programs(dims)
        for program, matrix in (
            (programs.input_transform, transforms.BT),
            (programs.filter_transform, transforms.G),
            (programs.output_transform, transforms.AT),
        ):
            check_on_vectors(program, numerators(matrix), rng)
            assert program.depth <= program.additions


@COMPILED
@given(requests().filter(lambda r: r.dims == 2))
def test_compiled_c_functions_equal_the_matrices(tmp_path_factory, wanted):
    """tests/c/check_export.c compares every exported function with the exported matrices on random and
    extreme SAFE_BITS-bit integers, and the whole algorithm with direct correlation."""
    directory = tmp_path_factory.mktemp("c")
    (directory / "exported.h").write_text(render(build_algorithm(wanted), ExportRequest("c", "chk")))
    binary = directory / "check"
    flags = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1"]
    run([tool("gcc"), *flags, "-I", str(directory), str(REPO / "tests" / "c" / "check_export.c"), "-o", str(binary)])
    assert run([str(binary), "7", "200"]).stdout.startswith("ok 200 trials")
