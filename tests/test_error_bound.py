"""The worst-case quantization bound: exact values, invariances, and an adversarial search that never beats it."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfc_cli.algebra.verify import satisfies_identity
from sfc_cli.analysis.bounds import ExactQuantizer, amplification, levels, worst_case_bounds
from sfc_cli.analysis.direct import direct_transforms
from sfc_cli.families import sfc, winograd

GRID = 256  # adversarial inputs live on the grid k / GRID, |k| <= GRID


def test_direct_convolution_is_the_unit():
    for kernel, dims in ((3, 1), (3, 2), (5, 2)):
        assert satisfies_identity(direct_transforms(2, kernel, dims), 2, kernel, dims)
        bound = worst_case_bounds(direct_transforms(2, kernel, dims), 2, kernel, dims, [8])[8]
        assert bound.relative == 1 and bound.absolute == Fraction(kernel**dims, 127)


def test_f23_by_hand():
    """beta = (2, 2, 2, 2), gamma = (1, 3/2, 3/2, 1), |AT| rows (1,1,1,0), (0,1,1,1): 8 per output, direct 3."""
    f23 = winograd(2, 3, dims=1)
    assert amplification(f23.transforms) == 8
    assert worst_case_bounds(f23.transforms, 2, 3, 1, [8])[8].relative == Fraction(8, 3)


def test_ratio_is_the_same_for_every_bit_width():
    algorithm = sfc(6, 3)
    bounds = worst_case_bounds(algorithm.transforms, 6, 3, 2, range(2, 17))
    assert len({b.relative for b in bounds.values()}) == 1
    assert [b.absolute for b in bounds.values()] == [bounds[2].absolute * 1 / levels(b) for b in range(2, 17)]


@pytest.mark.parametrize(("tile", "kernel"), [(2, 3), (4, 3), (6, 3), (2, 5)])
def test_winograd_2d_bound_is_the_square_of_1d(tile, kernel):
    one, two = winograd(tile, kernel, dims=1), winograd(tile, kernel, dims=2)
    assert amplification(two.transforms) == amplification(one.transforms) ** 2


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from([(2, 3), (4, 3), (6, 3)]),
    st.lists(st.fractions(min_value=Fraction(1, 8), max_value=8), min_size=16, max_size=16),
    st.lists(st.sampled_from([1, -1]), min_size=16, max_size=16),
)
def test_bound_does_not_depend_on_how_products_are_scaled(case, factors, signs):
    """Tap-wise scales follow any rescaling of a product (AT column, BT row, G row): the bound is a property
    of the algorithm, not of the chosen scaling."""
    tile, kernel = case
    for algorithm in (sfc(tile, kernel, dims=1), winograd(tile, kernel, dims=1)):
        t = algorithm.transforms
        k = t.products
        scaled = t.scale_products(
            [f * s for f, s in zip(factors[:k], signs[:k], strict=True)], factors[k - 1 :: -1][:k]
        )
        assert satisfies_identity(scaled, tile, kernel, 1)
        assert amplification(scaled) == amplification(t)


def _sign_patterns(rng: np.random.Generator, count: int, size: int) -> np.ndarray:
    return rng.choice([-GRID, GRID], size=(count, size))


def adversarial_maximum(algorithm, bits: int, seed: int = 0) -> Fraction:
    """Largest exact quantization error found by sign patterns, random search and local search."""
    q = ExactQuantizer(algorithm.transforms, algorithm.tile, algorithm.kernel, algorithm.dims, bits, GRID)
    n, taps = algorithm.input_size**algorithm.dims, algorithm.kernel**algorithm.dims
    rng = np.random.default_rng(seed)
    if 2 ** (n + taps) <= 4096:  # every sign pattern
        codes = np.arange(2 ** (n + taps))[:, None] >> np.arange(n + taps) & 1
        candidates = GRID * (2 * codes - 1)
    else:
        candidates = np.hstack([_sign_patterns(rng, 1500, n), _sign_patterns(rng, 1500, taps)])
    candidates = np.vstack([candidates, rng.integers(-GRID, GRID + 1, size=(1500, n + taps))])
    errors = q.errors(candidates[:, :n], candidates[:, n:])
    order = np.argsort([-float(e) for e in errors])[:4]
    best = max(errors)
    for start in candidates[order]:  # local search: move a few coordinates at a time, keep improvements
        current, current_error = start.copy(), q.errors(start[None, :n], start[None, n:])[0]
        for step in (64, 16, 4, 1) * 3:
            moves = np.repeat(current[None, :], 48, axis=0)
            for row in moves:
                where = rng.choice(n + taps, size=rng.integers(1, 4), replace=False)
                row[where] = np.clip(row[where] + rng.choice([-step, step], size=len(where)), -GRID, GRID)
            found = q.errors(moves[:, :n], moves[:, n:])
            i = int(np.argmax([float(e) for e in found]))
            if found[i] > current_error:
                current, current_error = moves[i], found[i]
        best = max(best, current_error)
    return best


@pytest.mark.parametrize(
    "algorithm",
    [winograd(2, 3, dims=1), sfc(6, 3, dims=1), winograd(2, 3), winograd(4, 3), sfc(4, 3), sfc(6, 3)],
    ids=lambda a: a.name,
)
@pytest.mark.parametrize("bits", [8, 4])
def test_adversarial_search_never_exceeds_the_bound(algorithm, bits):
    bound = worst_case_bounds(algorithm.transforms, algorithm.tile, algorithm.kernel, algorithm.dims, [bits])[bits]
    found = adversarial_maximum(algorithm, bits)
    print(
        f"\n{algorithm.name} int{bits}: worst error found {float(found):.4g}, bound {float(bound.absolute):.4g} "
        f"({float(found / bound.absolute):.1%} of the bound)"
    )
    assert 0 < found <= bound.absolute
