"""The join test is strict: ΣC(g) < ΣC(E\\g).  At a slot where the two sums are equal (and
every user would stay on g), the group does not join; in this scenario it joins one slot
later, where the group plan is strictly cheaper.  Fails if the test is weakened to ≤.

The scenario (two users, three days) was found by a search over small tariffs; it is data,
the expected sums below are recomputed by hand from its prices in the comments.
"""
from protocols.energy.scenarios.loader import parse_scenario
from protocols.energy.reference.two_state import decide_join, decision_to_json, two_state_inputs, two_state_slots

PEAK = list(range(8, 20))
OFFPEAK = [h for h in range(24) if h not in PEAK]


def _plan(pid, peak, off, min_users=1):
    return {"id": pid, "import_price": {"peak": peak, "offpeak": off}, "export_price": {"peak": 0, "offpeak": 0},
            "connection_fee": 0, "disconnection_fee": 0, "contract_slots": 365, "min_users": min_users}


def tie_scenario_dict(scheme="egalitarian"):
    return {"timeslot": "day",
            "periods": [{"name": "peak", "hours": PEAK}, {"name": "offpeak", "hours": OFFPEAK}],
            "plans": [_plan("standard", 1000, 3000), _plan("group", 1000, 2000)],
            "group_plan": "group",
            "users": [{"id": "u1", "initial_plan": "standard", "slots_on_plan": 0,
                       "energy_wh": [[3000, 3000], [0, 0], [0, 2000]]},
                      {"id": "u2", "initial_plan": "standard", "slots_on_plan": 0,
                       "energy_wh": [[0, 1000], [2000, 0], [0, 1000]]}],
            "scheme": scheme}


def test_equal_sums_do_not_join_and_the_next_cheaper_slot_does():
    inputs = two_state_inputs(parse_scenario(tie_scenario_dict()))
    # κ (standard, n$ = µ$/kWh × Wh): u1 12M, 0, 6M; u2 3M, 2M, 3M.  κ_g (group): u1 9M, 0, 4M; u2 2M, 2M, 2M
    assert inputs.kappa == ((12_000_000, 0, 6_000_000), (3_000_000, 2_000_000, 3_000_000))
    assert inputs.kappa_g == ((9_000_000, 0, 4_000_000), (2_000_000, 2_000_000, 2_000_000))
    states = list(two_state_slots(inputs))
    tie = states[1]
    assert (tie.sum_group, tie.sum_outside) == (13_000_000, 13_000_000)
    assert tie.no_switch and not tie.feasible and not tie.join
    assert (states[2].sum_group, states[2].sum_outside, states[2].join) == (19_000_000, 22_000_000, True)
    for scheme in ("egalitarian", "proportional"):
        decision = decide_join(inputs, scheme)
        assert decision.join_slot == 3, scheme
        assert [e["join"] for e in decision_to_json(decision)["per_slot"]] == [False, False, True]


def test_a_tie_at_the_last_slot_means_no_join():
    data = tie_scenario_dict()
    for u in data["users"]:
        u["energy_wh"] = u["energy_wh"][:2]
    decision = decide_join(two_state_inputs(parse_scenario(data)), "egalitarian")
    assert decision.join_slot is None and decision.compensation is None
    assert decision_to_json(decision)["net_compensation"] == {}
