"""Offline optimum of (P_i) by dynamic programming with backtracking (seed eqs. 3–4), and brute force.

The seed's Bellman recursion keeps one value per plan, but its switching cost depends on
how long the user has been on the plan it leaves (the disconnection fee is due only
within the contract).  To be exact the table here is indexed by (plan, slot the plan
was entered); Opt^t[x] of the seed is the minimum over entry slots.  The user starts on
`inst.start`, entered `start_age` slots before slot 1, so every other plan is unreachable
at t = 0 (Opt^0 = +∞ there, the spec's convention).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from protocols.energy.reference.plan_costs import PlanSelectionInstance, schedule_cost

State = tuple[int, int]  # (plan index, slot at which the plan was entered)


@dataclass(frozen=True)
class DpTables:
    """values[t][(plan, entry)] = least cost of slots 1..t ending on `plan`, entered at `entry` (t = 0..T)."""

    values: tuple[dict[State, int], ...]

    def work_function(self, t: int, plan: int) -> int | None:
        """Opt^t[plan] of the seed: least cost of slots 1..t ending on `plan`; None stands for +∞."""
        best = [v for (j, _), v in self.values[t].items() if j == plan]
        return min(best) if best else None


def dp_tables(inst: PlanSelectionInstance) -> DpTables:
    """Forward pass of the dynamic programme over (plan, entry slot) states."""
    values: list[dict[State, int]] = [{(inst.start, 1 - inst.start_age): 0}]
    for t in range(1, inst.n_slots + 1):
        prev = values[-1]
        kappa = inst.kappa[t - 1]
        cur: dict[State, int] = {(j, k): v + kappa[j] for (j, k), v in prev.items()}
        for dst in range(inst.n_plans):
            arrivals = [v + inst.switch_cost(j, dst, t - k) for (j, k), v in prev.items() if j != dst]
            if arrivals:
                cur[(dst, t)] = min(arrivals) + kappa[dst]
        values.append(cur)
    return DpTables(tuple(values))


def backtrack(inst: PlanSelectionInstance, tables: DpTables) -> list[int]:
    """An optimal schedule: the cheapest final state (eq. 3), then predecessors that satisfy eq. (4).

    Ties go to the lowest plan index, then the earliest entry slot, so the result is deterministic.
    """
    T = inst.n_slots
    final = tables.values[T]
    state = min(final, key=lambda s: (final[s], s))
    schedule = [0] * T
    for t in range(T, 0, -1):
        plan, entry = state
        schedule[t - 1] = plan
        value = tables.values[t][state]
        prev = tables.values[t - 1]
        # The start state may carry entry slot t = 1 (start_age 0); membership tells stay from switch.
        if state in prev and prev[state] + inst.kappa[t - 1][plan] == value:
            continue
        for cand in sorted(prev):
            src, src_entry = cand
            if src != plan and prev[cand] + inst.switch_cost(src, plan, t - src_entry) + inst.kappa[t - 1][plan] == value:
                state = cand
                break
        else:  # pragma: no cover - the forward pass guarantees a witness
            raise AssertionError(f"no predecessor satisfies eq. (4) at slot {t}")
    return schedule


def offline_optimum(inst: PlanSelectionInstance) -> tuple[int, list[int]]:
    """min_x Cost_i[x] over all schedules from the start plan, and one schedule reaching it."""
    tables = dp_tables(inst)
    schedule = backtrack(inst, tables)
    return min(tables.values[-1].values()), schedule


def brute_force_optimum(inst: PlanSelectionInstance) -> int:
    """The same minimum by enumerating all |E|^T schedules (only for small test instances)."""
    if inst.n_plans ** inst.n_slots > 200_000:
        raise ValueError("instance too large for brute force")
    return min(schedule_cost(inst, s) for s in itertools.product(range(inst.n_plans), repeat=inst.n_slots))
