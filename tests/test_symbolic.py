"""An independent check with SymPy symbols: the matrices compute correlation as polynomials."""

from __future__ import annotations

import pytest
import sympy

from sfc_cli.families import sfc, winograd


def correlation_holds(transforms, m: int, r: int) -> bool:
    n = m + r - 1
    d = sympy.symbols(f"d0:{n}")
    g = sympy.symbols(f"g0:{r}")
    at, gm, bt = (
        sympy.Matrix([[sympy.Rational(x.numerator, x.denominator) for x in row] for row in mat.rows])
        for mat in (transforms.AT, transforms.G, transforms.BT)
    )
    fast = at * (gm * sympy.Matrix(g)).multiply_elementwise(bt * sympy.Matrix(d))
    direct = [sum(d[i + k] * g[k] for k in range(r)) for i in range(m)]
    return all(sympy.expand(fast[i] - direct[i]) == 0 for i in range(m))


@pytest.mark.parametrize(
    "algorithm",
    [sfc(6, 3, dims=1), sfc(4, 3, dims=1), sfc(6, 5, dims=1), sfc(5, 2, dft=5, dims=1), winograd(6, 3, dims=1)],
    ids=lambda a: a.name,
)
def test_symbolic_correlation(algorithm):
    assert correlation_holds(algorithm.one_d, algorithm.tile, algorithm.kernel)
