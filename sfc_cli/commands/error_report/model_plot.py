"""``sfc error-report --model --plot``: top-1 accuracy against convolution multiplications per image.

One point per row: x the model's convolution multiplications per image, y its top-1 accuracy (agreement
with FP32 when the images are unlabeled). Marker shape gives the family (the tile report's ``FAMILIES``;
int8 direct is "direct"), colour the bit width; one algorithm's widths share an x and are joined by a line,
its name beside its best point, placed as the tile report places its labels (no overlaps; a name with no
room is listed in the note above the panel). FP32 is the dashed line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...models.evaluate import ModelReport, ModelRow
from ..plotting import draw_leaders, place_annotations, write_figure
from .plot import DPI, FAMILIES, LABEL_POINTS, MARKER_AREA, OTHER_COLOURS, STYLE, _add_to_note

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIGURE_SIZE = (8.0, 5.2)
BITS_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", *OTHER_COLOURS)
"""Colours of the bit widths, widest first."""


def _value(report: ModelReport, row: ModelRow) -> float:
    """The y of a row: accuracy (labeled images) or agreement with FP32, in percent."""
    return 100 * (row.accuracy if report.classes is not None and row.accuracy is not None else row.agreement)


def draw_model_figure(report: ModelReport) -> Figure:
    """The plot as a matplotlib Figure (module docstring), to be saved under ``matplotlib.rc_context(STYLE)``."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    figure, axis = plt.subplots(figsize=FIGURE_SIZE, dpi=DPI, layout="constrained")
    widths = sorted({row.bits for row in report.rows if row.kind == "fast"}, reverse=True)
    colours = {bits: BITS_COLOURS[index % len(BITS_COLOURS)] for index, bits in enumerate(widths)}
    reference = next(row for row in report.rows if row.kind == "fp32")
    axis.axhline(_value(report, reference), color="0.5", linestyle="--", linewidth=0.8)
    labels = []
    groups: dict[str, list[ModelRow]] = {}
    for row in report.rows:
        if row.kind != "fp32":
            groups.setdefault(row.name, []).append(row)
    for name, rows in groups.items():
        x = [row.multiplications / 1e6 for row in rows]
        y = [_value(report, row) for row in rows]
        family = "direct" if rows[0].algorithm is None else rows[0].algorithm.family
        marker = FAMILIES[family][0]
        if len(rows) > 1:
            axis.plot(x, y, color="0.75", linewidth=0.8, zorder=1)
        for row, xi, yi in zip(rows, x, y, strict=True):
            colour = "0.35" if row.kind == "direct" else colours[row.bits]
            axis.scatter([xi], [yi], marker=marker, color=colour, s=MARKER_AREA, zorder=2)
        best = max(range(len(rows)), key=lambda index: y[index])
        labels.append(
            axis.annotate(
                name, (x[best], y[best]), textcoords="offset points", xytext=(0, 0), fontsize=LABEL_POINTS,
                color="0.1", ha="left", va="bottom", zorder=4, in_layout=False,
            )
        )  # fmt: skip
    what = "top-1 accuracy (%)" if report.classes is not None else "top-1 agreement with FP32 (%)"
    axis.set_xlabel("convolution multiplications per image (millions)")
    axis.set_ylabel(what)
    axis.grid(True, color="0.9", linewidth=0.6)
    families = {"direct"} | {row.algorithm.family for row in report.rows if row.algorithm is not None}
    handles = [
        Line2D([], [], marker=marker, linestyle="none", color="0.35", markersize=6, label=label)
        for family, (marker, label) in FAMILIES.items()
        if family in families
    ]
    handles += [Line2D([], [], marker="o", linestyle="none", color=c, label=f"int{b}") for b, c in colours.items()]
    handles.append(Line2D([], [], color="0.5", linestyle="--", label="FP32"))
    axis.margins(x=0.08, y=0.08)
    figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    figure.suptitle(
        f"sfc error-report --model {report.model}: {report.evaluated_images} images, calibration "
        f"{report.calibration_images} ({report.method})",
        fontsize=9,
    )
    layout = figure.get_layout_engine()
    figure.set_layout_engine("none")
    while True:
        layout.execute(figure)
        placed, unplaced = place_annotations(axis, labels, 72 / figure.dpi)
        if not unplaced:
            break
        for label in unplaced:
            labels.remove(label)
            label.remove()
            _add_to_note(axis, f"no room to label: {label.get_text()}")
    draw_leaders(axis, placed)
    return figure


def write_model_plot(report: ModelReport, name: str) -> int:
    """``draw_model_figure`` saved as PNG or SVG (``write_figure``); returns the bytes written."""
    return write_figure(lambda: draw_model_figure(report), STYLE, name)
