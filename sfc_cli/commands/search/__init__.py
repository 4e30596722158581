"""``sfc search``: the Pareto front of products per output against error (``options``, ``display``, ``plot``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

import typer

from ...errors import InputError
from ...request import MAX_SAMPLES
from ...search.limits import MAX_KERNEL, MIN_KERNEL, MIN_TILE
from ..common import (
    PROGRESS_LABEL_WIDTH,
    DimsOption,
    QuietOption,
    fail,
    writing_stdout,
    wrote,
)

NAME = "search"
EPILOG = (
    "Examples:\n\n"
    "sfc search --kernel 3\n\n"
    "sfc search --kernel 3 --metric fp16 --max-tile 6 --format json\n\n"
    "sfc search --kernel 5 --budget 60 --plot front.svg"
)


def command(
    kernel: Annotated[
        int, typer.Option("--kernel", "-r", help=f"Kernel size r (per dimension), {MIN_KERNEL} to {MAX_KERNEL}.")
    ] = 3,
    dims: DimsOption = 2,
    max_tile: Annotated[
        int, typer.Option("--max-tile", help=f"Largest output tile tried; tiles start at {MIN_TILE}.")
    ] = 8,
    metric: Annotated[
        Literal["int8", "fp16", "bound"],
        typer.Option(
            "--metric",
            help="Error axis of the front: int8 (measured tap-wise int8 relative RMS), fp16 (measured FP16 error "
            "over direct's) or bound (proved int8 worst-case bound over direct's).",
        ),
    ] = "int8",
    budget: Annotated[
        float | None,
        typer.Option(
            "--budget",
            help="Seconds of screening at most; then the best front so far is re-measured (inf: no budget, "
            "the default).",
        ),
    ] = None,
    samples: Annotated[
        int,
        typer.Option("--samples", help=f"Tiles for re-measuring the front, 1 to {MAX_SAMPLES} (screening uses 512)."),
    ] = 4096,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random data and kernels (0 or more).")] = 0,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes, at most one per core (default: every core).")
    ] = None,
    plot: Annotated[
        str | None, typer.Option("--plot", metavar="<file>", help="Also draw the front to this .png or .svg file.")
    ] = None,
    output_format: Annotated[
        Literal["table", "json", "csv"], typer.Option("--format", help="Tables or a document.")
    ] = "table",
    quiet: QuietOption = False,
) -> None:
    """Search SFC, Winograd and CRT moduli for the Pareto front of products per output against error.

    Every algorithm is derived and verified exactly; each front entry carries the sfc derive command for it.

    The literature's algorithms are marked with what dominates them.
    """
    try:
        from ...search.engine import search as run_search
        from ...search.settings import search_settings
        from ..plotting import check_plot_file

        if plot is not None:
            check_plot_file(plot)
        settings = search_settings(kernel, dims, max_tile, samples, budget, seed, workers)
        with searching_progress(quiet) as on_progress:
            result = run_search(
                settings.candidates, settings.literature, metric, samples, seed, budget, settings.workers, on_progress
            )
    except InputError as error:
        fail(str(error))
    from .display import render_tables, result_csv, result_json

    with writing_stdout():
        if output_format == "table":
            from rich.console import Console

            render_tables(Console(), result)
        else:
            sys.stdout.write(result_json(result) if output_format == "json" else result_csv(result))
    if plot is not None:
        try:
            from .plot import write_plot

            size = write_plot(result, plot)
        except InputError as error:
            fail(str(error))
        wrote(plot, size, quiet)


@contextmanager
def searching_progress(quiet: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar per search stage on stderr (a terminal only, not ``quiet``): ``update(stage, done,
    total)``."""
    if quiet or not sys.stderr.isatty():
        yield lambda stage, done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    columns = (TextColumn(f"{{task.description:<{PROGRESS_LABEL_WIDTH}}}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        yield update
