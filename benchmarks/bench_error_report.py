"""Speed and memory of `sfc error-report` (issue 3 targets). Prints figures; asserts nothing.

    python benchmarks/bench_error_report.py

Targets on a 2-core machine: the default report (12 algorithms, default sample count) in under
10 s as a whole process; peak memory bounded as --samples grows (measurements run in batches),
shown as the peak traced allocation and the peak resident size at two sample counts. Also the time of
`--catalog all` (the default's rows and the literature's four), for comparison.
"""

from __future__ import annotations

import subprocess
import sys

from timing import ROOT, median_seconds, sfc_command

RUNS = 3
IN_PROCESS = """
import resource, time, tracemalloc
from sfc_cli.analysis.measure import DataSource
from sfc_cli.analysis.report import DEFAULT_SAMPLES, build_report
from sfc_cli.commands.error_report.options import report_subjects
subjects = report_subjects(None, 2, "G")
samples = {factor} * DEFAULT_SAMPLES
tracemalloc.start()
t = time.perf_counter()
build_report(subjects, (8,), DataSource(samples, 0))
seconds = time.perf_counter() - t
peak = tracemalloc.get_traced_memory()[1]
print(samples, seconds, peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def default_report_seconds(*options: str) -> float:
    return median_seconds([*sfc_command(), "error-report", "--format", "csv", *options], RUNS)


def memory_at(factor: int) -> tuple[int, float, float, float]:
    """(samples, analysis seconds, peak traced MiB, peak resident MiB) for the catalog at factor x the default."""
    code = IN_PROCESS.format(factor=factor)
    run = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    samples, seconds, traced, resident_kib = run.stdout.split()
    return int(samples), float(seconds), int(traced) / 2**20, int(resident_kib) / 2**10


def main() -> None:
    seconds = default_report_seconds()
    print(f"default report (12 algorithms, default samples), whole process: {seconds:.2f} s (target < 10 s)")
    full = default_report_seconds("--catalog", "all")
    print(f"--catalog all (16 algorithms, default samples), whole process: {full:.2f} s")
    for factor in (1, 16):
        samples, analysis, traced, resident = memory_at(factor)
        print(
            f"--samples {samples:6d}: analysis {analysis:6.2f} s (tracemalloc on), peak traced {traced:6.1f} MiB, "
            f"peak resident {resident:6.1f} MiB"
        )


if __name__ == "__main__":
    main()
