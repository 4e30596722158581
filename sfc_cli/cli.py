"""The `sfc` command line: parses options, calls the library, prints. Nothing else lives here.

Conventions: data (JSON, CSV, exports) and tables go to stdout or to a file (-o, --plot); progress (only
when stderr is a terminal) and "wrote FILE" lines go to stderr. Bad input and failed writes are one line
"sfc: error: ..." on stderr with exit code 2; a closed pipe (``sfc derive | head -1``) ends the command
quietly with exit code 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, NoReturn

import typer

from .algebra.bilinear import FractionsIn
from .errors import InputError
from .options import MAX_SAMPLES, AlgorithmFamily, AlgorithmRequest

if TYPE_CHECKING:
    from .algorithm import Algorithm

app = typer.Typer(
    add_completion=False,
    help="Derive, analyse and export fast-convolution transforms (SFC, Winograd, any CRT moduli), exactly.",
    epilog="Example: sfc derive --tile 6 --kernel 3",
)

AlgoOption = Annotated[AlgorithmFamily, typer.Option("--algo", help="Algorithm family.")]
TileOption = Annotated[int, typer.Option("--tile", "-m", help="Output tile size m (per dimension).")]
KernelOption = Annotated[int, typer.Option("--kernel", "-r", help="Kernel size r (per dimension).")]
DftOption = Annotated[
    int | None,
    typer.Option(
        "--dft",
        help="SFC: DFT size N (default: the fewest 2-D products among the additions-only sizes 2, 3, 4 and 6, "
        "then the fewest 1-D products; derive says when another N needs fewer).",
    ),
]
CorrectionsOption = Annotated[
    str | None, typer.Option("--corrections", help="SFC: correction terms LEFT,RIGHT, e.g. 1,1.")
]
PointsOption = Annotated[
    str | None, typer.Option("--points", help="Winograd: rational points and inf, e.g. 0,1,-1,1/2,-2,inf.")
]
ModuliOption = Annotated[
    str | None,
    typer.Option(
        "--moduli",
        help="CRT: pairwise coprime polynomials in x with rational coefficients and inf, degrees adding up to "
        'tile + kernel - 1, e.g. "x, x-1, x+1, x^2+1, inf" (with --corrections L,R: x^L and inf^R are added).',
    ),
]
DimsOption = Annotated[int, typer.Option("--dims", help="1 or 2 dimensions.")]
FractionsOption = Annotated[
    FractionsIn,
    typer.Option(
        "--fractions-in", case_sensitive=False, metavar="<G|A|B>", help="Matrix that holds the fractions (any case)."
    ),
]
OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output", "-o", metavar="<file>", help="Write this file instead of stdout (atomically when a regular file)."
    ),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Nothing on stderr but errors: no progress, no 'wrote FILE' line.")
]


def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        print(f"sfc {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_print_version, help="Print the version and exit.")
    ] = False,
) -> None:
    """Derive, analyse and export fast-convolution transforms (SFC and Winograd), exactly."""


MIN_TABLE_WIDTH = 80
"""derive's tables need this many columns; a narrower terminal gets wrapped lines, never cut numbers."""


def fail(message: str) -> NoReturn:
    """One line on stderr, exit code 2."""
    print(f"sfc: error: {message}", file=sys.stderr)
    raise typer.Exit(2)


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that what is left in its buffer goes nowhere at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@contextmanager
def writing_stdout() -> Iterator[None]:
    """Around everything a command writes to stdout; flushes at the end, so that a late failure is caught
    here too. A closed pipe ends the command quietly (exit code 1, as rich does for its tables); any other
    write error (a full disk) is one line, exit code 2."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
        raise typer.Exit(1) from None
    except OSError as error:
        _discard_stdout()
        fail(f"cannot write to stdout: {error.strerror or error}")


def wrote(name: str, size: int, quiet: bool) -> None:
    """Say on stderr which file was written, and how many bytes (unless ``quiet``)."""
    if not quiet:
        print(f"sfc: wrote {name} ({size:,} bytes)", file=sys.stderr)


PROGRESS_LABEL_WIDTH = 26
"""Columns the progress bar keeps for its label (the longest: 'finding transform programs')."""


@contextmanager
def progress(total: int, first: str, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A transient progress bar on stderr, drawn only when stderr is a terminal and not ``quiet``: it shows
    ``first``; each ``step(label)`` counts one of ``total`` units done and shows ``label``."""
    if quiet or not sys.stderr.isatty():
        yield lambda label: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    label = TextColumn(f"{{task.description:<{PROGRESS_LABEL_WIDTH}}}")
    columns = (SpinnerColumn(), label, BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(first, total=total)
        yield lambda label: bar.update(task, advance=1, description=label)


DERIVING = "deriving and verifying"
"""The first phase of derive and export, followed by ``derive_with_programs``' own step."""


def derive_with_programs(request: AlgorithmRequest, step: Callable[[str], None]) -> Algorithm:
    """Derive and verify the algorithm, then (one progress step) find the transform programs of every
    dimension, which every output shows: they are cached on the algorithm."""
    from .options import build_algorithm

    algorithm = build_algorithm(request)
    step("finding transform programs")
    for dims in range(1, algorithm.dims + 1):
        algorithm.programs(dims)
    return algorithm


@app.command(
    epilog="Examples:\n\n"
    "sfc derive --tile 6 --kernel 3\n\n"
    "sfc derive --algo winograd --tile 4 --points 0,1,-1,2,-2,inf\n\n"
    'sfc derive --algo crt --tile 4 --moduli "x, x-1, x+1, x^2+1, inf"\n\n'
    "sfc derive --tile 7 --kernel 3 --dft 6 --corrections 1,2 --format json"
)
def derive(
    algo: AlgoOption = "sfc",
    tile: TileOption = 6,
    kernel: KernelOption = 3,
    dft: DftOption = None,
    corrections: CorrectionsOption = None,
    points: PointsOption = None,
    moduli: ModuliOption = None,
    dims: DimsOption = 2,
    fractions_in: FractionsOption = "G",
    output_format: Annotated[
        Literal["table", "json"], typer.Option("--format", help="The rich display or the JSON document.")
    ] = "table",
) -> None:
    """Derive an SFC, Winograd or CRT-moduli algorithm exactly, verify it, and show AT, G, BT and its costs."""
    request = AlgorithmRequest(algo, tile, kernel, dft, corrections, points, dims, fractions_in, moduli)
    try:
        with progress(2, DERIVING) as step:
            algorithm = derive_with_programs(request, step)
    except InputError as error:
        fail(str(error))
    with writing_stdout():
        if output_format == "json":
            from .export.jsonio import algorithm_json

            sys.stdout.write(algorithm_json(algorithm))
            return
        from rich.console import Console

        from .display import render_algorithm

        console = Console()
        console.width = max(console.width, MIN_TABLE_WIDTH)  # narrower terminals wrap lines, never cut numbers
        render_algorithm(console, algorithm, request.chooses_automatically)


@app.command(
    epilog="Examples:\n\n"
    "sfc export --format c -o sfc6.h\n\n"
    "sfc export --format verilog --tile 4 --name sfc4 --width 8 -o sfc4.v\n\n"
    "sfc export --format json --algo winograd --tile 4 --points 0,1,-1,2,-2,inf"
)
def export(
    algo: AlgoOption = "sfc",
    tile: TileOption = 6,
    kernel: KernelOption = 3,
    dft: DftOption = None,
    corrections: CorrectionsOption = None,
    points: PointsOption = None,
    moduli: ModuliOption = None,
    dims: DimsOption = 2,
    fractions_in: FractionsOption = "G",
    output_format: Annotated[
        Literal["c", "verilog", "json"], typer.Option("--format", help="A C header, Verilog or the JSON document.")
    ] = "c",
    output: OutputOption = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Identifier prefix (default from the algorithm, e.g. sfc6_6x6_3x3).")
    ] = None,
    template_dir: Annotated[
        Path | None, typer.Option("--template-dir", help="Directory whose templates override the bundled ones.")
    ] = None,
    width: Annotated[int | None, typer.Option("--width", help="Verilog: default input width IN_W (8).")] = None,
    quiet: QuietOption = False,
) -> None:
    """Export a verified algorithm as a C header, Verilog or JSON, rendered from Jinja2 templates.

    Standard output and -o FILE get the same bytes (UTF-8).
    """
    request = AlgorithmRequest(algo, tile, kernel, dft, corrections, points, dims, fractions_in, moduli)
    try:
        from .export.render import export_request, render
        from .files import check_writable, write_output

        options = export_request(output_format, name, width)
        if output is not None:
            check_writable(output)
        with progress(3, DERIVING, quiet) as step:
            algorithm = derive_with_programs(request, step)
            step(f"rendering {output_format}")
            text = render(algorithm, options, template_dir)
        if output is not None:
            wrote(output, write_output(output, text), quiet)
            return
    except InputError as error:
        fail(str(error))
    with writing_stdout():
        sys.stdout.buffer.write(text.encode("utf-8"))


ReportAlgoOption = Annotated[
    AlgorithmFamily | None, typer.Option("--algo", help="Report on one algorithm of this family.")
]
ReportTileOption = Annotated[int | None, typer.Option("--tile", "-m", help="Output tile size m (per dimension).")]
ReportKernelOption = Annotated[int | None, typer.Option("--kernel", "-r", help="Kernel size r (per dimension).")]
CatalogOption = Annotated[
    Literal["paper", "all"] | None,
    typer.Option(
        "--catalog",
        help="Rows of the report: paper (the default) = direct convolution and the paper's Winograd and SFC "
        "algorithms; all = also the literature's Winograd points (Barabasz et al., NOVA, wincnn issue 1), "
        "each named with its source (JSON: 'source'). An error with an algorithm option (--algo, --tile, ...).",
    ),
]


@app.command(
    "error-report",
    epilog="Examples:\n\n"
    "sfc error-report\n\n"
    "sfc error-report --bits 8,6,4 --format markdown\n\n"
    "sfc error-report --catalog all --format json\n\n"
    "sfc error-report --image builtin --plot errors.svg\n\n"
    "sfc error-report --tile 6 --kernel 3 --samples 20000 --seed 1 --format json",
)
def error_report(
    catalog: CatalogOption = None,
    algo: ReportAlgoOption = None,
    tile: ReportTileOption = None,
    kernel: ReportKernelOption = None,
    dft: DftOption = None,
    corrections: CorrectionsOption = None,
    points: PointsOption = None,
    moduli: ModuliOption = None,
    dims: DimsOption = 2,
    fractions_in: FractionsOption = "G",
    bits: Annotated[
        str, typer.Option("--bits", help="Bit widths for bounds and int errors, e.g. 8,6,4 (2..16).")
    ] = "8",
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            help=f"Output tiles measured per algorithm, 1 to {MAX_SAMPLES} (time grows with the count; memory "
            "does not, tiles are measured in batches).",
        ),
    ] = 4096,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random data and kernels.")] = 0,
    image: Annotated[
        str | None,
        typer.Option(
            "--image",
            help="Measure on this grayscale image (PGM, PNG) instead of random data; 'builtin' "
            "is the photograph shipped with sfc.",
        ),
    ] = None,
    plot: Annotated[
        str | None,
        typer.Option("--plot", metavar="<file>", help="Also draw reduction against error to this .png or .svg file."),
    ] = None,
    output_format: Annotated[
        Literal["table", "json", "csv", "markdown"], typer.Option("--format", help="Tables or a document.")
    ] = "table",
    quiet: QuietOption = False,
) -> None:
    """Products saved against accuracy lost: conditioning, proved int bounds and measured errors, side by side.

    With no algorithm option: direct convolution and the paper's Winograd and SFC algorithms.
    --catalog all adds the literature's Winograd points, each row with its source.
    With any of --algo, --tile, --kernel, --dft, --corrections, --points, --moduli: that one algorithm (like derive).
    """
    try:
        from .analysis.report import build_report, progress_steps
        from .report_options import report_settings, report_subjects, single_request

        settings = report_settings(bits, samples, seed, image, plot)
        chosen = {"algo": algo, "tile": tile, "kernel": kernel, "dft": dft, "corrections": corrections}
        request = single_request(dims, fractions_in, points=points, moduli=moduli, **chosen)
        subjects = report_subjects(request, dims, fractions_in, catalog)
        with progress(progress_steps(subjects, settings.data), "error-report", quiet) as step:
            report = build_report(subjects, settings.bits, settings.data, step)
    except InputError as error:
        fail(str(error))
    from .report_display import encodable, render_table, report_csv, report_json, report_markdown

    with writing_stdout():
        if output_format == "table":
            render_table(report)
        else:
            writers = {"json": report_json, "csv": report_csv, "markdown": report_markdown}
            sys.stdout.write(encodable(writers[output_format](report), sys.stdout.encoding))
    if settings.plot is not None:
        from .report_plot import write_plot

        try:
            size = write_plot(report, Path(settings.plot))
        except InputError as error:
            fail(str(error))
        wrote(settings.plot, size, quiet)


@app.command(
    epilog="Examples:\n\n"
    "sfc search --kernel 3\n\n"
    "sfc search --kernel 3 --metric fp16 --max-tile 6 --format json\n\n"
    "sfc search --kernel 5 --budget 60 --plot front.svg"
)
def search(
    kernel: KernelOption = 3,
    dims: DimsOption = 2,
    max_tile: Annotated[int, typer.Option("--max-tile", help="Largest output tile tried; tiles start at 2.")] = 8,
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
        typer.Option("--budget", help="Seconds of screening at most; then the best front so far is re-measured."),
    ] = None,
    samples: Annotated[
        int, typer.Option("--samples", help="Tiles for re-measuring the front (screening uses 512).")
    ] = 4096,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random data and kernels.")] = 0,
    workers: Annotated[int | None, typer.Option("--workers", help="Processes (default: every core).")] = None,
    plot: Annotated[
        str | None, typer.Option("--plot", metavar="<file>", help="Also draw the front to this .png or .svg file.")
    ] = None,
    output_format: Annotated[
        Literal["table", "json", "csv"], typer.Option("--format", help="Tables or a document.")
    ] = "table",
    quiet: QuietOption = False,
) -> None:
    """Search SFC, Winograd and CRT moduli for the Pareto front of products per output against error.

    Every algorithm is derived and verified exactly; each front entry carries the sfc derive command that
    reproduces it, and the literature's algorithms are marked with what dominates them.
    """
    try:
        from .search.engine import search as run_search
        from .search_options import search_settings

        settings = search_settings(kernel, dims, max_tile, samples, budget, workers, plot)
        with searching_progress(quiet) as on_progress:
            result = run_search(
                settings.candidates, settings.literature, metric, samples, seed, budget, workers, on_progress
            )
    except InputError as error:
        fail(str(error))
    from .search_display import render_tables, result_csv, result_json, write_plot

    with writing_stdout():
        if output_format == "table":
            from rich.console import Console

            render_tables(Console(), result)
        else:
            sys.stdout.write(result_json(result) if output_format == "json" else result_csv(result))
    if plot is not None:
        try:
            size = write_plot(result, Path(plot))
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


@app.command(epilog="Examples:\n\nsfc docs error-model\n\nsfc docs design | less")
def docs(
    name: Annotated[
        Literal["design", "error-model"],
        typer.Argument(help="design: conventions, mathematics, programs, export contracts; error-model: the metrics."),
    ],
) -> None:
    """Print one of sfc's documents (Markdown, shipped with the package)."""
    from .documents import document_text

    with writing_stdout():
        sys.stdout.write(document_text(name))


BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""One BLAS thread unless the user says otherwise: sfc's float matrices are small (at most a few hundred
rows), and threaded BLAS on them is slower, several times so when processes share the cores (a search
runs one process per core): 5.7 ms against 44 ms for one 8x8 measurement on a busy 2-core machine."""


def main() -> None:
    """Entry point: usage errors (bad option values, unknown options or commands) are one line, exit 2."""
    for variable in BLAS_THREADS:  # before numpy loads BLAS (nothing here imports it before a command runs)
        os.environ.setdefault(variable, "1")
    args = sys.argv[1:] or ["--help"]
    try:
        code = typer.main.get_command(app).main(args, prog_name="sfc", standalone_mode=False)
    except typer.TyperException as error:  # typer's click usage errors
        print(f"sfc: error: {error.format_message()}", file=sys.stderr)  # type: ignore[attr-defined]
        code = getattr(error, "exit_code", 2)
    except typer.Abort:
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
