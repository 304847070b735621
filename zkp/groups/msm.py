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


#: below this many points Straus is as fast (Pippenger's buckets cost 2^c additions per window)
PIPPENGER_MIN_POINTS = 256


def pippenger_window(n: int) -> int:
    """Bucket width c for n points: about log2(n) − 3 balances n additions per window against 2^c."""
    return max(4, min(16, n.bit_length() - 3))


def pippenger(points: Sequence[Any], scalars: Sequence[int], add: Add, double: Callable[[Any], Any],
              neg: Callable[[Any], Any], identity: Any, order: int | None = None) -> Any:
    """Σ k_i·P_i (0 ≤ k_i) by Pippenger's bucket method: for thousands of points about
    (scalar bits / c) additions per point instead of Straus's ~(scalar bits / 6) + 8, with
    c ≈ log2(n) − 3 (the batch verifications of many proofs at once).

    Scalars above order/2 become order − k on −P (as in :func:`straus_wnaf`), so batch weights
    times challenges that land near q cost no more than small ones.
    """
    half = order // 2 if order else None
    pts, ks = [], []
    for p, k in zip(points, scalars):
        if not k:
            continue
        if half is not None and k > half:
            p, k = neg(p), order - k
        pts.append(p)
        ks.append(k)
    if not pts:
        return identity
    c = pippenger_window(len(pts))
    mask = (1 << c) - 1
    windows = (max(ks).bit_length() + c - 1) // c
    acc = None
    for w in range(windows - 1, -1, -1):
        if acc is not None:
            for _ in range(c):
                acc = double(acc)
        buckets: list[Any] = [None] * (mask + 1)
        shift = w * c
        for p, k in zip(pts, ks):
            d = (k >> shift) & mask
            if d:
                b = buckets[d]
                buckets[d] = p if b is None else add(b, p)
        # Σ d·bucket[d] as a running sum from the top bucket down: 2 additions per bucket
        running = total = None
        for d in range(mask, 0, -1):
            b = buckets[d]
            if b is not None:
                running = b if running is None else add(running, b)
            if running is not None:
                total = running if total is None else add(total, running)
        if total is not None:
            acc = total if acc is None else add(acc, total)
    return identity if acc is None else acc
