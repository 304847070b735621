"""Stage 3 of the private group purchase: mutual compensations on shares (seed Algorithm 3, Π_MC).

At the join slot, with C_i(E\\g) = Opt_i and C_i(g) = Opt_{i,g} + c(g) + v_i:

1. open ΣC(g) and ΣC(E\\g) (Algorithm 3, step 4; MAC-checked, which also covers every
   decision bit opened in Stage 2);
2. each user's target cost ("share") with the spec's floor rounding:
   egalitarian C_i(E\\g) + ⌊(ΣC(g) − ΣC(E\\g))/|X|⌋ is local (the quotient is public);
   proportional ⌊C_i(E\\g)·ΣC(g)/ΣC(E\\g)⌋ is a secret times a public fraction
   (`floor_mul_div`); proportional sharing with ΣC(E\\g) ≤ 0 is refused publicly;
3. the deficit D = ΣC(g) − Σshare_i (public in the spec; opened for proportional sharing,
   already public for egalitarian) gives one unit to the first D users;
4. φ_i = share_i + [i < D] − C_i(g) stays shared; user i alone learns φ_i (one opening of
   φ_i + r_i for all users, r_i an input mask known to user i only).

`floor_mul_div` and the field: `mpc.comparison.divide_public` needs about 2k + 45 bits of
field for a k-bit dividend (its multiply-and-truncate step doubles the width), i.e. k ≤ 104
on BN254, while C_i·ΣC(g) can reach 2^129.  So the secret is split into two halves and the
floor of the sum is rebuilt from the floors of the parts and one carry comparison of their
remainders — exact for every input within the spec's 2^64 bounds; anything wider is
refused with a ValueError before any message is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from mpc import comparison
from mpc.errors import InputOutOfRange
from mpc.session import Session
from mpc.shares import AuthVector

from protocols.energy.compensation import proportional_shares
from protocols.energy.private_wfa import VALUE_BITS, SlotOutcome


def divide_public_fits(session: Session, k: int, d: int) -> bool:
    """Whether `comparison.divide_public(session, a, d, k)` fits the session's field (same formula)."""
    if d <= 1 or d & (d - 1) == 0:
        return k + session.security + 2 <= session.field.bits
    half = 1 << (k - 1)
    offset = -(-half // d) * d
    big_k = (half + offset).bit_length()
    ell = (d - 1).bit_length()
    mult = -(-(1 << (big_k + ell)) // d)
    return big_k + mult.bit_length() + session.security + 2 <= session.field.bits


async def floor_mul_div(session: Session, c: AuthVector, num: int, den: int, c_bits: int) -> AuthVector:
    """⟨⌊c·num/den⌋⟩ for shared signed c with |c| < 2^(c_bits−1) and public integers num, den ≥ 1.

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
    if divide_public_fits(session, c_bits + dbits + 1, den):
        return base + await comparison.divide_public(session, c * rem, den, c_bits + dbits + 1)
    w = c_bits // 2
    k = max(c_bits - w + dbits, w + dbits + 1) + 1
    if not divide_public_fits(session, k, den):
        raise ValueError(f"floor_mul_div: a {c_bits}-bit secret times a {dbits}-bit fraction does not fit "
                         f"the {session.field.bits}-bit field even when split; bound the inputs tighter")
    high = await comparison.trunc(session, c, c_bits, w)
    low = c - high * (1 << w)
    q2, r2 = divmod(rem << w, den)
    n = len(c)
    parts = AuthVector.concat([high * r2, low * rem])
    quotients = await comparison.divide_public(session, parts, den, k)
    remainders = parts - quotients * den
    sum_rem = remainders[:n] + remainders[n:]
    below = await comparison.less_than_zero(session, sum_rem - den, dbits + 2)
    carry = 1 - below
    return base + high * q2 + quotients[:n] + quotients[n:] + carry


@dataclass
class SharedCompensation:
    """The public sums and deficit, and every user's ⟨φ_i⟩ (still shared)."""

    scheme: str
    sum_group: int
    sum_outside: int
    deficit: int
    phi: AuthVector


async def reveal_sums(session: Session, outcome: SlotOutcome, c_g: int) -> tuple[int, int]:
    """Open (ΣC_i(g), ΣC_i(E\\g)) at the join slot, MAC-checking everything opened so far."""
    c_group = outcome.state.opt_g + outcome.v + c_g
    s_group, s_outside = await session.output_signed(
        AuthVector.concat([c_group.sum(), outcome.state.opt.sum()]))
    return s_group, s_outside


async def compensate(session: Session, outcome: SlotOutcome, c_g: int, scheme: str,
                     sums: tuple[int, int]) -> SharedCompensation:
    """Π_MC after the sums were revealed: ⟨φ_i⟩ for every user with the spec's rounding rule.

    Raises CompensationRefused (publicly, before any further message) for proportional sharing
    with ΣC(E\\g) ≤ 0.
    """
    s_group, s_outside = sums
    opt, opt_g = outcome.state.opt, outcome.state.opt_g
    n = len(opt)
    c_group = opt_g + outcome.v + c_g
    if scheme == "egalitarian":
        delta = (s_group - s_outside) // n
        shares = opt + delta
        deficit = s_group - (s_outside + n * delta)
    elif scheme == "proportional":
        proportional_shares([], s_group, s_outside)  # the reference's refusal (same message) when ΣC(E\\g) ≤ 0
        shares = await floor_mul_div(session, opt, s_group, s_outside, VALUE_BITS)
        (deficit,) = await session.output_signed((-shares.sum()) + s_group)
    else:
        raise ValueError(f"unknown scheme {scheme!r}")
    if not 0 <= deficit < n:
        raise session.abort(InputOutOfRange(f"rounding deficit {deficit} outside [0, {n})"))
    bonus = [1 if i < deficit else 0 for i in range(n)]
    phi = shares + bonus - c_group
    return SharedCompensation(scheme, s_group, s_outside, deficit, phi)


async def open_to_owners(session: Session, x: AuthVector) -> Optional[int]:
    """Reveal x[i] to party i only, for every i at once; returns this party's own value (signed).

    One opening of x_i + r_i, where ⟨r_i⟩ is an input mask whose value only party i holds;
    the opening is MAC-checked before anyone unmasks.
    """
    masks, mine = [], None
    for owner in range(len(x)):
        r, clear = await session.prep.input_masks(owner, 1)
        masks.append(r)
        if owner == session.pid:
            mine = clear[0]
    opened = await session.output(x + AuthVector.concat(masks))
    if session.pid >= len(x):
        return None
    return session.field.signed((opened[session.pid] - mine) % session.field.q)
