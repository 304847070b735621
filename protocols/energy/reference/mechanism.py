"""The group-purchasing mechanism of seed §2.5 over all plans, simulated slot by slot.

Every registered user keeps a work function over all plans (seed convention, Opt^0 = +∞
off the start plan, as in the spec) and an online plan x̂.  At each slot before the
group plan g exists:
  step 2  users with constraint (6) for g and C_i(g) ≤ C_i(E\\g) (§2.3) are counted; if
          there are m_X(g) ≥ N(g) of them they join g, without compensation;
  step 3a otherwise (only with compensations) the largest subset X, |X| ≥ N(g), with
          ΣC(g) < ΣC(E\\g) and constraint (6) for g in aggregate is searched; if one exists
          it joins g and its members settle θ/φ of the chosen scheme.
Users who do not join follow WFA over the individual plans.  Once g exists (N(g) was
met) members stay on it and the others follow WFA over all plans, g included.

Choices the seed leaves open, fixed here: C_i(E\\g) falls back to the minimum over all
individual plans when none satisfies (6) (the seed's +∞ would make group feasibility
vacuous and the compensation undefined); among feasible subsets of the largest size the
one with the largest total saving ΣC(E\\g) − ΣC(g) is taken, ties by scenario order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from protocols.energy.reference.compensation import Compensation, CompensationRefused, compute_compensation
from protocols.energy.model import Scenario
from protocols.energy.reference.plan_costs import instance_for_user
from protocols.energy.reference.two_state import two_state_inputs
from protocols.energy.reference.wfa import WorkFunction, wfa_choice


@dataclass(frozen=True)
class GroupView:
    """One user's §2.3 quantities at a slot: C_i(g), C_i(E\\g), Opt_i^t[g] and Cost_sw into g."""

    g_ok: bool          # constraint (6) holds for g
    c_group: int        # C_i(g) = Opt^t[g] + Cost_sw[x̂^{t-1}, g]
    c_outside: int      # C_i(E\g)
    opt_g: int          # Opt^t[g]
    switch_in: int      # Cost_sw[x̂^{t-1}, g]

    @property
    def prefers_group(self) -> bool:
        """Counted in m_X(g): constraint (6) holds for g and C_i(g) ≤ C_i(E\\g)."""
        return self.g_ok and self.c_group <= self.c_outside


def group_view(wf: WorkFunction, t: int, current: int, entered: int, g: int) -> GroupView:
    """The §2.3 sub-problems of one user at slot t, from its work function and online plan."""
    individual = [j for j in range(wf.inst.n_plans) if j != g]
    choice = wfa_choice(wf, t, current, entered, individual)
    if choice is None:
        c_outside = min(wf.value(t, j) + wf.inst.switch_cost(current, j, t - entered)
                        for j in individual if wf.value(t, j) is not None)
    else:
        c_outside = choice[1]
    switch_in = wf.inst.switch_cost(current, g, t - entered)
    opt_g = wf.value(t, g)
    return GroupView(wf.no_switch(t, g), opt_g + switch_in, c_outside, opt_g, switch_in)


def largest_feasible_subset(views: list[GroupView], min_users: int) -> list[int] | None:
    """Step 3a: indices of the largest X (|X| ≥ min_users) with constraint (6) for g and ΣC(g) < ΣC(E\\g).

    For a fixed size the best subset is the one with the largest savings C(E\\g) − C(g),
    so scanning prefixes of the users sorted by saving finds the largest feasible size.
    Returns indices in scenario order, or None.
    """
    ranked = sorted((i for i, v in enumerate(views) if v.g_ok),
                    key=lambda i: (-(views[i].c_outside - views[i].c_group), i))
    best, saving = None, 0
    for k, i in enumerate(ranked, start=1):
        saving += views[i].c_outside - views[i].c_group
        if k >= min_users and saving > 0:
            best = k
    return None if best is None else sorted(ranked[:best])


@dataclass(frozen=True)
class MechanismRun:
    """A simulated horizon: who joined g when and how, and every user's plan and cost per slot (n$)."""

    user_ids: tuple[str, ...]
    join_slot: int | None
    members: tuple[str, ...]
    step: str | None                      # "step2" (no compensation) or "step3" (with compensation)
    compensation: Compensation | None     # in the order of `members`
    plans: tuple[tuple[str, ...], ...]    # [user][slot-1]
    slot_costs: tuple[tuple[int, ...], ...]
    late_joins: dict[str, int] = field(default_factory=dict)
    refusals: tuple[int, ...] = ()

    def total_cost(self, user: int) -> int:
        return sum(self.slot_costs[user])


def standalone_costs(scenario: Scenario) -> list[list[int]]:
    """Per user and slot, the cost of simply staying on the initial plan (n$): the rule's κ_i."""
    return [list(row) for row in two_state_inputs(scenario).kappa]


def run_mechanism(scenario: Scenario, *, compensations: bool, scheme: str | None = None) -> MechanismRun:
    """Simulate the §2.5 mechanism over the scenario's horizon for all registered users.

    `compensations=False` keeps step 2 only (the seed's "without MC" baseline).
    """
    scheme = scheme or scenario.scheme
    g = scenario.plan_index(scenario.group_plan)
    need = scenario.group.min_users
    n = len(scenario.users)
    insts = [instance_for_user(scenario, u) for u in scenario.users]
    wfs = [WorkFunction(inst, "infinite") for inst in insts]
    current = [inst.start for inst in insts]
    entered = [1 - inst.start_age for inst in insts]
    in_group = [False] * n
    plans = [[] for _ in range(n)]
    costs = [[] for _ in range(n)]
    join_slot, members, step, comp, late, refusals = None, (), None, None, {}, []
    ids = [u.id for u in scenario.users]

    def move(i: int, t: int, plan: int) -> int:
        if plan == current[i]:
            return 0
        fee = insts[i].switch_cost(current[i], plan, t - entered[i])
        current[i], entered[i] = plan, t
        return fee

    for t in range(1, scenario.n_slots + 1):
        extra = [0] * n
        if join_slot is None:
            views = [group_view(wfs[i], t, current[i], entered[i], g) for i in range(n)]
            joiners = [i for i in range(n) if views[i].prefers_group]
            if len(joiners) >= need:
                step = "step2"
            elif compensations:
                joiners = largest_feasible_subset(views, need) or []
                if joiners:
                    try:
                        comp = compute_compensation(scheme, [views[i].opt_g for i in joiners],
                                                    [views[i].c_outside for i in joiners],
                                                    [views[i].switch_in for i in joiners])
                        step = "step3"
                        for i, phi in zip(joiners, comp.phi):
                            extra[i] = phi
                    except CompensationRefused:
                        refusals.append(t)
                        joiners = []
            else:
                joiners = []
            if step is not None:
                join_slot, members = t, tuple(ids[i] for i in joiners)
                for i in joiners:
                    in_group[i] = True
        for i in range(n):
            if in_group[i] and current[i] != g and join_slot == t:
                extra[i] += move(i, t, g)
            elif not in_group[i]:
                allowed = range(insts[i].n_plans) if join_slot is not None else [j for j in range(insts[i].n_plans) if j != g]
                choice = wfa_choice(wfs[i], t, current[i], entered[i], allowed)
                if choice is not None:
                    extra[i] += move(i, t, choice[0])
                    if choice[0] == g:
                        in_group[i] = True
                        late[ids[i]] = t
            plans[i].append(scenario.plans[current[i]].id)
            costs[i].append(insts[i].kappa[t - 1][current[i]] + extra[i])
    return MechanismRun(tuple(ids), join_slot, members, step, comp, tuple(map(tuple, plans)),
                        tuple(map(tuple, costs)), late, tuple(refusals))
