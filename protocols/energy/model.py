"""Energy plans, tariff periods and users of the group-purchasing model (seed §2.1).

All money inside the model is an integer number of nano-dollars (n$): a price in
micro-dollars per kWh times an energy in Wh is exactly n$, and fees, which the
scenario file gives in micro-dollars, are multiplied by 1000 when loaded
(`docs/specs/energy.md`, §1 Units).  Nothing here rounds.
"""

from __future__ import annotations

from dataclasses import dataclass

NANO_PER_MICRO = 1000
SCHEMES = ("egalitarian", "proportional")


def fee_due(disconnection_fee: int, contract_slots: int, slots_on_plan_before: int) -> int:
    """d(j) if the contract still runs, else 0.

    The seed charges d(j) while T_i^t ≤ T(j), T_i^t counting the consecutive slots already
    spent on the plan before the switching slot.
    """
    return disconnection_fee if slots_on_plan_before <= contract_slots else 0


@dataclass(frozen=True)
class Period:
    """A tariff period (peak, off-peak, ...) and the hours of the day it covers."""

    name: str
    hours: tuple[int, ...]


@dataclass(frozen=True)
class Plan:
    """An energy plan E(j) = <p+, p-, c, d, T> plus the minimum number of sign-ups N(j).

    Prices are per period, in the order of `Scenario.periods`, in µ$/kWh; fees are in n$.
    """

    id: str
    import_price: tuple[int, ...]
    export_price: tuple[int, ...]
    connection_fee: int
    disconnection_fee: int
    contract_slots: int
    min_users: int

    def operational_cost(self, energy_wh: tuple[int, ...] | list[int]) -> int:
        """Cost_op of one slot in n$: import price on a period's energy when it is ≥ 0, export price otherwise."""
        total = 0
        for p_imp, p_exp, a in zip(self.import_price, self.export_price, energy_wh):
            total += (p_imp if a >= 0 else p_exp) * a
        return total

    def disconnection_due(self, slots_on_plan_before: int) -> int:
        """Disconnection fee in n$ for leaving after `slots_on_plan_before` consecutive slots on this plan."""
        return fee_due(self.disconnection_fee, self.contract_slots, slots_on_plan_before)


@dataclass(frozen=True)
class User:
    """A household: its plan at the start, how long it has been on it, and net energy per slot and period (Wh)."""

    id: str
    initial_plan: str
    slots_on_plan: int
    energy_wh: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Scenario:
    """A validated scenario (see `protocols.energy.scenarios.loader` for the file format)."""

    timeslot: str
    periods: tuple[Period, ...]
    plans: tuple[Plan, ...]
    group_plan: str
    users: tuple[User, ...]
    scheme: str

    @property
    def n_slots(self) -> int:
        return len(self.users[0].energy_wh)

    def plan(self, plan_id: str) -> Plan:
        for plan in self.plans:
            if plan.id == plan_id:
                return plan
        raise KeyError(plan_id)

    def plan_index(self, plan_id: str) -> int:
        return [p.id for p in self.plans].index(plan_id)

    @property
    def group(self) -> Plan:
        return self.plan(self.group_plan)
