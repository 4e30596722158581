"""Sizes that took minutes and gigabytes: the optimiser stops searching beyond its size and says so, and
SFC and CRT refuse in 2-D what the 1-D transforms show would cost too much, before deriving it."""

from __future__ import annotations

import random
import re

import pytest

from sfc_cli.algebra.optimise import MAX_SEARCH_WORK, Stage, best_program, plain_program, search_note
from sfc_cli.errors import InputError
from sfc_cli.families import crt, sfc
from sfc_cli.families.common import MAX_2D_WORK, two_d_work

from .helpers import one_error_line, run_sfc


def test_a_matrix_beyond_the_search_is_summed_row_by_row_and_noted():
    rng = random.Random(6)
    matrix = tuple(tuple(rng.choice((-3, -1, 1, 2, 5)) for _ in range(90)) for _ in range(70))
    stage = Stage.dense(matrix, 90)
    assert stage.pair_work > MAX_SEARCH_WORK
    program = best_program(matrix, what="M")  # verified against the matrix
    assert program == plain_program(stage)
    note = search_note("M", matrix)
    assert note is not None and note.startswith("M: rows summed without common-subexpression search")
    assert search_note("M", matrix[:20]) is None


def test_crt_with_quintic_fields_falls_back_and_says_so():
    algorithm = crt(8, 3, "x^5-2, x^5-3")  # took 26 s, 24 of them searching the flat 2-D programs
    assert algorithm.programs(1).notes == ()
    notes = algorithm.programs(2).notes
    assert [note.split(":")[0] for note in notes] == ["BT2", "AT2"]


def test_two_d_beyond_the_estimate_is_refused_before_deriving_it():
    assert two_d_work(sfc(14, 3, 16, (0, 0), dims=1).one_d) < MAX_2D_WORK  # 9 s in 2-D: derived
    assert two_d_work(crt(14, 3, "x^8-2, x^8-3", dims=1).one_d) > MAX_2D_WORK  # over 8 min and 10 GB
    message = "CRT(14x14,3x3) is too large to derive in 2-D: its estimated work 12,166,258 is above 4,000,000"
    with pytest.raises(InputError, match=re.escape(message)):
        crt(14, 3, "x^8-2, x^8-3")
    line = one_error_line(run_sfc("derive", "--algo", "crt", "--tile", "12", "--moduli", "x^7-2, x^7-3"))
    assert "too large to derive in 2-D" in line and "use --dims 1" in line
