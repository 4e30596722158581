"""``sfc search`` output: the front and the literature as tables, JSON and CSV (the plot: ``plot``)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from ...search.engine import METRIC_NAMES, SCREEN_MARGIN, LiteratureEntry, Scored, SearchResult


def _figure(value: float) -> str:
    return "inf" if value == float("inf") else f"{value:.4g}"


def _command(scored: Scored) -> str:
    """The candidate's command, with --fractions-in where FP16 does best when that is elsewhere: int8 and
    the bound do not depend on the placement, so the command reproduces all three figures."""
    placed = scored.score.fp16_fractions_in
    return scored.candidate.command + ("" if placed == scored.fractions_in else f" --fractions-in {placed}")


def _entry(scored: Scored) -> dict[str, Any]:
    score, request = scored.score, scored.candidate.request
    return {
        "name": scored.name,
        "family": request.algo,
        "tile": request.tile,
        "kernel": request.kernel,
        "products": score.products,
        "products_per_output": str(score.products_per_output),
        "int8_relative": score.int8,
        "fp16_normalized": score.fp16,
        "fp16_fractions_in": score.fp16_fractions_in,
        "bound_int8_relative": score.bound,
        "literature": scored.candidate.literature,
        "command": _command(scored),
    }


def result_dict(result: SearchResult) -> dict[str, Any]:
    """JSON-ready, deterministic: no timings (a budgeted run says only whether the budget stopped it)."""
    return {
        "kernel": result.kernel,
        "dims": result.dims,
        "max_tile": result.max_tile,
        "metric": result.metric,
        "screening_samples": result.screening_samples,
        "samples": result.samples,
        "seed": result.seed,
        "candidates": result.candidates,
        "pruned": result.pruned,
        "scored": result.scored,
        "undefined": result.undefined,
        "stopped_by_budget": result.out_of_time,
        "near_front": result.near_front,
        "front": [_entry(s) for s in result.front],
        "literature": [
            {
                **_entry(e.scored),
                "source": e.scored.candidate.source,
                "on_front": any(e.scored is f for f in result.front),
                "same_as": None if e.same_as is None else e.same_as.name,
                "dominated_by": [f.name for f in e.dominated_by],
                "dominated_by_commands": [_command(f) for f in e.dominated_by],
            }
            for e in result.literature
        ],
    }


def result_json(result: SearchResult) -> str:
    return json.dumps(result_dict(result), indent=2, ensure_ascii=False) + "\n"


CSV_FIELDS = (
    "kind",
    "name",
    "family",
    "tile",
    "products",
    "products_per_output",
    "int8_relative",
    "fp16_normalized",
    "fp16_fractions_in",
    "bound_int8_relative",
    "literature",
    "dominated_by",
    "command",
)


def result_csv(result: SearchResult) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for scored in result.front:
        writer.writerow({"kind": "front", **_entry(scored)})
    for entry in result.literature:
        names = "; ".join(f.name for f in entry.dominated_by)
        writer.writerow({"kind": "literature", **_entry(entry.scored), "dominated_by": names})
    return out.getvalue()


def _status(result: SearchResult, entry: LiteratureEntry) -> str:
    if any(entry.scored is f for f in result.front):
        return "on the front"
    if entry.same_as is not None:
        rank = result.front.index(entry.same_as) + 1
        if entry.same_as.fractions_in != entry.scored.fractions_in:
            return f"the same algorithm as #{rank}, fractions in {entry.same_as.fractions_in} there"
        return f"the same algorithm as #{rank}"
    return "dominated by " + ", ".join(f"#{result.front.index(f) + 1}" for f in entry.dominated_by)


def render_tables(console: Console, result: SearchResult) -> None:
    metric = METRIC_NAMES[result.metric]
    title = (
        f"Pareto front, {result.dims}-D, kernel {result.kernel}, tiles 2..{result.max_tile}: products per output "
        f"against {metric} ({result.samples} tiles, seed {result.seed})"
    )
    starred = any(scored.candidate.literature for scored in result.front)
    legend = ["* published (the literature table below)"] if starred else []
    if any(s.score.fp16_fractions_in != s.fractions_in for s in result.front):
        legend.append("fp16 (A), (B): measured with the fractions in A or B, where FP16 does best")
    table = Table(title=title, title_justify="left", caption="; ".join(legend) or None)
    for header in ("#", "algorithm", "prod./out", "prod.", "int8", "fp16", "bound"):
        table.add_column(header, justify="left" if header == "algorithm" else "right")
    for rank, scored in enumerate(result.front, 1):
        s = scored.score
        table.add_row(
            str(rank),
            scored.name + (" *" if scored.candidate.literature else ""),
            f"{float(s.products_per_output):.3f}",
            str(s.products),
            _figure(s.int8),
            _figure(s.fp16) + ("" if s.fp16_fractions_in == scored.fractions_in else f" ({s.fp16_fractions_in})"),
            _figure(s.bound),
        )
    console.print(table)
    for rank, scored in enumerate(result.front, 1):
        console.print(f"#{rank}: {_command(scored)}", soft_wrap=True, highlight=False)
    literature = Table(title="The literature's algorithms against the front", title_justify="left")
    for header in ("algorithm", "products/output", metric, "status"):
        literature.add_column(header, justify="right" if header == "products/output" else "left")
    for entry in result.literature:
        s = entry.scored.score
        literature.add_row(
            entry.scored.candidate.literature or entry.scored.name,
            f"{float(s.products_per_output):.3f}",
            _figure(s.error(result.metric)),
            _status(result, entry),
        )
    console.print(literature)
    stopped = "; the budget stopped the screening early" if result.out_of_time else ""
    console.print(
        f"{result.candidates} candidates: {result.pruned} pruned (no fewer products than direct), "
        f"{result.scored} derived, verified exactly and screened on {result.screening_samples} tiles, "
        f"{result.undefined} with an undefined figure{stopped}; the {result.near_front} within "
        f"{SCREEN_MARGIN:.0%} of the screening front and the literature re-measured on {result.samples} tiles.",
        highlight=False,
    )
