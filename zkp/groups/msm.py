"""Scalar-multiplication algorithms over any group law given as functions.

Backends whose library offers only the group law (or whose own scalar
multiplication is a slow double-and-add or a constant-time ladder) use these:

* :class:`FixedBaseComb` — for a base used over and over (G, H): rows of
  precomputed multiples d·2^(8i)·B, so a multiplication is ≤ 32 additions;
* :func:`straus_wnaf` — Σ k_i·P_i with interleaved width-5 signed digits:
  the ~254 doublings are shared by all points and each point costs about
  8 + n/6 additions for an n-bit scalar (scalars near q count as small negatives).

Neither is constant-time.  That is acceptable where they are used: the
provers' secret-dependent multiplications are fixed-base ones whose timing
leaks through the digit pattern only to an attacker timing this process,
and verifiers handle public data.  A deployment that must resist local
timing attacks should use the coincurve backend, whose libsecp256k1 calls
are constant-time.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

Add = Callable[[Any, Any], Any]

COMB_BITS = 8
WNAF_WIDTH = 5


def wnaf_digits(k: int, width: int = WNAF_WIDTH) -> list[int]:
    """Width-w non-adjacent form of k ≥ 0, least significant digit first (odd digits in ±[1, 2^(w-1)))."""
    digits = []
    full, half = 1 << width, 1 << (width - 1)
    while k:
        if k & 1:
            d = k & (full - 1)
            if d >= half:
                d -= full
            k -= d
        else:
            d = 0
        digits.append(d)
        k >>= 1
    return digits


class FixedBaseComb:
    """rows[i][d] = d·2^(8i)·B for d in 0..255; k·B is the sum of one entry per row."""

    def __init__(self, base: Any, scalar_bits: int, add: Add, identity: Any) -> None:
        self.add = add
        self.identity = identity
        self.rows: list[list[Any]] = []
        step = base
        for _ in range((scalar_bits + COMB_BITS - 1) // COMB_BITS):
            row = [identity, step]
            for _d in range(2, 1 << COMB_BITS):
                row.append(add(row[-1], step))
            self.rows.append(row)
            step = add(row[-1], step)  # 256·step

    def mul(self, k: int) -> Any:
        acc, add = self.identity, self.add
        mask = (1 << COMB_BITS) - 1
        i = 0
        while k:
            d = k & mask
            if d:
                acc = add(acc, self.rows[i][d])
            k >>= COMB_BITS
            i += 1
        return acc


def straus_wnaf(points: Sequence[Any], scalars: Sequence[int], add: Add, double: Callable[[Any], Any],
                neg: Callable[[Any], Any], identity: Any, order: int | None = None) -> Any:
    """Σ k_i·P_i (0 ≤ k_i, zero scalars skipped) by interleaved wNAF.

    With ``order`` given, a scalar above order/2 is replaced by order − k on −P: small
    negative coefficients (−w for a 128-bit batch weight w) then cost half the additions.
    """
    jobs = []
    half = order // 2 if order else None
    for p, k in zip(points, scalars):
        if not k:
            continue
        if half is not None and k > half:
            p, k = neg(p), order - k
        two_p = double(p)
        odd = [p]
        for _ in range((1 << (WNAF_WIDTH - 2)) - 1):
            odd.append(add(odd[-1], two_p))
        jobs.append((wnaf_digits(k), odd))
    if not jobs:
        return identity
    acc, started = identity, False
    for i in range(max(len(d) for d, _ in jobs) - 1, -1, -1):
        if started:
            acc = double(acc)
        for digits, odd in jobs:
            if i < len(digits):
                d = digits[i]
                if d > 0:
                    acc = add(acc, odd[d >> 1])
                    started = True
                elif d < 0:
                    acc = add(acc, neg(odd[(-d) >> 1]))
                    started = True
    return acc
