"""CSV and Markdown documents of a table, shared by the reports: values in, text out."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def csv_text(keys: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """One header row of ``keys``, then the rows (``None`` as an empty cell), newline-terminated."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(keys)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return out.getvalue()


def markdown_text(headers: Sequence[str], rows: Iterable[Sequence[str]], caption: str) -> str:
    """A pipe table (first column left-aligned, the others right-aligned; newlines and pipes in the headers
    escaped), a blank line, then the caption as its own paragraph."""
    cells = [header.replace("-\n", "").replace("\n", " ").replace("|", "\\|") for header in headers]
    lines = ["| " + " | ".join(cells) + " |", "|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n\n" + caption + "\n"
