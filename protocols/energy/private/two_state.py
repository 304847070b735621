"""Stage 2 of the private group purchase: the two-state social rule on shares (seed Algorithm 2, Π_WFA).

Per slot t, vectorised over all users (one comparison call for the 2n minima, one for the
two aggregate tests, one product for the AND):

  Opt_i^t   = min(Opt_i^{t-1} + κ_i^t,        Opt_{i,g}^{t-1} + κ_i^t + μ_i^t + d(g))
  Opt_{i,g}^t = min(Opt_{i,g}^{t-1} + κ_{i,g}^t, Opt_i^{t-1} + κ_{i,g}^t + c(g) + v_i^t)
  join_t = [ΣC_i(g) < ΣC_i(E\\g)] · [ΣOpt_{i,g}^t = Σ(Opt_{i,g}^{t-1} + κ_{i,g}^t)]

Only join_t is opened (not its two factors, not any cost), and it is MAC-checked as it is
opened (`Session.open_checked`): it decides whether the rule goes on or Stage 3 opens the
sums, so a corrupt party that flips it makes every honest party abort first.  `RuleRunner` pipelines the
slots: the join test of slot t rides in the same comparison and product rounds as the
minima of slot t + 1.  κ_{i,g}^t comes from the shared
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

from protocols.energy.private.bills import PublicInfo, SharedBills

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


def _candidates(info: PublicInfo, bills: SharedBills, kappa_g: AuthVector, state: RuleState):
    """Both candidates of both minima of slot state.slot + 1, and ⟨v⟩, ⟨κ_g⟩ of that slot."""
    n, t = info.n_users, state.slot + 1
    kap = bills.slot("kappa", t)
    kg = kappa_g[[i * info.n_slots + t - 1 for i in range(n)]]
    mu = bills.slot("mu", t)
    v = bills.slot("v", t)
    first = AuthVector.concat([state.opt + kap, state.opt_g + kg])
    second = AuthVector.concat([state.opt_g + kap + mu + info.d_g, state.opt + kg + v + info.c_g])
    return first, second, v, kg


def _join_test(info: PublicInfo, before: RuleState, after: RuleState, v: AuthVector, kg: AuthVector):
    """(x, y) of the two aggregate tests: [ΣC(g) < ΣC(E\\g)] and [ΣOpt_g^t < Σ(Opt_g^{t-1} + κ_g^t)]."""
    c_group = after.opt_g + v + info.c_g
    x = AuthVector.concat([c_group.sum(), after.opt_g.sum()])
    y = AuthVector.concat([after.opt.sum(), (before.opt_g + kg).sum()])
    return x, y


class RuleRunner:
    """Π_WFA slot by slot, pipelined: the join test of slot t shares its comparison and its product
    round with the minima of slot t + 1 (which do not depend on it), so a slot costs one
    comparison, one product and one checked opening (open + MAC check).  If slot t joins,
    the slot t + 1 work is dropped unopened.  Decisions come out in slot order from
    `next_decision`.
    """

    def __init__(self, session: Session, info: PublicInfo, bills: SharedBills, kappa_g: AuthVector):
        self.s, self.info, self.bills, self.kappa_g = session, info, bills, kappa_g
        self.state = initial_state(session, info.n_users)
        self._pending = None   # slot t whose join test is not computed yet: (state, v, test x, test y)
        self._ahead: RuleState | None = None

    async def _advance(self, with_minima: bool):
        """One round trip: minima of the next slot (if any) and the pending slot's join bit."""
        s, n = self.s, self.info.n_users
        xs, ys, k = [], [], VALUE_BITS
        if with_minima:
            first, second, v, kg = _candidates(self.info, self.bills, self.kappa_g, self.state)
            xs.append(first)
            ys.append(second)
        if self._pending is not None:
            _, _, tx, ty = self._pending
            xs.append(tx)
            ys.append(ty)
            k = sum_bits(n)
        lt = await comparison.less_than(s, AuthVector.concat(xs), AuthVector.concat(ys), k)
        left, right = [], []
        if with_minima:
            left.append(lt[:2 * n])
            right.append(first - second)
        if self._pending is not None:
            left.append(lt[-2:-1])
            right.append(1 - lt[-1:])
        prod = await s.mul(AuthVector.concat(left), AuthVector.concat(right))
        new = None
        if with_minima:
            best = second + prod[:2 * n]
            after = RuleState(self.state.slot + 1, best[:n], best[n:])
            tx, ty = _join_test(self.info, self.state, after, v, kg)
            new = (after, v, tx, ty)
        join_bit = prod[-1:] if self._pending is not None else None
        return new, join_bit

    async def next_decision(self) -> SlotOutcome | None:
        """The next slot's opened decision (None after the last slot)."""
        while True:
            more = self.state.slot < self.info.n_slots
            if self._pending is None and not more:
                return None
            new, join_bit = await self._advance(more)
            done = self._pending
            self._pending = new
            if new is not None:
                self.state = new[0]
            if done is None:
                continue
            # the join bit decides whether the rule goes on or Stage 3 starts: MAC-checked
            (bit,) = await self.s.open_checked(join_bit)
            return SlotOutcome(done[0], done[1], int(bit) == 1)


async def rule_slot(session: Session, info: PublicInfo, bills: SharedBills, kappa_g: AuthVector,
                    state: RuleState) -> SlotOutcome:
    """One slot of Π_WFA on its own (no pipelining): both offline costs of every user and the
    opened join decision (kept for clarity and as the tests' second implementation)."""
    first, second, v, kg = _candidates(info, bills, kappa_g, state)
    best = await comparison.minimum(session, first, second, VALUE_BITS)
    n = info.n_users
    after = RuleState(state.slot + 1, best[:n], best[n:])
    x, y = _join_test(info, state, after, v, kg)
    lt = await comparison.less_than(session, x, y, sum_bits(n))
    join = await session.mul(lt[0], 1 - lt[1])
    (bit,) = await session.open_checked(join)
    return SlotOutcome(after, v, int(bit) == 1)
