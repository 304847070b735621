"""Compensations (Theorem 3 with the spec's rounding): budget balance, weak individual rationality, refusals.

The seed's Theorem 3 assumes positive costs: for proportional sharing a net-exporting
household (C_i(E\\g) < 0) has its negative cost scaled towards zero and ends up worse
off than staying out; `test_proportional_violates_ir_for_net_exporter*` keep that
counterexample.
"""

import pytest
from hypothesis import assume, given, settings, strategies as st

from energy_strategies import plan_dict, scenario_dict, scenario_dicts
from protocols.energy.reference.compensation import (CompensationRefused, compute_compensation, egalitarian_shares,
                                           proportional_shares, settle_deficit)
from protocols.energy.scenarios.loader import parse_scenario
from protocols.energy.reference.two_state import decide_join, two_state_inputs

FAST = settings(max_examples=150, deadline=None)
amounts = st.integers(-10**12, 10**12)


@st.composite
def feasible_groups(draw, positive_outside: bool = False):
    n = draw(st.integers(1, 8))
    opt_g = draw(st.lists(amounts, min_size=n, max_size=n))
    switch = draw(st.lists(st.integers(0, 10**11), min_size=n, max_size=n))
    low = 1 if positive_outside else -10**12
    outside = draw(st.lists(st.integers(low, 2 * 10**12), min_size=n, max_size=n))
    assume(sum(o + s for o, s in zip(opt_g, switch)) < sum(outside))  # group feasibility, eq. (11)
    return opt_g, outside, switch


def _check_balance_and_ir(comp, opt_g, outside, switch):
    assert sum(comp.phi) == 0                                  # budget balance in integer n$
    assert sum(comp.theta) == sum(switch)
    assert 0 <= comp.deficit < len(opt_g)
    for o, c, th in zip(opt_g, outside, comp.theta):
        assert o + th <= c                                     # weak individual rationality


@FAST
@given(feasible_groups())
def test_egalitarian_balanced_and_individually_rational(group):
    opt_g, outside, switch = group
    _check_balance_and_ir(compute_compensation("egalitarian", opt_g, outside, switch), opt_g, outside, switch)


@FAST
@given(feasible_groups(positive_outside=True))
def test_proportional_balanced_and_individually_rational_with_positive_costs(group):
    opt_g, outside, switch = group
    _check_balance_and_ir(compute_compensation("proportional", opt_g, outside, switch), opt_g, outside, switch)


@FAST
@given(feasible_groups())
def test_proportional_balanced_whenever_it_is_defined(group):
    opt_g, outside, switch = group
    if sum(outside) <= 0:
        with pytest.raises(CompensationRefused):
            compute_compensation("proportional", opt_g, outside, switch)
        return
    comp = compute_compensation("proportional", opt_g, outside, switch)
    assert sum(comp.phi) == 0


def test_rounding_rule_by_hand():
    # C(g) = Opt_g + c(g) + v = 10, 11, 12 (ΣC(g) = 33); C(E\g) = 10, 15, 15 (ΣC(E\g) = 40).
    opt_g, switch, outside = [8, 9, 10], [2, 2, 2], [10, 15, 15]
    # Egalitarian: Δ = ⌊−7/3⌋ = −3 → shares 7, 12, 12 (31); D = 2 → first two users +1.
    assert egalitarian_shares(outside, 33, 40) == [7, 12, 12]
    assert settle_deficit([7, 12, 12], 33) == ([8, 13, 12], 2)
    comp = compute_compensation("egalitarian", opt_g, outside, switch)
    assert (comp.sum_group, comp.sum_outside, comp.deficit) == (33, 40, 2)
    assert comp.theta == (0, 4, 2)
    assert comp.phi == (-2, 2, 0)
    # Proportional: ⌊10·33/40⌋, ⌊15·33/40⌋, ⌊15·33/40⌋ = 8, 12, 12 (32); D = 1.
    assert proportional_shares(outside, 33, 40) == [8, 12, 12]
    comp = compute_compensation("proportional", opt_g, outside, switch)
    assert comp.deficit == 1
    assert comp.theta == (1, 3, 2)
    assert comp.phi == (-1, 1, 0)


def test_floor_rounds_towards_minus_infinity():
    assert egalitarian_shares([0, 0, 0], -7, 0) == [-3, -3, -3]     # ⌊−7/3⌋ = −3, not −2
    assert proportional_shares([-5], 3, 2) == [-8]                   # ⌊−7.5⌋ = −8


def test_settle_deficit_rejects_shares_that_are_not_floors():
    """The deficit check fires when shares overshoot ΣC(g) (e.g. rounding up) or undershoot by |X| or more."""
    with pytest.raises(AssertionError):
        settle_deficit([5, 5], 9)
    with pytest.raises(AssertionError):
        settle_deficit([1, 1], 4)


def test_proportional_refused_on_non_positive_outside_sum():
    with pytest.raises(CompensationRefused, match="sum of C_i"):
        compute_compensation("proportional", [-10, -10], [-5, 0], [1, 1])
    with pytest.raises(ValueError):
        compute_compensation("lottery", [1], [2], [0])


def test_proportional_violates_ir_for_net_exporter():
    """Counterexample to Theorem 3 (proportional) when a cost is negative: user 2 exports."""
    opt_g, switch, outside = [300, -60], [10, 10], [1000, -100]
    assert sum(o + s for o, s in zip(opt_g, switch)) < sum(outside)        # group feasible
    comp = compute_compensation("proportional", opt_g, outside, switch)
    assert sum(comp.phi) == 0
    assert opt_g[1] + comp.theta[1] > outside[1]                             # worse off than staying out
    ega = compute_compensation("egalitarian", opt_g, outside, switch)
    assert all(o + t <= c for o, t, c in zip(opt_g, ega.theta, outside))


def test_proportional_violates_ir_for_net_exporter_in_a_scenario():
    """The same on a scenario: u3 sells PV at 0.5 $/kWh on the standalone plan, 0.1 $/kWh on the group plan.

    On day 5 u3 imports at night, so the group plan is cheaper for it that day and the
    aggregate constraint (6) can hold on day 6 (see test_energy_two_state for why it needs to).
    """
    plans = [plan_dict("standard", 1_600_000, 1_000_000, 16_000_000, export=(500_000, 500_000)),
             plan_dict("group", 600_000, 300_000, 30_000_000, min_users=3, export=(100_000, 100_000))]
    consumer = [[20_000, 10_000]] * 8
    exporter = [[-20_000, 1_000]] * 4 + [[-3_000, 6_000]] + [[-20_000, 1_000]] * 3
    scenario = parse_scenario(scenario_dict([consumer, consumer, exporter], plans=plans, min_users=3))
    decision = decide_join(two_state_inputs(scenario), "proportional")
    assert decision.join_slot == 6
    state = decision.states[-1]
    assert state.c_outside[2] < 0
    share = state.opt_g[2] + decision.compensation.theta[2]
    assert share > state.c_outside[2]
    assert sum(decision.compensation.phi) == 0
    ega = decide_join(two_state_inputs(scenario), "egalitarian")
    assert ega.join_slot == decision.join_slot
    assert ega.states[-1].opt_g[2] + ega.compensation.theta[2] <= ega.states[-1].c_outside[2]


@settings(max_examples=60, deadline=None)
@given(scenario_dicts())
def test_on_random_scenarios_feasible_slots_give_balance_and_ir(data):
    """At every slot where group feasibility holds: Σφ = 0 for both schemes; weak IR for egalitarian,
    and for proportional whenever every C_i(E\\g) > 0."""
    from protocols.energy.reference.two_state import two_state_slots
    scenario = parse_scenario(data)
    for state in two_state_slots(two_state_inputs(scenario)):
        if not state.feasible:
            continue
        for scheme in ("egalitarian", "proportional"):
            if scheme == "proportional" and state.sum_outside <= 0:
                continue
            comp = compute_compensation(scheme, state.opt_g, state.c_outside, state.switch_in)
            assert sum(comp.phi) == 0
            if scheme == "egalitarian" or min(state.c_outside) > 0:
                assert all(o + t <= c for o, t, c in zip(state.opt_g, comp.theta, state.c_outside))
