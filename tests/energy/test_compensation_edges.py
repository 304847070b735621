"""Compensation and the reference rule at their boundaries, with exact values and messages.

- proportional sharing is refused exactly when ΣC(E\\g) ≤ 0 (0 refused, 1 accepted);
- the rounding deficit D = ΣC(g) − Σshare is in [0, |X|) and goes, one unit each, to the
  first D users in scenario order;
- θ_i = share_i − Opt_{i,g} and φ_i = θ_i − (c(g) + v_i), by hand on small numbers;
- argument checks name the problem; the sentinel must exceed the cost bound strictly;
- the reference's slot recursion keeps +∞ (None) only until the first slot.
"""
import pytest

from protocols.energy.reference.compensation import (CompensationRefused, compute_compensation, egalitarian_shares,
                                           proportional_shares, settle_deficit)
from protocols.energy.scenarios.loader import linear_value_bound, parse_scenario
from protocols.energy.reference.two_state import (GroupDecision, TwoStateInputs, check_sentinel, decide_join,
                                        decision_to_json, two_state_slots, two_state_update)
from tests.energy.test_join_tie import tie_scenario_dict


def test_proportional_refusal_boundary_and_message():
    with pytest.raises(CompensationRefused) as info:
        proportional_shares([0, 0], 5, 0)
    assert str(info.value) == ("proportional sharing needs sum of C_i(E\\g) > 0, got 0 n$ "
                               "(net-exporting households)")
    with pytest.raises(CompensationRefused, match="got -3 n\\$"):
        proportional_shares([-1, -2], 5, -3)
    assert proportional_shares([1, 0], 7, 1) == [7, 0]
    assert proportional_shares([3, 4, 5], 10, 12) == [2, 3, 4]       # floors of 2.5, 3.33, 4.17
    assert proportional_shares([-3, 15], 10, 12) == [-3, 12]         # floor of -2.5 is -3


def test_egalitarian_shares_floor_the_common_delta():
    assert egalitarian_shares([10, 20, 30], 50, 60) == [6, 16, 26]    # ⌊-10/3⌋ = -4
    assert egalitarian_shares([10, 20], 31, 30) == [10, 20]           # ⌊1/2⌋ = 0
    assert egalitarian_shares([5], 3, 9) == [-1]


def test_deficit_goes_to_the_first_users_and_must_be_below_the_group_size():
    assert settle_deficit([1, 1, 1], 5) == ([2, 2, 1], 2)
    assert settle_deficit([1, 1, 1], 3) == ([1, 1, 1], 0)
    assert settle_deficit([0, 0, 0], 2) == ([1, 1, 0], 2)
    for total in (6, 2):                          # D = 3 = |X|, and D = -1
        with pytest.raises(AssertionError, match=r"outside \[0, 3\): shares were not floors"):
            settle_deficit([1, 1, 1], total)


def test_compensation_by_hand():
    # Opt_g = (10, 20, 30), C(E\g) = (30, 40, 50), c(g) + v_i = (1, 2, 3): ΣC(g) = 66, ΣC(E\g) = 120
    egal = compute_compensation("egalitarian", [10, 20, 30], [30, 40, 50], [1, 2, 3])
    # delta = ⌊(66 - 120)/3⌋ = -18: shares 12, 22, 32 (sum 66, D = 0)
    assert (egal.theta, egal.phi, egal.deficit, egal.sum_group, egal.sum_outside) == (
        (2, 2, 2), (1, 0, -1), 0, 66, 120)
    prop = compute_compensation("proportional", [10, 20, 30], [30, 40, 50], [1, 2, 3])
    # shares ⌊30·66/120⌋ = 16, ⌊40·66/120⌋ = 22, ⌊50·66/120⌋ = 27 (sum 65, D = 1 to the first user)
    assert (prop.theta, prop.phi, prop.deficit) == ((7, 2, -3), (6, 0, -6), 1)
    assert sum(prop.phi) == 0 and prop.scheme == "proportional"
    given = compute_compensation("egalitarian", [10, 20, 30], [30, 40, 50], [1, 2, 3], sum_group=67, sum_outside=120)
    assert given.sum_group == 67 and given.deficit == 1


def test_compensation_argument_checks():
    with pytest.raises(ValueError, match=r"^scheme must be one of \('egalitarian', 'proportional'\), got 'fair'$"):
        compute_compensation("fair", [1], [2], [0])
    msg = "^opt_group, c_outside and switch_in must be non-empty and of equal length$"
    for args in (([], [], []), ([1], [2, 3], [0]), ([1], [2], [0, 0])):
        with pytest.raises(ValueError, match=msg):
            compute_compensation("egalitarian", *args)


def test_sentinel_must_exceed_the_bound_strictly():
    scenario = parse_scenario(tie_scenario_dict())
    bound = linear_value_bound(scenario)
    check_sentinel(scenario, bound + 1)
    with pytest.raises(ValueError, match=f"^sentinel {bound} does not exceed the scenario's cost bound {bound}$"):
        check_sentinel(scenario, bound)


def test_update_with_infinite_and_finite_previous_group_cost():
    # +∞ before: the group value can only come from switching in
    assert two_state_update(100, None, 10, 7, 3, 2, 5, 4) == (110, 100 + 7 + 5 + 2)
    # finite: both minima, each with its own candidate
    assert two_state_update(100, 50, 10, 7, 3, 2, 5, 4) == (min(110, 50 + 10 + 3 + 4), min(57, 100 + 7 + 5 + 2))
    assert two_state_update(10, 500, 10, 7, 3, 2, 5, 4) == (20, 24)


def test_first_slot_never_satisfies_the_aggregate_constraint():
    inputs = TwoStateInputs(("a",), ((5, 5),), ((1, 1),), (0,), ((0, 0),), 0, 0)
    states = list(two_state_slots(inputs))
    assert [s.no_switch for s in states] == [False, True]
    assert [s.join for s in states] == [False, True]
    assert [s.slot for s in states] == [1, 2]
    assert states[1].c_group == (2,) and states[1].c_outside == (6,) and states[1].switch_in == (0,)
    decision = decide_join(inputs, "egalitarian")
    assert decision.join_slot == 2 and decision.compensation.phi == (0,)


def test_refused_slot_is_reported_in_the_json():
    d = GroupDecision("proportional", ("a", "b"), 3, tuple(two_state_slots(
        TwoStateInputs(("a", "b"), ((5, 5, 5),) * 2, ((1, 1, 1),) * 2, (0, 0), ((0, 0, 0),) * 2, 0, 0))),
        None, ((2, "why"),))
    js = decision_to_json(d)
    assert js["per_slot"] == [{"slot": 1, "join": False}, {"slot": 2, "join": False, "refused": "why"},
                              {"slot": 3, "join": True}]
    assert js["net_compensation"] == {} and js["unit"] == "nano-dollar" and js["group"] == ["a", "b"]


def test_slot_values_use_each_slots_own_fees_by_hand():
    """v changes from slot to slot (a contract running out) and c(g), d(g), μ are nonzero:
    every slot must use its own v and the group's fees, checked against hand computation."""
    # one user: κ = (10, 10, 10), κ_g = (4, 4, 4), μ = 3, v = (7, 2, 0), c(g) = 5, d(g) = 6
    inputs = TwoStateInputs(("a",), ((10, 10, 10),), ((4, 4, 4),), (3,), ((7, 2, 0),), 5, 6)
    s1, s2, s3 = two_state_slots(inputs)
    # slot 1: Opt = 10, Opt_g = 0 + 4 + 5 + 7 = 16; C(g) = 16 + 5 + 7 = 28
    assert (s1.opt, s1.opt_g, s1.switch_in, s1.c_group) == ((10,), (16,), (12,), (28,))
    # slot 2: Opt = min(20, 16 + 10 + 3 + 6) = 20, Opt_g = min(16 + 4, 10 + 4 + 5 + 2) = 20; C(g) = 20 + 5 + 2
    assert (s2.opt, s2.opt_g, s2.switch_in, s2.c_group, s2.no_switch) == ((20,), (20,), (7,), (27,), True)
    # slot 3: Opt = min(30, 20 + 10 + 3 + 6) = 30, Opt_g = min(24, 20 + 4 + 5 + 0) = 24; C(g) = 29 < 30: join
    assert (s3.opt, s3.opt_g, s3.switch_in, s3.c_group, s3.join) == ((30,), (24,), (5,), (29,), True)
    decision = decide_join(inputs, "egalitarian")
    assert decision.join_slot == 3 and decision.scheme == "egalitarian"
    js = decision_to_json(decision)
    # one user: share = C(E\g) + ⌊(29 − 30)/1⌋ = 29, θ = 29 − 24 = 5, φ = 5 − 5 = 0
    assert js["net_compensation"] == {"a": 0} and js["scheme"] == "egalitarian" and js["join_slot"] == 3


def test_decide_join_replays_with_the_sentinel_it_is_given():
    inputs = TwoStateInputs(("a",), ((10, 10),), ((4, 4),), (0,), ((0, 0),), 0, 0)
    with_inf = decide_join(inputs, "proportional")
    assert with_inf.states == tuple(two_state_slots(inputs)) and with_inf.scheme == "proportional"
    small = decide_join(inputs, "proportional", sentinel=-100)   # a (wrong) stand-in is really used
    assert small.states[0] == next(two_state_slots(inputs, -100)) and small.states[0] != with_inf.states[0]
    never = decide_join(TwoStateInputs(("a",), ((1, 1),), ((4, 4),), (0,), ((0, 0),), 0, 0), "proportional")
    assert never.join_slot is None and never.scheme == "proportional" and never.compensation is None
