"""What the benchmark scripts share: how to start `sfc` and how to time a whole cold process."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sfc_command() -> list[str]:
    """The installed `sfc` entry point if there is one, else `python -m sfc_cli`."""
    found = shutil.which("sfc")
    return [found] if found else [sys.executable, "-m", "sfc_cli"]


def median_seconds(args: list[str], runs: int) -> float:
    """Median wall time of ``runs`` whole processes (output discarded), run from the repository root."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)
