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

The proportional share is `mpc.comparison.floor_mul_div` (a secret times a public fraction,
exact for C_i·ΣC(g) up to 2^129 by splitting the secret; anything wider is refused with a
ValueError before any message is sent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from mpc import comparison
from mpc.errors import InputOutOfRange
from mpc.session import Session
from mpc.shares import AuthVector

from protocols.energy.reference.compensation import proportional_shares
from protocols.energy.private.two_state import VALUE_BITS, SlotOutcome


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
        shares = await comparison.floor_mul_div(session, opt, s_group, s_outside, VALUE_BITS)
        (deficit,) = await session.output_signed((-shares.sum()) + s_group)
    else:
        raise ValueError(f"unknown scheme {scheme!r}")
    if not 0 <= deficit < n:
        raise session.abort(InputOutOfRange(f"rounding deficit {deficit} outside [0, {n})"))
    bonus = [1 if i < deficit else 0 for i in range(n)]
    phi = shares + bonus - c_group
    return SharedCompensation(scheme, s_group, s_outside, deficit, phi)


async def open_to_owners(session: Session, phi: AuthVector) -> Optional[int]:
    """Reveal φ_i to party i only, for every i at once; returns this party's own φ (signed),
    or None for a party with no entry."""
    mine = await session.output_to_each(phi, list(range(len(phi))))
    return session.field.signed(mine[0]) if mine else None
