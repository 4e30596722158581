"""sfc search: wall time, candidates, memory and the front, against the issue's targets.

Runs `sfc search --kernel K --format json` as a user would (a fresh process, every core) and prints:
candidates, how many were derived/verified/screened, wall time (target: under 120 s for kernel 3 on
2 cores), the peak resident memory of the largest process, the front and where the literature stands.
With --costs it also times single candidates of each family and tile in this process (where the time
goes).

    python benchmarks/bench_search.py                 # kernel 3, tiles 2..8, metric int8
    python benchmarks/bench_search.py --metric fp16
    python benchmarks/bench_search.py --costs 60      # plus a sample of 60 candidates timed one by one
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections import defaultdict

TARGET_SECONDS = 120


def run_search(kernel: int, metric: str, max_tile: int) -> tuple[dict, float, float]:
    command = [sys.executable, "-m", "sfc_cli", "search", "--kernel", str(kernel), "--metric", metric]
    command += ["--max-tile", str(max_tile), "--format", "json", "--quiet"]
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    elapsed = time.monotonic() - start
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return json.loads(done.stdout), elapsed, peak_mib


def print_result(result: dict, elapsed: float, peak_mib: float) -> None:
    print(f"sfc search --kernel {result['kernel']} --metric {result['metric']} (tiles 2..{result['max_tile']})")
    print(
        f"  candidates {result['candidates']}, pruned {result['pruned']}, derived+verified+screened "
        f"{result['scored']}, undefined {result['undefined']}"
    )
    verdict = "meets" if elapsed < TARGET_SECONDS else "MISSES"
    print(
        f"  wall {elapsed:.1f} s on {os.cpu_count()} cores ({verdict} the {TARGET_SECONDS} s target); "
        f"peak RSS of one process {peak_mib:.0f} MiB"
    )
    print("  front:")
    for entry in result["front"]:
        print(
            f"    {entry['name']:<16} {float(eval_fraction(entry['products_per_output'])):6.3f}/output  "
            f"int8 {entry['int8_relative']:.4g}  fp16 {entry['fp16_normalized']:.4g}  "
            f"bound {entry['bound_int8_relative']:.4g}  {entry['command']}"
        )
    print("  literature:")
    for entry in result["literature"]:
        status = (
            "on the front"
            if entry["on_front"]
            else f"same as {entry['same_as']}"
            if entry["same_as"]
            else "dominated by " + ", ".join(entry["dominated_by"])
        )
        print(f"    {entry['literature']:<24} {status}")


def eval_fraction(text: str) -> float:
    num, _, den = text.partition("/")
    return int(num) / int(den or 1)


def time_candidates(kernel: int, count: int, max_tile: int) -> None:
    from sfc_cli.analysis.measure import DataSource
    from sfc_cli.search.candidates import all_candidates
    from sfc_cli.search.engine import SCREEN_SAMPLES, score_candidate, warm_caches

    warm_caches()
    data = DataSource(SCREEN_SAMPLES, 0)
    candidates = all_candidates(kernel, 2, max_tile)
    sample = random.Random(0).sample(candidates, min(count, len(candidates)))
    seconds: dict[tuple[str, int], list[float]] = defaultdict(list)
    for candidate in sample:
        start = time.perf_counter()
        score_candidate(candidate, data)
        seconds[(candidate.request.algo, candidate.request.tile)].append(time.perf_counter() - start)
    print(f"  seconds per candidate (one process, {len(sample)} sampled; derive + verify + bound + measure):")
    for (family, tile), values in sorted(seconds.items()):
        print(f"    {family:<9} tile {tile}: {sum(values) / len(values):.3f} s  ({len(values)} timed)")
    counts: dict[str, int] = defaultdict(int)
    for candidate in candidates:
        counts[candidate.request.algo] += 1
    print("  candidates per family: " + ", ".join(f"{f} {n}" for f, n in sorted(counts.items())))


def main() -> None:
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")  # as sfc itself does, before numpy loads BLAS (--costs)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernel", type=int, default=3)
    parser.add_argument("--metric", default="int8", choices=("int8", "fp16", "bound"))
    parser.add_argument("--max-tile", type=int, default=8)
    parser.add_argument("--costs", type=int, default=0, help="also time this many single candidates")
    args = parser.parse_args()
    print_result(*run_search(args.kernel, args.metric, args.max_tile))
    if args.costs:
        time_candidates(args.kernel, args.costs, args.max_tile)


if __name__ == "__main__":
    main()
