"""The private rule (Π_WFA) makes the same strict join test as the reference: at a slot with
ΣC(g) = ΣC(E\\g) the opened decision is 0, and the join comes one slot later.  Runs both
the pipelined `RuleRunner` (what the protocol uses) and the one-slot `rule_slot`; fails if
either computes ≤ instead of <.
"""
import pytest

from mpc.local import run_parties
from mpc.shares import AuthVector
from protocols.energy.market import public_info
from protocols.energy.private.bills import arrange_bills
from protocols.energy.private.two_state import RuleRunner, group_costs, initial_state, rule_slot
from protocols.energy.scenarios.loader import parse_scenario
from protocols.energy.reference.two_state import two_state_inputs, two_state_slots
from tests.energy.test_join_tie import tie_scenario_dict


def _program(pipelined, group_connection_fee=0):
    data = tie_scenario_dict()
    data["plans"][1]["connection_fee"] = group_connection_fee
    scenario = parse_scenario(data)
    info, inp = public_info(scenario), two_state_inputs(scenario)

    async def prog(s):
        # Only the join bit is opened, never its factors: every single-value opening here is the
        # decision, and must be 0 or 1 (a product with 1 + lt instead of 1 − lt would open a 2 at
        # slot 1, where the group is cheaper but everybody switched).
        opened, orig_open = [], s.open

        async def recording_open(x):
            values = await orig_open(x)
            if len(x) == 1:
                opened.append(int(values[0]))
            return values
        s.open = recording_open
        user = scenario.users[s.pid]
        rows = [list(user.energy_wh[t]) + [int(a >= 0) for a in user.energy_wh[t]]
                + [inp.kappa[s.pid][t], inp.mu[s.pid], inp.v[s.pid][t]] for t in range(info.n_slots)]
        mine = [x for r in rows for x in r]
        bills = arrange_bills(info, await s.input_many({s.pid: mine}, {o: len(mine) for o in range(s.m)}))
        kg = await group_costs(s, info, bills)
        out = []
        if pipelined:
            runner = RuleRunner(s, info, bills, kg)
            while (o := await runner.next_decision()) is not None:
                out.append((o.join, await _sums(s, info, o)))
        else:
            state = initial_state(s, info.n_users)
            for _ in range(info.n_slots):
                o = await rule_slot(s, info, bills, kg, state)
                state = o.state
                out.append((o.join, await _sums(s, info, o)))
        assert opened and set(opened) <= {0, 1}, opened
        return out

    return prog, [(st.join, (st.sum_group, st.sum_outside)) for st in two_state_slots(inp)]


async def _sums(s, info, o):
    return tuple(await s.output_signed(AuthVector.concat([(o.state.opt_g + o.v + info.c_g).sum(), o.state.opt.sum()])))


def test_pipelined_rule_does_not_join_on_equal_sums():
    prog, expected = _program(pipelined=True)
    assert expected == [(False, (11_000_000, 15_000_000)), (False, (13_000_000, 13_000_000)),
                        (True, (19_000_000, 22_000_000))]
    res = run_parties(2, prog)
    assert not any(isinstance(r, BaseException) for r in res), res
    assert res[0] == res[1] == expected


def test_one_slot_rule_does_not_join_on_equal_sums():
    prog, expected = _program(pipelined=False)
    res = run_parties(2, prog)
    assert not any(isinstance(r, BaseException) for r in res), res
    assert res[0] == res[1] == expected


@pytest.mark.parametrize("pipelined", [True, False])
def test_the_group_connection_fee_counts_in_the_join_test(pipelined):
    """With c(g) = 1 000 000 n$ the join comes at slot 3, as in the reference; a join test that
    subtracted c(g) instead of adding it would join at slot 2."""
    prog, expected = _program(pipelined, group_connection_fee=1000)
    assert [j for j, _ in expected] == [False, False, True]
    res = run_parties(2, prog)
    assert not any(isinstance(r, BaseException) for r in res), res
    assert res[0] == res[1] == expected
