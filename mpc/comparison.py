"""Secure comparison, equality, minimum, truncation and division for shared integers.

Inputs are signed integers of a declared bit length k (−2^(k−1) ≤ a < 2^(k−1)) embedded
in GF(q). The protocols mask a value with a random r whose low bits are known in shared
form and whose high part carries κ extra random bits, open the masked value (which
hides a statistically, distance ≤ 2^−κ), and repair the low part with a bitwise
comparison on shared bits (the Catrina–de Hoogh approach). Everything is exact: no
probabilistic rounding. Each function works on a whole vector at once; rounds are
logarithmic in k.

Field-size requirement: k + κ + 2 ≤ log2(q) (checked), e.g. k ≤ 210 for κ = 40 on BN254.

The declared length is trusted, not checked: for a value outside it the result is
meaningless (less_than may return a value that is not a bit, with every MAC check
passing) and the masked opening no longer hides the value's high bits. So every input
from a party that could lie must be range-checked when it enters the computation
(`Session.input(..., bits=k)`, `mpc.bits.check_bits`) or be bound to a range proof,
and a protocol must declare widths that hold for every intermediate value it compares.
"""
from __future__ import annotations


from .session import Session
from .shares import AuthVector


def _check_room(s: Session, bits: int) -> None:
    if bits + s.security + 2 > s.field.bits:
        raise ValueError(f"{bits}-bit values with κ={s.security} do not fit a {s.field.bits}-bit field")




async def _prefix_and_or(s: Session, nodes: list[tuple[AuthVector, AuthVector]],
                         need_eq: bool) -> tuple[AuthVector, AuthVector | None]:
    """Combine (lt, eq) pairs ordered from least to most significant position into one.

    For a high part H and a low part L: lt = lt_H + eq_H·lt_L, eq = eq_H·eq_L.
    All pairs of one tree level are multiplied in a single round.
    """
    while len(nodes) > 1:
        pairs = [(nodes[i], nodes[i + 1]) for i in range(0, len(nodes) - 1, 2)]
        carry = nodes[-1] if len(nodes) % 2 else None
        last_level = len(nodes) == 2
        left = [h[1] for _, h in pairs]          # eq_H
        right = [lo[0] for lo, _ in pairs]       # lt_L
        if need_eq or not last_level:
            left = left + [h[1] for _, h in pairs]
            right = right + [lo[1] for lo, _ in pairs]
        prod = await s.mul(AuthVector.concat(left), AuthVector.concat(right))
        n = len(pairs[0][0][0])
        new_nodes = []
        for j, (lo, hi) in enumerate(pairs):
            lt = hi[0] + prod[j * n:(j + 1) * n]
            if need_eq or not last_level:
                off = len(pairs) * n
                eq = prod[off + j * n: off + (j + 1) * n]
            else:
                eq = None
            new_nodes.append((lt, eq))
        if carry is not None:
            new_nodes.append(carry)
        nodes = new_nodes
    return nodes[0]


async def bit_less_than(s: Session, c: list[int], r_bits: list[AuthVector]) -> AuthVector:
    """⟨[c_j < r_j]⟩ for public integers c_j and shared r_j given by bits (LSB first)."""
    nbits = len(r_bits)
    nodes = []
    for i in range(nbits):
        ci = [(cj >> i) & 1 for cj in c]
        ri = r_bits[i]
        # c_i = 0: lt = r_i, eq = 1 − r_i;  c_i = 1: lt = 0, eq = r_i.
        lt = ri * [1 - b for b in ci]
        eq = ri * [2 * b - 1 for b in ci] + [1 - b for b in ci]
        nodes.append((lt, eq))
    lt, _ = await _prefix_and_or(s, nodes, need_eq=False)
    return lt


async def _masked_open(s: Session, x: AuthVector, k: int, m: int):
    """Open c = x + r' + 2^m·r'' for 0 ≤ x < 2^k, r' = Σ_{i<m} 2^i r_i from shared bits."""
    _check_room(s, k)
    n = len(x)
    bits = await s.random_bits(n * m)
    r_bits = [bits[i * n:(i + 1) * n] for i in range(m)]
    r_low = r_bits[0] * 1
    for i in range(1, m):
        r_low = r_low + r_bits[i] * (1 << i)
    high_bits = k + s.security - m
    r_high = await s.random_bounded(n, high_bits) if high_bits > 0 else None
    masked = x + r_low
    if r_high is not None:
        masked = masked + r_high * (1 << m)
    c = await s.open(masked)
    return c, r_bits, r_low


async def mod_pow2(s: Session, x: AuthVector, k: int, m: int) -> AuthVector:
    """⟨x mod 2^m⟩ for shared 0 ≤ x < 2^k (exact)."""
    if not 0 < m <= k:
        raise ValueError("need 0 < m <= k")
    c, r_bits, r_low = await _masked_open(s, x, k, m)
    c_low = [int(v) & ((1 << m) - 1) for v in c]
    borrow = await bit_less_than(s, c_low, r_bits)
    return (r_low * -1 + c_low) + borrow * (1 << m)


async def trunc(s: Session, a: AuthVector, k: int, m: int) -> AuthVector:
    """⟨⌊a / 2^m⌋⟩ (rounding toward −∞) for signed k-bit a, exactly."""
    if not 0 < m < k:
        raise ValueError("need 0 < m < k")
    offset = 1 << (k - 1)
    x = a + offset
    low = await mod_pow2(s, x, k, m)
    inv = s.field.inverse(1 << m)
    return (x - low) * inv - (offset >> m)


async def less_than_zero(s: Session, a: AuthVector, k: int) -> AuthVector:
    """⟨[a < 0]⟩ for signed k-bit a."""
    offset = 1 << (k - 1)
    x = a + offset
    low = await mod_pow2(s, x, k, k - 1)
    top = (x - low) * s.field.inverse(offset)  # bit k−1 of x: 1 iff a ≥ 0
    return 1 - top


async def less_than(s: Session, x: AuthVector, y: AuthVector, k: int) -> AuthVector:
    """⟨[x < y]⟩ for signed k-bit x, y (their difference has k+1 bits)."""
    return await less_than_zero(s, x - y, k + 1)


async def greater_than(s: Session, x: AuthVector, y: AuthVector, k: int) -> AuthVector:
    return await less_than(s, y, x, k)


async def equal_zero(s: Session, a: AuthVector, k: int) -> AuthVector:
    """⟨[a = 0]⟩ for signed k-bit a: compare the masked value's low k bits with r's bits."""
    offset = 1 << (k - 1)
    x = a + offset
    c, r_bits, _ = await _masked_open(s, x, k, k)
    # x = t (t = 2^(k−1)) iff r' ≡ c − t (mod 2^k), bit by bit.
    d = [(int(v) - offset) % (1 << k) for v in c]
    factors = []
    for i in range(k):
        di = [(dj >> i) & 1 for dj in d]
        # [r_i = d_i] = r_i if d_i = 1 else 1 − r_i
        factors.append(r_bits[i] * [2 * b - 1 for b in di] + [1 - b for b in di])
    while len(factors) > 1:
        half = len(factors) // 2
        left = AuthVector.concat(factors[:half])
        right = AuthVector.concat(factors[half:2 * half])
        prod = await s.mul(left, right)
        n = len(a)
        nxt = [prod[j * n:(j + 1) * n] for j in range(half)]
        if len(factors) % 2:
            nxt.append(factors[-1])
        factors = nxt
    return factors[0]


async def equal(s: Session, x: AuthVector, y: AuthVector, k: int) -> AuthVector:
    """⟨[x = y]⟩ for signed k-bit x, y."""
    return await equal_zero(s, x - y, k + 1)


async def minimum(s: Session, x: AuthVector, y: AuthVector, k: int) -> AuthVector:
    """Element-wise ⟨min(x, y)⟩ for signed k-bit x, y."""
    b = await less_than(s, x, y, k)
    return y + await s.mul(b, x - y)


async def maximum(s: Session, x: AuthVector, y: AuthVector, k: int) -> AuthVector:
    b = await less_than(s, x, y, k)
    return x + await s.mul(b, y - x)


async def select(s: Session, bit: AuthVector, if_one: AuthVector, if_zero: AuthVector) -> AuthVector:
    """⟨bit ? if_one : if_zero⟩ for a shared bit."""
    return if_zero + await s.mul(bit, if_one - if_zero)


async def divide_public(s: Session, a: AuthVector, d: int, k: int) -> AuthVector:
    """⟨⌊a / d⌋⟩ (toward −∞) for signed k-bit a and a public integer d ≥ 1, exactly.

    Shift a by a multiple of d to make it non-negative (x < 2^K), multiply by
    M = ⌈2^(K+ℓ)/d⌉ with ℓ = ⌈log2 d⌉, and truncate by K+ℓ bits: for every x < 2^K this
    gives ⌊x/d⌋ exactly (Granlund–Montgomery), so only one exact truncation is needed.
    """
    if d < 1:
        raise ValueError("divisor must be a positive integer")
    if d == 1:
        return a * 1
    if d & (d - 1) == 0:
        return await trunc(s, a, k, d.bit_length() - 1) if d.bit_length() - 1 < k else \
            await _divide_by_multiplier(s, a, d, k)
    return await _divide_by_multiplier(s, a, d, k)


def _multiplier_plan(d: int, k: int) -> tuple[int, int, int, int]:
    """(offset, multiplier, bits of the product, shift) of the division of a signed k-bit
    value by d ≥ 2 (see divide_public)."""
    half = 1 << (k - 1)
    offset = -(-half // d) * d            # smallest multiple of d that is ≥ 2^(k−1)
    big_k = (half + offset).bit_length()  # x = a + offset < 2^K
    ell = (d - 1).bit_length()
    mult = -(-(1 << (big_k + ell)) // d)
    return offset, mult, big_k + mult.bit_length(), big_k + ell


def divide_fits(s: Session, k: int, d: int) -> bool:
    """Whether divide_public(s, a, d, k) fits the session's field: its widest comparison
    needs bits + κ + 2 ≤ log2(q), and the multiply-and-truncate step about doubles k."""
    if d <= 1 or d & (d - 1) == 0:
        widest = k
    else:
        widest = _multiplier_plan(d, k)[2]
    return widest + s.security + 2 <= s.field.bits


async def _divide_by_multiplier(s: Session, a: AuthVector, d: int, k: int) -> AuthVector:
    offset, mult, ybits, shift = _multiplier_plan(d, k)
    y = (a + offset) * mult
    low = await mod_pow2(s, y, ybits, shift)
    quotient = (y - low) * s.field.inverse(1 << shift)
    return quotient - offset // d


async def floor_mul_div(session: Session, c: AuthVector, num: int, den: int, c_bits: int) -> AuthVector:
    """⟨⌊c·num/den⌋⟩ for shared signed c with |c| < 2^(c_bits−1) and public integers num, den ≥ 1.

    divide_public alone needs about 2k + 45 bits of field for a k-bit dividend (its
    multiply-and-truncate step doubles the width), i.e. k ≤ 104 on BN254, while c·num can
    be wider; so when it does not fit, c is split into two halves and the floor of the sum
    is rebuilt from the floors of the parts and one carry comparison of their remainders.

    num = Q·den + R (0 ≤ R < den) gives ⌊c·num/den⌋ = c·Q + ⌊c·R/den⌋.  With c = c_h·2^w + c_l
    (0 ≤ c_l < 2^w) and R·2^w = Q2·den + R2:
        ⌊c·R/den⌋ = c_h·Q2 + ⌊c_h·R2/den⌋ + ⌊c_l·R/den⌋ + [rem(c_h·R2) + rem(c_l·R) ≥ den],
    since ⌊x + y⌋ = ⌊x⌋ + ⌊y⌋ + [frac x + frac y ≥ 1].  Both divisions go in one
    `divide_public` call of about c_bits/2 + log2(den) bits.
    """
    if den < 1:
        raise ValueError("floor_mul_div: the divisor must be a positive integer")
    q_whole, rem = divmod(num, den)
    base = c * q_whole
    if rem == 0:
        return base
    dbits = den.bit_length()
    if divide_fits(session, c_bits + dbits + 1, den):
        return base + await divide_public(session, c * rem, den, c_bits + dbits + 1)
    w = c_bits // 2
    k = max(c_bits - w + dbits, w + dbits + 1) + 1
    if not divide_fits(session, k, den):
        raise ValueError(f"floor_mul_div: a {c_bits}-bit secret times a {dbits}-bit fraction does not fit "
                         f"the {session.field.bits}-bit field even when split; bound the inputs tighter")
    high = await trunc(session, c, c_bits, w)
    low = c - high * (1 << w)
    q2, r2 = divmod(rem << w, den)
    n = len(c)
    parts = AuthVector.concat([high * r2, low * rem])
    quotients = await divide_public(session, parts, den, k)
    remainders = parts - quotients * den
    sum_rem = remainders[:n] + remainders[n:]
    below = await less_than_zero(session, sum_rem - den, dbits + 2)
    carry = 1 - below
    return base + high * q2 + quotients[:n] + quotients[n:] + carry
