"""Integer polynomials and the number theory of cyclotomic fields.

Polynomials are lists of coefficients, lowest degree first.
"""

from __future__ import annotations

from functools import cache
from math import gcd


def polynomial_multiply(p: list[int], q: list[int]) -> list[int]:
    out = [0] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        if a:
            for j, b in enumerate(q):
                out[i + j] += a * b
    return out


def remainder(p: list[int], monic: list[int]) -> list[int]:
    """p mod a monic polynomial, as a list of length deg(monic)."""
    degree = len(monic) - 1
    work = list(p) + [0] * max(0, degree - len(p))
    for top in range(len(work) - 1, degree - 1, -1):
        factor = work[top]
        if factor:
            for i, c in enumerate(monic):
                work[top - degree + i] -= factor * c
    return work[:degree]


def exact_quotient(p: list[int], monic: list[int]) -> list[int]:
    """p / monic, which must divide p exactly."""
    degree = len(monic) - 1
    work = list(p)
    quotient = [0] * (len(p) - degree)
    for top in range(len(work) - 1, degree - 1, -1):
        factor = work[top]
        quotient[top - degree] = factor
        if factor:
            for i, c in enumerate(monic):
                work[top - degree + i] -= factor * c
    if any(work[:degree]):
        raise ArithmeticError("division is not exact")
    return quotient


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


@cache
def totient(n: int) -> int:
    return sum(1 for k in range(1, n + 1) if gcd(k, n) == 1)


@cache
def mobius(n: int) -> int:
    result, k = 1, 2
    while k * k <= n:
        if n % k == 0:
            n //= k
            if n % k == 0:
                return 0
            result = -result
        k += 1
    return -result if n > 1 else result


@cache
def cyclotomic(d: int) -> tuple[int, ...]:
    """Phi_d, the minimal polynomial of a primitive d-th root of unity (monic, integer)."""
    p = [-1] + [0] * (d - 1) + [1]
    for e in divisors(d)[:-1]:
        p = exact_quotient(p, list(cyclotomic(e)))
    return tuple(p)


@cache
def power_coordinates(exponent: int, d: int) -> tuple[int, ...]:
    """Coordinates of z**exponent in the basis 1, z, ..., z**(phi(d)-1) of Q[z]/Phi_d(z)."""
    monomial = [0] * (exponent % d) + [1]
    return tuple(remainder(monomial, list(cyclotomic(d))))


def ramanujan_sum(d: int, j: int) -> int:
    """c_d(j): the sum of zeta**(k*j) over the primitive d-th roots of unity zeta**k (an integer)."""
    g = gcd(j, d)
    return mobius(d // g) * totient(d) // totient(d // g)
