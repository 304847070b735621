"""The wide floor division of proportional sharing, on shares, against Python's //."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mpc.local import run_parties
from mpc.shares import AuthVector
from mpc.comparison import divide_fits, floor_mul_div

C_BITS = 66


def _floor_mul_div(cs, num, den):
    async def prog(s):
        x = await s.input(0, cs if s.pid == 0 else None, len(cs))
        return await s.output_signed(await floor_mul_div(s, x, num, den, C_BITS))
    out = run_parties(2, prog)
    for r in out:
        if isinstance(r, BaseException):
            raise r
    return out[0]


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(-(2**65) + 1, 2**65 - 1), min_size=1, max_size=3),
       st.integers(-(2**64) + 1, 2**64 - 1), st.integers(1, 2**64 - 1))
def test_floor_mul_div_is_exact_up_to_the_spec_bounds(cs, num, den):
    assert _floor_mul_div(cs, num, den) == [c * num // den for c in cs]


def test_split_path_is_needed_and_exact_at_the_extremes():
    den = 2**64 - 59
    assert not divide_fits_for(C_BITS + den.bit_length() + 1, den)
    cs = [2**65 - 1, -(2**65) + 1, -1, 0, 2**32 - 1]
    num = 2**64 - 3
    assert _floor_mul_div(cs, num, den) == [c * num // den for c in cs]


def divide_fits_for(k, d):
    class _S:  # the two attributes divide_fits reads
        security = 40

        class field:
            bits = 254
    return divide_fits(_S, k, d)


def test_too_wide_a_product_is_refused_before_any_message():
    with pytest.raises(ValueError, match="does not fit"):
        async def prog(s):
            x = await s.input(0, [1] if s.pid == 0 else None, 1)
            return await floor_mul_div(s, x, 3, 2**200 + 1, 200)
        out = run_parties(2, prog)
        for r in out:
            if isinstance(r, BaseException):
                raise r


def test_unpipelined_rule_slot_gives_the_reference_decisions_and_sums():
    """The one-slot-at-a-time Π_WFA (`rule_slot`) agrees with the reference slot by slot."""
    from tests.energy_private.private_cases import table2_dict
    from protocols.energy.private.bills import arrange_bills, public_info
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
