"""The two-state social rule of `docs/specs/energy.md` (§3; seed Algorithm 2) in plain integers.

This is exactly what the private protocol computes: per user i and slot t the inputs
κ_i^t (current plan), κ_{i,g}^t (group plan), μ_i, v_i^t and the public c(g), d(g), all in
n$; the recursions for Opt_i^t and Opt_{i,g}^t; and the join test
  ΣC_i(g) < ΣC_i(E\\g)  and  ΣOpt_{i,g}^t = Σ(Opt_{i,g}^{t-1} + κ_{i,g}^t).
Opt_{i,g}^0 is +∞ (the user starts outside g).  The reference represents it by None;
`sentinel=` replays the recursion with a finite stand-in, as an MPC would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from protocols.energy.reference.compensation import Compensation, CompensationRefused, compute_compensation
from protocols.energy.model import Scenario
from protocols.energy.scenarios.loader import linear_value_bound


@dataclass(frozen=True)
class TwoStateInputs:
    """Per-user, per-slot inputs of the rule; lists are indexed [user][slot − 1]."""

    user_ids: tuple[str, ...]
    kappa: tuple[tuple[int, ...], ...]
    kappa_g: tuple[tuple[int, ...], ...]
    mu: tuple[int, ...]
    v: tuple[tuple[int, ...], ...]
    c_g: int
    d_g: int

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_slots(self) -> int:
        return len(self.kappa[0])


def two_state_inputs(scenario: Scenario) -> TwoStateInputs:
    """κ, κ_g, μ, v of every registered user, and c(g), d(g), from a scenario.

    v_i^t is the disconnection fee of the user's initial plan while
    slots_on_plan + (t − 1) ≤ contract_slots, else 0.
    """
    g = scenario.group
    kappa, kappa_g, mu, v = [], [], [], []
    for user in scenario.users:
        plan = scenario.plan(user.initial_plan)
        kappa.append(tuple(plan.operational_cost(row) for row in user.energy_wh))
        kappa_g.append(tuple(g.operational_cost(row) for row in user.energy_wh))
        mu.append(plan.connection_fee)
        v.append(tuple(plan.disconnection_due(user.slots_on_plan + t) for t in range(len(user.energy_wh))))
    return TwoStateInputs(tuple(u.id for u in scenario.users), tuple(kappa), tuple(kappa_g), tuple(mu),
                          tuple(v), g.connection_fee, g.disconnection_fee)


def two_state_update(opt_prev: int, opt_g_prev: int | None, kappa: int, kappa_g: int, mu: int, v: int,
                     c_g: int, d_g: int) -> tuple[int, int]:
    """(Opt_i^t, Opt_{i,g}^t) from the previous slot's values (seed Algorithm 2, line 4); None = +∞."""
    if opt_g_prev is None:
        return opt_prev + kappa, opt_prev + kappa_g + c_g + v
    opt = min(opt_prev + kappa, opt_g_prev + kappa + mu + d_g)
    opt_g = min(opt_g_prev + kappa_g, opt_prev + kappa_g + c_g + v)
    return opt, opt_g


@dataclass(frozen=True)
class SlotState:
    """Everything the rule knows after slot `slot` (per-user tuples in scenario order)."""

    slot: int
    opt: tuple[int, ...]
    opt_g: tuple[int, ...]
    c_group: tuple[int, ...]      # C_i(g) = Opt_{i,g}^t + c(g) + v_i^t
    c_outside: tuple[int, ...]    # C_i(E\g) = Opt_i^t
    switch_in: tuple[int, ...]    # c(g) + v_i^t
    feasible: bool                # group feasibility, eq. (11)
    no_switch: bool               # aggregate constraint (6)

    @property
    def join(self) -> bool:
        return self.feasible and self.no_switch

    @property
    def sum_group(self) -> int:
        return sum(self.c_group)

    @property
    def sum_outside(self) -> int:
        return sum(self.c_outside)


def two_state_slots(inputs: TwoStateInputs, sentinel: int | None = None) -> Iterator[SlotState]:
    """The rule's state at every slot 1..T (it does not stop at a join; `decide_join` does).

    With `sentinel` an int, Opt_{i,g}^0 = sentinel and plain integer arithmetic is used; the
    results equal the +∞ version when the sentinel exceeds every reachable cost.
    """
    n = inputs.n_users
    opt = [0] * n
    opt_g: list[int | None] = [sentinel] * n
    for t in range(1, inputs.n_slots + 1):
        new_opt, new_opt_g, stay_g = [], [], []
        for i in range(n):
            args = (inputs.kappa[i][t - 1], inputs.kappa_g[i][t - 1], inputs.mu[i], inputs.v[i][t - 1],
                    inputs.c_g, inputs.d_g)
            o, og = two_state_update(opt[i], opt_g[i], *args)
            new_opt.append(o)
            new_opt_g.append(og)
            stay_g.append(None if opt_g[i] is None else opt_g[i] + inputs.kappa_g[i][t - 1])
        switch_in = tuple(inputs.c_g + inputs.v[i][t - 1] for i in range(n))
        c_group = tuple(og + s for og, s in zip(new_opt_g, switch_in))
        no_switch = None not in stay_g and sum(new_opt_g) == sum(stay_g)
        yield SlotState(t, tuple(new_opt), tuple(new_opt_g), c_group, tuple(new_opt), switch_in,
                        feasible=sum(c_group) < sum(new_opt), no_switch=no_switch)
        opt, opt_g = new_opt, new_opt_g


def check_sentinel(scenario: Scenario, sentinel: int) -> None:
    """Raise ValueError unless `sentinel` exceeds every cost the rule can reach in `scenario`."""
    if sentinel <= linear_value_bound(scenario):
        raise ValueError(f"sentinel {sentinel} does not exceed the scenario's cost bound {linear_value_bound(scenario)}")


@dataclass(frozen=True)
class GroupDecision:
    """Outcome of the social rule for the registered group: join slot (None: never), per-slot flags, compensation."""

    scheme: str
    user_ids: tuple[str, ...]
    join_slot: int | None
    states: tuple[SlotState, ...]
    compensation: Compensation | None
    refusals: tuple[tuple[int, str], ...]   # (slot, reason) where the join test held but the scheme was refused


def decide_join(inputs: TwoStateInputs, scheme: str, sentinel: int | None = None) -> GroupDecision:
    """Run the rule slot by slot until the first join; compute the compensation at that slot.

    A slot where the join test holds but proportional sharing is refused (ΣC(E\\g) ≤ 0)
    is recorded in `refusals` and the rule goes on to the next slot.
    """
    states, refusals = [], []
    for state in two_state_slots(inputs, sentinel):
        states.append(state)
        if not state.join:
            continue
        try:
            comp = compute_compensation(scheme, state.opt_g, state.c_outside, state.switch_in)
        except CompensationRefused as exc:
            refusals.append((state.slot, str(exc)))
            continue
        return GroupDecision(scheme, inputs.user_ids, state.slot, tuple(states), comp, tuple(refusals))
    return GroupDecision(scheme, inputs.user_ids, None, tuple(states), None, tuple(refusals))


def decision_to_json(decision: GroupDecision) -> dict:
    """The result object of `docs/specs/energy.md` (money in n$)."""
    refused = dict(decision.refusals)
    per_slot = []
    for s in decision.states:
        entry: dict = {"slot": s.slot, "join": s.slot == decision.join_slot}
        if s.slot in refused:
            entry["refused"] = refused[s.slot]
        per_slot.append(entry)
    comp = decision.compensation
    return {
        "join_slot": decision.join_slot,
        "scheme": decision.scheme,
        "group": list(decision.user_ids),
        "per_slot": per_slot,
        "net_compensation": {} if comp is None else dict(zip(decision.user_ids, comp.phi)),
        "unit": "nano-dollar",
    }
