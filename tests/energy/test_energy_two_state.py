"""The two-state social rule (spec "Join at slot t"): recursion, sentinel, agreement with the general model.

Finding kept as a test: since Opt_{i,g}^t ≤ Opt_{i,g}^{t-1} + κ_{i,g}^t for every user, the
aggregate constraint ΣOpt_{i,g}^t = Σ(Opt_{i,g}^{t-1} + κ_{i,g}^t) holds exactly when it holds
for every user.  One registered user for whom the group plan was strictly dearer in the
previous slot therefore blocks the join, whatever the others save and whatever the
compensations would have been.
"""

from hypothesis import given, settings

from energy_strategies import plan_dict, scenario_dict, scenario_dicts
from protocols.energy.reference.mechanism import group_view
from protocols.energy.reference.plan_costs import instance_for_user
from protocols.energy.scenarios.loader import linear_value_bound, load_scenario, parse_scenario
from protocols.energy.reference.two_state import (check_sentinel, decide_join, decision_to_json, two_state_inputs,
                                        two_state_slots, two_state_update)
from protocols.energy.reference.wfa import WorkFunction

FAST = settings(max_examples=40, deadline=None)


def test_update_follows_the_spec_recursion():
    # Opt^0 = 0, Opt_g^0 = +∞: the only way onto g at slot 1 is to switch.
    assert two_state_update(0, None, 10, 4, 1, 7, 2, 9) == (10, 0 + 4 + 2 + 7)
    # min(Opt + κ, Opt_g + κ + μ + d(g)) and min(Opt_g + κ_g, Opt + κ_g + c(g) + v)
    assert two_state_update(100, 50, 10, 4, 1, 7, 2, 9) == (min(110, 50 + 10 + 1 + 9), min(54, 100 + 4 + 2 + 7))
    assert two_state_update(100, 200, 10, 4, 1, 7, 2, 9) == (110, 113)


def test_inputs_of_table2():
    s = load_scenario("table2")
    inp = two_state_inputs(s)
    u1 = s.users[0]
    assert inp.kappa[0][0] == 1_600_000 * u1.energy_wh[0][0] + 1_000_000 * u1.energy_wh[0][1]
    assert inp.kappa_g[0][0] == 600_000 * u1.energy_wh[0][0] + 300_000 * u1.energy_wh[0][1]
    assert inp.c_g == 0 and inp.d_g == 30_000_000_000
    assert set(inp.mu) == {0}
    assert all(v == 16_000_000_000 for row in inp.v for v in row)   # contracts run through the horizon


def test_v_stops_when_the_contract_runs_out():
    data = scenario_dict([[[1000, 1000]] * 4], min_users=1, slots_on_plan=[363])
    inp = two_state_inputs(parse_scenario(data))
    # Slot t is charged while 363 + (t − 1) ≤ 365.
    assert inp.v[0] == (16_000_000_000, 16_000_000_000, 16_000_000_000, 0)


@FAST
@given(scenario_dicts())
def test_no_join_at_slot_one_and_join_needs_both_conditions(data):
    scenario = parse_scenario(data)
    states = list(two_state_slots(two_state_inputs(scenario)))
    assert not states[0].no_switch and not states[0].join
    for st in states:
        assert st.join == (st.sum_group < st.sum_outside and st.no_switch)


@FAST
@given(scenario_dicts())
def test_finite_sentinel_gives_the_same_run(data):
    scenario = parse_scenario(data)
    inputs = two_state_inputs(scenario)
    sentinel = linear_value_bound(scenario) + 1
    check_sentinel(scenario, sentinel)
    assert list(two_state_slots(inputs)) == list(two_state_slots(inputs, sentinel))


def test_too_small_sentinel_is_rejected():
    scenario = load_scenario("table2")
    try:
        check_sentinel(scenario, 1000)
    except ValueError as exc:
        assert "sentinel" in str(exc)
    else:
        raise AssertionError("a 1000 n$ sentinel must be rejected")


@FAST
@given(scenario_dicts(expiring=False))
def test_aggregate_constraint_is_every_users_constraint(data):
    scenario = parse_scenario(data)
    inputs = two_state_inputs(scenario)
    prev = None
    for st in two_state_slots(inputs):
        if prev is not None:
            each = all(st.opt_g[i] == prev.opt_g[i] + inputs.kappa_g[i][st.slot - 1] for i in range(inputs.n_users))
            assert st.no_switch == each
        prev = st


@FAST
@given(scenario_dicts(expiring=False))
def test_two_state_rule_matches_general_work_function_when_contracts_do_not_expire(data):
    """With one individual plan and contracts longer than the horizon, the spec's two-state rule is the
    general model: Opt_{i,g}^t = Opt_i^t[g], C_i(g) and C_i(E\\g) of §2.3, and the social join test."""
    scenario = parse_scenario(data)
    g = scenario.plan_index("group")
    wfs = [WorkFunction(instance_for_user(scenario, u), "infinite") for u in scenario.users]
    for st in two_state_slots(two_state_inputs(scenario)):
        t = st.slot
        views = [group_view(wf, t, wf.inst.start, 1 - wf.inst.start_age, g) for wf in wfs]
        assert tuple(v.opt_g for v in views) == st.opt_g
        assert tuple(wf.value(t, 1 - g) for wf in wfs) == st.opt
        assert tuple(v.c_group for v in views) == st.c_group
        assert tuple(v.c_outside for v in views) == st.c_outside
        assert (all(v.g_ok for v in views) and sum(v.c_group for v in views) < sum(v.c_outside for v in views)) == st.join


def test_one_user_with_dearer_group_plan_blocks_the_join():
    plans = [plan_dict("standard", 1_600_000, 1_000_000, 16_000_000, export=(500_000, 500_000)),
             plan_dict("group", 600_000, 300_000, 30_000_000, min_users=3, export=(100_000, 100_000))]
    consumer = [[20_000, 10_000]] * 10
    exporter = [[-20_000, 1_000]] * 10          # the group plan is dearer for u3 every day
    scenario = parse_scenario(scenario_dict([consumer, consumer, exporter], plans=plans, min_users=3))
    decision = decide_join(two_state_inputs(scenario), "egalitarian")
    assert all(st.feasible for st in decision.states[1:])   # the group as a whole saves a lot ...
    assert decision.join_slot is None                        # ... but never joins


def test_decide_join_stops_at_first_join_and_writes_spec_json():
    scenario = load_scenario("table2")
    decision = decide_join(two_state_inputs(scenario), "egalitarian")
    assert decision.join_slot == 6
    assert [st.join for st in decision.states] == [False] * 5 + [True]
    out = decision_to_json(decision)
    assert set(out) == {"join_slot", "scheme", "group", "per_slot", "net_compensation", "unit"}
    assert out["per_slot"][-1] == {"slot": 6, "join": True}
    assert out["group"] == ["u1", "u2", "u3", "u4"]
    assert sum(out["net_compensation"].values()) == 0
    assert out["unit"] == "nano-dollar"


def test_proportional_refusal_is_reported_and_the_rule_goes_on():
    """Everyone exports; the group plan pays more feed-in, so ΣC(E\\g) < 0 when the join test holds."""
    plans = [plan_dict("standard", 1_600_000, 1_000_000, 16_000_000, export=(100_000, 100_000)),
             plan_dict("group", 600_000, 300_000, 30_000_000, min_users=2, export=(500_000, 500_000))]
    exporter = [[-20_000, -1_000]] * 10
    scenario = parse_scenario(scenario_dict([exporter, exporter], plans=plans))
    inputs = two_state_inputs(scenario)
    ega = decide_join(inputs, "egalitarian")
    prop = decide_join(inputs, "proportional")
    assert ega.join_slot is not None
    assert prop.join_slot is None
    assert prop.refusals and prop.refusals[0][0] == ega.join_slot
    assert len(prop.states) == inputs.n_slots
    out = decision_to_json(prop)
    assert "sum of C_i" in out["per_slot"][ega.join_slot - 1]["refused"]
    assert out["join_slot"] is None and out["net_compensation"] == {}
