"""DANTM (fast order book) against the literal spec loop, and its economic properties."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from markets_strategies import (
    assert_feasible,
    assert_individually_rational,
    assert_weakly_budget_balanced,
    markets,
    unit_markets,
    utility,
)
from protocols.auction.reference.dantm import run_dantm
from protocols.auction.market_file import Buyer, Market, Seller
from protocols.auction.reference.slot_literal import literal_dantm
from protocols.auction.reference.winner_determination import breakeven_index, valid_prices

PRICINGS = ("vickrey", "uniform")


@settings(max_examples=300, deadline=None)
@given(markets(max_buyers=8, max_sellers=8, max_price=15), st.sampled_from(PRICINGS))
def test_fast_loop_equals_literal_spec(market, pricing):
    assert run_dantm(market, pricing) == literal_dantm(market, pricing)


@settings(max_examples=60, deadline=None)
@given(markets(max_buyers=40, max_sellers=40, max_price=50, qualities=(1, 2), max_quantity=3),
       st.sampled_from(PRICINGS))
def test_fast_loop_equals_literal_spec_on_larger_markets(market, pricing):
    assert run_dantm(market, pricing) == literal_dantm(market, pricing)


def test_fast_loop_equals_literal_on_seeded_markets_with_many_rounds():
    rng = random.Random(11)
    for _ in range(40):
        n = rng.randint(50, 120)
        market = Market(
            tuple(Buyer(f"b{i}", rng.randint(0, 100), rng.randint(1, 3), rng.randint(1, 6)) for i in range(n)),
            tuple(Seller(f"s{i}", rng.randint(0, 100), rng.randint(1, 4), rng.randint(1, 6)) for i in range(n)),
        )
        for pricing in PRICINGS:
            fast = run_dantm(market, pricing)
            assert fast == literal_dantm(market, pricing)
    assert len(fast.trades) > 5  # the comparison exercised many rounds


@settings(max_examples=200, deadline=None)
@given(markets(), st.sampled_from(PRICINGS))
def test_individual_rationality_budget_balance_and_feasibility(market, pricing):
    result = run_dantm(market, pricing)
    assert_individually_rational(market, result)
    assert_weakly_budget_balanced(result)
    assert_feasible(market, result)


def test_hand_computed_example():
    market = Market(
        (Buyer("b1", 74, 3, 12), Buyer("b2", 61, 1, 5), Buyer("b3", 50, 1, 4), Buyer("b4", 20, 1, 1)),
        (Seller("s1", 40, 4, 10), Seller("s2", 45, 3, 30), Seller("s3", 48, 1, 3), Seller("s4", 60, 1, 5)),
    )
    # Round 1: bids 74 61 50 20, asks 40 45 48 60 -> k = 3; p0 = (20 + 60)/2 = 40 < S[3] = 48,
    # so trade reduction: 2 candidates, p_b = 50, p_s = 48. Winner b1 (quality 3) needs 12:
    # s1 gives 10, s2 gives 2. No unused eligible candidate: sellers get s2's ask 45; b1 pays 61.
    vick = run_dantm(market, "vickrey")
    first = vick.trades[0]
    assert (first.buyer, first.quantity, first.satisfied, first.buyer_price) == ("b1", 12, True, 61)
    assert [(s.seller, s.quantity, s.start, s.seller_price) for s in first.sellers] == [
        ("s1", 10, 0, 45), ("s2", 2, 0, 45)]
    # Round 2: bids 61 50 20, asks 45 48 60 -> k = 2, p0 = 40 < 48 -> reduction to 1 candidate:
    # b2 alone pays its own bid 61 and s2 (start pointer 2) gets its own ask 45.
    second = vick.trades[1]
    assert (second.buyer, second.quantity, second.buyer_price) == ("b2", 5, 61)
    assert [(s.seller, s.quantity, s.start, s.seller_price) for s in second.sellers] == [("s2", 5, 2, 45)]
    assert len(vick.trades) == 2
    uniform = run_dantm(market, "uniform")
    assert [(t.buyer, t.buyer_price, t.sellers[0].seller_price) for t in uniform.trades] == [
        ("b1", 50, 48), ("b2", 50, 48)]


def test_mcafee_branch_prices_at_midpoint():
    market = Market((Buyer("a", 10, 1, 1), Buyer("b", 9, 1, 1), Buyer("c", 5, 1, 1)),
                    (Seller("x", 1, 1, 1), Seller("y", 2, 1, 1), Seller("z", 7, 1, 1)))
    # k = 2, p0 = (5 + 7)/2 = 6 lies in [S[2], B[2]] = [2, 9]: both pairs trade at 6.
    result = run_dantm(market, "uniform")
    assert [(t.buyer, t.buyer_price, t.sellers[0].seller, t.sellers[0].seller_price) for t in result.trades] == [
        ("a", 6, "x", 6), ("b", 6, "y", 6)]


def test_breakeven_and_valid_prices_steps():
    assert breakeven_index([9, 7, 3], [1, 5, 8]) == 2
    assert breakeven_index([1], [2]) == 0
    assert breakeven_index([], [1]) == 0
    vp = valid_prices(2, 7, 5, 3, 8)
    assert (vp.count, vp.reduced, vp.buyer_price) == (2, False, Fraction(11, 2))
    vp = valid_prices(2, 7, 5, None, 8)
    assert (vp.count, vp.reduced, vp.buyer_price, vp.seller_price) == (1, True, 7, 5)
    with pytest.raises(ValueError):
        valid_prices(0, 1, 1, None, None)


def test_winner_without_eligible_seller_leaves_without_trade():
    market = Market((Buyer("hi", 30, 5, 1), Buyer("b", 29, 1, 1), Buyer("c", 28, 1, 1), Buyer("d", 1, 1, 1)),
                    (Seller("x", 1, 1, 1), Seller("y", 2, 1, 1), Seller("z", 3, 1, 1), Seller("w", 40, 1, 1)))
    for pricing in PRICINGS:
        result = run_dantm(market, pricing)
        assert "hi" not in [t.buyer for t in result.trades]
        assert result == literal_dantm(market, pricing)
        assert result.trades  # the others still trade


def test_unknown_pricing_rejected():
    with pytest.raises(ValueError, match="pricing"):
        run_dantm(Market((), ()), "first-price")


def _best_misreport(market: Market, pricing: str):
    """Largest utility gain any single bidder gets from a misreport on a grid 0..max+2."""
    top = max([b.bid for b in market.buyers] + [s.ask for s in market.sellers] + [0]) + 2
    truthful = run_dantm(market, pricing)
    best = (Fraction(0), None)
    for b in market.buyers:
        honest = utility(truthful, b.id, b.bid)
        for x in range(top + 1):
            gain = utility(run_dantm(market.replace_buyer(Buyer(b.id, x, b.quality, b.quantity)), pricing), b.id, b.bid) - honest
            if gain > best[0]:
                best = (gain, (b.id, x))
    for s in market.sellers:
        honest = utility(truthful, s.id, s.ask)
        for x in range(top + 1):
            gain = utility(run_dantm(market.replace_seller(Seller(s.id, x, s.quality, s.quantity)), pricing), s.id, s.ask) - honest
            if gain > best[0]:
                best = (gain, (s.id, x))
    return best


@settings(max_examples=60, deadline=None)
@given(unit_markets())
def test_uniform_pricing_is_truthful_on_unit_single_quality_markets(market):
    """With unit quantities and one quality level the loop is McAfee's trade-reduction double
    auction (every round repeats the same k-th pair test), which is dominant-strategy truthful."""
    gain, deviation = _best_misreport(market, "uniform")
    assert gain == 0, deviation


def test_seed_vickrey_pricing_is_not_truthful_hand_example():
    """Counterexample to the seed's Lemma 7 (truthfulness of DANTM's second-price rule).

    Buyers value 10, 8, 6; sellers ask 1, 2, 3, 100 (unit quantities). Truthfully, round 1
    has k = 3 = |B|, so trade reduction leaves 2 candidates and the top buyer pays the
    runner-up's 8 (utility 2). Bidding 7 instead, it loses round 1 to the runner-up, is the
    only candidate of round 2 and pays its own bid 7 (utility 3)."""
    market = Market((Buyer("top", 10, 1, 1), Buyer("mid", 8, 1, 1), Buyer("low", 6, 1, 1)),
                    tuple(Seller(f"s{a}", a, 1, 1) for a in (1, 2, 3, 100)))
    honest = utility(run_dantm(market, "vickrey"), "top", 10)
    shaded = utility(run_dantm(market.replace_buyer(Buyer("top", 7, 1, 1)), "vickrey"), "top", 10)
    assert (honest, shaded) == (2, 3)


def test_random_search_finds_profitable_misreport_against_seed_vickrey_pricing():
    """The seed claims DANTM (second-price pricing) is truthful (Lemma 7). A random search
    over small unit-quantity, single-quality markets finds profitable misreports, so the
    claim does not hold for the sequential rounds; the project reports this rather than
    the paper's claim. The same search finds none for uniform pricing."""
    rng = random.Random(2024)
    found = None
    for _ in range(300):
        market = Market(tuple(Buyer(f"b{i}", rng.randint(0, 20), 1, 1) for i in range(rng.randint(2, 5))),
                        tuple(Seller(f"s{i}", rng.randint(0, 20), 1, 1) for i in range(rng.randint(2, 5))))
        gain, deviation = _best_misreport(market, "vickrey")
        if gain > 0:
            found = (market, deviation, gain)
            assert _best_misreport(market, "uniform")[0] == 0
            break
    assert found is not None, "expected a profitable misreport under the seed's pricing"
    market, (bidder, report), gain = found
    true_value = next(b.bid for b in market.buyers if b.id == bidder) if bidder.startswith("b") else \
        next(s.ask for s in market.sellers if s.id == bidder)
    replaced = (market.replace_buyer(Buyer(bidder, report, 1, 1)) if bidder.startswith("b")
                else market.replace_seller(Seller(bidder, report, 1, 1)))
    assert utility(run_dantm(replaced, "vickrey"), bidder, true_value) == \
        utility(run_dantm(market, "vickrey"), bidder, true_value) + gain


def test_uniform_pricing_not_truthful_once_qualities_differ():
    """Outside unit-quantity single-quality markets uniform pricing is not truthful either:
    b1 (value 17) pays the reduction price 17 truthfully, but bidding 6 lets b2 (whom no
    candidate seller can serve) take round 1 empty-handed and b1 then pays p0 = 6."""
    market = Market((Buyer("b0", 1, 2, 1), Buyer("b1", 17, 1, 1), Buyer("b2", 17, 2, 1)),
                    (Seller("s0", 1, 1, 2), Seller("s1", 11, 2, 1)))
    honest = utility(run_dantm(market, "uniform"), "b1", 17)
    lie = utility(run_dantm(market.replace_buyer(Buyer("b1", 6, 1, 1)), "uniform"), "b1", 17)
    assert (honest, lie) == (0, 11)
