"""Winner determination steps at their boundaries, with exact values.

McAfee's test is inclusive on both sides (S[k].ask ≤ p0 ≤ B[k].bid): at equality all k
pairs trade at p0, one step past it the k-th pair is dropped; the breakeven index stops at
the first pair with bid < ask (a tie trades); the exponential mechanism's weights are
exp(ε·(u − max u)/(2·Δu)) with Δu the range, 1 for all when the range is 0.
"""
import math
from fractions import Fraction

import pytest

from protocols.auction.reference.winner_determination import (ValidPrices, breakeven_index, exponential_weight,
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


# --- the DANTM command line, in process ------------------------------------------------------
MARKET = {
    "buyers": [{"id": "b1", "bid": 74, "quality": 3, "quantity": 12},
               {"id": "b2", "bid": 61, "quality": 1, "quantity": 5},
               {"id": "b3", "bid": 50, "quality": 1, "quantity": 4}],
    "sellers": [{"id": "s1", "ask": 40, "quality": 4, "quantity": 10},
                {"id": "s2", "ask": 45, "quality": 3, "quantity": 30},
                {"id": "s3", "ask": 48, "quality": 1, "quantity": 3}],
}


@pytest.fixture
def market_file(tmp_path):
    import json

    path = tmp_path / "m.json"
    path.write_text(json.dumps(MARKET))
    return path


def test_cli_writes_the_result_with_default_vickrey_pricing(market_file, tmp_path, capsys):
    import json

    from protocols.auction.reference.dantm import main, run_dantm
    from protocols.auction.market_file import load_market, result_to_dict

    out = tmp_path / "out.json"
    assert main(["--market", str(market_file), "--json", str(out)]) == 0
    expected = result_to_dict(run_dantm(load_market(str(market_file)), "vickrey"))
    assert out.read_text() == json.dumps(expected, indent=2) + "\n"
    assert len(expected["trades"]) >= 2
    printed = capsys.readouterr()
    assert printed.out == f"{len(expected['trades'])} trade(s) written to {out}\n" and printed.err == ""
    assert main(["--market", str(market_file), "--json", str(out), "--pricing", "uniform"]) == 0
    assert json.loads(out.read_text()) == result_to_dict(run_dantm(load_market(str(market_file)), "uniform"))


def test_cli_dp_uses_epsilon_default_and_the_integer_seed(market_file, tmp_path):
    import json

    from protocols.auction.reference.dadpm import run_dadpm, rng_for
    from protocols.auction.reference.dantm import main
    from protocols.auction.market_file import load_market, result_to_dict

    out = tmp_path / "dp.json"
    market = load_market(str(market_file))
    for seed in range(6):
        assert main(["--market", str(market_file), "--json", str(out), "--dp", "--seed", str(seed)]) == 0
        assert json.loads(out.read_text()) == result_to_dict(run_dadpm(market, 0.1, rng_for(seed))), seed
    assert main(["--market", str(market_file), "--json", str(out), "--dp", "--seed", "4", "--epsilon", "2.5"]) == 0
    assert json.loads(out.read_text()) == result_to_dict(run_dadpm(market, 2.5, rng_for(4)))


@pytest.mark.parametrize("argv,message", [
    (["--json", "x.json"], "the following arguments are required: --market"),
    (["--market", "m.json"], "the following arguments are required: --json"),
    (["--market", "m.json", "--json", "x", "--pricing", "first"], "argument --pricing: invalid choice: 'first'"),
    (["--market", "m.json", "--json", "x", "--epsilon", "lots"], "argument --epsilon: expected a privacy parameter, got 'lots'"),
    (["--market", "m.json", "--json", "x", "--seed", "1.5"], "argument --seed: expected a seed, got '1.5'"),
])
def test_cli_argument_errors(argv, message, capsys):
    from protocols.auction.reference.dantm import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_cli_reports_bad_epsilon_and_unwritable_output_on_stderr(market_file, tmp_path, capsys):
    from protocols.auction.reference.dantm import main

    assert main(["--market", str(market_file), "--json", str(tmp_path / "o.json"), "--dp", "--epsilon", "0"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "error: argument --epsilon: expected a privacy parameter in (0, 1000], got '0'\n"
    assert captured.out == ""
    bad = tmp_path / "missing-dir" / "o.json"
    assert main(["--market", str(market_file), "--json", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"error: --json {bad}: folder {bad.parent} does not exist\n" and captured.out == ""


def test_run_dantm_defaults_to_vickrey_and_refuses_unknown_pricing():
    from protocols.auction.reference.dantm import run_dantm
    from protocols.auction.market_file import market_from_dict

    market = market_from_dict(MARKET)
    assert run_dantm(market) == run_dantm(market, "vickrey") != run_dantm(market, "uniform")
    with pytest.raises(ValueError, match=r"^pricing must be one of \('vickrey', 'uniform'\), got 'first'$"):
        run_dantm(market, "first")
