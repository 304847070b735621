"""Π_WFA's building blocks on shares, against the reference's numbers: the group plan's
per-slot costs from shared energies, the initial state (Opt = 0, Opt_g = the sentinel), and
the bit length declared for sums over n users (it must hold n values at the extremes)."""
from __future__ import annotations

from mpc.local import run_parties
from protocols.energy.market import public_info
from protocols.energy.private.bills import arrange_bills
from protocols.energy.private.two_state import SENTINEL, VALUE_BITS, group_costs, initial_state, sum_bits
from protocols.energy.scenarios.loader import parse_scenario
from protocols.energy.reference.two_state import two_state_inputs
from tests.energy.test_join_tie import tie_scenario_dict


def test_sum_bits_holds_n_values_at_the_extremes():
    for n in range(1, 70):
        k = sum_bits(n)
        assert n * (2 ** (VALUE_BITS - 1)) < 2 ** (k - 1), n    # |Σ| < n·2^65 must fit signed k bits
    assert sum_bits(1) == VALUE_BITS + 1 and sum_bits(4) == VALUE_BITS + 3


def test_group_costs_and_initial_state_on_shares():
    data = tie_scenario_dict()
    data["plans"][1]["export_price"] = {"peak": 700, "offpeak": 300}        # exports priced too
    data["users"][1]["energy_wh"][0] = [-2000, 1000]                         # and one export
    scenario = parse_scenario(data)
    info, inp = public_info(scenario), two_state_inputs(scenario)

    async def prog(s):
        user = scenario.users[s.pid]
        rows = [list(user.energy_wh[t]) + [int(a >= 0) for a in user.energy_wh[t]]
                + [inp.kappa[s.pid][t], inp.mu[s.pid], inp.v[s.pid][t]] for t in range(info.n_slots)]
        mine = [x for r in rows for x in r]
        bills = arrange_bills(info, await s.input_many({s.pid: mine}, {o: len(mine) for o in range(s.m)}))
        kg = await s.output_signed(await group_costs(s, info, bills))
        st = initial_state(s, info.n_users)
        return kg, st.slot, await s.output_signed(st.opt), await s.output_signed(st.opt_g)

    res = run_parties(2, prog)
    assert res[0] == res[1]
    kg, slot, opt, opt_g = res[0]
    assert kg == [c for row in inp.kappa_g for c in row]       # user-major, slot within user
    assert kg[3] == -2000 * 700 + 1000 * 2000                 # u2, slot 1: export at peak, import off-peak
    assert (slot, opt, opt_g) == (0, [0, 0], [SENTINEL, SENTINEL])
