"""Stage 2's unpipelined rule (`rule_slot`) against the reference, slot by slot."""

from __future__ import annotations

from mpc.local import run_parties
from mpc.shares import AuthVector


def test_unpipelined_rule_slot_gives_the_reference_decisions_and_sums():
    """The one-slot-at-a-time Π_WFA (`rule_slot`) agrees with the reference slot by slot."""
    from private_cases import table2_dict
    from protocols.energy.market import public_info
    from protocols.energy.private.bills import arrange_bills
    from protocols.energy.private.two_state import group_costs, initial_state, rule_slot
    from protocols.energy.scenarios.loader import parse_scenario
    from protocols.energy.reference.two_state import two_state_inputs, two_state_slots

    scenario = parse_scenario(table2_dict(days=6))
    info, inp = public_info(scenario), two_state_inputs(scenario)
    ref = list(two_state_slots(inp))

    async def prog(s):
        rows = [list(u.energy_wh[t]) + [int(a >= 0) for a in u.energy_wh[t]]
                + [inp.kappa[s.pid][t], inp.mu[s.pid], inp.v[s.pid][t]]
                for u in [scenario.users[s.pid]] for t in range(info.n_slots)]
        mine = [x for r in rows for x in r]
        k = len(mine)
        bills = arrange_bills(info, await s.input_many({s.pid: mine}, {o: k for o in range(s.m)}))
        kg = await group_costs(s, info, bills)
        state, out = initial_state(s, info.n_users), []
        for _ in range(info.n_slots):
            o = await rule_slot(s, info, bills, kg, state)
            state = o.state
            sums = await s.output_signed(AuthVector.concat([(o.state.opt_g + o.v + info.c_g).sum(), o.state.opt.sum()]))
            out.append((o.join, tuple(sums)))
        return out

    res = run_parties(4, prog)
    assert not any(isinstance(r, BaseException) for r in res), res
    assert res[0] == [(st.join, (st.sum_group, st.sum_outside)) for st in ref]
