"""Speed of export (issue 4 target). Prints figures; asserts nothing.

    python benchmarks/bench_export.py

Target on a 2-core machine: a cold `sfc export --format verilog` process for SFC-6(6x6,3x3) (the
default algorithm) in under 1.5 s. The other formats are shown for comparison. Whole-process times
are the median of several runs; the output goes to a file, as a user would write it.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7
TARGET_SECONDS = 1.5


def command() -> list[str]:
    found = shutil.which("sfc")
    return [found] if found else [sys.executable, "-m", "sfc_cli"]


def median_seconds(args: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    sfc = command()
    print(f"{'benchmark':<72} {'seconds':>8} {'target':>7}")
    with tempfile.TemporaryDirectory() as directory:
        for output_format, target in (("verilog", TARGET_SECONDS), ("c", None), ("json", None)):
            output = Path(directory) / f"sfc6.{output_format}"
            seconds = median_seconds([*sfc, "export", "--format", output_format, "-o", str(output)])
            name = f"sfc export --format {output_format}, SFC-6(6x6,3x3) (cold process)"
            verdict = "" if target is None else ("ok" if seconds < target else "SLOW")
            limit = "-" if target is None else f"{target:.1f}"
            print(f"{name:<72} {seconds:8.3f} {limit:>7}  {verdict}")


if __name__ == "__main__":
    main()
