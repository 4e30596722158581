"""sfc search: candidates and their counted products, the Pareto front, one small search end to end."""

from __future__ import annotations

import itertools
import json
import math
import os
from dataclasses import replace
from fractions import Fraction

import pytest

from sfc_cli.request import AlgorithmRequest, build_algorithm
from sfc_cli.search.candidates import Candidate, all_candidates, crt_candidates, sfc_candidates
from sfc_cli.search.engine import Score, Scored, dominates, pareto_front

from .helpers import one_error_line, run_sfc


def scored(products_per_output: Fraction, error: float, name: str = "x") -> Scored:
    candidate = Candidate(AlgorithmRequest("sfc", 2, 3), 1)
    score = Score(1, products_per_output, error, error, error)
    return Scored(candidate, name, (name,), score, 1)


def test_front_keeps_exactly_the_entries_nothing_beats():
    entries = [
        scored(Fraction(4), 0.01, "a"),
        scored(Fraction(3), 0.02, "b"),
        scored(Fraction(3), 0.03, "c"),  # b beats it
        scored(Fraction(2), 0.02, "d"),  # beats b
        scored(Fraction(1), math.inf, "e"),  # infinite error never enters
        scored(Fraction(4), 0.01, "f"),  # equal to a: the first is kept
    ]
    front = pareto_front(entries, "int8")
    assert [s.name for s in front] == ["d", "a"]
    for entry in entries:
        on_front = entry in front
        beaten = any(dominates(f.score, entry.score, "int8") for f in front)
        assert on_front or beaten or entry.name in ("e", "f")
        assert not (on_front and any(dominates(o.score, entry.score, "int8") for o in entries))


def test_candidate_counts_for_kernel_3_up_to_tile_8():
    candidates = all_candidates(3, 2, 8)
    by_family = {family: sum(c.request.algo == family for c in candidates) for family in ("sfc", "winograd", "crt")}
    assert by_family == {"sfc": 161, "winograd": 2171, "crt": 407}
    assert len({c.command for c in candidates}) == len(candidates)


@pytest.mark.parametrize("tile", [2, 3])
def test_counted_products_are_the_derived_ones(tile):
    """Products are counted before deriving (for pruning): exact where the candidate says so, never below."""
    for candidate in [*sfc_candidates(tile, 3, 2), *list(crt_candidates(tile, 3, 2))[::5]]:
        derived = build_algorithm(candidate.request).two_d.products
        assert derived == candidate.products if candidate.exact else derived <= candidate.products, candidate.command


@pytest.fixture(scope="module")
def small_search():
    run = run_sfc("search", "--max-tile", "3", "--samples", "256", "--format", "json")
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def test_small_search_front_is_undominated_and_reproducible(small_search):
    front = small_search["front"]
    assert small_search["candidates"] == 192 and small_search["scored"] == 192
    assert not small_search["stopped_by_budget"]
    points = [(Fraction(e["products_per_output"]), e["int8_relative"]) for e in front]
    assert points == sorted(points) and all(a[1] > b[1] for a, b in itertools.pairwise(points))
    entry = front[-1]
    words = entry["command"].split()
    assert words[:2] == ["sfc", "derive"]
    derived = json.loads(run_sfc("derive", *words[2:], "--format", "json").stdout)
    assert derived["name"] == entry["name"] and derived["2d"]["products"] == entry["products"]


def test_literature_is_placed_against_the_front(small_search):
    literature = {e["name"] + (" " + e["literature"] if e["literature"] else ""): e for e in small_search["literature"]}
    names = {e["literature"] for e in small_search["literature"]}
    assert {"SFC-6(6x6,3x3)", "F(6x6,3x3) NOVA", "CRT(4x4,3x3) Gaussian", "F(4x4,3x3) Barabasz"} <= names
    front_names = {e["name"] for e in small_search["front"]}
    for entry in small_search["literature"]:
        if not entry["on_front"] and entry["same_as"] is None:
            assert entry["dominated_by"] and set(entry["dominated_by"]) <= front_names
    nova = next(e for e in small_search["literature"] if e["literature"] == "F(6x6,3x3) NOVA")
    assert not nova["on_front"] and nova["dominated_by"] == ["F(6x6,3x3)"]
    assert literature


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--max-tile", "1"), "--max-tile must be between 2 and"),
        (("--kernel", "9"), "--kernel must be between 2 and 7"),
        (("--budget", "0"), "--budget must be a positive number"),
        (("--plot", "front.txt"), "--plot writes .png or .svg files"),
        (("--samples", "0"), "--samples must be between 1 and"),
        (("--seed", "-1"), "--seed must be at least 0, got -1"),
        (("--budget", "nan"), "--budget must be a positive number"),
    ],
)
def test_bad_options_one_line_exit_2(args, message):
    assert message in one_error_line(run_sfc("search", *args))


def test_budget_stops_cleanly_with_a_front_and_plots_it(tmp_path):
    plot = tmp_path / "front.svg"
    args = ("--max-tile", "4", "--budget", "0.5", "--samples", "64", "--format", "json", "--plot", str(plot))
    run = run_sfc("search", *args)
    result = json.loads(run.stdout)
    assert run.code == 0 and result["stopped_by_budget"] and result["scored"] < result["candidates"]
    assert result["front"] and all(e["command"].startswith("sfc derive") for e in result["front"])
    assert plot.read_text().startswith("<?xml") and "sfc search: kernel 3" in plot.read_text()
    assert f"sfc: wrote {plot}" in run.stderr


@pytest.mark.parametrize("budget", ["inf"])
def test_a_budget_beyond_any_clock_is_no_budget(budget):
    """inf screens every candidate, as no --budget does (so does any budget too large for the clock's timeouts,
    1e10 or 1e308: the same clamped wait)."""
    run = run_sfc("search", "--max-tile", "2", "--samples", "16", "--format", "json", "--budget", budget)
    assert run.code == 0, run.stderr
    result = json.loads(run.stdout)
    assert not result["stopped_by_budget"]
    assert result["scored"] + result["undefined"] == result["candidates"] - result["pruned"]


def test_workers_are_capped_at_the_core_count():
    from sfc_cli.search.settings import search_settings

    cores = os.cpu_count() or 1
    assert search_settings(3, 2, 2, 16, None, 0, 1000).workers == cores
    assert search_settings(3, 2, 2, 16, None, 0, None).workers == cores
    assert search_settings(3, 2, 2, 16, None, 0, 1).workers == 1


@pytest.mark.parametrize("published", [False, True])
def test_the_published_legend_only_with_a_starred_row(published):
    import io

    from rich.console import Console

    from sfc_cli.commands.search.display import render_tables
    from sfc_cli.search.engine import SearchResult

    entry = scored(Fraction(2), 0.1, "SFC-2(2x2,3x3)")
    if published:
        entry = replace(entry, candidate=replace(entry.candidate, literature="SFC-2 paper"))
    result = SearchResult(3, 2, 2, "fp16", 512, 16, 0, 1, 0, 1, 0, False, [entry], [])
    out = io.StringIO()
    render_tables(Console(file=out, width=120), result)
    assert ("* published" in out.getvalue()) == published and (" *" in out.getvalue()) == published


def test_the_plot_numbers_the_front_and_names_every_published_point_once(tmp_path):
    """Front points carry their rank (and, when published, the name); algorithms at the same point share one
    label; no label overlaps another, covers another point's marker or is crossed by the staircase."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.transforms import Bbox

    from sfc_cli.commands.plotting import MARKER_RADIUS
    from sfc_cli.commands.search.plot import FRONT_LEGEND, PUBLISHED_LEGEND, STYLE, draw_front, write_plot
    from sfc_cli.search.engine import LiteratureEntry, SearchResult

    def published(entry: Scored, name: str) -> Scored:
        return replace(entry, candidate=replace(entry.candidate, literature=name))

    errors = (1.7, 0.68, 0.26, 0.11, 0.078, 0.028, 0.024, 0.021, 0.017, 0.0155, 0.0137)
    ratios = ("25/16", "81/49", "16/9", "59/32", "97/49", "33/16", "71/32", "109/49", "22/9", "69/25", "13/4")
    front = [scored(Fraction(p), e, f"A{k}") for k, (p, e) in enumerate(zip(ratios, errors, strict=True), 1)]
    front[2] = published(front[2], "F(6x6,3x3)")
    others = [
        published(scored(Fraction(16, 9), 0.26 * (1 + 1e-12)), "F(6x6,3x3) Barabasz"),
        published(scored(Fraction(23, 8), 0.0192), "SFC-4(4x4,3x3)"),
        published(scored(Fraction(23, 8), 0.0192), "CRT(4x4,3x3) Gaussian"),
        published(scored(Fraction(132, 49), 0.0189), "SFC-6(7x7,3x3)"),
    ]
    literature = [LiteratureEntry(front[2], None, ())] + [LiteratureEntry(s, None, (front[0],)) for s in others]
    result = SearchResult(3, 2, 8, "int8", 512, 4096, 0, 30, 0, 30, 0, False, front, literature)
    with matplotlib.rc_context(STYLE):
        figure = draw_front(result)
        figure.canvas.draw()
        renderer, (axes,) = figure.canvas.get_renderer(), figure.axes
        labels = [t for t in axes.texts if t.get_text()]
        texts = sorted(t.get_text() for t in labels)
        assert texts == sorted(
            [f"#{k}" for k in (1, 2, 4, 5, 6, 7, 8, 9, 10, 11)]
            + ["#3 F(6x6,3x3)\nF(6x6,3x3) Barabasz", "SFC-4(4x4,3x3)\nCRT(4x4,3x3) Gaussian", "SFC-6(7x7,3x3)"]
        )
        assert [t.get_text() for t in figure.legends[0].get_texts()] == [FRONT_LEGEND, PUBLISHED_LEGEND]
        boxes = [t.get_window_extent(renderer) for t in labels]
        assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
        radius = MARKER_RADIUS * figure.dpi / 72
        for label, box in zip(labels, boxes, strict=True):
            for other in labels:
                x, y = axes.transData.transform(other.xy)
                assert other is label or not box.overlaps(
                    Bbox.from_extents(x - radius, y - radius, x + radius, y + radius)
                )
        stairs = axes.lines[0].get_path().transformed(axes.lines[0].get_transform())
        assert not any(stairs.intersects_bbox(box, filled=False) for box in boxes)
        plt.close(figure)
    assert write_plot(result, str(tmp_path / "front.png")) == (tmp_path / "front.png").stat().st_size > 0
