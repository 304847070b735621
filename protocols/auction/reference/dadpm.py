"""DADPM: the differentially private variant of the one-slot data double auction
(seed Alg. 4 and §5, as fixed by docs/specs/markets.md).

Rounds, candidates and valid prices are DANTM's; pricing is always uniform (winners pay
p_b, serving sellers receive p_s — the critical values). Within a round:

* the winning buyer is drawn among the candidate buyers with Pr[i] ∝ exp(eps*b_i/(2*Δ_b)),
  Δ_b the range of the candidate bids;
* sellers are drawn one after another among the eligible candidate sellers (quality >= the
  winner's) not yet drawn, Pr[j] ∝ exp(-eps*s_j/(2*Δ_s)), Δ_s the range of the candidate
  asks at the start of the round; each gives min(remaining, still needed) until the demand
  is met or no eligible seller is left.

When a range is 0 every candidate has the same weight (uniform draw).

Three entry points:

* :func:`run_dadpm` — one random run in O((n + m) log(n + m)) expected time per slot, drawing
  by rejection from uniform candidates (all weights lie in [exp(-eps/2), 1]) with an exact
  fallback after a few rejections, so the output distribution is exactly the mechanism's;
* :func:`outcome_distribution` — exact enumeration of the mechanism's randomness on the
  literal loop (small markets only), the oracle for the tests;
* :func:`privacy_leakage` — the seed's Definition 16 computed exactly from two such
  distributions.

Randomness: a seeded ``random.Random`` is for simulations and tests only; the CLI uses the
operating system's generator (``random.SystemRandom``) unless ``--seed`` is given.
"""

from __future__ import annotations

import math
import random
from typing import Hashable

from protocols.auction.market_file import AuctionResult, Market, Trade, build_trade
from protocols.auction.reference.order_book import SlotBook
from protocols.auction.reference.slot_literal import SlotState, round_candidates, serve
from protocols.auction.reference.winner_determination import exponential_weight, exponential_weights

DEFAULT_EPSILON = 0.1
_REJECTIONS_BEFORE_FALLBACK = 32


def rng_for(seed: int | None) -> random.Random:
    """A seeded generator for reproducible simulations, else the OS's randomness."""
    return random.SystemRandom() if seed is None else random.Random(seed)


def _pick_weighted(rng: random.Random, items: list[int], weights: list[float]) -> int:
    x = rng.random() * sum(weights)
    for item, w in zip(items, weights):
        x -= w
        if x < 0:
            return item
    return items[-1]


def run_dadpm(market: Market, epsilon: float = DEFAULT_EPSILON, rng: random.Random | None = None) -> AuctionResult:
    """One random DADPM outcome for the slot (uniform valid prices)."""
    if not epsilon > 0:
        raise ValueError("epsilon must be > 0")
    rng = rng or random.SystemRandom()
    book = SlotBook(market, with_fenwick=True)
    blist, slist = book.blist, book.slist
    trades: list[Trade] = []
    while True:
        round_info = book.round_prices()
        if round_info is None:
            break
        prices, last_buyer, last_seller = round_info
        count = prices.count
        top_bid, low_bid = book.bids[blist.first()], book.bids[last_buyer]
        w = _draw_buyer(book, rng, count, top_bid, top_bid - low_bid, last_buyer, epsilon)
        winner = book.buyers[w]
        book.remove_buyer(w)
        low_ask, high_ask = book.asks[slist.first()], book.asks[last_seller]
        needed = winner.quantity
        served: list[tuple[int, int, int]] = []
        while needed and book.next_eligible(0, last_seller, winner.quality) >= 0:
            j = _draw_seller(book, rng, last_seller, winner.quality, low_ask, high_ask - low_ask, epsilon)
            given, start = book.give(j, needed)
            served.append((j, given, start))
            needed -= given
            if needed:
                # j gave everything it had and left the book, so it cannot be drawn again.
                assert book.remaining[j] == 0
        if not served:
            continue
        ids = [(book.sellers[j].id, q, start) for j, q, start in served]
        trades.append(build_trade(winner, ids, prices.buyer_price, prices.seller_price))
    return AuctionResult("uniform", tuple(trades))


def _draw_buyer(
    book: SlotBook, rng: random.Random, count: int, top: int, spread: int, last: int, epsilon: float
) -> int:
    """Draw among the ``count`` candidate buyers (the last is entry ``last``) with weights
    exp(eps*(bid - top)/(2*spread)): uniform proposals accepted with the weight, all of
    which lie in [exp(-eps/2), 1]; after too many rejections an exact weighted draw."""
    blist = book.blist

    def weight(i: int) -> float:
        return exponential_weight(book.bids[i], top, spread, epsilon)

    for _ in range(_REJECTIONS_BEFORE_FALLBACK):
        i = blist.select(rng.randrange(count) + 1)
        if rng.random() < weight(i):
            return i
    candidates, i = [], blist.first()
    while True:
        candidates.append(i)
        if i == last:
            break
        i = blist.next[i]
    return _pick_weighted(rng, candidates, [weight(i) for i in candidates])


def _draw_seller(
    book: SlotBook, rng: random.Random, last: int, quality: int, best: int, spread: int, epsilon: float
) -> int:
    """Draw among alive sellers at positions <= last with quality >= quality (at least one)
    with weights exp(-eps*(ask - best)/(2*spread)), best the lowest candidate ask; same
    rejection scheme as the buyer draw, ineligible proposals being rejected too."""
    slist = book.slist

    def weight(j: int) -> float:
        return exponential_weight(-book.asks[j], -best, spread, epsilon)

    alive = slist.count_upto(last)
    for _ in range(_REJECTIONS_BEFORE_FALLBACK):
        j = slist.select(rng.randrange(alive) + 1)
        if book.sellers[j].quality >= quality and rng.random() < weight(j):
            return j
    eligible, j = [], book.next_eligible(0, last, quality)
    while j >= 0:
        eligible.append(j)
        j = book.next_eligible(j + 1, last, quality)
    return _pick_weighted(rng, eligible, [weight(j) for j in eligible])


# ----------------------------------------------------------------------------------------
# Exact enumeration (small markets)
# ----------------------------------------------------------------------------------------


def outcome_distribution(market: Market, epsilon: float = DEFAULT_EPSILON) -> list[tuple[float, AuctionResult]]:
    """Every outcome DADPM can produce on ``market`` with its exact probability.

    Enumerates the buyer draw of every round and the sequence of seller draws on the
    literal loop; the number of branches grows factorially, so keep markets to a handful
    of bidders. Probabilities sum to 1 (up to float rounding).
    """
    if not epsilon > 0:
        raise ValueError("epsilon must be > 0")
    outcomes: list[tuple[float, AuctionResult]] = []

    def rounds(state: SlotState, prob: float, trades: tuple[Trade, ...]) -> None:
        rc = round_candidates(state)
        if rc is None:
            outcomes.append((prob, AuctionResult("uniform", trades)))
            return
        bweights = exponential_weights([b.bid for b in rc.buyers], epsilon)
        sweights_all = exponential_weights([-s.ask for s in rc.sellers], epsilon)
        btotal = sum(bweights)
        for winner, bw in zip(rc.buyers, bweights):
            eligible = [(s, w) for s, w in zip(rc.sellers, sweights_all) if s.quality >= winner.quality]
            for order, p_order in _draw_orders(eligible, winner.quantity, state):
                branch = state.copy()
                served = serve(branch, winner, order)
                extra = trades
                if served:
                    extra = trades + (
                        build_trade(winner, served, rc.prices.buyer_price, rc.prices.seller_price),
                    )
                rounds(branch, prob * bw / btotal * p_order, extra)

    rounds(SlotState.start(market), 1.0, ())
    return outcomes


def _draw_orders(eligible, demand: int, state: SlotState):
    """All sequences of seller draws (without replacement, stopping when the demand is met
    or nobody is left) with their probabilities."""
    if demand <= 0 or not eligible:
        yield [], 1.0
        return
    total = sum(w for _s, w in eligible)
    for index, (seller, w) in enumerate(eligible):
        rest = eligible[:index] + eligible[index + 1 :]
        left = demand - min(state.remaining[seller.id], demand)
        for tail, p in _draw_orders(rest, left, state):
            yield [seller] + tail, w / total * p


def allocation_of(result: AuctionResult) -> Hashable:
    """The published allocation of an outcome — who trades with whom, how many units — with
    the prices left out (they are deterministic functions of the bids, not of the draws)."""
    return tuple((t.buyer, tuple((s.seller, s.quantity) for s in t.sellers)) for t in result.trades)


def allocation_distribution(market: Market, epsilon: float = DEFAULT_EPSILON) -> dict[Hashable, float]:
    """Exact probability of every allocation DADPM can publish for ``market``."""
    dist: dict[Hashable, float] = {}
    for p, result in outcome_distribution(market, epsilon):
        key = allocation_of(result)
        dist[key] = dist.get(key, 0.0) + p
    return dist


def privacy_leakage(market: Market, neighbour: Market, epsilon: float = DEFAULT_EPSILON) -> float:
    """Seed Definition 16 (docs/specs/markets.md): max over published allocations o of
    |ln Pr[o | market] - ln Pr[o | neighbour]|; infinite when one input can publish an
    allocation the other cannot."""
    a = allocation_distribution(market, epsilon)
    b = allocation_distribution(neighbour, epsilon)
    worst = 0.0
    for key in set(a) | set(b):
        pa, pb = a.get(key, 0.0), b.get(key, 0.0)
        if pa == 0.0 or pb == 0.0:
            return math.inf
        worst = max(worst, abs(math.log(pa) - math.log(pb)))
    return worst


def expected_utility(market: Market, bidder_id: str, true_value: int, epsilon: float = DEFAULT_EPSILON) -> float:
    """Expected utility of one bidder with the given true per-unit value, by exact enumeration:
    a buyer gets (value - price) per unit received, a seller (price - cost) per unit sold."""
    total = 0.0
    for p, result in outcome_distribution(market, epsilon):
        for t in result.trades:
            if t.buyer == bidder_id:
                total += p * float((true_value - t.buyer_price) * t.quantity)
            for s in t.sellers:
                if s.seller == bidder_id:
                    total += p * float((s.seller_price - true_value) * s.quantity)
    return total
