"""Offline optimum (DP with backtracking) against brute force, and the competitive ratio of WFA.

Findings kept as tests (the seed's claims that fail):
- eqs. (5)–(6) as written ("seed" rule) are not the textbook work-function algorithm and
  break Theorem 1: with free switching the optimum pays 0 and the seed rule pays 1, and
  with equal positive fees on four plans it pays 8.75 × the optimum > 2|E| − 1 = 7;
- Theorem 2 (ratio ≤ 3 whenever all fees are equal) is false for three or more plans: the
  textbook WFA pays 14 against an optimum of 4 below, as Borodin–Linial–Saks' lower bound
  2n − 1 for every deterministic online algorithm on any metric predicts;
- with the spec's Opt^0 = +∞ off the start plan, WFA cannot move at slot 1 and is not
  competitive on one-slot instances.
Theorem 1 is checked for the textbook rule ("mts") on non-expiring contracts, and
Theorem 2 for two plans, where it coincides with Theorem 1.
"""

from hypothesis import given, settings, strategies as st

from energy_strategies import instances
from protocols.energy.reference.optimum import brute_force_optimum, dp_tables, offline_optimum
from protocols.energy.reference.plan_costs import PlanSelectionInstance, schedule_cost
from protocols.energy.reference.wfa import WorkFunction, run_wfa

FAST = settings(max_examples=60, deadline=None)


@FAST
@given(instances(max_plans=3, max_slots=5, expiring=True))
def test_offline_optimum_equals_brute_force_and_backtracking_reaches_it(inst):
    opt, schedule = offline_optimum(inst)
    assert opt == brute_force_optimum(inst)
    assert schedule_cost(inst, schedule) == opt


def test_contract_expiry_is_part_of_the_optimum():
    # Leaving plan 0 costs 20 before its contract ends (2 slots) and nothing after:
    # the optimum waits for the expiry, a plan-only DP would not see the difference.
    inst = PlanSelectionInstance(kappa=((5, 0), (5, 0), (5, 0), (5, 0)), connection=(0, 0),
                                 disconnection=(20, 0), contract=(2, 100), start=0, start_age=0)
    opt, schedule = offline_optimum(inst)
    assert opt == brute_force_optimum(inst) == 15
    assert schedule == [0, 0, 0, 1]


def test_work_function_is_minimum_over_entry_slots():
    inst = PlanSelectionInstance(kappa=((3, 1), (3, 1)), connection=(0, 2), disconnection=(4, 4),
                                 contract=(10, 10), start=0, start_age=0)
    tables = dp_tables(inst)
    assert tables.work_function(0, 1) is None  # +∞ off the start plan
    assert tables.work_function(1, 1) == 0 + 2 + 4 + 1
    assert tables.work_function(2, 1) == 8


@FAST
@given(instances(max_plans=4, max_slots=7))
def test_theorem1_textbook_wfa_within_2n_minus_1_of_optimum(inst):
    opt, _ = offline_optimum(inst)
    assert run_wfa(inst, rule="mts").cost <= (2 * inst.n_plans - 1) * opt


@FAST
@given(instances(max_plans=2, max_slots=8, equal_fees=True))
def test_theorem2_holds_for_two_plans(inst):
    opt, _ = offline_optimum(inst)
    assert run_wfa(inst, rule="mts").cost <= 3 * opt


def test_theorem2_fails_for_three_plans_with_equal_fees():
    """Counterexample to the seed's Theorem 2: equal fees (c = 0, d = 2), three plans, ratio 3.5 > 3.

    The costs put 1 on the plan WFA sits on; the seed's proof reduces n plans to two, which the
    2n − 1 lower bound for every deterministic online algorithm rules out.
    """
    kappa = ((1, 0, 0),) * 5 + ((0, 1, 0),) * 3 + ((0, 0, 1),) * 4
    inst = PlanSelectionInstance(kappa, (0, 0, 0), (2, 2, 2), (10**6,) * 3, start=0, start_age=0)
    opt, _ = offline_optimum(inst)
    wfa = run_wfa(inst, rule="mts")
    assert (wfa.cost, opt) == (14, 4)
    assert wfa.cost > 3 * opt
    assert wfa.cost <= 5 * opt  # Theorem 1 still holds


def test_seed_rule_breaks_theorem1_with_free_switching():
    """Eqs. (5)–(6) as written: constraint (6) forbids the plan that is cheap at t, so the rule pays 1, the optimum 0."""
    inst = PlanSelectionInstance(((5, 0), (0, 1)), (0, 0), (0, 0), (10**6,) * 2, start=1, start_age=0)
    opt, _ = offline_optimum(inst)
    assert opt == 0
    assert run_wfa(inst, rule="seed").cost == 1
    assert run_wfa(inst, rule="mts").cost == 0


def test_seed_rule_breaks_theorem1_with_equal_positive_fees():
    inst = PlanSelectionInstance(((0, 9, 13, 26), (28, 1, 18, 11), (24, 5, 0, 8)), (0,) * 4, (1,) * 4,
                                 (10**6,) * 4, start=3, start_age=2)
    opt, _ = offline_optimum(inst)
    seed = run_wfa(inst, rule="seed").cost
    assert (seed, opt) == (35, 4)
    assert seed > (2 * 4 - 1) * opt
    assert run_wfa(inst, rule="mts").cost <= 7 * opt


def test_infinite_initial_work_function_cannot_move_at_slot_one():
    inst = PlanSelectionInstance(((1000, 0),), (0, 0), (1, 1), (10**6,) * 2, start=0, start_age=0)
    assert offline_optimum(inst)[0] == 1
    assert run_wfa(inst, rule="seed", init="infinite").cost == 1000
    assert run_wfa(inst, rule="seed", init="standard").cost == 1
    assert run_wfa(inst, rule="mts").cost == 1


@FAST
@given(instances(max_plans=3, max_slots=6, expiring=True), st.sampled_from(["seed", "mts"]))
def test_wfa_schedule_cost_is_what_it_reports_and_is_online(inst, rule):
    run = run_wfa(inst, rule=rule)
    assert schedule_cost(inst, run.schedule) == run.cost
    # Online: the first k choices depend only on the first k slots.
    k = max(1, inst.n_slots // 2)
    prefix = PlanSelectionInstance(inst.kappa[:k], inst.connection, inst.disconnection, inst.contract,
                                   inst.start, inst.start_age)
    assert run_wfa(prefix, rule=rule).schedule == run.schedule[:k]


@FAST
@given(instances(max_plans=3, max_slots=5))
def test_some_plan_always_satisfies_constraint_6(inst):
    wf = WorkFunction(inst, "standard")
    for t in range(1, inst.n_slots + 1):
        assert any(wf.no_switch(t, x) for x in range(inst.n_plans))
