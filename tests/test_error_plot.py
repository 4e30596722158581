"""The `sfc error-report --plot` figure: every point named, no two names overlapping, none outside its
panel, kernel size and family in the legend, overflowed figures in a note, the same bytes every time."""

from __future__ import annotations

import dataclasses
import itertools

import matplotlib
import numpy as np
import pytest

from sfc_cli.analysis.measure import DataSource, measure
from sfc_cli.analysis.report import Report, Row, Subject, build_report
from sfc_cli.commands.error_report.options import report_subjects
from sfc_cli.commands.error_report.plot import DPI, PANELS, STYLE, draw_figure, write_plot
from sfc_cli.commands.plotting import GAP, MARKER_RADIUS, place_labels
from sfc_cli.request import AlgorithmRequest, build_algorithm

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.transforms import Bbox

DATA = DataSource(256, 0)


@pytest.fixture(autouse=True)
def style():
    """Draw and measure as write_plot does."""
    with matplotlib.rc_context(STYLE):
        yield


def measured_only(subjects: list[Subject]) -> Report:
    """A report holding what the plot reads (subjects, measured errors) and nothing else: build_report's
    conditioning and addition counts take ~13 s for the 2-D catalog."""
    return Report([Row(s, {}, {}, measure(s.transforms, s.shape, DATA, (8,)), {}) for s in subjects], (8,), DATA)


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    catalog = measured_only(report_subjects(None, 2, "G"))
    overflow = [Subject.direct(5, 1), Subject.of(build_algorithm(AlgorithmRequest("winograd", 12, 5, dims=1)))]
    return {
        "catalog": catalog,
        "--catalog all": measured_only(report_subjects(None, 2, "G", "all")),
        "two rows": Report(catalog.rows[:2], (8,), DATA),
        "one row": Report(catalog.rows[-1:], (8,), DATA),
        "1-D catalog, --bits 6,4": build_report(report_subjects(None, 1, "G"), (6, 4), DATA),
        "fp16 overflow": build_report(overflow, (8,), DATA),
    }


@pytest.fixture
def figures():
    """``draw_figure`` for a test; the figures are closed after it."""
    drawn = []

    def draw(report: Report):
        drawn.append(draw_figure(report))
        return drawn[-1]

    yield draw
    for figure in drawn:
        plt.close(figure)


def labels(axis) -> list:
    """A panel's point names (leader lines are annotations without text)."""
    return [text for text in axis.texts if text.get_text()]


def apart(a, b) -> bool:
    return a.x1 <= b.x0 or b.x1 <= a.x0 or a.y1 <= b.y0 or b.y1 <= a.y0


def inside(box, frame) -> bool:
    return frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1


@pytest.mark.parametrize(
    "name", ["catalog", "--catalog all", "two rows", "one row", "1-D catalog, --bits 6,4", "fp16 overflow"]
)
def test_labels_never_overlap_and_stay_inside_their_panel(reports, figures, name):
    """Measured on the rendered text, at the PNG's dpi and at the SVG's 72."""
    report = reports[name]
    figure = figures(report)
    for dpi in (DPI, 72):
        figure.set_dpi(dpi)
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        for axis, (_, value) in zip(figure.axes, PANELS, strict=True):
            names = labels(axis)
            drawn = [r.subject.name for r in report.rows if np.isfinite(value(r))]
            assert sorted(line for t in names for line in t.get_text().split("\n")) == sorted(drawn)
            boxes = [t.get_window_extent(renderer) for t in names]
            frame = axis.get_window_extent(renderer)
            assert all(inside(box, frame) for box in boxes)
            assert all(apart(a, b) for a, b in itertools.combinations(boxes, 2))
            radius = MARKER_RADIUS * dpi / 72
            for label, box in zip(names, boxes, strict=True):  # no label covers another point's marker
                for other in names:
                    x, y = axis.transData.transform(other.xy)
                    assert other is label or apart(
                        box, Bbox.from_extents(x - radius, y - radius, x + radius, y + radius)
                    )


def int8(row: Row) -> float:
    return row.measured.int_relative[8]


def test_the_legend_names_families_and_kernel_sizes_and_colours_show_the_kernel(reports, figures):
    catalog = figures(reports["catalog"])
    (legend,) = catalog.legends
    entries = {t.get_text(): handle for t, handle in zip(legend.texts, legend.legend_handles, strict=True)}
    assert set(entries) == {"direct", "Winograd F(m,r)", "SFC", "kernel 3x3", "kernel 5x5", "kernel 7x7"}
    colour = {k: tuple(entries[f"kernel {k}x{k}"].get_facecolor()) for k in (3, 5, 7)}
    assert len(set(colour.values())) == 3
    axis = catalog.axes[1]
    for points in axis.collections:  # one scatter per family, in report order
        for xy, face in zip(points.get_offsets(), points.get_facecolors(), strict=True):
            (row,) = [r for r in reports["catalog"].rows if (float(r.subject.reduction), int8(r)) == tuple(xy)]
            assert tuple(face) == colour[row.subject.kernel]
    one_d = figures(reports["1-D catalog, --bits 6,4"])
    assert {"kernel 3", "kernel 5", "kernel 7"} <= {t.get_text() for t in one_d.legends[0].texts}


def test_an_overflowed_figure_is_named_in_the_note_not_drawn(reports, figures, tmp_path):
    fp16, int8 = figures(reports["fp16 overflow"]).axes
    assert fp16.get_title(loc="left") == "not drawn, overflowed (inf): F(12,5)"
    assert [t.get_text() for t in labels(fp16)] == ["direct(5)"]
    assert sum(len(points.get_offsets()) for points in fp16.collections) == 1
    assert sorted(t.get_text() for t in labels(int8)) == ["F(12,5)", "direct(5)"] and int8.get_title(loc="left") == ""
    write_plot(reports["fp16 overflow"], tmp_path / "p.svg")
    assert "not drawn, overflowed (inf): F(12,5)" in (tmp_path / "p.svg").read_text()


def test_a_label_with_no_room_is_named_in_the_note_instead(reports, figures):
    two = reports["two rows"]
    long = dataclasses.replace(two.rows[1], subject=dataclasses.replace(two.rows[1].subject, name="F" * 150))
    for axis in figures(Report([two.rows[0], long], (8,), DATA)).axes:
        assert [t.get_text() for t in labels(axis)] == ["direct(3x3)"]
        assert axis.get_title(loc="left").replace("\n", "") == "no room to label: " + "F" * 150


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_the_same_report_gives_the_same_bytes(reports, tmp_path, suffix):
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    write_plot(reports["catalog"], first)
    write_plot(reports["catalog"], second)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes().startswith(b"\x89PNG" if suffix == ".png" else b"<?xml")


def test_place_labels_keeps_its_rules_or_gives_up():
    """Random crowds: every box inside the frame and GAP from every other; a frame with room for one
    label leaves the second unplaced; the same input gives the same boxes."""
    frame = (0.0, 0.0, 300.0, 200.0)
    for seed in range(20):
        rng = np.random.default_rng(seed)
        anchors = [tuple(p) for p in rng.uniform((0, 0), (300, 200), (25, 2))]
        sizes = [tuple(s) for s in rng.uniform((20, 6), (70, 10), (25, 2))]
        boxes = place_labels(anchors, sizes, frame)
        assert boxes == place_labels(anchors, sizes, frame)
        placed = [b for b in boxes if b is not None]
        assert all(min(x0, y0) >= GAP and x1 <= 300 - GAP and y1 <= 200 - GAP for x0, y0, x1, y1 in placed)
        for a, b in itertools.combinations(placed, 2):
            assert a[2] + GAP <= b[0] or b[2] + GAP <= a[0] or a[3] + GAP <= b[1] or b[3] + GAP <= a[1]
        for box, size in zip(boxes, sizes, strict=True):
            assert box is None or np.allclose((box[2] - box[0], box[3] - box[1]), size)
    assert place_labels([(10, 10), (12, 10)], [(30, 8), (30, 8)], (0, 0, 40, 20))[1] is None
