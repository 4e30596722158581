"""Careless and hostile input to the command line (issue 14): full disks and closed pipes on every path
(help and version included), non-UTF-8 streams, odd paths, signals, images that are not files or too large,
out-of-range numbers, and the help texts."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from .helpers import Run

SFC = (sys.executable, "-m", "sfc_cli")
JSON_EXPORT = ("export", "--tile", "2", "--dims", "1", "--format", "json")


def run_to(args: tuple[str, ...], stdout: int, env: dict[str, str] | None = None) -> Run:
    """Run sfc with stdout on the given descriptor; stderr read back."""
    proc = subprocess.run([*SFC, *args], stdout=stdout, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    return Run(proc.returncode, "", proc.stderr.decode())


def closed_pipe_run(*args: str) -> Run:
    """Run sfc writing to a pipe whose reader has already gone (`sfc ... | head -1` once head has exited)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return run_to(args, write_end)
    finally:
        os.close(write_end)


# --- item 3 and 9: full disks and closed pipes, help and version included -------------------------------


@pytest.mark.parametrize("args", [("--help",), ("derive", "--help"), ("--version",)])
def test_help_and_version_on_a_full_disk_are_one_line(args):
    with open("/dev/full", "wb") as full:
        run = run_to(args, full.fileno())
    assert (run.code, run.stderr) == (2, "sfc: error: cannot write to stdout: No space left on device\n")


@pytest.mark.parametrize(
    "args",
    [("--help",), ("search", "--help"), ("--version",), JSON_EXPORT, (*JSON_EXPORT, "-o", "/dev/stdout")],
    ids=["help", "command help", "version", "export", "export -o /dev/stdout"],
)
def test_a_closed_pipe_ends_quietly_with_exit_1_on_every_path(args):
    assert closed_pipe_run(*args) == Run(1, "", "")


# --- item 4: documents on a stream that is not UTF-8 --------------------------------------------------


@pytest.mark.parametrize(("name", "encoding"), [("design", "ascii"), ("error-model", "latin-1"), ("design", "cp1252")])
def test_documents_are_transliterated_on_a_non_utf8_stdout(name, encoding):
    proc = subprocess.run([*SFC, "docs", name], capture_output=True, env={**os.environ, "PYTHONIOENCODING": encoding})
    assert (proc.returncode, proc.stderr) == (0, b"")
    text = proc.stdout.decode("ascii")
    assert "+-" in text and ("kappa" in text) == (name == "error-model")
    assert not re.search(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4})", text)  # every character spelled out, none escaped
