"""The project's documents (docs/*.md), shipped inside the package as sfc_cli/docs."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError

DOCUMENTS = {"design": "design.md", "error-model": "error-model.md"}
"""What `sfc docs NAME` shows: the design (conventions, mathematics, programs, contracts) and the error model."""


def documents_folder() -> Path:
    """sfc_cli/docs in an installed package, else docs/ of the source checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "docs"
    return installed if installed.is_dir() else package.parent / "docs"


def document_text(name: str) -> str:
    """The Markdown text of one document; InputError for an unknown name."""
    if name not in DOCUMENTS:
        raise InputError(f"unknown document {name!r}: choose {', '.join(DOCUMENTS)}")
    return (documents_folder() / DOCUMENTS[name]).read_text(encoding="utf-8")
