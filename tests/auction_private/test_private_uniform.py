"""Private uniform-price clearing equals the plaintext reference; misbehaving bidders are
excluded (and only them); a cheating computing party makes the honest ones abort."""
from hypothesis import HealthCheck, given, settings, strategies as st

from mpc.errors import MacCheckFailure, MPCAbort
from mpc.testing import cheating_factory
from mpc.field import PrimeField
from protocols.auction.private.local import run_local
from protocols.auction.reference.uniform_price import CurveBidder, UniformMarket, clear_uniform, uniform_result_to_dict


def market(prices, demands, supplies):
    return UniformMarket(tuple(prices), tuple(CurveBidder(f"b{i}", tuple(d)) for i, d in enumerate(demands)),
                         tuple(CurveBidder(f"s{i}", tuple(s)) for i, s in enumerate(supplies)))


def without(m, ids):
    return UniformMarket(m.prices, tuple(b for b in m.buyers if b.id not in ids),
                         tuple(s for s in m.sellers if s.id not in ids))


def check_equal(m, servers, bidders, excluded=()):
    ref = clear_uniform(without(m, set(excluded)))
    public = uniform_result_to_dict(ref)
    del public["allocations"]
    for out in servers:
        assert not isinstance(out, BaseException), out
        assert out["result"] == public
        assert set(out["excluded"]) == set(excluded)
    views = {b["id"]: b for b in bidders}
    for ident, alloc in ref.allocations.items():
        assert views[ident]["status"] == "accepted"
        assert views[ident]["allocation"] == alloc, ident
    for ident in excluded:
        assert views[ident]["status"] == "rejected"


sizes = st.integers(1, 5).flatmap(lambda L: st.tuples(
    st.just(L),
    st.lists(st.lists(st.integers(0, 12), min_size=L, max_size=L), min_size=1, max_size=3),
    st.lists(st.lists(st.integers(0, 12), min_size=L, max_size=L), min_size=1, max_size=3)))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sizes)
def test_private_clearing_equals_reference(data):
    L, ds, ss = data
    m = market([10 * (i + 1) for i in range(L)], [sorted(d, reverse=True) for d in ds], [sorted(s) for s in ss])
    servers, bidders = run_local("uniform", m)
    check_equal(m, servers, bidders)


def test_range_checked_increments_exclude_a_negative_bid_and_keep_the_rest():
    m = market([1, 2, 3], [[5, 4, 1], [3, 3, 3]], [[0, 2, 6], [1, 1, 2]])
    servers, bidders = run_local("uniform", m, range_bits=8, cheats={"b1": "negative"})
    check_equal(m, servers, bidders, excluded=["b1"])
    assert "bit check failed" in servers[0]["excluded"]["b1"]


def test_malformed_and_equivocating_bidders_are_rejected_without_stopping_the_auction():
    m = market([1, 2, 3, 4], [[5, 4, 1, 0], [3, 3, 3, 3], [2, 2, 1, 1]], [[0, 2, 6, 6], [1, 1, 2, 9]])
    servers, bidders = run_local("uniform", m, cheats={"b0": "malformed", "s1": "equivocate"})
    check_equal(m, servers, bidders, excluded=["b0", "s1"])
    reasons = servers[1]["excluded"]
    assert "malformed input" in reasons["b0"] and "equivocation" in reasons["s1"]


def test_cheating_server_aborts_and_no_bidder_gets_a_result():
    m = market([1, 2, 3], [[5, 4, 1], [3, 3, 3]], [[0, 2, 6], [1, 1, 2]])
    servers, bidders = run_local("uniform", m, session_factory=cheating_factory("value", 1, PrimeField()),
                                     timeout=10)
    for pid in (0, 2):
        assert isinstance(servers[pid], MacCheckFailure), servers[pid]
    assert isinstance(servers[1], MPCAbort)
    assert all(b["status"] == "rejected" for b in bidders)
