"""Exact derivation and verification at every supported 2-D size, and where the time goes. Prints
figures; asserts nothing.

    python benchmarks/bench_verify.py [--quick] [--every-dft] [--max-n 16] [--slowest 10] [--runs 3]

Cases: every 2-D algorithm with kernel 2..7, tile at least 2 and input tile n = tile + kernel - 1 <= 16
(the largest sfc accepts in 2-D; ``--max-n`` lowers it): Winograd with its default points and SFC with
its default N; with ``--every-dft`` also SFC with every other N from 2 to n, corrections split evenly
(N with fields of degree 4 or more: far slower, see below). Each case is timed
in a fresh Python process of its own (no caches or garbage from earlier cases), phase by phase in
this order, only through public functions:

- build: the family function (``sfc`` or ``winograd``) minus the verification below, i.e. the exact
  transforms;
- verify: ``verified_algorithm`` on the built transforms, what the family function runs (1-D
  identity, and the 2-D identity unless the 2-D algorithm is the Kronecker square of the 1-D one);
- 2-D id.: ``satisfies_identity`` in 2-D on its own, what the 2-D check costs even where the Kronecker
  shortcut skips it (not part of derivation; skipped with ``--quick``);
- struct.: the row-column structure of the 2-D transforms (``Algorithm.kronecker``);
- prog. 1-D, prog. 2-D: the verified transform programs (the optimiser, ``Algorithm.programs``),
  the 2-D ones after the structure, which they reuse.

The slowest cases (by "derive", the sum of build, verify, struct. and the programs: what ``sfc derive``
computes) are then run end to end as cold ``sfc derive ... --format json`` processes (median of
``--runs``); "rest" is that time minus "derive": interpreter start, imports, the JSON document and the
cost tables it carries. F(10x10,7x7) is shown against its target: a cold
``sfc derive --algo winograd --tile 10 --kernel 7`` in under 2 s on a 2-core machine.

The default run takes about 3 minutes on a 2-core machine (``--quick`` about 2). ``--every-dft`` adds
664 cases, and those with N outside 2, 3, 4, 6 (fields of degree 4 or more) have no row-column
structure, so the optimiser works on the flat 2-D matrices: tens of seconds to minutes per case once
n is 12 or more (SFC-9(11x11,2x2) about 40 s). Run it with ``--max-n 10`` or so.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from timing import ROOT, sfc_command

sys.path.insert(0, str(ROOT))

from sfc_cli.algebra.verify import satisfies_identity
from sfc_cli.algorithm import Algorithm, verified_algorithm
from sfc_cli.families import sfc, winograd

MAX_INPUT = 16
KERNELS = range(2, 8)
TARGET_CASE = ("winograd", 10, 7, None)
TARGET_SECONDS = 2.0
Case = tuple[str, int, int, int | None]  # family, tile, kernel, DFT size (None: the default)


@dataclass
class Timing:
    name: str
    case: Case
    build: float
    verify: float
    identity_2d: float | None
    structure: float
    programs_1d: float
    programs_2d: float
    end_to_end: float | None = None

    @property
    def derive(self) -> float:
        """What ``sfc derive`` computes in this process: transforms, verification and programs."""
        return self.build + self.verify + self.structure + self.programs_1d + self.programs_2d


def cases(every_dft: bool, max_n: int) -> list[Case]:
    found: list[Case] = []
    for kernel in KERNELS:
        for tile in range(2, max_n - kernel + 2):
            found += [("winograd", tile, kernel, None), ("sfc", tile, kernel, None)]
            if every_dft:
                found += [("sfc", tile, kernel, dft) for dft in range(2, tile + kernel)]
    return list(dict.fromkeys(found))


def seconds(call: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def derive(case: Case) -> Algorithm:
    family, tile, kernel, dft = case
    if family == "winograd":
        return winograd(tile, kernel, dims=2)
    return sfc(tile, kernel, dft=dft, dims=2)


def time_case(case: Case, full_identity: bool) -> Timing:
    _, tile, kernel, _ = case
    derived, algorithm = seconds(lambda: derive(case))
    assert isinstance(algorithm, Algorithm) and algorithm.two_d is not None
    fields = (algorithm.family, algorithm.name.split("(")[0], tile, kernel, algorithm.parameters)
    rest = (algorithm.fractions_in, algorithm.one_d, algorithm.two_d, algorithm.structure_1d, algorithm.structure_2d)
    verify, _ = seconds(lambda: verified_algorithm(*fields, *rest))
    identity = None
    if full_identity:
        identity, holds = seconds(lambda: satisfies_identity(algorithm.two_d, tile, kernel, 2))
        assert holds, algorithm.name
    structure, _ = seconds(lambda: algorithm.kronecker)
    one, _ = seconds(lambda: algorithm.programs(1))
    two, _ = seconds(lambda: algorithm.programs(2))
    return Timing(algorithm.name, case, max(derived - verify, 0.0), verify, identity, structure, one, two)


def time_case_alone(case: Case, full_identity: bool) -> Timing:
    """``time_case`` in a fresh process (this script with ``--case``)."""
    family, tile, kernel, dft = case
    command = [sys.executable, __file__, "--case", family, str(tile), str(kernel), str(dft or 0)]
    if not full_identity:
        command.append("--quick")
    fields = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    fields["case"] = tuple(fields["case"])
    return Timing(**fields)


def derive_command(case: Case) -> list[str]:
    family, tile, kernel, dft = case
    options = ["--algo", family, "--tile", str(tile), "--kernel", str(kernel)]
    return options + ([] if dft is None else ["--dft", str(dft)])


def cold_seconds(args: list[str], runs: int) -> float:
    """Median wall time of ``runs`` whole ``sfc`` processes (output discarded)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*sfc_command(), *args], check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_table(title: str, timings: list[Timing]) -> None:
    print(title)
    headers = ("build", "verify", "2-D id.", "struct.", "prog.1-D", "prog.2-D", "derive", "cold json", "rest")
    print(f"{'algorithm':<20} {'n':>2} " + " ".join(f"{h:>9}" for h in headers))
    for t in timings:
        rest = None if t.end_to_end is None else t.end_to_end - t.derive
        values = (t.build, t.verify, t.identity_2d, t.structure, t.programs_1d, t.programs_2d, t.derive)
        values += (t.end_to_end, rest)
        n = t.case[1] + t.case[2] - 1
        print(f"{t.name:<20} {n:2d} " + " ".join(f"{cell(v):>9}" for v in values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the standalone 2-D identity; one cold run each")
    parser.add_argument("--every-dft", action="store_true", help="also SFC with every N from 2 to n")
    parser.add_argument("--max-n", type=int, default=MAX_INPUT, help="largest input tile n (default 16)")
    parser.add_argument("--slowest", type=int, default=10, help="how many of the slowest cases to show and run cold")
    parser.add_argument("--runs", type=int, default=3, help="cold processes per end-to-end figure (median)")
    parser.add_argument("--case", nargs=4, metavar=("FAMILY", "TILE", "KERNEL", "DFT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    if args.case:  # one case in this process, for the parent
        family, tile, kernel, dft = args.case
        case = (family, int(tile), int(kernel), int(dft) or None)
        print(json.dumps(vars(time_case(case, not args.quick))))
        return

    timings = []
    start = time.perf_counter()
    for case in cases(args.every_dft, args.max_n):
        timings.append(time_case_alone(case, not args.quick))
    elapsed = time.perf_counter() - start
    slowest = sorted(timings, key=lambda t: -t.derive)[: args.slowest]
    for t in slowest:
        t.end_to_end = cold_seconds(["derive", *derive_command(t.case), "--format", "json"], runs)

    phases = {
        "build": sum(t.build for t in timings),
        "verify": sum(t.verify for t in timings),
        "struct.": sum(t.structure for t in timings),
        "prog.1-D": sum(t.programs_1d for t in timings),
        "prog.2-D": sum(t.programs_2d for t in timings),
    }
    print(
        f"{len(timings)} 2-D cases (kernel 2..7, n <= {args.max_n}) derived, verified and optimised, "
        f"one process each: {elapsed:.1f} s"
    )
    print("seconds per phase over all cases: " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items()))
    if not args.quick:
        identity = [t for t in timings if t.identity_2d is not None]
        worst = max(identity, key=lambda t: t.identity_2d or 0.0)
        print(
            f"standalone 2-D identity: {sum(t.identity_2d or 0.0 for t in identity):.1f} s over all cases, "
            f"at most {worst.identity_2d:.3f} s ({worst.name})"
        )
    print()
    title = f"the {len(slowest)} slowest cases, seconds (cold json: a whole `sfc derive --format json` process)"
    print_table(title, slowest)

    target = next((t for t in timings if t.case == TARGET_CASE), None) or time_case_alone(TARGET_CASE, False)
    table = cold_seconds(["derive", *derive_command(TARGET_CASE)], runs)
    as_json = target.end_to_end or cold_seconds(["derive", *derive_command(TARGET_CASE), "--format", "json"], runs)
    print()
    print(
        f"{target.name}: in process {target.derive:.3f} s (build {target.build:.3f}, verify {target.verify:.3f}, "
        f"struct. {target.structure:.3f}, programs {target.programs_1d:.3f} + {target.programs_2d:.3f})"
    )
    for label, value in (("table", table), ("json", as_json)):
        verdict = "ok" if value < TARGET_SECONDS else "SLOW"
        print(
            f"  cold `sfc derive {' '.join(derive_command(TARGET_CASE))}` ({label}): {value:.3f} s "
            f"(target < {TARGET_SECONDS:.0f} s)  {verdict}"
        )


if __name__ == "__main__":
    main()
