"""How close inputs come to the worst-case quantization bound: a seeded adversarial search.

The model is that of ``bounds.py`` (docs/error-model.md section 2): d in [-1, 1]^n, g in [-1, 1]^r,
``BT d`` and ``G g`` rounded tap-wise to b bits (steps beta_t / Q and gamma_t / Q, halves rounded up,
as ``ExactQuantizer`` does), exact products and AT; the error is max_i |Yq_i - Y_i|. The search runs
in floating point; the inputs it keeps are re-evaluated in exact rational arithmetic, and only that
exact error is reported.

Along any line in d (or in g) the error is piecewise linear: it jumps where a quantized tap changes
(a rounding breakpoint) and is linear in between, so its maximum over the line is at one of the
breakpoints (just either side of it) or at an end of the box. ``Climber.profile`` evaluates all of
them at once. The lines are the coordinate axes and, for every product t, column t of the
pseudo-inverse of BT (or of G): the direction closest to moving V_t (or U_t) alone.

Every restart targets one output i and a sign (i drawn with weight (row bound / A)^8, so mostly the
outputs whose bound is A), starts at the vertex of the box given by the signs of row t of BT and of G
(t drawn with weight |AT[i,t]| beta_t gamma_t, its term of the bound), anneals (every line in
random order, moving to a point of the line drawn with probability proportional to
exp((error - best on the line) / T), T falling linearly to 0 over the sweeps and measured in
standard deviations of the errors on that line), then climbs greedily (best point of every line)
until a sweep gains nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import floor

import numpy as np

from ..algebra.bilinear import Transforms
from ..algebra.matrix import QMatrix
from ..algorithm import Algorithm
from ..families import sfc, winograd
from .bounds import input_reads, levels, row_l1, worst_case_bounds

OFFSET = 2.0**-30  # candidate points sit this far either side of a rounding breakpoint (along the line)
TEMPERATURE = 0.3  # the annealing's starting temperature, in standard deviations of a line's errors
GAIN = 1e-6  # a greedy move must raise the error by this relative amount
CLIMB = 100  # at most this many greedy sweeps after annealing


@dataclass(frozen=True)
class Witness:
    """An input tile and kernel, the exact error they cause, and the proved bound."""

    d: tuple[Fraction, ...]
    g: tuple[Fraction, ...]
    error: Fraction
    bound: Fraction

    @property
    def ratio(self) -> Fraction:
        """The share of the bound reached."""
        return self.error / self.bound


def exact_error(algorithm: Algorithm, bits: int, d: Sequence[Fraction], g: Sequence[Fraction]) -> Fraction:
    """max_i |Yq_i - Y_i| for one input tile and kernel, in Fractions, straight from the model's definition."""
    transforms, q = algorithm.transforms, levels(bits)

    def quantized(matrix: QMatrix, x: Sequence[Fraction]) -> list[Fraction]:
        values = [sum((a * v for a, v in zip(row, x, strict=True) if a), Fraction(0)) for row in matrix.rows]
        return [l1 / q * floor(q * v / l1 + Fraction(1, 2)) for v, l1 in zip(values, row_l1(matrix), strict=True)]

    products = [u * v for u, v in zip(quantized(transforms.G, g), quantized(transforms.BT, d), strict=True)]
    errors = []
    for row, reads in zip(
        transforms.AT.rows, input_reads(algorithm.tile, algorithm.kernel, algorithm.dims), strict=True
    ):
        yq = sum((a * p for a, p in zip(row, products, strict=True) if a), Fraction(0))
        y = sum((d[j] * w for j, w in zip(reads, g, strict=True)), Fraction(0))  # y_i = sum_k d[reads[k]] g[k]
        errors.append(abs(yq - y))
    return max(errors)


class Climber:
    """The quantized algorithm in floating point, with an exact search along lines of d or of g."""

    def __init__(self, transforms: Transforms, bits: int) -> None:
        self.q = levels(bits)
        self.at, self.g, self.bt = (np.array(m.rows, dtype=float) for m in (transforms.AT, transforms.G, transforms.BT))
        self.l1_v = np.array(row_l1(transforms.BT), dtype=float)
        self.l1_u = np.array(row_l1(transforms.G), dtype=float)
        self.lines: list[tuple[np.ndarray, bool]] = []  # (direction, moves d rather than g)
        for matrix, on_input in ((self.bt, True), (self.g, False)):
            self.lines += [(axis, on_input) for axis in np.eye(matrix.shape[1])]
            self.lines += [(c / np.abs(c).max(), on_input) for c in np.linalg.pinv(matrix).T if np.abs(c).max() > 0]

    def rounded(self, values: np.ndarray, l1: np.ndarray) -> np.ndarray:
        """Round to the nearest multiple of l1 / Q, halves up."""
        return l1 / self.q * np.floor(self.q * values / l1 + 0.5)

    def errors(self, d: np.ndarray, g: np.ndarray) -> np.ndarray:
        """Yq - Y for every output: AT applied to Uq * Vq - U * V (the algorithm is exact)."""
        v, u = self.bt @ d, self.g @ g
        return self.at @ (self.rounded(u, self.l1_u) * self.rounded(v, self.l1_v) - u * v)

    def error(self, d: np.ndarray, g: np.ndarray, target: tuple[int, int]) -> float:
        """sign * (Yq_i - Y_i) for the target (i, sign)."""
        return float(target[1] * self.errors(d, g)[target[0]])

    def profile(
        self, d: np.ndarray, g: np.ndarray, direction: np.ndarray, on_input: bool, target: tuple[int, int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Steps x along d + x direction (or g + x direction) that include the best one, and the target's
        signed error there.

        Along the line, tap t of the moving transform is w_t + c_t x; its rounded value steps by
        sign(c_t) s_t at every breakpoint where w_t / s_t crosses k + 1/2, and the product with the
        fixed factor p_t (rounded p'_t) changes output i by AT[i, t] (p'_t (rounded w_t) - p_t w_t).
        So the error is a cumulative sum of jumps over the sorted breakpoints minus a linear term,
        evaluated just either side of every breakpoint and at the two ends of the segment.
        """
        i, sign = target
        v, u = self.bt @ d, self.g @ g
        point, matrix, moving, l1, partner, partner_l1 = (
            (d, self.bt, v, self.l1_v, u, self.l1_u) if on_input else (g, self.g, u, self.l1_u, v, self.l1_v)
        )
        along = direction != 0
        ends = (np.sign(direction[along]) * np.array([[-1.0], [1.0]]) - point[along]) / direction[along]
        lowest, highest = ends.min(axis=0).max(), ends.max(axis=0).min()
        column = matrix @ direction
        taps = np.flatnonzero(np.abs(column) > 1e-12 * np.abs(column).max())
        w, s, c, p = moving[taps], l1[taps] / self.q, column[taps], partner[taps]
        ends = (w[:, None] + c[:, None] * np.array([lowest, highest])) / s[:, None]
        low, high = np.ceil(ends.min(axis=1) - 0.5), np.floor(ends.max(axis=1) - 0.5)
        counts = np.maximum(high - low + 1, 0).astype(int)
        half = np.repeat(low, counts) + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + 0.5
        owner = np.repeat(np.arange(len(taps)), counts)
        breaks = (half * s[owner] - w[owner]) / c[owner]
        order = np.argsort(breaks)
        breaks, owner = breaks[order], owner[order]
        a = self.at[i, taps]
        prefix = np.concatenate([[0.0], np.cumsum((a * self.rounded(p, partner_l1[taps]) * s * np.sign(c))[owner])])
        offset = OFFSET / np.abs(direction).max()
        steps = np.clip(np.concatenate([breaks - offset, breaks + offset, [lowest, highest]]), lowest, highest)
        errors = (
            self.errors(d, g)[i]
            + prefix[np.searchsorted(breaks, steps, side="right")]
            - prefix[np.searchsorted(breaks, 0.0, side="right")]
            - (a @ (p * c)) * steps
        )
        return steps, sign * errors

    def sweep(
        self, d: np.ndarray, g: np.ndarray, target: tuple[int, int], rng: np.random.Generator, temperature: float
    ) -> bool:
        """One pass over every line in random order, in place; at temperature 0 a move must be a confirmed gain.

        Returns whether anything moved.
        """
        moved = False
        for index in rng.permutation(len(self.lines)):
            direction, on_input = self.lines[index]
            steps, errors = self.profile(d, g, direction, on_input, target)
            point = d if on_input else g
            spread = temperature * errors.std()
            if spread > 0:
                weights = np.exp((errors - errors.max()) / spread)
                point[:] = np.clip(point + steps[rng.choice(len(steps), p=weights / weights.sum())] * direction, -1, 1)
                moved = True
                continue
            before, current = point.copy(), self.error(d, g, target)
            point[:] = np.clip(point + steps[np.argmax(errors)] * direction, -1.0, 1.0)
            if self.error(d, g, target) > current + GAIN * abs(current):
                moved = True
            else:
                point[:] = before
        return moved

    def start(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
        """A target (output, sign) and a vertex with the signs of one BT row and G row of it (zeros random)."""
        terms = np.abs(self.at) * self.l1_v * self.l1_u
        rows = terms.sum(axis=1)
        weights = (rows / rows.max()) ** 8
        i = int(rng.choice(len(rows), p=weights / weights.sum()))
        t = rng.choice(len(terms[i]), p=terms[i] / rows[i])
        d = np.where(self.bt[t] != 0, np.sign(self.bt[t]), rng.choice([-1.0, 1.0], self.bt.shape[1]))
        g = np.where(self.g[t] != 0, np.sign(self.g[t]), rng.choice([-1.0, 1.0], self.g.shape[1]))
        return d, g, (i, int(rng.choice([-1, 1])))


def search(algorithm: Algorithm, bits: int, seed: int = 0, restarts: int = 4, sweeps: int = 40) -> Witness:
    """The worst input tile and kernel found by ``restarts`` anneal-then-climb runs, re-checked exactly."""
    if restarts < 1:
        raise ValueError("the search needs at least one restart")
    t = algorithm.transforms
    climber = Climber(t, bits)
    rng = np.random.default_rng(seed)
    bound = worst_case_bounds(t, algorithm.tile, algorithm.kernel, algorithm.dims, [bits])[bits].absolute
    best = Witness((), (), Fraction(-1), bound)
    for _ in range(restarts):
        d, g, target = climber.start(rng)
        for k in range(sweeps):
            climber.sweep(d, g, target, rng, TEMPERATURE * (1 - k / sweeps))
        for _ in range(CLIMB):
            if not climber.sweep(d, g, target, rng, 0.0):
                break
        d_exact, g_exact = [Fraction(x) for x in d], [Fraction(x) for x in g]
        error = exact_error(algorithm, bits, d_exact, g_exact)
        if error > best.error:
            best = Witness(tuple(d_exact), tuple(g_exact), error, bound)
    return best


def catalog() -> list[Algorithm]:
    """The algorithms of the tightness table in docs/error-model.md."""
    return [winograd(2, 3, dims=1), sfc(6, 3, dims=1), winograd(2, 3), winograd(4, 3), sfc(4, 3), sfc(6, 3)]


def main(argv: list[str] | None = None) -> None:
    """Print the tightness table: ``python -m sfc_cli.analysis.tightness [--seed S --restarts R --sweeps W]``."""
    parser = argparse.ArgumentParser(description="How close the adversarial search comes to the proved bound.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--restarts", type=int, default=32)
    parser.add_argument("--sweeps", type=int, default=60)
    parser.add_argument("--bits", default="8,4", help="bit widths, comma separated")
    args = parser.parse_args(argv)
    widths = [int(b) for b in args.bits.split(",")]
    print(f"seed {args.seed}, {args.restarts} restarts, {args.sweeps} annealing sweeps\n")
    print("| algorithm | " + " | ".join(f"int{b}: found / bound" for b in widths) + " |")
    print("|---|" + "---:|" * len(widths))
    exact = []
    for algorithm in catalog():
        found = [search(algorithm, b, args.seed, args.restarts, args.sweeps) for b in widths]
        print(f"| {algorithm.name} | " + " | ".join(f"{float(w.ratio):.1%}" for w in found) + " |", flush=True)
        exact += [
            f"{algorithm.name} int{b}: error {w.error} / bound {w.bound}" for b, w in zip(widths, found, strict=True)
        ]
    print("\nExact errors (fractions.Fraction, re-evaluated from the inputs found):")
    print("\n".join(exact))


if __name__ == "__main__":
    main()
