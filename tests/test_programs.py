"""Straight-line programs: exact verification, the optimiser's counts, and the row-column structure."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfc_cli.algebra import transform_programs
from sfc_cli.algebra.kronecker import kronecker_mixing
from sfc_cli.algebra.matrix import QMatrix
from sfc_cli.algebra.optimise import (
    Replicated,
    Stage,
    _compose_stages,
    best_program,
    compose,
    greedy_program,
    signed_digits,
)
from sfc_cli.algebra.program import Operand, Operation, Program, computes, verified_program
from sfc_cli.errors import VerificationError
from sfc_cli.families import sfc, winograd
from sfc_cli.request import AlgorithmRequest, build_algorithm

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

integer_matrices = st.integers(1, 7).flatmap(
    lambda cols: st.lists(
        st.lists(st.sampled_from([0, 0, 0, 1, -1, 2, -2, 3, -5, 4, 12, -7]), min_size=cols, max_size=cols),
        min_size=1,
        max_size=8,
    )
)


def output_rows(program: Program) -> list[tuple[int, ...]]:
    """The matrix the program computes, read off its node rows."""
    zero = (0,) * program.inputs
    return [zero if o is None else tuple(o.coefficient * x for x in program.node_rows[o.node]) for o in program.outputs]


def numerators(matrix):
    return matrix.numerators(matrix.common_denominator())


def test_a_program_is_evaluated_exactly_and_counted():
    # t3 = x0 - 2 x1; t4 = t3 + 4 x2; outputs: t4, -2 t3, 0, x1
    program = Program(
        3,
        (
            Operation(Operand(0), Operand(1, 1, True)),
            Operation(Operand(3), Operand(2, 2)),
        ),
        (Operand(4), Operand(3, 1, True), None, Operand(1)),
    )
    assert program.evaluate([5, 7, 11]) == [5 - 14 + 44, -2 * (5 - 14), 0, 7]
    assert output_rows(program) == [(1, -2, 4), (-2, 4, 0), (0, 0, 0), (0, 1, 0)]
    assert (program.additions, program.depth, program.shifts, program.negations) == (2, 2, 3, 2)
    assert program.node_depths == (0, 0, 0, 1, 2)
    assert computes(program, [[1, -2, 4], [-2, 4, 0], [0, 0, 0], [0, 1, 0]])
    assert not computes(program, [[1, -2, 4], [-2, 4, 0], [0, 0, 1], [0, 1, 0]])
    with pytest.raises(VerificationError):
        verified_program(program, [[1, -2, 4], [-2, 4, 0], [0, 0, 0], [0, 1, 1]], "a test matrix")


@pytest.mark.parametrize("value", [1, 3, 5, 7, 11, 15, 21, 23, 45, 255, 1023, 12345])
def test_signed_digits_are_canonical(value):
    digits = signed_digits(value)
    assert sum(d << s for s, d in digits) == value
    shifts = [s for s, _ in digits]
    assert all(b - a >= 2 for a, b in itertools.pairwise(shifts))  # non-adjacent form


def test_constants_become_shift_and_add_chains_that_are_counted():
    # 5 x0 + 3 x1 and 5 x0 - 3 x1: 5 x0 = x0 + 4 x0 and 3 x1 = 4 x1 - x1 are built once each (2 additions),
    # then the pair 5 x0 +- 3 x1 costs one addition per row.
    program = greedy_program(Stage.dense([[5, 3], [5, -3]], 2))
    assert output_rows(program) == [(5, 3), (5, -3)]
    assert program.additions == 4


def test_common_pairs_are_shared():
    # Rows (x0 + x1 + x2), (x0 + x1 - x2), (x0 + x1): the pair x0 + x1 is computed once.
    program = greedy_program(Stage.dense([[1, 1, 1], [1, 1, -1], [1, 1, 0]], 3))
    assert program.additions == 3


@SETTINGS
@given(integer_matrices, st.integers(0, 7))
def test_every_greedy_program_computes_its_matrix(matrix, order):
    program = greedy_program(Stage.dense(matrix, len(matrix[0])), order)
    assert computes(program, matrix)
    flat = sum(max(0, sum(1 for c in row if c) - 1) for row in matrix)
    constants = sum(
        len(signed_digits(abs(c) >> ((abs(c) & -abs(c)).bit_length() - 1))) - 1 for r in matrix for c in r if c
    )
    assert program.additions <= flat + constants


@SETTINGS
@given(integer_matrices, integer_matrices)
def test_composed_stages_compute_the_product(first, second):
    columns = len(first)
    second = [(row * columns)[:columns] for row in second]  # second reads the outputs of first
    product = [[sum(a * first[k][j] for k, a in enumerate(row)) for j in range(len(first[0]))] for row in second]
    programs = [greedy_program(Stage.dense(first, len(first[0]))), greedy_program(Stage.dense(second, columns))]
    assert computes(compose(programs), product)
    assert computes(best_program(product, [[Stage.dense(first, len(first[0])), Stage.dense(second, columns)]]), product)


def test_a_wrong_factorisation_is_never_returned():
    matrix = [[1, 1], [1, -1]]
    wrong = [[Stage.dense([[1, 0], [0, 1]], 2)]]  # the identity: no additions, so it would win unchecked
    with pytest.raises(VerificationError):
        best_program(matrix, wrong)


def test_the_optimiser_is_deterministic():
    alg = sfc(6, 3)
    first = best_program(numerators(alg.two_d.BT))
    second = best_program(numerators(alg.two_d.BT))
    assert first == second


@pytest.mark.parametrize(
    ("request_", "input_limit", "output_limit"),
    [
        (AlgorithmRequest("sfc", 6, 3), 370, 360),
        (AlgorithmRequest("sfc", 4, 3), 141, 113),
        (AlgorithmRequest("winograd", 4, 3), 170, 148),
        (AlgorithmRequest("winograd", 2, 3), 32, 24),
    ],
)
def test_2d_programs_reach_the_issue_targets(request_, input_limit, output_limit):
    programs = build_algorithm(request_).programs(2)
    assert programs.input_transform.additions <= input_limit
    assert programs.output_transform.additions <= output_limit


def test_published_minimum_for_f2x2_3x3():
    """Lavin and Gray's F(2x2,3x3): 32 additions for the input transform and 24 for the output."""
    programs = winograd(2, 3).programs(2)
    assert (programs.input_transform.additions, programs.output_transform.additions) == (32, 24)


def test_sfc6_programs_beat_flat_and_row_column_sums():
    alg = sfc(6, 3)
    one, two = alg.programs(1), alg.programs(2)
    assert (one.input_transform.additions, one.output_transform.additions) < (30, 32)
    assert two.input_transform.additions < 564 and two.output_transform.additions < 528


@pytest.mark.parametrize(("tile", "kernel"), [(4, 3), (6, 3), (7, 3), (6, 5)])
def test_every_2d_sfc_row_is_at_most_two_nested_rows(tile, kernel):
    alg = sfc(tile, kernel)
    for two, one in ((alg.two_d.BT, alg.one_d.BT), (alg.two_d.AT.T, alg.one_d.AT.T)):
        mixing = kronecker_mixing(numerators(two), numerators(one))
        assert mixing is not None
        assert all(1 <= len(row) <= 2 for row in mixing)


def test_winograd_mixing_is_the_identity_of_nesting():
    alg = winograd(4, 3)
    mixing = kronecker_mixing(numerators(alg.two_d.BT), numerators(alg.one_d.BT))
    assert mixing is not None and all(len(row) == 1 and list(row.values()) == [1] for row in mixing)


def test_mixing_is_found_exactly_or_refused():
    one = [[1, 0], [0, 1], [1, 1]]
    mixing = kronecker_mixing([[1, 0, 0, 1], [1, 1, 1, 1], [7, 0, 0, 0]], one)
    assert mixing == [{0: 1, 4: 1}, {8: 1}, {0: 7}]  # slots t1 * 3 + t2
    identity = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert kronecker_mixing([[1, 0, 0, 0, 1, 0, 0, 0, 1]], identity) is None  # rank 3: no two nested rows
    assert kronecker_mixing([[1, 0, 0]], one) is None  # wrong width


def test_programs_found_in_worker_processes_are_the_same():
    algorithms = [sfc(4, 3), winograd(4, 3), winograd(2, 3)]
    requests = [(a.two_d, a.one_d) for a in algorithms]
    here = [transform_programs._programs(r) for r in requests]  # found in this process, bypassing the cache
    steps = []
    transform_programs.prefetch(requests, 2, lambda: steps.append(1))
    assert len(steps) == 3
    assert [transform_programs.programs_2d(two, one) for two, one in requests] == here


@pytest.mark.parametrize(
    "algorithm",
    [
        winograd(2, 3),
        winograd(4, 3, fractions_in="A"),
        winograd(6, 3, fractions_in="B"),
        winograd(3, 2),
        winograd(1, 4),
    ],
    ids=lambda a: f"{a.name}-{a.fractions_in}",
)
def test_kronecker_squares_take_the_direct_path_to_the_same_mixing(algorithm):
    two, one = (transform_programs._integers(t) for t in (algorithm.two_d, algorithm.one_d))
    for two_rows, one_rows in ((two.BT, one.BT), (two.G, one.G), (two.AT_T, one.AT_T)):
        square = transform_programs._square_mixing(two_rows, one_rows)
        general = kronecker_mixing(two_rows, one_rows)
        if square is not None:  # parallel rows (AT of F(1,4): one output, so its columns) go the general way
            assert square == general
    assert transform_programs._square_mixing(two.BT, one.BT) is not None
    assert (transform_programs._square_mixing(two.AT_T, one.AT_T) is None) == (algorithm.tile == 1)


def test_the_direct_path_refuses_what_is_not_a_kronecker_square():
    alg = sfc(6, 3)
    two, one = (transform_programs._integers(t) for t in (alg.two_d, alg.one_d))
    assert transform_programs._square_mixing(two.BT, one.BT) is None  # the 2-D symbolic DFT mixes rows
    assert kronecker_mixing(two.BT, one.BT) is not None
    wino = transform_programs._integers(winograd(4, 3).one_d)
    off = [list(row) for row in transform_programs._integers(winograd(4, 3).two_d).BT]
    off[7][3] += 1
    assert transform_programs._square_mixing(tuple(map(tuple, off)), wino.BT) is None


def test_numerators_are_read_exactly_whatever_objects_the_zeros_are():
    for matrix in (QMatrix([[0, Fraction(1, 6)], [Fraction(-2, 3), 0]]), sfc(6, 3).two_d.G, winograd(4, 3).two_d.BT):
        rows, denominator = transform_programs._numerators(matrix)
        assert denominator == matrix.common_denominator()
        assert [list(row) for row in rows] == matrix.numerators(denominator)


@pytest.mark.parametrize("algorithm", [sfc(6, 3), winograd(4, 3), sfc(4, 3, fractions_in="A")], ids=lambda a: a.name)
def test_replicated_stages_compose_as_their_written_out_programs(algorithm):
    """The candidates of the row-column factorisations, composed copy by copy straight into one program,
    are exactly ``compose`` of each stage's program written out (``Replicated.program``)."""
    two, one = (transform_programs._integers(t) for t in (algorithm.two_d, algorithm.one_d))
    structure = transform_programs._structure(two, one)
    options = transform_programs._row_column(one.BT, one.columns[0], structure.input_mixing)
    options += transform_programs._column_row(one.AT_T, len(one.AT), structure.output_mixing)
    assert options
    for stages in options:
        for order in (0, 1, 2):
            factors = [greedy_program(s.factor if isinstance(s, Replicated) else s, order) for s in stages]
            written = [s.program(p) if isinstance(s, Replicated) else p for s, p in zip(stages, factors, strict=True)]
            assert _compose_stages(stages, factors) == compose(written)
