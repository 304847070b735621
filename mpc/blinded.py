"""The seed paper's comparisons by multiplicative blinding (Algorithms 9–11), kept as a
named variant for fidelity and for studying what they leak. Never the default.

Each comparison opens w = R·(x − y) for a fresh shared random R > 0 and reads the
result off the sign (or zero-ness) of w. This is cheap (one multiplication, one
opening) but is not a secure comparison: w reveals whether x = y outright, the ratio
(x − y)/(x' − y') of any two comparisons that reuse nothing but share structure leaks
through gcd and size arguments, and |w| is correlated with |x − y| (a large |w| makes a
large difference more likely). The secure default lives in `mpc.comparison`.

R is drawn uniform in [1, 2^B] with B = log2(q) − k − 3 so that R·(x − y) never wraps
around the field for k-bit signed inputs (the seed draws R from all of Z_q, which makes
the sign meaningless).
"""
from __future__ import annotations

from .session import Session
from .shares import AuthVector


async def _blinded_difference(s: Session, x: AuthVector, y: AuthVector, k: int) -> list[int]:
    bound_bits = s.field.bits - k - 3
    if bound_bits < 1:
        raise ValueError(f"{k}-bit inputs leave no room for blinding in a {s.field.bits}-bit field")
    r = (await s.random_bounded(len(x), bound_bits)) + 1
    w = await s.mul(r, x - y)
    return await s.output_signed(w)   # MAC-checked before it is used, as in the seed


async def blinded_less_than(s: Session, x: AuthVector, y: AuthVector, k: int) -> list[int]:
    """Public [x < y] per element, by opening R·(x − y) (leaks; see module docstring)."""
    return [int(w < 0) for w in await _blinded_difference(s, x, y, k)]


async def blinded_equal(s: Session, x: AuthVector, y: AuthVector, k: int) -> list[int]:
    """Public [x = y] per element, by opening R·(x − y)."""
    return [int(w == 0) for w in await _blinded_difference(s, x, y, k)]


async def blinded_minimum(s: Session, x: AuthVector, y: AuthVector, k: int) -> AuthVector:
    """⟨min(x, y)⟩ by the seed's Π_min: shuffle (x, y) with a shared random bit, then
    select by the sign of the opened blinded difference of the shuffled pair."""
    b = await s.random_bits(len(x))
    swap = await s.mul(b, y - x)
    u, v = x + swap, y - swap
    u_lt_v = await blinded_less_than(s, u, v, k)
    # select u where u < v, else v: a public choice applied to shared values
    return v + (u - v) * u_lt_v
