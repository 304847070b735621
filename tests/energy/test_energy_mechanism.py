"""The §2.5 mechanism (step 2, step 3a subset search) and the Table 2 evaluation (seed §7.1)."""

import itertools

from hypothesis import given, settings, strategies as st

from energy_strategies import scenario_dict, scenario_dicts
from protocols.energy.reference.mechanism import GroupView, largest_feasible_subset, run_mechanism, standalone_costs
from protocols.energy.reference.outcome_costs import registered_group_costs
from protocols.energy.reference.report import scenario_summary
from protocols.energy.scenarios.loader import load_scenario, parse_scenario
from protocols.energy.reference.two_state import decide_join, two_state_inputs

FAST = settings(max_examples=40, deadline=None)

views = st.builds(GroupView, g_ok=st.booleans(), c_group=st.integers(-50, 50), c_outside=st.integers(-50, 50),
                  opt_g=st.just(0), switch_in=st.just(0))


@settings(max_examples=200, deadline=None)
@given(st.lists(views, min_size=1, max_size=7), st.integers(1, 7))
def test_subset_search_finds_the_largest_feasible_subset(vs, need):
    best = None
    for k in range(len(vs), 0, -1):
        for subset in itertools.combinations(range(len(vs)), k):
            if k >= need and all(vs[i].g_ok for i in subset) and \
                    sum(vs[i].c_group for i in subset) < sum(vs[i].c_outside for i in subset):
                best = k
                break
        if best:
            break
    found = largest_feasible_subset(vs, need)
    if best is None:
        assert found is None
    else:
        assert found is not None and len(found) == best
        assert sum(vs[i].c_group for i in found) < sum(vs[i].c_outside for i in found)
        assert all(vs[i].g_ok for i in found)


@FAST
@given(scenario_dicts(expiring=True))
def test_compensations_never_delay_the_join(data):
    scenario = parse_scenario(data)
    without = run_mechanism(scenario, compensations=False)
    with_mc = run_mechanism(scenario, compensations=True)
    if without.join_slot is not None:
        assert with_mc.join_slot is not None and with_mc.join_slot <= without.join_slot
    if with_mc.compensation is not None:
        assert sum(with_mc.compensation.phi) == 0


def test_step2_joins_without_compensation_when_enough_users_prefer_the_group():
    big = [[20_000, 10_000]] * 6
    scenario = parse_scenario(scenario_dict([big, big, [[0, 0]] * 6], min_users=2))
    run = run_mechanism(scenario, compensations=True)
    assert run.step == "step2" and run.compensation is None
    assert run.members == ("u1", "u2")
    # Joining members pay the standalone disconnection fee at the join slot and the group tariff afterwards.
    t = run.join_slot
    assert run.plans[0][t - 1] == "group" and run.plans[0][t - 2] == "standard"
    assert run.slot_costs[0][t - 1] == 16_000_000_000 + 600_000 * 20_000 + 300_000 * 10_000


# --- Table 2 scenario (four BDEW households, 14 days) -------------------------------------------


def test_table2_join_slots():
    scenario = load_scenario("table2")
    summary = scenario_summary(scenario)["variants"]
    assert summary["no_compensation"]["join_slot"] == 6
    assert summary["no_compensation"]["members"] == ["u1", "u2", "u4"]
    for scheme in ("egalitarian", "proportional"):
        assert summary[f"registered_{scheme}"]["join_slot"] == 6
        assert summary[f"mechanism_{scheme}"]["join_slot"] == 4
        assert summary[f"mechanism_{scheme}"]["members"] == ["u1", "u2", "u4"]


def test_table2_with_compensations_joins_no_later_and_every_user_saves():
    """All four registered households under the two-state rule (what the private protocol decides)."""
    scenario = load_scenario("table2")
    inputs = two_state_inputs(scenario)
    baseline = run_mechanism(scenario, compensations=False)
    stay = [sum(r) for r in standalone_costs(scenario)]
    for scheme in ("egalitarian", "proportional"):
        decision = decide_join(inputs, scheme)
        assert decision.join_slot is not None and decision.join_slot <= baseline.join_slot
        totals = [sum(r) for r in registered_group_costs(inputs, decision)]
        assert all(total < s for total, s in zip(totals, stay)), (scheme, totals, stay)
        assert sum(decision.compensation.phi) == 0
        st_ = decision.states[-1]
        assert all(o + th <= c for o, th, c in zip(st_.opt_g, decision.compensation.theta, st_.c_outside))


def test_table2_pv_household_is_left_out_by_the_subset_search():
    """§2.5 with subset search joins earlier (slot 4) but without u3, whose 14-day cost stays the standalone one."""
    scenario = load_scenario("table2")
    run = run_mechanism(scenario, compensations=True, scheme="egalitarian")
    stay = [sum(r) for r in standalone_costs(scenario)]
    assert "u3" not in run.members and "u3" not in run.late_joins
    assert run.total_cost(2) == stay[2]
    assert all(run.total_cost(i) < stay[i] for i in (0, 1, 3))


@st.composite
def three_plan_scenarios(draw):
    data = draw(scenario_dicts(expiring=True, max_users=4, max_slots=6))
    price = st.integers(0, 2_000_000)
    data["plans"].insert(1, {"id": "green", "import_price": {"peak": draw(price), "offpeak": draw(price)},
                             "export_price": {"peak": 0, "offpeak": 0}, "connection_fee": draw(st.integers(0, 5_000_000)),
                             "disconnection_fee": draw(st.integers(0, 20_000_000)),
                             "contract_slots": draw(st.integers(0, 10)), "min_users": 1})
    return data


@FAST
@given(three_plan_scenarios(), st.booleans())
def test_mechanism_accounting_matches_schedule_costs_over_three_plans(data, compensations):
    """Each user's slot costs are exactly eq. (1) on the plans it was put on, plus φ if it was compensated."""
    from protocols.energy.reference.plan_costs import instance_for_user, schedule_cost
    scenario = parse_scenario(data)
    run = run_mechanism(scenario, compensations=compensations)
    phi = dict(zip(run.members, run.compensation.phi)) if run.compensation else {}
    for i, user in enumerate(scenario.users):
        inst = instance_for_user(scenario, user)
        schedule = [scenario.plan_index(p) for p in run.plans[i]]
        assert run.total_cost(i) == schedule_cost(inst, schedule) + phi.get(user.id, 0)
        if run.join_slot is not None and user.id in run.members:
            assert all(p == "group" for p in run.plans[i][run.join_slot - 1:])
        if run.join_slot is None:
            assert "group" not in run.plans[i]          # g cannot be used before N(g) users sign up
