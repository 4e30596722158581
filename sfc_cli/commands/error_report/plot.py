"""``sfc error-report --plot``: multiplication reduction against measured error (matplotlib, PNG or SVG).

One panel per error figure (fp16 normalised, int8 relative). Marker shape gives the family, colour the
kernel size, and every point carries its algorithm's name (one label for algorithms at the same point),
placed by ``plotting.place_labels`` so that no two names overlap and none leaves its panel.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING

from ...analysis.report import Report, Row
from ..plotting import draw_leaders, place_annotations, same_point_groups, write_figure

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation

STYLE = {"svg.hashsalt": "sfc-error-report", "svg.fonttype": "none", "text.hinting": "none"}
"""rcParams to draw and save under: fixed SVG ids, text kept as text in SVG, and unhinted text, whose
size in points is the same at every dpi (hinted text at 72 dpi is some 8% wider than at 150)."""
PANELS: tuple[tuple[str, Callable[[Row], float]], ...] = (
    ("fp16 error / direct fp16 error", lambda r: r.measured.fp16_normalized),
    ("int8 relative RMS error (tap-wise)", lambda r: r.measured.int_relative[8]),
)
FAMILIES = {
    "direct": ("s", "direct"),
    "winograd": ("o", "Winograd F(m,r)"),
    "sfc": ("^", "SFC"),
    "crt": ("D", "CRT moduli"),
}
"""Family: (marker, legend entry). The literature rows of ``--catalog all`` are drawn as their family."""
KERNEL_COLOURS = {3: "tab:blue", 5: "tab:orange", 7: "tab:green"}
"""The catalog's kernel sizes keep their colours in every report; other sizes take ``OTHER_COLOURS``."""
OTHER_COLOURS = ("tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan", "tab:red")
FIGURE_SIZE, DPI = (11.0, 5.2), 150
LABEL_POINTS, NOTE_POINTS, MARKER_AREA = 7.5, 7.5, 40.0
NOTE_WIDTH = 70
"""Characters per line of a panel's note."""


def _kernel_colours(kernels: list[int]) -> dict[int, str]:
    """Kernel size: colour, in increasing size; sizes beyond the catalog's take ``OTHER_COLOURS`` in turn."""
    others = iter(OTHER_COLOURS * len(kernels))
    return {k: KERNEL_COLOURS[k] if k in KERNEL_COLOURS else next(others) for k in kernels}


def _kernel_name(kernel: int, dims: int) -> str:
    return "kernel " + "x".join([str(kernel)] * dims)


def _legend_handles(report: Report, colours: dict[int, str]) -> list[Artist]:
    """Grey markers for the families present, colour patches for the kernel sizes."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    present = {row.subject.family for row in report.rows}
    handles: list[Artist] = [
        Line2D([], [], marker=marker, linestyle="none", color="0.35", markersize=6, label=name)
        for family, (marker, name) in FAMILIES.items()
        if family in present
    ]
    handles += [Patch(color=colour, label=_kernel_name(k, report.dims)) for k, colour in colours.items()]
    return handles


def _draw_panel(
    axis: Axes, report: Report, ylabel: str, value: Callable[[Row], float], colours: dict[int, str]
) -> list[Annotation]:
    """Points, axes and the overflow note of one panel; returns its labels, not yet placed."""
    drawn = [r for r in report.rows if math.isfinite(value(r))]
    for family, (marker, _) in FAMILIES.items():
        rows = [r for r in drawn if r.subject.family == family]
        if rows:
            xs, ys = [float(r.subject.reduction) for r in rows], [value(r) for r in rows]
            kernels = [colours[r.subject.kernel] for r in rows]
            axis.scatter(xs, ys, marker=marker, c=kernels, s=MARKER_AREA, edgecolors="white", linewidths=0.6, zorder=3)
    overflowed = [r.subject.name for r in report.rows if r not in drawn]
    if overflowed:
        _add_to_note(axis, "not drawn, overflowed (inf): " + ", ".join(overflowed))
    axis.set_yscale("log")
    axis.margins(x=0.06, y=0.08)
    axis.set_xlabel("multiplication reduction (direct / fast products)")
    axis.set_ylabel(ylabel)
    axis.grid(True, which="both", alpha=0.3)
    points = [(float(r.subject.reduction), value(r)) for r in drawn]
    return [
        axis.annotate(
            "\n".join(drawn[i].subject.name for i in group), points[group[0]], textcoords="offset points",
            xytext=(0, 0), fontsize=LABEL_POINTS, color="0.1", ha="left", va="bottom", zorder=4, in_layout=False,
        )
        for group in same_point_groups(points)
    ]  # fmt: skip


def _add_to_note(axis: Axes, sentence: str) -> None:
    """A panel's note is its left title (wrapped), one sentence per line."""
    lines = [axis.get_title(loc="left"), textwrap.fill(sentence, NOTE_WIDTH)]
    axis.set_title("\n".join(line for line in lines if line), loc="left", fontsize=NOTE_POINTS, color="0.3")


def draw_figure(report: Report) -> Figure:
    """The plot as a matplotlib Figure (Agg canvas, ``DPI``), laid out, labels placed; to be drawn,
    placed and saved under ``matplotlib.rc_context(STYLE)``.

    The layout is fixed once the labels are placed (no layout engine afterwards), so saving it at
    another dpi (SVG: 72) scales every position. A label that finds no room is named in its panel's
    note instead, and everything is laid out and placed again (the note takes room).
    """
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=FIGURE_SIZE, dpi=DPI, layout="constrained", sharex=True)
    colours = _kernel_colours(sorted({row.subject.kernel for row in report.rows}))
    labels = [
        _draw_panel(axis, report, ylabel, value, colours) for axis, (ylabel, value) in zip(axes, PANELS, strict=True)
    ]
    handles = _legend_handles(report, colours)
    figure.legend(handles=handles, loc="outside lower center", ncols=max(1, len(handles)), frameon=False)
    data = report.data.describe()
    figure.suptitle(f"sfc error-report: {data['source']}, {data['samples']} tiles, seed {data['seed']}", fontsize=9)
    layout = figure.get_layout_engine()
    figure.set_layout_engine("none")
    points_per_pixel = 72 / figure.dpi
    while True:
        layout.execute(figure)
        results = [place_annotations(axis, panel, points_per_pixel) for axis, panel in zip(axes, labels, strict=True)]
        if not any(unplaced for _, unplaced in results):
            break
        for axis, panel, (_, unplaced) in zip(axes, labels, results, strict=True):
            for label in unplaced:
                panel.remove(label)
                label.remove()
                _add_to_note(axis, "no room to label: " + label.get_text().replace("\n", ", "))
    for axis, (placed, _) in zip(axes, results, strict=True):
        draw_leaders(axis, placed)
    return figure


def write_plot(report: Report, name: str) -> int:
    """``draw_figure`` saved as PNG or SVG (``write_figure``); returns the bytes written."""
    return write_figure(lambda: draw_figure(report), STYLE, name)
