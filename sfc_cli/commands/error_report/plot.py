"""``sfc error-report --plot``: multiplication reduction against measured error (matplotlib, PNG or SVG).

One panel per error figure (fp16 normalised, int8 relative). Marker shape gives the family, colour the
kernel size, and every point carries its algorithm's name, placed by ``place_labels`` so that no two
names overlap and none leaves its panel.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ...analysis.report import Report, Row
from ..plotting import save_figure

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

GAP = 2.0
"""Clearance in points kept between two labels, and between a label and its panel's edge."""
MARKER_RADIUS = 4.0
"""Half the side of the square, in points, that a label keeps clear of around every marker."""
RINGS = (2.5, 5.0, 10.0, 17.0, 26.0, 37.0, 50.0, 66.0)
"""Distances in points, beyond the marker, from a point to the nearest edge of its label's candidates (the
first a little over ``GAP``, so that rounding cannot make it touch the marker)."""
LEADER_FROM = 9.0
"""Labels at least this far (points, beyond the marker) from their point get a leader line."""
CROWD_RADIUS = 60.0
"""A point's crowding: how many points lie within this many points of it (itself included)."""
DIRECTIONS = ((1, 0), (1, 1), (1, -1), (0, 1), (0, -1), (-1, 0), (-1, 1), (-1, -1), (0.5, 1), (-0.5, 1))
"""Preferred sides of a point, in order: right, its corners, above, below, left, ..., as (x, y) signs."""


Box = tuple[float, float, float, float]
"""x0, y0, x1, y1 in points, y upwards."""


def _overlapping(boxes: np.ndarray, others: np.ndarray, gap: float) -> np.ndarray:
    """Per row of ``boxes`` (n x 4): does it come closer than ``gap`` to any row of ``others`` (m x 4)?"""
    b, o = boxes[:, None, :], others[None, :, :]
    apart = (b[..., 2] + gap <= o[..., 0]) | (o[..., 2] + gap <= b[..., 0])
    apart |= (b[..., 3] + gap <= o[..., 1]) | (o[..., 3] + gap <= b[..., 1])
    return ~np.all(apart, axis=1)


def _crossing(starts: np.ndarray, ends: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """n x m: does the segment from ``starts[i]`` to ``ends[i]`` (n x 2) meet ``boxes[j]`` (m x 4)?
    Liang-Barsky clipping of every segment against every box."""
    x, y = starts[:, None, 0], starts[:, None, 1]
    dx, dy = ends[:, None, 0] - x, ends[:, None, 1] - y
    b = boxes[None, :, :]
    low, high = np.zeros((len(starts), len(boxes))), np.ones((len(starts), len(boxes)))
    meets = np.ones(low.shape, dtype=bool)
    for step, room in ((-dx, x - b[..., 0]), (dx, b[..., 2] - x), (-dy, y - b[..., 1]), (dy, b[..., 3] - y)):
        step, room = np.broadcast_arrays(step, room)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = room / step
        meets &= (step != 0) | (room >= 0)
        low = np.where(step < 0, np.maximum(low, t), low)
        high = np.where(step > 0, np.minimum(high, t), high)
    return meets & (low <= high)


def _segments_crossing(starts: np.ndarray, ends: np.ndarray, others: np.ndarray, other_ends: np.ndarray) -> np.ndarray:
    """n x m: does segment i (``starts``, ``ends``: n x 2) cross segment j (``others``, ``other_ends``: m x 2)?
    Proper crossings only: each segment's ends lie strictly on both sides of the other's line."""

    def side(p: np.ndarray, q: np.ndarray, r: np.ndarray) -> np.ndarray:
        """Sign of the turn p -> q -> r."""
        return np.sign(
            (q[..., 0] - p[..., 0]) * (r[..., 1] - p[..., 1]) - (q[..., 1] - p[..., 1]) * (r[..., 0] - p[..., 0])
        )

    a, b, c, d = starts[:, None, :], ends[:, None, :], others[None, :, :], other_ends[None, :, :]
    return (side(a, b, c) * side(a, b, d) < 0) & (side(c, d, a) * side(c, d, b) < 0)


def _nearest(boxes: np.ndarray, point: np.ndarray) -> np.ndarray:
    """The point of each box (n x 4) nearest to ``point``, n x 2: where a leader line meets the label."""
    return np.clip(point, boxes[:, :2], boxes[:, 2:])


def _distances(boxes: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Distance from each box (n x 4) to each point (m x 2), n x m; 0 for a point inside a box."""
    x, y = points[None, :, 0], points[None, :, 1]
    dx = np.maximum(np.maximum(boxes[:, None, 0] - x, x - boxes[:, None, 2]), 0.0)
    dy = np.maximum(np.maximum(boxes[:, None, 1] - y, y - boxes[:, None, 3]), 0.0)
    return np.hypot(dx, dy)


def _needs_leader(distance: np.ndarray) -> np.ndarray:
    """A label this far (points, box to point) from its point gets a leader line."""
    return distance >= MARKER_RADIUS + LEADER_FROM


def _candidates(anchor: np.ndarray, size: tuple[float, float], frame: np.ndarray) -> Iterator[np.ndarray]:
    """Candidate boxes (n x 4) in two batches, best first: around the point ring by ring in ``DIRECTIONS``
    order; then (computed only when asked for) a grid over the frame, half a label's height apart,
    nearest first."""
    (x, y), (width, height) = anchor, size
    rows = []
    for distance in RINGS:
        reach = MARKER_RADIUS + distance
        for ux, uy in DIRECTIONS:
            cx, cy = x + ux * (width / 2 + reach), y + uy * (height / 2 + reach)
            rows.append((cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2))
    yield np.array(rows)
    x0s = np.arange(frame[0], frame[2] - width, height / 2)
    y0s = np.arange(frame[1], frame[3] - height, height / 2)
    x0, y0 = (a.ravel() for a in np.meshgrid(x0s, y0s))
    grid = np.stack([x0, y0, x0 + width, y0 + height], axis=1)
    away = _distances(grid, anchor[None, :])[:, 0]
    yield grid[np.lexsort((grid[:, 0], grid[:, 1], away))]


class _Placer:
    """``place_labels``' state: the points, their markers, the frame, and the boxes and leader lines
    placed so far (all in points)."""

    def __init__(self, anchors: Sequence[tuple[float, float]], frame: Box) -> None:
        self.points = np.array(anchors, dtype=float).reshape(-1, 2)
        self.markers = np.concatenate([self.points - MARKER_RADIUS, self.points + MARKER_RADIUS], axis=1)
        self.frame = np.array(frame, dtype=float) + np.array([GAP, GAP, -GAP, -GAP])
        self.boxes, self.starts, self.ends = np.empty((0, 4)), np.empty((0, 2)), np.empty((0, 2))

    def place(self, index: int, size: tuple[float, float]) -> Box | None:
        anchor, fallback = self.points[index], None
        for batch in _candidates(anchor, size, self.frame):
            inside = np.all((batch[:, :2] >= self.frame[:2]) & (batch[:, 2:] <= self.frame[2:]), axis=1)
            options = batch[inside & ~_overlapping(batch, self.boxes, GAP)]
            fallback = options[0] if fallback is None and len(options) else fallback
            good = self._good(index, options)
            if good.any():
                return self._take(anchor, options[int(np.argmax(good))])
        return None if fallback is None else self._take(anchor, fallback)

    def _good(self, index: int, options: np.ndarray) -> np.ndarray:
        """Which options keep clear of markers and of other labels' leader lines, and name their point
        unambiguously: by a leader line that crosses no label, other marker or earlier leader, or by
        being clearly nearest to it."""
        anchor, distances = self.points[index], _distances(options, self.points)
        own, others = distances[:, index], np.delete(distances, index, axis=1).min(axis=1, initial=np.inf)
        leader, near = _needs_leader(own), _nearest(options, anchor)
        good = ~_overlapping(options, self.markers, GAP) & (others >= 2 * MARKER_RADIUS + GAP)
        good &= leader | (2 * own + MARKER_RADIUS < others)
        good &= ~_crossing(self.starts, self.ends, options).any(axis=0)
        obstacles = np.concatenate([self.boxes, np.delete(self.markers, index, axis=0)])
        starts = np.broadcast_to(anchor, near.shape)
        good &= ~(leader & _segments_crossing(starts, near, self.starts, self.ends).any(axis=1))
        return good & ~(leader & _crossing(starts, near, obstacles).any(axis=1))

    def _take(self, anchor: np.ndarray, box: np.ndarray) -> Box:
        self.boxes = np.vstack([self.boxes, box])
        if _needs_leader(_distances(box[None, :], anchor[None, :])[0, 0]):
            self.starts = np.vstack([self.starts, anchor])
            self.ends = np.vstack([self.ends, _nearest(box[None, :], anchor)])
        return (float(box[0]), float(box[1]), float(box[2]), float(box[3]))


def place_labels(
    anchors: Sequence[tuple[float, float]], sizes: Sequence[tuple[float, float]], frame: Box
) -> list[Box | None]:
    """Boxes for labels of the given (width, height) at the given points, all in points, y upwards.

    Every box lies inside ``frame`` (x0, y0, x1, y1) and keeps ``GAP`` from every other box: these rules
    are never broken; a label that finds no such place is None. Within them the first candidate (see
    ``_candidates``) is taken that also keeps ``GAP`` from every marker and a marker's width from other
    points, has a leader line or is clearly nearer its own point than any other, whose leader crosses
    no other label, marker or leader, and which no earlier leader crosses; failing that, the first
    candidate. Labels are placed most crowded point first (ties in input order). Plain arithmetic in a
    fixed order: deterministic.
    """
    placer = _Placer(anchors, frame)
    crowding = [int(np.sum(np.hypot(*(placer.points - p).T) < CROWD_RADIUS)) for p in placer.points]
    placed: list[Box | None] = [None] * len(placer.points)
    for index in sorted(range(len(placed)), key=lambda i: (-crowding[i], i)):
        placed[index] = placer.place(index, sizes[index])
    return placed


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
    return [
        axis.annotate(
            r.subject.name, (float(r.subject.reduction), value(r)), textcoords="offset points",
            xytext=(0, 0), fontsize=LABEL_POINTS, color="0.1", ha="left", va="bottom", zorder=4, in_layout=False,
        )
        for r in drawn
    ]  # fmt: skip


def _add_to_note(axis: Axes, sentence: str) -> None:
    """A panel's note is its left title (wrapped), one sentence per line."""
    lines = [axis.get_title(loc="left"), textwrap.fill(sentence, NOTE_WIDTH)]
    axis.set_title("\n".join(line for line in lines if line), loc="left", fontsize=NOTE_POINTS, color="0.3")


Placed = list[tuple["Annotation", np.ndarray]]
"""Labels with their boxes relative to their points (x0, y0, x1, y1 offsets in points)."""


def _place(axis: Axes, labels: list[Annotation], points_per_pixel: float) -> tuple[Placed, list[Annotation]]:
    """Move the labels to ``place_labels``' boxes; returns the placed ones and those that found no place."""
    renderer = axis.figure.canvas.get_renderer()
    anchors = [tuple(axis.transData.transform(label.xy) * points_per_pixel) for label in labels]
    sizes = []
    for label in labels:
        extent = label.get_window_extent(renderer)
        sizes.append((extent.width * points_per_pixel, extent.height * points_per_pixel))
    frame = axis.get_window_extent(renderer)
    boxes = place_labels(anchors, sizes, tuple(np.array(frame.extents) * points_per_pixel))
    placed, unplaced = [], []
    for label, anchor, box in zip(labels, anchors, boxes, strict=True):
        if box is None:
            unplaced.append(label)
        else:
            offset = np.array(box) - np.tile(anchor, 2)
            label.xyann = (offset[0], offset[1])
            placed.append((label, offset))
    return placed, unplaced


def _draw_leaders(axis: Axes, placed: Placed) -> None:
    """A thin line from each far label to its point, stopping short of the marker."""
    origin = np.zeros((1, 2))
    for label, offset in placed:
        if _needs_leader(_distances(offset[None, :], origin)[0, 0]):
            (near,) = _nearest(offset[None, :], origin[0])
            leader = {"arrowstyle": "-", "color": "0.55", "linewidth": 0.6, "shrinkA": 0, "shrinkB": MARKER_RADIUS}
            xytext = (near[0], near[1])
            axis.annotate("", label.xy, xytext=xytext, textcoords="offset points", arrowprops=leader, in_layout=False)


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
        results = [_place(axis, panel, points_per_pixel) for axis, panel in zip(axes, labels, strict=True)]
        if not any(unplaced for _, unplaced in results):
            break
        for axis, panel, (_, unplaced) in zip(axes, labels, results, strict=True):
            for label in unplaced:
                panel.remove(label)
                label.remove()
                _add_to_note(axis, f"no room to label: {label.get_text()}")
    for axis, (placed, _) in zip(axes, results, strict=True):
        _draw_leaders(axis, placed)
    return figure


def write_plot(report: Report, name: str) -> int:
    """``draw_figure`` saved as PNG or SVG (``save_figure``); returns the bytes written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(STYLE):
        figure = draw_figure(report)
        size = save_figure(figure, name)
        plt.close(figure)
    return size
