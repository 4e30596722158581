"""The worst-case quantization bound: exact values, invariances, and an adversarial search that comes close to it
but never beyond."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfc_cli.algebra.verify import satisfies_identity
from sfc_cli.analysis.bounds import ExactQuantizer, amplification, levels, worst_case_bounds
from sfc_cli.analysis.direct import direct_transforms
from sfc_cli.analysis.tightness import Climber, exact_error, search
from sfc_cli.families import sfc, winograd


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


@pytest.mark.parametrize(
    "algorithm", [winograd(2, 3, dims=1), sfc(6, 3, dims=1), winograd(2, 3), sfc(4, 3)], ids=lambda a: a.name
)
def test_the_two_exact_evaluations_agree(algorithm):
    """``exact_error`` (Fractions, the model as written) against ``ExactQuantizer`` (integers on a grid)."""
    rng = np.random.default_rng(1)
    n, r = algorithm.input_size**algorithm.dims, algorithm.kernel**algorithm.dims
    for bits in (8, 4, 2):
        for grid in (1, 256, 1000, 2**31 + 11, 2**40):  # 1: vertices, often exactly on a rounding tie; then
            # grids whose integers overflow int64 once scaled (they take Python integers)
            q = ExactQuantizer(algorithm.transforms, algorithm.tile, algorithm.kernel, algorithm.dims, bits, grid)
            d, g = rng.integers(-grid, grid + 1, (4, n)), rng.integers(-grid, grid + 1, (4, r))
            expected = q.errors(d, g)
            for k in range(4):
                as_fractions = [[Fraction(int(x), grid) for x in v[k]] for v in (d, g)]
                assert exact_error(algorithm, bits, *as_fractions) == expected[k]


@pytest.mark.parametrize("algorithm", [sfc(6, 3, dims=1), winograd(2, 3)], ids=lambda a: a.name)
def test_a_line_profile_holds_the_best_point_of_the_line(algorithm):
    """The search's premise: along a line the error peaks at a rounding breakpoint or an end, and ``profile``
    lists them with their errors; dense sampling of the line finds nothing better."""
    climber = Climber(algorithm.transforms, 8)
    rng = np.random.default_rng(2)
    for trial in range(12):
        d, g = rng.uniform(-1, 1, climber.bt.shape[1]), rng.uniform(-1, 1, climber.g.shape[1])
        direction, on_input = climber.lines[rng.integers(len(climber.lines))]
        target = (int(rng.integers(len(climber.at))), 1 if trial % 2 else -1)
        steps, errors = climber.profile(d, g, direction, on_input, target)
        point, start = (d, d.copy()) if on_input else (g, g.copy())
        for step, error in zip(steps[::50], errors[::50], strict=True):
            point[:] = start + step * direction
            assert climber.error(d, g, target) == pytest.approx(error, abs=1e-12)
        sampled = []
        for step in np.linspace(steps.min(), steps.max(), 4001):
            point[:] = start + step * direction
            sampled.append(climber.error(d, g, target))
        assert max(sampled) <= errors.max() + 1e-9


def test_the_search_is_seeded():
    """Same seed, same witness: the figures in docs/error-model.md are reproducible."""
    f23 = winograd(2, 3, dims=1)
    assert search(f23, 8, seed=3, restarts=2, sweeps=5) == search(f23, 8, seed=3, restarts=2, sweeps=5)


# (algorithm, bits, restarts, annealing sweeps, share of the bound the search must reach with seed 0). The floors
# are the best figures of earlier searches: at 8 bits for F(2x2,3x3), F(4x4,3x3) and SFC-6(6,3) a coordinate search
# reported in an issue, otherwise the grid search this one replaced. docs/error-model.md has the larger runs.
REACHED = [
    (winograd(2, 3, dims=1), 8, 2, 20, Fraction(485, 1000)),
    (sfc(6, 3, dims=1), 8, 16, 30, Fraction(504, 1000)),
    (winograd(2, 3), 8, 6, 30, Fraction(528, 1000)),
    (winograd(4, 3), 8, 2, 30, Fraction(359, 1000)),
    (sfc(4, 3), 8, 1, 20, Fraction(179, 1000)),
    (sfc(6, 3), 8, 1, 10, Fraction(127, 1000)),
    (winograd(2, 3, dims=1), 4, 2, 20, Fraction(525, 1000)),
    (sfc(6, 3, dims=1), 4, 8, 30, Fraction(344, 1000)),
    (winograd(2, 3), 4, 4, 30, Fraction(435, 1000)),
    (winograd(4, 3), 4, 3, 15, Fraction(230, 1000)),
    (sfc(4, 3), 4, 2, 15, Fraction(167, 1000)),
    (sfc(6, 3), 4, 2, 15, Fraction(101, 1000)),
]


@pytest.mark.parametrize(
    ("algorithm", "bits", "restarts", "sweeps", "floor"), REACHED, ids=[f"{c[0].name}-int{c[1]}" for c in REACHED]
)
def test_adversarial_search_comes_close_to_the_bound_and_never_beyond(algorithm, bits, restarts, sweeps, floor):
    bound = worst_case_bounds(algorithm.transforms, algorithm.tile, algorithm.kernel, algorithm.dims, [bits])[bits]
    found = search(algorithm, bits, seed=0, restarts=restarts, sweeps=sweeps)
    print(
        f"\n{algorithm.name} int{bits}: worst error found {float(found.error):.4g}, bound "
        f"{float(bound.absolute):.4g} ({float(found.ratio):.1%} of the bound)"
    )
    assert found.bound == bound.absolute
    assert len(found.d) == algorithm.input_size**algorithm.dims and len(found.g) == algorithm.kernel**algorithm.dims
    assert all(-1 <= x <= 1 for x in (*found.d, *found.g))
    assert found.error == exact_error(algorithm, bits, found.d, found.g)
    assert floor * bound.absolute <= found.error <= bound.absolute


@pytest.mark.parametrize("algorithm", [winograd(2, 3, dims=1), sfc(6, 3, dims=1), winograd(2, 3)], ids=lambda a: a.name)
@pytest.mark.parametrize("bits", [2, 3])
def test_coarse_quantization_stays_within_the_bound(algorithm, bits):
    """With 1 or 3 levels a side, rounding errors are as large as they get relative to the values."""
    found = search(algorithm, bits, seed=1, restarts=4, sweeps=10)
    assert 0 < found.error <= found.bound
