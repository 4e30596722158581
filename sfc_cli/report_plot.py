"""``sfc error-report --plot``: multiplication reduction against measured error (matplotlib, PNG or SVG)."""

from __future__ import annotations

import io
import math
from pathlib import Path

from .analysis.report import Report
from .files import write_atomically

PLOT_SUFFIXES = (".png", ".svg")
MARKERS = {"direct": ("s", "0.3"), "winograd": ("o", "tab:red"), "sfc": ("^", "tab:blue")}


def write_plot(report: Report, path: Path) -> None:
    """Two panels (fp16_normalized, int8_relative) against reduction, log error axes, one labelled point
    per algorithm; an overflowed (inf) figure is named in a note instead of drawn. Deterministic output:
    no dates in the metadata, fixed SVG ids. Written atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.hashsalt": "sfc-error-report", "svg.fonttype": "none"}):
        figure, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
        panels = (
            ("fp16 error / direct fp16 error", lambda r: r.measured.fp16_normalized),
            ("int8 relative RMS error (tap-wise)", lambda r: r.measured.int_relative[8]),
        )
        for axis, (label, value) in zip(axes, panels, strict=True):
            drawn = [r for r in report.rows if math.isfinite(value(r))]
            for family, (marker, color) in MARKERS.items():
                rows = [r for r in drawn if r.subject.family == family]
                if rows:
                    xs = [float(r.subject.reduction) for r in rows]
                    axis.scatter(xs, [value(r) for r in rows], marker=marker, color=color, label=family)
            for row in drawn:
                point = (float(row.subject.reduction), value(row))
                axis.annotate(row.subject.name, point, textcoords="offset points", xytext=(4, 3), fontsize=7)
            overflowed = [r.subject.name for r in report.rows if r not in drawn]
            if overflowed:
                note = "not drawn, overflowed (inf): " + ", ".join(overflowed)
                axis.text(0.02, 0.02, note, transform=axis.transAxes, fontsize=7, wrap=True)
            axis.set_yscale("log")
            axis.set_xlabel("multiplication reduction (direct / fast products)")
            axis.set_ylabel(label)
            axis.grid(True, which="both", alpha=0.3)
        if axes[0].get_legend_handles_labels()[0]:  # empty when every fp16 figure overflowed
            axes[0].legend()
        data = report.data.describe()
        figure.suptitle(f"sfc error-report: {data['source']}, {data['samples']} tiles, seed {data['seed']}", fontsize=9)
        metadata = {"Date": None} if path.suffix.lower() == ".svg" else {"Software": None}
        buffer = io.BytesIO()
        figure.savefig(buffer, format=path.suffix.lower()[1:], metadata=metadata)
        plt.close(figure)
    write_atomically(path, buffer.getvalue())
