"""Private DANTM equals the plaintext DANTM; the sorting network sorts; cheating computing
parties (tampered share inside the sort, wrong comparison input) make the honest ones
abort; misbehaving bidders are excluded and the auction goes on without them."""
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mpc import comparison
from mpc.errors import MacCheckFailure
from mpc.local import run_parties
from mpc.session import Session
from mpc.shares import AuthVector
from mpc import sorting as private_sort
from protocols.auction.market_file import Buyer, Market, Seller, result_to_dict
from protocols.auction.private.local import run_local
from mpc.sorting import merge_sort_layers, oblivious_sort
from protocols.auction.reference.slot_literal import literal_dantm


def random_market(rng, nb, ns, price=12, qual=3, qty=6):
    return Market(tuple(Buyer(f"b{i}", rng.randint(0, price), rng.randint(1, qual), rng.randint(1, qty))
                        for i in range(nb)),
                  tuple(Seller(f"s{i}", rng.randint(0, price), rng.randint(1, qual + 1), rng.randint(1, qty))
                        for i in range(ns)))


def assert_same_as_plaintext(m, pricing, servers, bidders, excluded=()):
    keep = Market(tuple(b for b in m.buyers if b.id not in excluded),
                  tuple(s for s in m.sellers if s.id not in excluded))
    expected = result_to_dict(literal_dantm(keep, pricing))
    for out in servers:
        assert not isinstance(out, BaseException), out
        assert out["result"] == expected
        assert set(out["excluded"]) == set(excluded)
    for b in bidders:
        if b["id"] in excluded:
            assert b["status"] == "rejected"
        else:
            assert b["status"] == "accepted" and b["public"] == expected


# --- the sorting network ---------------------------------------------------------------
@pytest.mark.parametrize("n", range(1, 11))
def test_network_sorts_every_zero_one_input(n):
    layers = merge_sort_layers(n)
    for layer in layers:
        touched = [p for pair in layer for p in pair]
        assert len(touched) == len(set(touched)) and all(i < j < n for i, j in layer)
    for mask in range(1 << n):
        x = [(mask >> i) & 1 for i in range(n)]
        for layer in layers:
            for i, j in layer:
                if x[j] < x[i]:
                    x[i], x[j] = x[j], x[i]
        assert x == sorted(x)


def test_oblivious_sort_on_shares_carries_payloads():
    rng = random.Random(5)
    keys = rng.sample(range(-500, 500), 7)
    payload = [k * 3 + 1 for k in keys]

    async def program(s):
        k = await s.input(0, keys if s.pid == 0 else None, len(keys))
        p = await s.input(1, payload if s.pid == 1 else None, len(keys))
        k2, (p2,) = await oblivious_sort(s, k, [p], 12)
        return await s.output_signed(k2), await s.output_signed(p2)

    for ks, ps in run_parties(3, program):
        assert ks == sorted(keys) and ps == [k * 3 + 1 for k in sorted(keys)]


# --- equality with the plaintext mechanism --------------------------------------------------
markets = st.builds(lambda seed, nb, ns: random_market(random.Random(seed), nb, ns),
                    st.integers(0, 10 ** 6), st.integers(1, 4), st.integers(1, 4))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets, st.sampled_from(["vickrey", "uniform"]))
def test_private_dantm_equals_plaintext(m, pricing):
    servers, bidders = run_local("dantm", m, pricing=pricing)
    assert_same_as_plaintext(m, pricing, servers, bidders)


@pytest.mark.parametrize("pricing", [pytest.param("vickrey", marks=pytest.mark.slow), "uniform"])
def test_eight_buyers_and_eight_sellers(pricing):
    m = random_market(random.Random(88), 8, 8, price=30, qty=9)
    servers, bidders = run_local("dantm", m, pricing=pricing)
    assert_same_as_plaintext(m, pricing, servers, bidders)
    assert len(servers[0]["result"]["trades"]) >= 2  # a market where several rounds trade


def test_misbehaving_bidders_are_excluded_and_the_auction_goes_on():
    m = random_market(random.Random(3), 4, 3)
    cheats = {"b1": "overflow", "s0": "negative", "b3": "equivocate"}
    servers, bidders = run_local("dantm", m, pricing="uniform", cheats=cheats)
    assert_same_as_plaintext(m, "uniform", servers, bidders, excluded=cheats)
    reasons = servers[0]["excluded"]
    assert "value >= field modulus" in reasons["b1"]
    assert "bit check failed" in reasons["s0"]
    assert "equivocation" in reasons["b3"]


# --- cheating computing parties ----------------------------------------------------------------
class TamperingSession(Session):
    """Party 1 adds 1 to its share of the first value it opens while `armed`."""

    armed = False
    fired = False

    def _open_shares(self, values):
        if self.armed and not self.fired and self.pid == 1:
            self.fired = True
            values = list(values)
            values[0] = (values[0] + 1) % self.field.q
        return values


def tampering_factory(pid, transport, prep):
    return TamperingSession(transport, prep, prep.field)


def assert_honest_abort(servers, bidders):
    for pid in (0, 2):
        assert isinstance(servers[pid], MacCheckFailure), servers[pid]
    assert all(b["status"] == "rejected" for b in bidders)


def test_tampered_share_inside_the_sort_makes_honest_parties_abort(monkeypatch):
    original = private_sort.compare_exchange

    async def armed_exchange(s, *args, **kwargs):
        s.armed = True
        try:
            return await original(s, *args, **kwargs)
        finally:
            s.armed = False

    monkeypatch.setattr(private_sort, "compare_exchange", armed_exchange)
    m = random_market(random.Random(11), 3, 3)
    servers, bidders = run_local("dantm", m, session_factory=tampering_factory, timeout=10)
    assert_honest_abort(servers, bidders)


def test_wrong_comparison_input_makes_honest_parties_abort(monkeypatch):
    original = comparison.less_than
    calls = {"n": 0}

    async def skewed(s, x, y, k):
        calls["n"] += s.pid == 1
        if s.pid == 1 and calls["n"] == 9:  # a comparison of the first auction round
            # party 1 feeds a changed share of x (its MAC share unchanged)
            x = AuthVector(x.key, [(x.values[0] + 3) % s.field.q] + x.values[1:], x.macs)
        return await original(s, x, y, k)

    monkeypatch.setattr(comparison, "less_than", skewed)
    m = random_market(random.Random(12), 3, 3)
    servers, bidders = run_local("dantm", m, session_factory=tampering_factory, timeout=10)
    assert calls["n"] >= 9
    assert_honest_abort(servers, bidders)
