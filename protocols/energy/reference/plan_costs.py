"""One user's plan-selection problem (P_i) as integer cost tables, and the cost of a schedule (eq. 1).

`PlanSelectionInstance` is the metrical-task-system view of a user: κ^t(j) for every
slot and plan, the plans' fees and contract lengths, and the plan the user starts on.
The offline optimum, brute force and the work-function algorithm all work on it, so
property tests can draw instances directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from protocols.energy.model import Scenario, User, fee_due


@dataclass(frozen=True)
class PlanSelectionInstance:
    """κ[t][j] in n$ for slots t = 1..T (index t-1) and plans j, with fees in n$.

    `start` is the plan index the user is on before slot 1 and `start_age` how many slots
    it has already spent on it (the scenario's `slots_on_plan`).
    """

    kappa: tuple[tuple[int, ...], ...]
    connection: tuple[int, ...]
    disconnection: tuple[int, ...]
    contract: tuple[int, ...]
    start: int
    start_age: int = 0

    @property
    def n_slots(self) -> int:
        return len(self.kappa)

    @property
    def n_plans(self) -> int:
        return len(self.connection)

    def switch_cost(self, src: int, dst: int, age: int) -> int:
        """Cost_sw of leaving `src` after `age` consecutive slots on it, to join `dst` (0 if src == dst)."""
        if src == dst:
            return 0
        return self.connection[dst] + fee_due(self.disconnection[src], self.contract[src], age)


def instance_for_user(scenario: Scenario, user: User) -> PlanSelectionInstance:
    """The cost tables of one scenario user over all plans of the scenario (order of the file)."""
    kappa = tuple(tuple(p.operational_cost(row) for p in scenario.plans) for row in user.energy_wh)
    return PlanSelectionInstance(
        kappa=kappa,
        connection=tuple(p.connection_fee for p in scenario.plans),
        disconnection=tuple(p.disconnection_fee for p in scenario.plans),
        contract=tuple(p.contract_slots for p in scenario.plans),
        start=scenario.plan_index(user.initial_plan),
        start_age=user.slots_on_plan,
    )


def schedule_cost(inst: PlanSelectionInstance, schedule: list[int] | tuple[int, ...]) -> int:
    """Cost_i[x_i] of eq. (1): operational plus switching costs of a plan per slot, from the start plan."""
    if len(schedule) != inst.n_slots:
        raise ValueError(f"schedule has {len(schedule)} slots, instance has {inst.n_slots}")
    total = 0
    current, entered = inst.start, 1 - inst.start_age
    for t, plan in enumerate(schedule, start=1):
        if plan != current:
            total += inst.switch_cost(current, plan, t - entered)
            current, entered = plan, t
        total += inst.kappa[t - 1][plan]
    return total
