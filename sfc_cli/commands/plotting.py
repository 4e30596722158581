"""What every command's --plot shares: the file check made before any work, and saving the figure.

The format follows the name's suffix, .png or .svg; a name without one that is written through (a device,
a FIFO, ``/dev/stdout``: ``sfc_cli.files``) gets SVG.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..files import check_writable, output_target, write_output

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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


def save_figure(figure: Figure, name: str) -> int:
    """The figure as PNG or SVG (``plot_format``) written with ``write_output``; returns the bytes written.
    Deterministic: no date or software version in the metadata (SVG ids are fixed by the caller's
    ``svg.hashsalt``)."""
    import io

    fmt = plot_format(name)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else {"Software": None})
    return write_output(name, buffer.getvalue())
