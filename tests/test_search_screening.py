"""sfc search's stage 2: every candidate near the screening front is re-measured, and each algorithm's FP16
figure is that of its best placement of the fractions."""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction

from sfc_cli.analysis.measure import DataSource
from sfc_cli.commands.search.display import result_dict
from sfc_cli.request import AlgorithmRequest
from sfc_cli.search.candidates import Candidate
from sfc_cli.search.engine import (
    PLACEMENTS,
    Score,
    Scored,
    SearchResult,
    near_front,
    pareto_front,
    score_candidate,
)


def scored(products_per_output: Fraction, error: float, name: str) -> Scored:
    candidate = Candidate(AlgorithmRequest("sfc", 2, 3), 1)
    return Scored(candidate, name, (name,), Score(1, products_per_output, error, error, error), 1)


def test_candidates_within_the_margin_of_the_screening_front_are_re_measured():
    entries = [
        scored(Fraction(2), 0.0200, "front"),
        scored(Fraction(2), 0.0214, "same products, 7% behind"),  # the issue's #8 was 1.5% behind
        scored(Fraction(2), 0.0240, "same products, 20% behind"),
        scored(Fraction(3), 0.0150, "front, more products"),
        scored(Fraction(3), 0.0160, "more products, 7% behind"),
        scored(Fraction(4), 0.0190, "beaten by both by far"),
        scored(Fraction(1), math.inf, "overflow"),
    ]
    front = pareto_front(entries, "int8")
    assert [s.name for s in front] == ["front", "front, more products"]
    near = [s.name for s in near_front(entries, front, "int8", 0.1)]
    assert near == ["front", "same products, 7% behind", "front, more products", "more products, 7% behind"]
    assert [s.name for s in near_front(entries, front, "int8", 0.0)] == [s.name for s in front]


def test_fp16_at_the_full_sample_takes_the_best_placement_of_the_fractions():
    request = AlgorithmRequest("crt", 6, 3, moduli="x, x-1, x+1, 2x-1, 2x+1, x^2+1, inf")
    data = DataSource(256, 0)
    each = {f: score_candidate(Candidate(replace(request, fractions_in=f), None), data).score for f in PLACEMENTS}
    best = score_candidate(Candidate(request, None), data, placements=True).score
    placement = min(PLACEMENTS, key=lambda f: each[f].fp16)
    assert best.fp16 == each[placement].fp16 < each["G"].fp16 and best.fp16_fractions_in == placement
    assert best.int8 == each["G"].int8 and best.bound == each["G"].bound  # the placement moves FP16 only


def test_the_command_of_an_entry_reproduces_its_fp16_placement():
    request = AlgorithmRequest("sfc", 6, 3)
    placed = Scored(Candidate(request, 88), "SFC-6(6x6,3x3)", ("k",), Score(88, Fraction(22, 9), 1, 1, 1, "A"), 1)
    result = SearchResult(3, 2, 6, "int8", 512, 4096, 0, 1, 0, 1, 0, False, [placed], [], 1)
    (entry,) = result_dict(result)["front"]
    assert entry["command"] == "sfc derive --algo sfc --tile 6 --kernel 3 --fractions-in A"
    assert entry["fp16_fractions_in"] == "A" and result_dict(result)["near_front"] == 1
