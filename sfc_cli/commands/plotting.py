"""What every command's --plot shares: the file check made before any work, labels placed so that none
overlaps another or a marker (``place_labels``), and saving the figure.

The format follows the name's suffix, .png or .svg; a name without one that is written through (a device,
a FIFO, ``/dev/stdout``: ``sfc_cli.files``) gets SVG.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from ..files import check_writable, output_target, write_output

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation

PLOT_SUFFIXES = (".png", ".svg")


def plot_format(name: str) -> str:
    """ "png" or "svg" (module docstring); raises InputError for any other name of a file to be replaced."""
    suffix = Path(name).suffix.lower()
    if suffix in PLOT_SUFFIXES:
        return suffix[1:]
    if not output_target(name).replace:
        return "svg"
    raise InputError(f"--plot writes {' or '.join(PLOT_SUFFIXES)} files, got {Path(name).name!r}")


def check_plot_file(name: str) -> None:
    """Before any work: raises InputError unless ``name`` can be written (a directory, say, cannot) and
    names a .png or .svg file, or something written through."""
    check_writable(name)
    plot_format(name)


def write_figure(draw: Callable[[], Figure], style: dict[str, str], name: str) -> int:
    """The figure ``draw()`` makes under the rcParams ``style`` (Agg backend), as PNG or SVG (``plot_format``)
    written with ``write_output``; returns the bytes written. Deterministic: no date or software version in
    the metadata (SVG ids are fixed by the style's ``svg.hashsalt``)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fmt = plot_format(name)
    buffer = io.BytesIO()
    with matplotlib.rc_context(style):
        figure = draw()
        figure.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else {"Software": None})
        plt.close(figure)
    return write_output(name, buffer.getvalue())


# --- labels ---------------------------------------------------------------------------------------------

SAME_POINT = 1e-3
"""Relative difference below which two plotted values are one point (a fraction of a marker at any scale
the plots use): one label names them all, e.g. a published algorithm and its equal, or the same points in
another order, whose FP16 error differs in the fourth digit."""


def same_point_groups(points: Sequence[tuple[float, float]]) -> list[list[int]]:
    """Indices of ``points`` grouped by position (within ``SAME_POINT``), groups and members in input order."""
    groups: list[list[int]] = []
    for index, point in enumerate(points):
        group = next((g for g in groups if all(map(_same, points[g[0]], point))), None)
        if group is None:
            groups.append([index])
        else:
            group.append(index)
    return groups


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=SAME_POINT)


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


def _grown(boxes: np.ndarray) -> np.ndarray:
    """Boxes (n x 4) grown by ``GAP`` on every side: a line that meets one comes closer than ``GAP``."""
    return boxes + np.array([-GAP, -GAP, GAP, GAP])


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
    """``place_labels``' state: the points, their markers, the frame, and the boxes and lines (the given
    ones, then the leader lines) placed so far (all in points)."""

    def __init__(self, anchors: Sequence[tuple[float, float]], frame: Box, lines: Sequence[Box]) -> None:
        self.points = np.array(anchors, dtype=float).reshape(-1, 2)
        self.markers = np.concatenate([self.points - MARKER_RADIUS, self.points + MARKER_RADIUS], axis=1)
        self.frame = np.array(frame, dtype=float) + np.array([GAP, GAP, -GAP, -GAP])
        segments = np.array(lines, dtype=float).reshape(-1, 4)
        self.boxes, self.starts, self.ends = np.empty((0, 4)), segments[:, :2], segments[:, 2:]

    def place(self, index: int, size: tuple[float, float]) -> Box | None:
        anchor, fallbacks = self.points[index], [None, None, None]  # clear of markers and lines, of markers, any
        for batch in _candidates(anchor, size, self.frame):
            inside = np.all((batch[:, :2] >= self.frame[:2]) & (batch[:, 2:] <= self.frame[2:]), axis=1)
            options = batch[inside & ~_overlapping(batch, self.boxes, GAP)]
            off_markers = ~_overlapping(options, self.markers, GAP)
            off_lines = off_markers & ~_crossing(self.starts, self.ends, _grown(options)).any(axis=0)
            for rank, fits in enumerate((off_lines, off_markers, np.ones(len(options), dtype=bool))):
                if fallbacks[rank] is None and fits.any():
                    fallbacks[rank] = options[int(np.argmax(fits))]
            good = self._good(index, options)
            if good.any():
                return self._take(anchor, options[int(np.argmax(good))])
        chosen = next((box for box in fallbacks if box is not None), None)
        return None if chosen is None else self._take(anchor, chosen)

    def _good(self, index: int, options: np.ndarray) -> np.ndarray:
        """Which options keep clear of markers and of other labels' leader lines, and name their point
        unambiguously: by a leader line that crosses no label, other marker or earlier leader, or by
        being clearly nearest to it."""
        anchor, distances = self.points[index], _distances(options, self.points)
        own, others = distances[:, index], np.delete(distances, index, axis=1).min(axis=1, initial=np.inf)
        leader, near = _needs_leader(own), _nearest(options, anchor)
        good = ~_overlapping(options, self.markers, GAP) & (others >= 2 * MARKER_RADIUS + GAP)
        good &= leader | (2 * own + MARKER_RADIUS < others)
        good &= ~_crossing(self.starts, self.ends, _grown(options)).any(axis=0)
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
    anchors: Sequence[tuple[float, float]], sizes: Sequence[tuple[float, float]], frame: Box, lines: Sequence[Box] = ()
) -> list[Box | None]:
    """Boxes for labels of the given (width, height) at the given points, all in points, y upwards.

    Every box lies inside ``frame`` (x0, y0, x1, y1) and keeps ``GAP`` from every other box: these rules
    are never broken; a label that finds no such place is None. Within them the first candidate (see
    ``_candidates``) is taken that also keeps ``GAP`` from every marker and a marker's width from other
    points, has a leader line or is clearly nearer its own point than any other, whose leader crosses
    no other label, marker or leader, and which no earlier leader crosses; failing that, the first
    candidate that keeps ``GAP`` from every marker and that no line crosses, then the first that keeps
    ``GAP`` from every marker, then the first candidate. ``lines`` (x0, y0, x1,
    y1 segments, such as a staircase drawn between the points) count as leader lines already drawn. Labels are placed
    most crowded point first (ties in input order). Plain arithmetic in a fixed order: deterministic.
    """
    placer = _Placer(anchors, frame, lines)
    crowding = [int(np.sum(np.hypot(*(placer.points - p).T) < CROWD_RADIUS)) for p in placer.points]
    placed: list[Box | None] = [None] * len(placer.points)
    for index in sorted(range(len(placed)), key=lambda i: (-crowding[i], i)):
        placed[index] = placer.place(index, sizes[index])
    return placed


Placed = list[tuple["Annotation", np.ndarray]]
"""Labels with their boxes relative to their points (x0, y0, x1, y1 offsets in points)."""


def place_annotations(
    axis: Axes,
    labels: list[Annotation],
    points_per_pixel: float,
    lines: Sequence[tuple[tuple[float, float], tuple[float, float]]] = (),
) -> tuple[Placed, list[Annotation]]:
    """Move the labels to ``place_labels``' boxes, clear of ``lines`` (segments in data coordinates); returns
    the placed ones and those that found no place."""
    renderer = axis.figure.canvas.get_renderer()
    anchors = [tuple(axis.transData.transform(label.xy) * points_per_pixel) for label in labels]
    sizes = []
    for label in labels:
        extent = label.get_window_extent(renderer)
        sizes.append((extent.width * points_per_pixel, extent.height * points_per_pixel))
    frame = axis.get_window_extent(renderer)
    segments = [tuple(axis.transData.transform(line).ravel() * points_per_pixel) for line in lines]
    boxes = place_labels(anchors, sizes, tuple(np.array(frame.extents) * points_per_pixel), segments)
    placed, unplaced = [], []
    for label, anchor, box in zip(labels, anchors, boxes, strict=True):
        if box is None:
            unplaced.append(label)
        else:
            offset = np.array(box) - np.tile(anchor, 2)
            label.xyann = (offset[0], offset[1])
            placed.append((label, offset))
    return placed, unplaced


def draw_leaders(axis: Axes, placed: Placed) -> None:
    """A thin line from each far label to its point, stopping short of the marker."""
    origin = np.zeros((1, 2))
    for label, offset in placed:
        if _needs_leader(_distances(offset[None, :], origin)[0, 0]):
            (near,) = _nearest(offset[None, :], origin[0])
            leader = {"arrowstyle": "-", "color": "0.55", "linewidth": 0.6, "shrinkA": 0, "shrinkB": MARKER_RADIUS}
            xytext = (near[0], near[1])
            axis.annotate("", label.xy, xytext=xytext, textcoords="offset points", arrowprops=leader, in_layout=False)
