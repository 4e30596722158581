"""Speed of derivation (issue 2 targets). Prints figures; asserts nothing.

    python benchmarks/bench_derive.py

Targets on a 2-core machine: a cold `sfc derive --tile 6 --kernel 3` process <= 1.0 s; all nine
algorithms of docs/design.md section 4, 1-D and 2-D, derived and verified in one process < 3 s;
`sfc --help` < 0.3 s. Whole-process times are the median of several runs.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

from timing import median_seconds, sfc_command

RUNS = 7
NINE = [("sfc", 4, 3), ("sfc", 6, 3), ("sfc", 7, 3), ("sfc", 6, 5)] + [
    ("winograd", m, r) for m, r in ((2, 3), (4, 3), (6, 3), (2, 5), (2, 7))
]
IN_PROCESS = """
import time
t = time.perf_counter()
from sfc_cli.families import sfc, winograd
for family, m, r in {nine!r}:
    for dims in (1, 2):
        (sfc if family == "sfc" else winograd)(m, r, dims=dims)
print(time.perf_counter() - t)
"""


def main() -> None:
    sfc = sfc_command()
    rows = [
        (
            "sfc derive --tile 6 --kernel 3 (cold process)",
            median_seconds([*sfc, "derive", "--tile", "6", "--kernel", "3"], RUNS),
            1.0,
        ),
        ("sfc --help (cold process)", median_seconds([*sfc, "--help"], RUNS), 0.3),
    ]
    nine = [
        float(
            subprocess.run(
                [sys.executable, "-c", IN_PROCESS.format(nine=NINE)], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(3)
    ]
    rows.append(
        ("nine algorithms, 1-D and 2-D, derived + verified (in process, incl. imports)", statistics.median(nine), 3.0)
    )
    print(f"{'benchmark':<80} {'seconds':>8} {'target':>7}")
    for name, seconds, target in rows:
        verdict = "ok" if seconds <= target else "SLOW"
        print(f"{name:<80} {seconds:8.3f} {target:7.1f}  {verdict}")


if __name__ == "__main__":
    main()
