"""Literal transcription of the one-slot auction loop of docs/specs/markets.md.

Every round re-sorts the active buyers and sellers and rescans them, exactly as the spec's
pseudocode reads, so it costs O(n^2 log n) for n bidders. It is the oracle that the fast
implementation in :mod:`protocols.auction.reference.dantm` is tested against, the basis of the exact
enumeration of DADPM's randomness (:mod:`protocols.auction.reference.dadpm`), and the shape the
private version follows round by round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from protocols.auction.market_file import AuctionResult, Buyer, Market, Seller, build_trade
from protocols.auction.reference.winner_determination import (
    PRICINGS,
    ValidPrices,
    breakeven_index,
    valid_prices,
    vickrey_buyer_price,
    vickrey_seller_price,
)


@dataclass
class SlotState:
    """Active buyers, sellers' remaining units and units already sold (the start pointers)."""

    buyers: list[Buyer]
    sellers: list[Seller]
    remaining: dict[str, int]
    sold: dict[str, int] = field(default_factory=dict)

    @classmethod
    def start(cls, market: Market) -> "SlotState":
        return cls(
            list(market.buyers),
            list(market.sellers),
            {s.id: s.quantity for s in market.sellers},
            {s.id: 0 for s in market.sellers},
        )

    def copy(self) -> "SlotState":
        return SlotState(list(self.buyers), list(self.sellers), dict(self.remaining), dict(self.sold))

    def active_sellers(self) -> list[Seller]:
        return [s for s in self.sellers if self.remaining[s.id] > 0]


@dataclass(frozen=True)
class RoundCandidates:
    """The sorted candidate buyers and sellers of one round and their valid prices."""

    buyers: list[Buyer]
    sellers: list[Seller]
    prices: ValidPrices


def round_candidates(state: SlotState) -> RoundCandidates | None:
    """Sort, find the breakeven index and apply McAfee's test; None when the loop stops."""
    if not state.buyers:
        return None
    sellers = state.active_sellers()
    if not sellers:
        return None
    ranked_buyers = sorted(state.buyers, key=lambda b: (-b.bid, b.id))
    ranked_sellers = sorted(sellers, key=lambda s: (s.ask, s.id))
    k = breakeven_index([b.bid for b in ranked_buyers], [s.ask for s in ranked_sellers])
    if k == 0:
        return None
    next_bid = ranked_buyers[k].bid if k < len(ranked_buyers) else None
    next_ask = ranked_sellers[k].ask if k < len(ranked_sellers) else None
    prices = valid_prices(k, ranked_buyers[k - 1].bid, ranked_sellers[k - 1].ask, next_bid, next_ask)
    if prices.count == 0:
        return None
    return RoundCandidates(ranked_buyers[: prices.count], ranked_sellers[: prices.count], prices)


def serve(state: SlotState, winner: Buyer, serving_order: list[Seller]) -> list[tuple[str, int, int]]:
    """Let the sellers in ``serving_order`` serve ``winner`` in turn, each giving
    min(remaining, still needed); update the state. Returns (seller id, quantity, start)."""
    needed = winner.quantity
    served = []
    for seller in serving_order:
        if needed == 0:
            break
        given = min(state.remaining[seller.id], needed)
        served.append((seller.id, given, state.sold[seller.id]))
        state.remaining[seller.id] -= given
        state.sold[seller.id] += given
        needed -= given
    state.buyers.remove(winner)
    return served


def literal_dantm(market: Market, pricing: str = "vickrey") -> AuctionResult:
    """DANTM for one slot, transcribed literally from docs/specs/markets.md (the test oracle)."""
    if pricing not in PRICINGS:
        raise ValueError(f"pricing must be one of {PRICINGS}, got {pricing!r}")
    state = SlotState.start(market)
    trades = []
    while True:
        rc = round_candidates(state)
        if rc is None:
            break
        winner = rc.buyers[0]
        eligible = [s for s in rc.sellers if s.quality >= winner.quality]
        served = serve(state, winner, eligible)
        if not served:
            continue  # no eligible seller: the winner leaves without a trade
        if pricing == "vickrey":
            buyer_price = vickrey_buyer_price(
                winner.bid, rc.buyers[1].bid if len(rc.buyers) > 1 else None
            )
            unused = eligible[len(served)] if len(served) < len(eligible) else None
            seller_price = vickrey_seller_price(eligible[len(served) - 1].ask, unused.ask if unused else None)
        else:
            buyer_price, seller_price = rc.prices.buyer_price, rc.prices.seller_price
        trades.append(build_trade(winner, served, buyer_price, seller_price))
    return AuctionResult(pricing, tuple(trades))

