"""The `sfc` entry point: registers the commands of ``sfc_cli.commands`` and runs one. Nothing else lives here."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from .commands import derive, docs, error_report, export, quantize, search
from .commands.common import HelpCommand, HelpGroup, end_workers_on_signals, writing_stdout

app = typer.Typer(
    cls=HelpGroup,
    add_completion=False,
    help="Derive, analyse and export fast-convolution transforms (SFC, Winograd, any CRT moduli), exactly.",
    epilog="Example: sfc derive --tile 6 --kernel 3",
)

COMMANDS = (derive, export, error_report, quantize, search, docs)
"""In the order ``sfc --help`` lists them."""

for module in COMMANDS:
    app.command(module.NAME, epilog=module.EPILOG, cls=HelpCommand)(module.command)


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


BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""One BLAS thread unless the user says otherwise: sfc's float matrices are small (at most a few hundred
rows), and threaded BLAS on them is slower, several times so when processes share the cores (a search
runs one process per core): 5.7 ms against 44 ms for one 8x8 measurement on a busy 2-core machine."""


def main() -> None:
    """Entry point: usage errors (bad option values, unknown options or commands) are one line, exit 2."""
    for variable in BLAS_THREADS:  # before numpy loads BLAS (nothing here imports it before a command runs)
        os.environ.setdefault(variable, "1")
    end_workers_on_signals()
    args = sys.argv[1:] or ["--help"]
    try:
        with writing_stdout():  # help and version too: a full disk is one line, a closed pipe quiet
            code = typer.main.get_command(app).main(args, prog_name="sfc", standalone_mode=False)
    except typer.TyperException as error:  # typer's click usage errors
        print(f"sfc: error: {error.format_message()}", file=sys.stderr)  # type: ignore[attr-defined]
        code = getattr(error, "exit_code", 2)
    except typer.Exit as error:
        code = error.exit_code
    except typer.Abort:
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
