"""What every command shares: the algorithm option types, one-line errors, stdout handling and progress.

Conventions: data (JSON, CSV, exports) and tables go to stdout or to a file (-o, --plot); progress (only
when stderr is a terminal) and "wrote FILE" lines go to stderr. Bad input and failed writes are one line
"sfc: error: ..." on stderr with exit code 2 (help and version on a full disk too).

A closed pipe, one rule everywhere (tables, documents, --help, --version, ``-o /dev/stdout``, a FIFO whose
reader left): the command ends quietly, nothing on stderr, exit code 1, the convention of Python's own
documentation (signal module, "Note on SIGPIPE"), click and rich. Output that was all in the pipe before
its reader left was written: exit code 0 (``sfc derive --format json | head -1``, whose few kilobytes fit
the pipe's buffer, usually; sfc cannot know what the reader did with them).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn, get_args

import typer

from ..algebra.bilinear import FractionsIn
from ..request import AlgorithmFamily

if TYPE_CHECKING:
    from ..algorithm import Algorithm
    from ..request import AlgorithmRequest


class OptionRefused(typer.BadParameter):
    """A usage error whose message names the option itself (shown as is, like sfc's other errors)."""

    def format_message(self) -> str:
        return self.message


def any_case(option: str, choices: tuple[str, ...]) -> Callable[[str | None], str | None]:
    """An option callback: one of ``choices`` in any case, returned as ``choices`` spell it (None stays None);
    anything else is a usage error naming the choices as the help shows them."""
    spelled = {choice.lower(): choice for choice in choices}

    def check(value: str | None) -> str | None:
        if value is None or value.lower() in spelled:
            return None if value is None else spelled[value.lower()]
        listed = ", ".join(choices[:-1]) + f" or {choices[-1]}"
        raise OptionRefused(f"{option} must be {listed} (any case), got {value!r}")

    return check


ALGO_METAVAR = "<" + "|".join(get_args(AlgorithmFamily)) + ">"
check_algo = any_case("--algo", get_args(AlgorithmFamily))
AlgoOption = Annotated[
    str, typer.Option("--algo", metavar=ALGO_METAVAR, callback=check_algo, help="Algorithm family (any case).")
]
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
    str,
    typer.Option(
        "--fractions-in",
        metavar="<" + "|".join(get_args(FractionsIn)) + ">",
        callback=any_case("--fractions-in", get_args(FractionsIn)),
        help="Matrix that holds the fractions (any case).",
    ),
]
OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="<file>",
        help="Write this file instead of stdout (atomically when a regular file; '-' is stdout).",
    ),
]
STDOUT = "-"
"""The name -o takes for standard output, as usual."""


def output_file(output: str | None) -> str | None:
    """The file ``-o`` names; None for standard output (no -o, or ``STDOUT``)."""
    return None if output == STDOUT else output


QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Nothing on stderr but errors: no progress, no 'wrote FILE' line.")
]
TableFormat = Literal["table", "json", "csv", "markdown"]


class _FlagsTakeNoValue:
    """Help lists flags (--quiet, --help) without a value type: they take none."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False):
                param.metavar = ""
        return params


class HelpGroup(_FlagsTakeNoValue, typer.core.TyperGroup):
    """sfc itself (``typer.Typer(cls=...)``)."""


class HelpCommand(_FlagsTakeNoValue, typer.core.TyperCommand):
    """Every command (``app.command(cls=...)``)."""


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


ASCII_SPELLINGS = str.maketrans(
    {
        "κ": "kappa", "×": "x", "±": "+-", "β": "beta", "γ": "gamma", "σ": "sigma", "Δ": "Delta", "Σ": "Sum",
        "≤": "<=", "≈": "~", "·": "*", "⊗": "(x)", "∘": "o", "∈": "in", "²": "^2", "ᵀ": "^T", "∎": "QED",
        "\N{COMBINING CIRCUMFLEX ACCENT}": "^", "Û": "U^", "Ŷ": "Y^",
    }
)  # fmt: skip
"""How sfc's own non-ASCII characters (tables, captions, the documents) read on a stream that cannot take them."""


def encodable(text: str, encoding: str) -> str:
    """``text`` as a stream in ``encoding`` can take it. The rule is rich's for its table rules (ASCII
    unless the encoding is UTF-*), so derive's tables and the others agree: a non-UTF stream gets sfc's
    own characters spelled out (κ, × and ± as kappa, x and +-: ``ASCII_SPELLINGS``), and any other
    non-ASCII character (of an image's name) as a backslash escape; a UTF stream gets undecodable bytes
    of file names (surrogates) as escapes."""
    if not encoding.lower().startswith("utf"):
        text, encoding = text.translate(ASCII_SPELLINGS), "ascii"
    return text.encode(encoding, "backslashreplace").decode(encoding)


ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""Signals that end a command as Ctrl-C does (SIGINT reaches the workers itself: they share the terminal's
process group; these are sent to sfc alone)."""


def _end_by_signal(number: int, frame: FrameType | None) -> NoReturn:
    """Kill the worker processes (they hold nothing to save), then unwind this one, so that temporary files
    are removed; exit code 128 + the signal's number, as a shell reports a command a signal ended."""
    import multiprocessing

    for child in multiprocessing.active_children():
        child.kill()
    raise SystemExit(128 + number)


def end_workers_on_signals() -> None:
    """From now on, SIGTERM and SIGHUP end the command and every worker process it started: none outlives it."""
    for number in ENDING_SIGNALS:
        signal.signal(number, _end_by_signal)


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
    from ..request import build_algorithm

    algorithm = build_algorithm(request)
    step("finding transform programs")
    for dims in range(1, algorithm.dims + 1):
        algorithm.programs(dims)
    return algorithm


def print_report(output_format: str, table: Callable[[], None], documents: Mapping[str, Callable[[], str]]) -> None:
    """A report on stdout: ``table()`` draws the rich table, else the document ``documents[output_format]()``
    is written in the stream's encoding (``encodable``)."""
    with writing_stdout():
        if output_format == "table":
            table()
        else:
            sys.stdout.write(encodable(documents[output_format](), sys.stdout.encoding))
