"""The online work-function algorithm (WFA) over all plans (seed eqs. 5–6).

At slot t the user moves to the plan x minimising Opt^t[x] + Cost_sw[x̂^{t-1}, x] among
the plans that satisfy constraint (6), Opt^t[x] = Opt^{t-1}[x] + κ^t(x): an offline-optimal
way of ending on x at t that did not switch at t.  Only data up to slot t is used.

Two initial work functions are offered:
- ``"infinite"`` (the spec's and Algorithm 2's convention): Opt^0 = 0 on the start plan and
  +∞ elsewhere.  Constraint (6) then fails at t = 1 for every other plan, so WFA never
  moves at slot 1 and is not competitive on one-slot instances (see tests).
- ``"standard"`` (the metrical-task-system convention behind Theorem 1): Opt^0[x] is the
  cost of moving from the start plan to x, so WFA may move at slot 1.
Both give the same Opt^t for t ≥ 1.

Eqs. (5)–(6) as the seed writes them (``rule="seed"``) are not the textbook WFA: the seed's
Opt^t[x] pays slot t's cost *after* moving, and constraint (6) then rules out moving to
the plan that is cheap right now.  With free switching and two slots it already pays 2
where the optimum pays 0, so Theorem 1 fails for it (tests keep the counterexample).
``rule="mts"`` is the work-function algorithm of Borodin, Linial and Saks on the same
tables: w_t(x) = min_y Opt^t[y] + Cost_sw[y, x] (serve slot t, then possibly move), and
the user moves to argmin_x w_t(x) + Cost_sw[x̂^{t-1}, x] among the x with w_t(x) = Opt^t[x].
It starts from w_0(x) = Cost_sw[start, x] and is the algorithm Theorem 1 is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable, Literal

from protocols.energy.reference.optimum import dp_tables
from protocols.energy.reference.plan_costs import PlanSelectionInstance

Init = Literal["infinite", "standard"]
Rule = Literal["seed", "mts"]


class WorkFunction:
    """Opt^t[x] for t = 0..T and every plan of one instance (None stands for +∞)."""

    def __init__(self, inst: PlanSelectionInstance, init: Init = "infinite") -> None:
        if init not in ("infinite", "standard"):
            raise ValueError(f"init must be 'infinite' or 'standard', got {init!r}")
        self.inst = inst
        self._tables = dp_tables(inst)
        self.table: list[list[int | None]] = [
            [self._tables.work_function(t, x) for x in range(inst.n_plans)] for t in range(inst.n_slots + 1)
        ]
        if init == "standard":
            self.table[0] = [inst.switch_cost(inst.start, x, inst.start_age) for x in range(inst.n_plans)]

    def value(self, t: int, plan: int) -> int | None:
        return self.table[t][plan]

    def no_switch(self, t: int, plan: int) -> bool:
        """Constraint (6) at slot t for `plan`."""
        now, before = self.table[t][plan], self.table[t - 1][plan]
        return now is not None and before is not None and now == before + self.inst.kappa[t - 1][plan]

    @cached_property
    def after(self) -> list[list[int]]:
        """w_t(x) of the textbook WFA: serve slots 1..t, then move to x at the next slot (fees at the age reached then)."""
        inst = self.inst
        return [[min(v + inst.switch_cost(j, x, t + 1 - k) for (j, k), v in states.items())
                 for x in range(inst.n_plans)] for t, states in enumerate(self._tables.values)]


def _cheapest(candidates: Iterable[int], score: Callable[[int], int], current: int) -> tuple[int, int] | None:
    """(plan, score) of the lowest score among `candidates`; ties keep `current`, then the lowest index."""
    best: tuple[int, int] | None = None
    for plan in sorted(set(candidates), key=lambda j: (j != current, j)):
        value = score(plan)
        if best is None or value < best[1]:
            best = (plan, value)
    return best


def wfa_choice(wf: WorkFunction, t: int, current: int, entered: int, allowed: Iterable[int]) -> tuple[int, int] | None:
    """Eq. (5) restricted to `allowed` plans: (plan, Opt^t[plan] + Cost_sw) or None if no plan satisfies (6)."""
    return _cheapest((j for j in allowed if wf.no_switch(t, j)),
                     lambda j: wf.value(t, j) + wf.inst.switch_cost(current, j, t - entered), current)


def mts_choice(wf: WorkFunction, t: int, current: int, entered: int) -> tuple[int, int] | None:
    """The textbook WFA step: (plan, w_t + Cost_sw) minimising w_t(x) + Cost_sw among x with w_t(x) = Opt^t[x]."""
    return _cheapest((j for j in range(wf.inst.n_plans) if wf.after[t][j] == wf.table[t][j]),
                     lambda j: wf.after[t][j] + wf.inst.switch_cost(current, j, t - entered), current)


@dataclass(frozen=True)
class WfaRun:
    """Plans chosen by WFA for slots 1..T and the cost of that schedule (eq. 1)."""

    schedule: tuple[int, ...]
    cost: int


def run_wfa(inst: PlanSelectionInstance, rule: Rule = "seed", init: Init = "standard") -> WfaRun:
    """The online WFA schedule over all plans of `inst` and its total cost.

    `rule="seed"` applies eqs. (5)–(6) with the initial work function `init`;
    `rule="mts"` applies the textbook work-function algorithm (ignores `init`).
    """
    if rule not in ("seed", "mts"):
        raise ValueError(f"rule must be 'seed' or 'mts', got {rule!r}")
    wf = WorkFunction(inst, init)
    current, entered = inst.start, 1 - inst.start_age
    schedule, cost = [], 0
    for t in range(1, inst.n_slots + 1):
        if rule == "mts":
            choice = mts_choice(wf, t, current, entered)
        else:
            choice = wfa_choice(wf, t, current, entered, range(inst.n_plans))
        if choice is None:  # pragma: no cover - some plan always qualifies with non-negative fees
            raise AssertionError(f"no plan satisfies the no-switch constraint at slot {t}")
        plan = choice[0]
        if plan != current:
            cost += inst.switch_cost(current, plan, t - entered)
            current, entered = plan, t
        cost += inst.kappa[t - 1][plan]
        schedule.append(plan)
    return WfaRun(tuple(schedule), cost)
