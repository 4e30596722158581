"""What every command's --plot shares: the file check made before any work."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..files import check_writable

PLOT_SUFFIXES = (".png", ".svg")


def check_plot_file(name: str) -> None:
    """Before any work: raises InputError unless ``name`` is a .png or .svg file that can be written."""
    if Path(name).suffix.lower() not in PLOT_SUFFIXES:
        raise InputError(f"--plot writes {' or '.join(PLOT_SUFFIXES)} files, got {Path(name).name!r}")
    check_writable(name)
