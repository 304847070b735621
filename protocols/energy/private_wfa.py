"""Stage 2 of the private group purchase: the two-state social rule on shares (seed Algorithm 2, Π_WFA).

Per slot t, vectorised over all users (one comparison call for the 2n minima, one for the
two aggregate tests, one product for the AND):

  Opt_i^t   = min(Opt_i^{t-1} + κ_i^t,        Opt_{i,g}^{t-1} + κ_i^t + μ_i^t + d(g))
  Opt_{i,g}^t = min(Opt_{i,g}^{t-1} + κ_{i,g}^t, Opt_i^{t-1} + κ_{i,g}^t + c(g) + v_i^t)
  join_t = [ΣC_i(g) < ΣC_i(E\\g)] · [ΣOpt_{i,g}^t = Σ(Opt_{i,g}^{t-1} + κ_{i,g}^t)]

Only join_t is opened (not its two factors, not any cost).  κ_{i,g}^t comes from the shared
energies and import/export indicators with the group plan's public prices (Algorithm 2,
line 3): Σ_p p⁺_g(p)·β_p·a_p + p⁻_g(p)·(1 − β_p)·a_p, one product round for all users,
slots and periods.

Two deliberate choices, both exact:
- Opt_{i,g}^0 = +∞ is the finite sentinel SENTINEL = 2^64, which exceeds every reachable
  cost because the scenario loader bounds every linear intermediate by 2^64
  (`two_state.two_state_slots(..., sentinel=SENTINEL)` replays the same arithmetic).
- The equality test of constraint (6) is computed as a less-than: every
  Opt_{i,g}^t ≤ Opt_{i,g}^{t-1} + κ_{i,g}^t (it is the minimum of that and another
  candidate), so the sums are equal iff ΣOpt_{i,g}^t is *not* below Σ(Opt_{i,g}^{t-1} + κ_{i,g}^t).
  Both tests then go through one vectorised `less_than`, saving the rounds of a separate
  equality protocol.

Bit lengths declared to the comparisons: per-user values lie in (−2^65, 2^65) (costs below
2^64 plus at most the sentinel), sums over n users below (n+1)·2^65.
"""

from __future__ import annotations

from dataclasses import dataclass

from mpc import comparison
from mpc.session import Session
from mpc.shares import AuthVector

from protocols.energy.private_inputs import PublicInfo, SharedBills

SENTINEL = 2**64
VALUE_BITS = 66


def sum_bits(n_users: int) -> int:
    """Signed bit length that holds a sum over n users of values in (−2^65, 2^65)."""
    return VALUE_BITS + n_users.bit_length()


async def group_costs(session: Session, info: PublicInfo, bills: SharedBills) -> AuthVector:
    """⟨κ_{i,g}^t⟩ for every user and slot (index i·T + t − 1), from ⟨a⟩, ⟨β⟩ and g's prices."""
    ba = await session.mul(bills.beta, bills.a)
    P = info.n_periods
    total = None
    for p in range(P):
        imp = ba[p::P] * info.group_import[p]
        exp = (bills.a[p::P] - ba[p::P]) * info.group_export[p]
        term = imp + exp
        total = term if total is None else total + term
    return total


@dataclass
class RuleState:
    """⟨Opt_i^t⟩ and ⟨Opt_{i,g}^t⟩ for all users after slot `slot` (0: the start)."""

    slot: int
    opt: AuthVector
    opt_g: AuthVector


@dataclass
class SlotOutcome:
    """What Stage 3 needs from a slot: the new state, ⟨v_i^t⟩ and the opened decision."""

    state: RuleState
    v: AuthVector
    join: bool


def initial_state(session: Session, n_users: int) -> RuleState:
    """Opt_i^0 = 0 and Opt_{i,g}^0 = SENTINEL (users start outside g)."""
    return RuleState(0, AuthVector.public(session.key, [0] * n_users),
                     AuthVector.public(session.key, [SENTINEL] * n_users))


async def rule_slot(session: Session, info: PublicInfo, bills: SharedBills, kappa_g: AuthVector,
                    state: RuleState) -> SlotOutcome:
    """One slot of Π_WFA: update both offline costs of every user and open only the join decision.

    The opened bit is MAC-checked at the next check (Stage 3's first output runs one), so a
    tampered decision aborts the session before anything leaves it.
    """
    n, t = info.n_users, state.slot + 1
    kap = bills.slot("kappa", t)
    kg = kappa_g[[i * info.n_slots + t - 1 for i in range(n)]]
    mu = bills.slot("mu", t)
    v = bills.slot("v", t)
    stay_g = state.opt_g + kg
    first = AuthVector.concat([state.opt + kap, stay_g])
    second = AuthVector.concat([state.opt_g + kap + mu + info.d_g, state.opt + kg + v + info.c_g])
    best = await comparison.minimum(session, first, second, VALUE_BITS)
    opt, opt_g = best[:n], best[n:]
    c_group = opt_g + v + info.c_g
    lt = await comparison.less_than(session, AuthVector.concat([c_group.sum(), opt_g.sum()]),
                                    AuthVector.concat([opt.sum(), stay_g.sum()]), sum_bits(n))
    join = await session.mul(lt[0], 1 - lt[1])
    (bit,) = await session.open(join)
    return SlotOutcome(RuleState(t, opt, opt_g), v, int(bit) == 1)
