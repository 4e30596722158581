"""Speed of export (issue 4 target). Prints figures; asserts nothing.

    python benchmarks/bench_export.py

Target on a 2-core machine: a cold `sfc export --format verilog` process for SFC-6(6x6,3x3) (the
default algorithm) in under 1.5 s. The other formats are shown for comparison. Whole-process times
are the median of several runs; the output goes to a file, as a user would write it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from timing import median_seconds, sfc_command

RUNS = 7
TARGET_SECONDS = 1.5


def main() -> None:
    sfc = sfc_command()
    print(f"{'benchmark':<72} {'seconds':>8} {'target':>7}")
    with tempfile.TemporaryDirectory() as directory:
        for output_format, target in (("verilog", TARGET_SECONDS), ("c", None), ("json", None)):
            output = Path(directory) / f"sfc6.{output_format}"
            seconds = median_seconds([*sfc, "export", "--format", output_format, "-o", str(output)], RUNS)
            name = f"sfc export --format {output_format}, SFC-6(6x6,3x3) (cold process)"
            verdict = "" if target is None else ("ok" if seconds < target else "SLOW")
            limit = "-" if target is None else f"{target:.1f}"
            print(f"{name:<72} {seconds:8.3f} {limit:>7}  {verdict}")


if __name__ == "__main__":
    main()
