"""Helpers shared by the tests: running the real command line."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def run_sfc(*args: str, cwd: str | None = None) -> Run:
    """Run the real command line in a fresh process (python -m sfc_cli)."""
    proc = subprocess.run([sys.executable, "-m", "sfc_cli", *args], capture_output=True, text=True, cwd=cwd)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def one_error_line(run: Run) -> str:
    """The run failed as bad input must: exit 2, nothing on stdout, one 'sfc: error:' line on stderr."""
    assert run.code == 2 and run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sfc: error: "), run.stderr
    return lines[0]
