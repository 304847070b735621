"""Per-round winner-determination steps of the data double auction (seed Algs. 1-3, docs/specs/markets.md).

Each function is one step of a round, written on plain sequences so that a private
version can mirror it step by step on secret-shared values:

1. sort active buyers by (-bid, id) and sellers by (ask, id);
2. :func:`breakeven_index` — the largest k with B[i].bid >= S[i].ask for every i <= k;
3. :func:`valid_prices` — McAfee's test on the (k+1)-th pair: either all k pairs trade at
   p0 = (B[k+1].bid + S[k+1].ask)/2, or the k-th pair is dropped (trade reduction) and its
   bid/ask become the buyer/seller prices;
4. the winner is the first candidate buyer (DANTM) or drawn by the exponential mechanism
   (DADPM, :func:`exponential_weights`); sellers serve it in (ask, id) order or by draws;
5. :func:`vickrey_buyer_price` / :func:`vickrey_seller_price` for the seed's DANTM pricing.

Indices in docstrings are 1-based like the spec; Python lists are 0-based.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

PRICINGS = ("vickrey", "uniform")


def breakeven_index(bids_desc: Sequence[int], asks_asc: Sequence[int]) -> int:
    """Largest k such that bids_desc[i] >= asks_asc[i] for all i <= k (1-based); 0 if none.

    Because bids are non-increasing and asks non-decreasing, bid - ask is non-increasing,
    so k also equals the number of positions where bid >= ask (a private version may
    compute it as a sum of comparison bits).
    """
    k = 0
    for bid, ask in zip(bids_desc, asks_asc):
        if bid < ask:
            break
        k += 1
    return k


@dataclass(frozen=True)
class ValidPrices:
    """Outcome of McAfee's test: how many top buyers/sellers are candidates and their prices."""

    count: int
    buyer_price: Fraction
    seller_price: Fraction
    reduced: bool  # True when the k-th pair was dropped (trade reduction)


def valid_prices(
    k: int, bid_k: int, ask_k: int, next_bid: int | None, next_ask: int | None
) -> ValidPrices:
    """Candidates and valid prices from the breakeven index k >= 1.

    bid_k/ask_k are B[k].bid and S[k].ask; next_bid/next_ask are B[k+1].bid and
    S[k+1].ask, or None when k equals the number of active buyers or sellers.
    If both exist and S[k].ask <= p0 <= B[k].bid for p0 = (B[k+1].bid + S[k+1].ask)/2,
    all k pairs are candidates at price p0; otherwise k-1 pairs are, the buyers paying
    B[k].bid and the sellers receiving S[k].ask.
    """
    if k < 1:
        raise ValueError("valid prices need a breakeven index k >= 1")
    if next_bid is not None and next_ask is not None:
        p0 = Fraction(next_bid + next_ask, 2)
        if ask_k <= p0 <= bid_k:
            return ValidPrices(k, p0, p0, False)
    return ValidPrices(k - 1, Fraction(bid_k), Fraction(ask_k), True)


def vickrey_buyer_price(first_bid: int, second_bid: int | None) -> Fraction:
    """Seed Alg. 3: the winner pays the second candidate bid, or its own if it is alone."""
    return Fraction(first_bid if second_bid is None else second_bid)


def vickrey_seller_price(last_serving_ask: int, first_unused_eligible_ask: int | None) -> Fraction:
    """Seed Alg. 3: serving sellers get the ask of the first eligible candidate seller that
    did not serve, or else the ask of the last serving seller."""
    return Fraction(last_serving_ask if first_unused_eligible_ask is None else first_unused_eligible_ask)


def exponential_weight(utility: float, top: float, spread: float, epsilon: float) -> float:
    """exp(eps*(u - top)/(2*spread)): the exponential-mechanism weight of utility u relative
    to the best utility ``top`` of the candidates, whose range is ``spread`` (Delta_u).
    All candidates weigh 1 when the range is 0 (uniform choice)."""
    return 1.0 if spread == 0 else math.exp(epsilon * (utility - top) / (2 * spread))


def exponential_weights(utilities: Sequence[float], epsilon: float) -> list[float]:
    """Unnormalised exponential-mechanism weights exp(eps*u/(2*Delta_u)) for each utility.

    Delta_u is the range max(u) - min(u) of the given utilities (docs/specs/markets.md). Weights
    are scaled by exp(-eps*max(u)/(2*Delta_u)) so they lie in [exp(-eps/2), 1] and never
    overflow.
    """
    if epsilon <= 0:
        raise ValueError("epsilon must be > 0")
    if not utilities:
        return []
    top = max(utilities)
    spread = top - min(utilities)
    return [exponential_weight(u, top, spread, epsilon) for u in utilities]
