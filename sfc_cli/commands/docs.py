"""``sfc docs NAME``: the project's documents (docs/*.md), shipped inside the package as sfc_cli/docs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError
from .common import encodable, fail, writing_stdout

NAME = "docs"
EPILOG = "Examples:\n\nsfc docs error-model\n\nsfc docs design | less"

DOCUMENTS = {"design": "design.md", "error-model": "error-model.md"}
"""What `sfc docs NAME` shows: the design (conventions, mathematics, programs, contracts) and the error model."""
CONTENTS = {"design": "conventions, mathematics, programs, export contracts", "error-model": "the metrics"}
USAGE = "usage: sfc docs NAME, where NAME is " + " or ".join(f"{name} ({CONTENTS[name]})" for name in DOCUMENTS)


def documents_folder() -> Path:
    """sfc_cli/docs in an installed package, else docs/ of the source checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "docs"
    return installed if installed.is_dir() else package.parent / "docs"


def document_text(name: str) -> str:
    """The Markdown text of one document; InputError for an unknown name."""
    if name not in DOCUMENTS:
        raise InputError(f"unknown document {name!r}: choose {', '.join(DOCUMENTS)}")
    return (documents_folder() / DOCUMENTS[name]).read_text(encoding="utf-8")


def command(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME", show_default=False, help="; ".join(f"{name}: {CONTENTS[name]}" for name in DOCUMENTS) + "."
        ),
    ] = None,
) -> None:
    """Print one of sfc's documents (Markdown, shipped with the package).

    On a stream that is not UTF-8, Greek letters and symbols are spelled in ASCII.

    Without NAME: the usage and the documents, exit code 2."""
    if name is None:
        fail(USAGE)
    try:
        text = document_text(name)
    except InputError as error:
        fail(str(error))
    with writing_stdout():
        sys.stdout.write(encodable(text, sys.stdout.encoding))
