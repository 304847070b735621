"""Winner determination steps at their boundaries, with exact values.

McAfee's test is inclusive on both sides (S[k].ask ≤ p0 ≤ B[k].bid): at equality all k
pairs trade at p0, one step past it the k-th pair is dropped; the breakeven index stops at
the first pair with bid < ask (a tie trades); the exponential mechanism's weights are
exp(ε·(u − max u)/(2·Δu)) with Δu the range, 1 for all when the range is 0.
"""
import math
from fractions import Fraction

import pytest

from protocols.auction.winner_determination import (ValidPrices, breakeven_index, exponential_weight,
                                                    exponential_weights, valid_prices, vickrey_buyer_price,
                                                    vickrey_seller_price)


def test_breakeven_index_counts_pairs_up_to_the_first_bid_below_its_ask():
    assert breakeven_index([10, 8, 6], [5, 8, 7]) == 2          # 8 >= 8 trades, 6 < 7 stops
    assert breakeven_index([10, 8, 9], [5, 9, 1]) == 1          # stops at the first failing pair
    assert breakeven_index([4], [5]) == 0
    assert breakeven_index([], [1]) == 0
    assert breakeven_index([7, 7], [7, 7]) == 2


@pytest.mark.parametrize("ask_k,bid_k,next_bid,next_ask,expected", [
    (4, 10, 3, 5, ValidPrices(2, Fraction(4), Fraction(4), False)),        # p0 = 4 = ask_k: inclusive
    (4, 10, 9, 11, ValidPrices(2, Fraction(10), Fraction(10), False)),     # p0 = 10 = bid_k: inclusive
    (4, 10, 2, 5, ValidPrices(1, Fraction(10), Fraction(4), True)),        # p0 = 3.5 < ask_k: reduced
    (4, 10, 10, 11, ValidPrices(1, Fraction(10), Fraction(4), True)),      # p0 = 10.5 > bid_k: reduced
    (4, 10, 5, 6, ValidPrices(2, Fraction(11, 2), Fraction(11, 2), False)),
    (4, 10, None, 6, ValidPrices(1, Fraction(10), Fraction(4), True)),     # no (k+1)-th buyer
    (4, 10, 5, None, ValidPrices(1, Fraction(10), Fraction(4), True)),     # no (k+1)-th seller
])
def test_valid_prices_boundaries(ask_k, bid_k, next_bid, next_ask, expected):
    assert valid_prices(2, bid_k, ask_k, next_bid, next_ask) == expected


def test_valid_prices_needs_a_positive_index():
    with pytest.raises(ValueError, match=r"^valid prices need a breakeven index k >= 1$"):
        valid_prices(0, 5, 4, None, None)


def test_vickrey_prices():
    assert vickrey_buyer_price(9, 7) == Fraction(7) and vickrey_buyer_price(9, None) == Fraction(9)
    assert vickrey_seller_price(3, 5) == Fraction(5) and vickrey_seller_price(3, None) == Fraction(3)


def test_exponential_weights_by_formula():
    ws = exponential_weights([2.0, 6.0, 10.0], 0.8)
    # Δu = 8, top = 10: exp(0.8·(u − 10)/16)
    assert ws == pytest.approx([math.exp(0.8 * -8 / 16), math.exp(0.8 * -4 / 16), 1.0], rel=1e-12)
    assert exponential_weight(6.0, 10.0, 8.0, 0.8) == pytest.approx(math.exp(-0.2), rel=1e-12)
    assert exponential_weights([3.0, 3.0], 5.0) == [1.0, 1.0]
    assert exponential_weight(1.0, 1.0, 0, 2.0) == 1.0
    assert exponential_weights([], 1.0) == []
    assert min(exponential_weights([0.0, 1e9], 1.0)) == pytest.approx(math.exp(-0.5), rel=1e-12)


@pytest.mark.parametrize("eps", [0, -0.5])
def test_exponential_weights_need_a_positive_epsilon(eps):
    with pytest.raises(ValueError, match=r"^epsilon must be > 0$"):
        exponential_weights([1.0], eps)
    assert exponential_weights([1.0, 2.0], 1e-9)[0] == pytest.approx(1.0, abs=1e-8)
