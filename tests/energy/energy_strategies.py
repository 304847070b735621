"""Hypothesis strategies and small builders shared by the energy tests."""

from __future__ import annotations

import copy

from hypothesis import strategies as st

from protocols.energy.reference.plan_costs import PlanSelectionInstance

PEAK = list(range(8, 20))
OFFPEAK = [h for h in range(24) if h not in PEAK]


@st.composite
def instances(draw, max_plans: int = 4, max_slots: int = 6, equal_fees: bool = False,
              expiring: bool = False, max_cost: int = 30, max_fee: int = 20) -> PlanSelectionInstance:
    """Plan-selection instances with non-negative costs (the setting of Theorems 1 and 2)."""
    n = draw(st.integers(2, max_plans))
    T = draw(st.integers(1, max_slots))
    if equal_fees:
        c, d = draw(st.integers(0, max_fee)), draw(st.integers(0, max_fee))
        conn, disc = (c,) * n, (d,) * n
    else:
        conn = tuple(draw(st.lists(st.integers(0, max_fee), min_size=n, max_size=n)))
        disc = tuple(draw(st.lists(st.integers(0, max_fee), min_size=n, max_size=n)))
    contract = tuple(draw(st.lists(st.integers(0, 8), min_size=n, max_size=n))) if expiring else (10**6,) * n
    kappa = tuple(tuple(draw(st.lists(st.integers(0, max_cost), min_size=n, max_size=n))) for _ in range(T))
    return PlanSelectionInstance(kappa, conn, disc, contract, draw(st.integers(0, n - 1)), draw(st.integers(0, 10)))


def plan_dict(pid: str, peak: int, off: int, disconnect: int, *, min_users: int = 1, connect: int = 0,
              contract: int = 365, export: tuple[int, int] = (0, 0)) -> dict:
    return {"id": pid, "import_price": {"peak": peak, "offpeak": off},
            "export_price": {"peak": export[0], "offpeak": export[1]},
            "connection_fee": connect, "disconnection_fee": disconnect,
            "contract_slots": contract, "min_users": min_users}


def scenario_dict(energy: list[list[list[int]]], *, min_users: int = 2, slots_on_plan: list[int] | None = None,
                  plans: list[dict] | None = None, scheme: str = "egalitarian") -> dict:
    """A Table-2-like scenario (standard + group plan) for the given per-user energy rows."""
    plans = plans or [plan_dict("standard", 1_600_000, 1_000_000, 16_000_000),
                      plan_dict("group", 600_000, 300_000, 30_000_000, min_users=min_users)]
    slots_on_plan = slots_on_plan or [10] * len(energy)
    return {
        "timeslot": "day",
        "periods": [{"name": "peak", "hours": PEAK}, {"name": "offpeak", "hours": OFFPEAK}],
        "plans": copy.deepcopy(plans),
        "group_plan": "group",
        "users": [{"id": f"u{k + 1}", "initial_plan": "standard", "slots_on_plan": s, "energy_wh": rows}
                  for k, (rows, s) in enumerate(zip(energy, slots_on_plan))],
        "scheme": scheme,
    }


@st.composite
def scenario_dicts(draw, max_users: int = 5, max_slots: int = 8, allow_export: bool = True,
                   random_tariffs: bool = True, expiring: bool = False) -> dict:
    """Valid two-plan scenarios with random energy (Wh), tariffs and contract ages."""
    n = draw(st.integers(2, max_users))
    T = draw(st.integers(1, max_slots))
    low = -20_000 if allow_export else 0
    energy = [[[draw(st.integers(low, 20_000)), draw(st.integers(low, 15_000))] for _ in range(T)] for _ in range(n)]
    if random_tariffs:
        price = st.integers(0, 2_000_000)
        fee = st.integers(0, 40_000_000)
        contract = st.integers(0, 10) if expiring else st.just(365)
        plans = [plan_dict("standard", draw(price), draw(price), draw(fee), connect=draw(fee), contract=draw(contract),
                           export=(draw(st.integers(0, 200_000)), draw(st.integers(0, 200_000)))),
                 plan_dict("group", draw(price), draw(price), draw(fee), connect=draw(fee), contract=draw(contract),
                           min_users=draw(st.integers(1, n)),
                           export=(draw(st.integers(0, 200_000)), draw(st.integers(0, 200_000))))]
    else:
        plans = None
    ages = [draw(st.integers(0, 400 if not expiring else 12)) for _ in range(n)]
    if not expiring:
        ages = [min(a, 365 - T) for a in ages]
    return scenario_dict(energy, min_users=2, slots_on_plan=ages, plans=plans,
                         scheme=draw(st.sampled_from(["egalitarian", "proportional"])))
