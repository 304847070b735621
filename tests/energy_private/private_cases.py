"""Scenarios and a runner shared by the private group-purchase tests."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

from hypothesis import strategies as st

from protocols.energy.private.local import prepare, run_local
from protocols.energy.scenarios.loader import BUILTIN_DIR, parse_scenario, scenario_to_json
from protocols.energy.reference.two_state import decide_join, decision_to_json, two_state_inputs

PEAK = list(range(8, 20))
OFFPEAK = [h for h in range(24) if h not in PEAK]


def table2_dict(days: int | None = None, users: int | None = None) -> dict:
    """The built-in Table 2 scenario, optionally cut to its first days and users."""
    data = json.loads((BUILTIN_DIR / "table2.json").read_text())
    if users is not None:
        data["users"] = data["users"][:users]
        for p in data["plans"]:
            p["min_users"] = min(p["min_users"], users)
    if days is not None:
        for u in data["users"]:
            u["energy_wh"] = u["energy_wh"][:days]
    return data


def _plan(pid, peak, off, disconnect, connect=0, export=(0, 0), contract=365, min_users=1):
    return {"id": pid, "import_price": {"peak": peak, "offpeak": off},
            "export_price": {"peak": export[0], "offpeak": export[1]}, "connection_fee": connect,
            "disconnection_fee": disconnect, "contract_slots": contract, "min_users": min_users}


@st.composite
def scenario_dicts(draw, min_users: int = 2, max_users: int = 3, max_slots: int = 4) -> dict:
    """Two-plan scenarios with random energy (exports included), tariffs, fees and contract ages."""
    n = draw(st.integers(min_users, max_users))
    T = draw(st.integers(1, max_slots))
    energy = [[[draw(st.integers(-15_000, 20_000)), draw(st.integers(-15_000, 15_000))] for _ in range(T)]
              for _ in range(n)]
    # standalone tariffs dearer than the group's on average, so that about a third of the draws join
    price, fee = st.integers(500_000, 2_000_000), st.integers(0, 20_000_000)
    exp = st.integers(0, 1_500_000)
    plans = [_plan("standard", draw(price), draw(price), draw(fee), draw(st.integers(0, 5_000_000)),
                   (draw(exp), draw(exp)), draw(st.sampled_from([0, 2, 365]))),
             _plan("group", draw(st.integers(0, 600_000)), draw(st.integers(0, 400_000)), draw(fee),
                   draw(st.integers(0, 5_000_000)), (draw(st.integers(0, 300_000)), draw(st.integers(0, 300_000))),
                   365, min_users=2)]
    return {"timeslot": "day",
            "periods": [{"name": "peak", "hours": PEAK}, {"name": "offpeak", "hours": OFFPEAK}],
            "plans": plans, "group_plan": "group",
            "users": [{"id": f"u{k + 1}", "initial_plan": "standard", "slots_on_plan": draw(st.integers(0, 4)),
                       "energy_wh": rows} for k, rows in enumerate(energy)],
            "scheme": draw(st.sampled_from(["egalitarian", "proportional"]))}


def refusal_dict() -> dict:
    """Net exporters under a generous group feed-in tariff: proportional sharing is refused at
    slots 2 and 3 (ΣC(E\\g) < 0) and the group joins at slot 4."""
    return {"timeslot": "day",
            "periods": [{"name": "peak", "hours": PEAK}, {"name": "offpeak", "hours": OFFPEAK}],
            "plans": [_plan("standard", 1_000_000, 1_000_000, 0, 0, (1_000_000, 1_000_000)),
                      _plan("group", 300_000, 300_000, 0, 0, (2_000_000, 2_000_000), min_users=2)],
            "group_plan": "group",
            "users": [{"id": "u1", "initial_plan": "standard", "slots_on_plan": 0,
                       "energy_wh": [[-10000, -10000], [-1000, -1000], [20000, 20000], [20000, 20000]]},
                      {"id": "u2", "initial_plan": "standard", "slots_on_plan": 0,
                       "energy_wh": [[-8000, -9000], [-500, -2000], [15000, 25000], [20000, 21000]]}],
            "scheme": "proportional"}


class LedgerWithRoot:
    """A party's view of a ledger whose latest operator root was replaced (a test double for a
    party that reads a forged root); everything else is the real ledger's."""

    def __init__(self, ledger, root):
        self._ledger, self._root = ledger, root

    def latest_root(self, operator_id):
        return self._root

    def __getattr__(self, name):
        return getattr(self._ledger, name)


def reference_json(scenario, scheme: str | None = None) -> dict:
    return decision_to_json(decide_join(two_state_inputs(scenario), scheme or scenario.scheme))


def run_private(data: dict, scheme: str | None = None, reveal_all: bool = True, mutate=None,
                session_factory=None, balance=None, workdir: str | None = None):
    """Run the private protocol in one process; returns (results per party, ledger, entries before)."""
    scenario = parse_scenario(copy.deepcopy(data))
    tmp = workdir or tempfile.mkdtemp(prefix="energy-private-")
    kwargs = {} if balance is None else {"balance": balance}
    setups, epoch, ledger = prepare(scenario, Path(tmp) / "ledger.sqlite", scheme, reveal_all=reveal_all, **kwargs)
    before = len(ledger.entries())
    if mutate is not None:
        mutate(setups, epoch)
    return run_local(setups, session_factory=session_factory), ledger, before


__all__ = ["LedgerWithRoot", "table2_dict", "refusal_dict", "scenario_dicts", "reference_json", "run_private", "scenario_to_json"]
