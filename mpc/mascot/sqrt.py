"""Square roots modulo the BN254 group order (Tonelli–Shanks: q − 1 = 2^28 · t)."""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

import gmpy2
from gmpy2 import mpz


@lru_cache(maxsize=4)
def _constants(q: int) -> tuple[int, mpz, mpz]:
    q = mpz(q)
    s, t = 0, q - 1
    while t % 2 == 0:
        s, t = s + 1, t // 2
    z = mpz(2)
    while gmpy2.powmod(z, (q - 1) // 2, q) == 1:
        z += 1
    return s, t, gmpy2.powmod(z, t, q)


def sqrt_mod(v: int, q: int) -> Optional[mpz]:
    """The root r of v with r ≤ (q−1)/2, or None if v is not a square mod q."""
    q = mpz(q)
    v = mpz(v) % q
    if v == 0:
        return mpz(0)
    m, t, c = _constants(int(q))
    r, tt = gmpy2.powmod(v, (t + 1) // 2, q), gmpy2.powmod(v, t, q)
    while tt != 1:
        i, x = 0, tt
        while x != 1 and i < m:
            x, i = x * x % q, i + 1
        if i == m:          # v is not a square
            return None
        b = gmpy2.powmod(c, 1 << (m - i - 1), q)
        r, c, m = r * b % q, b * b % q, i
        tt = tt * c % q
    if r * r % q != v:
        return None
    return min(r, q - r)
