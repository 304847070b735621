"""Plaintext uniform-price clearing (protocols.auction.reference.uniform_price): file format, the
clearing rule and the rationing bounds stated in its docstring."""
import json
import random
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from protocols.auction.market_file import MarketFileError
from protocols.auction.reference.uniform_price import (PRECISION_BITS, CurveBidder, UniformMarket, binary_search_level,
                                             clear_uniform, random_uniform_market, uniform_market_from_dict,
                                             uniform_market_to_dict)
from tests.conftest import REPO


def market(prices, demands, supplies):
    return UniformMarket(tuple(prices), tuple(CurveBidder(f"b{i}", tuple(d)) for i, d in enumerate(demands)),
                         tuple(CurveBidder(f"s{i}", tuple(s)) for i, s in enumerate(supplies)))


def test_hand_worked_example_rations_sellers_pro_rata():
    # D = 10, 8, 4 ; S = 2, 6, 12: lowest level with D <= S is 2 (price 30); sellers
    # offer 12 for a demand of 4: each gets floor(q * floor(2^F*4/12) / 2^F).
    m = market([10, 20, 30], [[6, 5, 3], [4, 3, 1]], [[2, 3, 9], [0, 3, 3]])
    r = clear_uniform(m)
    assert (r.level, r.price, r.rationed) == (2, 30, "sellers")
    rho = (4 << PRECISION_BITS) // 12
    assert r.allocations == {"b0": 3, "b1": 1, "s0": (9 * rho) >> PRECISION_BITS, "s1": (3 * rho) >> PRECISION_BITS}
    assert r.allocations["s0"] == 2 and r.allocations["s1"] == 0  # 3 and 1 minus rounding


def test_excess_demand_at_the_top_price_rations_buyers():
    m = market([1, 2], [[10, 9], [5, 5]], [[1, 4]])
    r = clear_uniform(m)
    assert (r.level, r.rationed) == (1, "buyers")
    assert r.allocations["s0"] == 4
    assert r.allocations["b0"] + r.allocations["b1"] <= 4


curves = st.integers(1, 6).flatmap(lambda L: st.tuples(
    st.just(L),
    st.lists(st.lists(st.integers(0, 9), min_size=L, max_size=L), min_size=0, max_size=4),
    st.lists(st.lists(st.integers(0, 9), min_size=L, max_size=L), min_size=0, max_size=4)))


def monotone(rows, increasing):
    return [sorted(r) if increasing else sorted(r, reverse=True) for r in rows]


@settings(max_examples=60, deadline=None)
@given(curves)
def test_clearing_level_is_the_lowest_level_where_supply_covers_demand(data):
    L, ds, ss = data
    m = market(range(1, L + 1), monotone(ds, False), monotone(ss, True))
    r = clear_uniform(m)
    D = [sum(b.quantities[l] for b in m.buyers) for l in range(L)]
    S = [sum(s.quantities[l] for s in m.sellers) for l in range(L)]
    covering = [l for l in range(L) if D[l] <= S[l]]
    if covering:
        assert r.level == covering[0] and r.rationed == "sellers"
    else:
        assert r.level == L - 1 and r.rationed == "buyers"
    # the short side is served in full; the long side gets at most its exact pro-rata share
    lvl = r.level
    V, W = min(D[lvl], S[lvl]), max(D[lvl], S[lvl])
    long_side = m.sellers if r.rationed == "sellers" else m.buyers
    short_side = m.buyers if r.rationed == "sellers" else m.sellers
    for b in short_side:
        assert r.allocations[b.id] == b.quantities[lvl]
    for b in long_side:
        exact = Fraction(b.quantities[lvl] * V, W) if W else 0
        assert exact - 1 - Fraction(b.quantities[lvl], 1 << PRECISION_BITS) < r.allocations[b.id] <= exact
    assert sum(r.allocations[b.id] for b in long_side) <= V


def test_binary_search_uses_at_most_log_probes():
    calls = []
    for L in (1, 2, 7, 100, 1000):
        for target in {0, L // 3, L}:
            calls.clear()
            got = binary_search_level(lambda l: calls.append(l) or l >= target, L)
            assert got == target and len(calls) <= L.bit_length()


@pytest.mark.parametrize("patch,field", [
    (lambda d: d["buyers"][0].update(demand=[1, 2, 0]), "buyers[0].demand[1]: the curve must be non-increasing"),
    (lambda d: d["sellers"][0].update(supply=[3, 1, 4]), "sellers[0].supply[1]: the curve must be non-decreasing"),
    (lambda d: d["buyers"][0].update(demand=[1, 0]), "buyers[0].demand: expected a list of 3"),
    (lambda d: d["sellers"][0].update(supply=[0, -1, 2]), "sellers[0].supply[1]: expected an integer in [0, 2^32)"),
    (lambda d: d.update(prices=[1, 1, 2]), "prices[1]: prices must be strictly increasing"),
    (lambda d: d["sellers"][0].update(id="b0"), "sellers[0].id: duplicate id 'b0'"),
    (lambda d: d["buyers"][0].update(bid=3), "buyers[0]: unknown field(s) ['bid']"),
])
def test_bad_files_name_the_field(patch, field):
    data = uniform_market_to_dict(market([1, 2, 3], [[3, 2, 0]], [[0, 1, 4]]))
    patch(data)
    with pytest.raises(MarketFileError) as err:
        uniform_market_from_dict(data)
    assert field in str(err.value)


def test_cli_clears_a_generated_market_and_rejects_bad_files(tmp_path):
    gen = tmp_path / "m.json"
    out = tmp_path / "r.json"
    run = lambda *a: subprocess.run([sys.executable, "-m", "protocols.auction.reference.uniform_price", *a],  # noqa: E731
                                    cwd=REPO, capture_output=True, text=True)
    assert run("--generate", "5", "4", "10", "--seed", "3", "--json", str(gen)).returncode == 0
    assert run("--market", str(gen), "--json", str(out)).returncode == 0
    m = uniform_market_from_dict(json.loads(gen.read_text()))
    r = json.loads(out.read_text())
    assert r["price"] == clear_uniform(m).price and r["allocations"] == clear_uniform(m).allocations
    bad = tmp_path / "bad.json"
    bad.write_text('{"prices": [1], "buyers": [{"id": "x", "demand": ["a"]}], "sellers": []}')
    res = run("--market", str(bad))
    assert res.returncode == 2 and "buyers[0].demand[0]" in res.stderr and "Traceback" not in res.stderr


def test_random_markets_are_valid_files():
    m = random_uniform_market(6, 5, 8, random.Random(4))
    assert uniform_market_from_dict(uniform_market_to_dict(m)) == m
