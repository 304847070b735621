"""Hypothesis strategies and small helpers shared by the market-mechanism tests."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from protocols.auction.market_file import AuctionResult, Buyer, Market, Seller


@st.composite
def markets(draw, max_buyers: int = 6, max_sellers: int = 6, max_price: int = 30,
            qualities: tuple[int, int] = (1, 3), max_quantity: int = 5, min_side: int = 0) -> Market:
    """Random markets with ids b0.., s0.. (prices, qualities and quantities in the given ranges)."""
    nb = draw(st.integers(min_side, max_buyers))
    ns = draw(st.integers(min_side, max_sellers))
    price = st.integers(0, max_price)
    quality = st.integers(*qualities)
    quantity = st.integers(1, max_quantity)
    buyers = tuple(Buyer(f"b{i}", draw(price), draw(quality), draw(quantity)) for i in range(nb))
    sellers = tuple(Seller(f"s{i}", draw(price), draw(quality), draw(quantity)) for i in range(ns))
    return Market(buyers, sellers)


def unit_markets(max_buyers: int = 5, max_sellers: int = 5, max_price: int = 20):
    """Unit-quantity markets with one quality level (the setting where McAfee is truthful)."""
    return markets(max_buyers=max_buyers, max_sellers=max_sellers, max_price=max_price,
                   qualities=(1, 1), max_quantity=1)


def utility(result: AuctionResult, bidder_id: str, value: int) -> Fraction:
    """Quasi-linear utility of one bidder with true per-unit value ``value``."""
    total = Fraction(0)
    for t in result.trades:
        if t.buyer == bidder_id:
            total += (value - t.buyer_price) * t.quantity
        for s in t.sellers:
            if s.seller == bidder_id:
                total += (s.seller_price - value) * s.quantity
    return total


def assert_individually_rational(market: Market, result: AuctionResult) -> None:
    bids = {b.id: b for b in market.buyers}
    asks = {s.id: s for s in market.sellers}
    for t in result.trades:
        assert t.buyer_price <= bids[t.buyer].bid, t
        for s in t.sellers:
            assert s.seller_price >= asks[s.seller].ask, t


def assert_weakly_budget_balanced(result: AuctionResult) -> None:
    for t in result.trades:
        paid = t.buyer_price * t.quantity
        received = sum(s.seller_price * s.quantity for s in t.sellers)
        assert paid >= received, t


def assert_feasible(market: Market, result: AuctionResult) -> None:
    """Quantities add up, qualities match, every buyer trades at most once and the start
    pointers of each seller are contiguous from 0 without exceeding its quantity."""
    buyers = {b.id: b for b in market.buyers}
    sellers = {s.id: s for s in market.sellers}
    seen = set()
    next_start = {s: 0 for s in sellers}
    for t in result.trades:
        assert t.buyer not in seen
        seen.add(t.buyer)
        assert t.quantity == sum(s.quantity for s in t.sellers) > 0
        assert t.quantity <= buyers[t.buyer].quantity
        assert t.satisfied == (t.quantity == buyers[t.buyer].quantity)
        for s in t.sellers:
            assert sellers[s.seller].quality >= buyers[t.buyer].quality
            assert s.quantity > 0 and s.start == next_start[s.seller]
            next_start[s.seller] += s.quantity
            assert next_start[s.seller] <= sellers[s.seller].quantity
