"""``sfc search --plot``: products per output against the chosen error (log scale), PNG or SVG.

The front is a staircase of blue points, each labelled with its rank in the table (#1, #2, ...) and, when
published, the algorithm's name; every published algorithm is a red cross labelled with its name.
Algorithms at the same point share one label; labels are placed by ``plotting.place_labels`` (none
overlaps another or a marker, none is crossed by the staircase, a far label gets a leader line). The legend
sits below the axes.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

from ...search.engine import METRIC_NAMES, SearchResult
from ..plotting import draw_leaders, place_annotations, same_point_groups, write_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STYLE = {"svg.hashsalt": "sfc-search", "svg.fonttype": "none", "text.hinting": "none"}
"""rcParams to draw and save under: fixed SVG ids, text kept as text, unhinted text (the same size in
points at every dpi, so that the labels placed once fit the PNG and the SVG)."""
FIGURE_SIZE, DPI = (9.0, 5.6), 150
LABEL_POINTS, NOTE_POINTS, MARKER_AREA = 7.5, 7.5, 36.0
FRONT_LEGEND = "front entry #k (row k of the table)"
PUBLISHED_LEGEND = "published algorithm"


def _points(result: SearchResult) -> tuple[list[tuple[float, float]], list[str], list[str]]:
    """The labelled points, the front first: positions and names; and the names of entries with an
    infinite error (not drawn on a log scale)."""
    points, names, infinite = [], [], []
    entries = [(s, f"#{rank}" + (f" {s.candidate.literature}" if s.candidate.literature else "")) for rank, s in
               enumerate(result.front, 1)]  # fmt: skip
    front = {id(s) for s in result.front}
    entries += [(e.scored, e.scored.candidate.literature or e.scored.name) for e in result.literature
                if id(e.scored) not in front]  # fmt: skip
    for scored, name in entries:
        error = scored.score.error(result.metric)
        if math.isfinite(error):
            points.append((float(scored.score.products_per_output), error))
            names.append(name)
        else:
            infinite.append(name)
    return points, names, infinite


def _staircase(front: list[tuple[float, float]]) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The segments of the front's staircase (matplotlib's step, where="post"): labels keep clear of them."""
    segments = []
    for (x0, y0), (x1, y1) in itertools.pairwise(front):
        segments += [((x0, y0), (x1, y0)), ((x1, y0), (x1, y1))]
    return segments


def draw_front(result: SearchResult) -> Figure:
    """The plot as a matplotlib Figure (``DPI``), laid out and labelled; to be drawn and saved under
    ``matplotlib.rc_context(STYLE)``. A label that finds no room is named in the note above the axes."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=FIGURE_SIZE, dpi=DPI, layout="constrained")
    front = [(float(s.score.products_per_output), s.score.error(result.metric)) for s in result.front]
    if front:
        axes.step(*zip(*front, strict=True), where="post", color="0.6", zorder=1)
        axes.scatter(*zip(*front, strict=True), marker="o", s=MARKER_AREA, color="tab:blue", label=FRONT_LEGEND,
                     zorder=2)  # fmt: skip
    published = [
        (float(e.scored.score.products_per_output), e.scored.score.error(result.metric))
        for e in result.literature
        if math.isfinite(e.scored.score.error(result.metric))
    ]
    if published:
        axes.scatter(*zip(*published, strict=True), marker="x", s=MARKER_AREA, color="tab:red",
                     label=PUBLISHED_LEGEND, zorder=3)  # fmt: skip
    points, names, infinite = _points(result)
    labels = [
        axes.annotate("\n".join(names[i] for i in group), points[group[0]], textcoords="offset points",
                      xytext=(0, 0), fontsize=LABEL_POINTS, color="0.1", ha="left", va="bottom", zorder=4,
                      in_layout=False)
        for group in same_point_groups(points)
    ]  # fmt: skip
    axes.set_yscale("log")
    axes.margins(x=0.06, y=0.08)
    axes.grid(True, which="both", alpha=0.3)
    axes.set_xlabel("2-D products per output" if result.dims == 2 else "products per output")
    axes.set_ylabel(METRIC_NAMES[result.metric])
    figure.suptitle(
        f"sfc search: kernel {result.kernel}, tiles 2..{result.max_tile}, {result.samples} tiles, seed {result.seed}",
        fontsize=9,
    )
    figure.legend(loc="outside lower center", ncols=2, frameon=False)
    notes = [f"not drawn, infinite: {', '.join(infinite)}"] if infinite else []
    layout = figure.get_layout_engine()
    figure.set_layout_engine("none")
    while True:
        axes.set_title("\n".join(notes), loc="left", fontsize=NOTE_POINTS, color="0.3")
        layout.execute(figure)
        placed, unplaced = place_annotations(axes, labels, 72 / figure.dpi, _staircase(front))
        if not unplaced:
            break
        for label in unplaced:
            labels.remove(label)
            label.remove()
            notes.append("no room to label: " + label.get_text().replace("\n", ", "))
    draw_leaders(axes, placed)
    return figure


def write_plot(result: SearchResult, name: str) -> int:
    """``draw_front`` saved as PNG or SVG (``write_figure``); returns the bytes written."""
    return write_figure(lambda: draw_front(result), STYLE, name)
