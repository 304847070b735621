"""DANTM: the one-slot double auction for IoT data (seed Algs. 1-3 as fixed by docs/specs/markets.md).

:func:`run_dantm` computes exactly what the spec's loop computes (tested against the
literal transcription in :mod:`protocols.auction.reference.slot_literal`) in O((n + m) log(n + m)) time
using the incremental :class:`~protocols.auction.reference.order_book.SlotBook`.

Two pricings:

* ``vickrey`` (the seed's DANTM): the winner pays the second candidate bid, serving sellers
  receive the ask of the first eligible candidate seller that did not serve. The seed's
  Lemma 7 calls this truthful; it is not: across the sequential rounds the top buyer can
  shade its bid below the runner-up's, win a later round and pay less
  (tests/markets/test_dantm_properties.py finds such misreports).
* ``uniform``: winners pay p_b and serving sellers receive p_s (McAfee's valid prices);
  on unit-quantity markets with one quality level this is McAfee's truthful mechanism.

A winner with no eligible seller (no candidate seller of sufficient quality) leaves the
slot without a trade; a winner served only in part is recorded with ``satisfied: false``
and pays for the units it received.

CLI: ``python -m protocols.auction.reference.dantm --market FILE [--pricing vickrey|uniform] --json OUT``.
The ``--dp --epsilon E --seed S`` options run DADPM instead (see :mod:`protocols.auction.reference.dadpm`).
"""

from __future__ import annotations

from mpc.cli import (ArgumentParser, CliError, bounded_float, bounded_int, check_not_input, check_output_path, guarded,
                     write_json_file)
from protocols.auction.market_file import (
    AuctionResult,
    Market,
    MarketFileError,
    Trade,
    build_trade,
    load_market,
    result_to_dict,
)
from protocols.auction.reference.order_book import SlotBook
from protocols.auction.reference.winner_determination import PRICINGS, vickrey_buyer_price, vickrey_seller_price


def run_dantm(market: Market, pricing: str = "vickrey") -> AuctionResult:
    """The DANTM outcome of one slot: trades in the order the rounds produce them."""
    if pricing not in PRICINGS:
        raise ValueError(f"pricing must be one of {PRICINGS}, got {pricing!r}")
    book = SlotBook(market)
    trades: list[Trade] = []
    while True:
        round_info = book.round_prices()
        if round_info is None:
            break
        prices, _last_buyer, last_seller = round_info
        w = book.blist.first()
        winner = book.buyers[w]
        second = book.blist.next[w] if prices.count >= 2 else None
        book.remove_buyer(w)
        needed = winner.quantity
        served: list[tuple[int, int, int]] = []
        j = book.next_eligible(0, last_seller, winner.quality)
        while j >= 0:
            given, start = book.give(j, needed)
            served.append((j, given, start))
            needed -= given
            if not needed:
                break
            j = book.next_eligible(j + 1, last_seller, winner.quality)
        if not served:
            continue
        if pricing == "vickrey":
            buyer_price = vickrey_buyer_price(winner.bid, book.bids[second] if second is not None else None)
            unused = book.next_eligible(served[-1][0] + 1, last_seller, winner.quality)
            seller_price = vickrey_seller_price(
                book.asks[served[-1][0]], book.asks[unused] if unused >= 0 else None
            )
        else:
            buyer_price, seller_price = prices.buyer_price, prices.seller_price
        ids = [(book.sellers[j].id, q, start) for j, q, start in served]
        trades.append(build_trade(winner, ids, buyer_price, seller_price))
    return AuctionResult(pricing, tuple(trades))


#: DADPM's privacy parameter: beyond this the exponential mechanism's weights underflow to 0
MAX_EPSILON = 1000.0


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="python -m protocols.auction.reference.dantm",
        description=(
            "One-slot double auction for IoT data (DANTM, or DADPM with --dp). Reads a market "
            "file (docs/specs/markets.md: buyers with id/bid/quality/quantity, sellers with "
            "id/ask/quality/quantity) and writes the result JSON: per winning buyer its "
            "quantity, whether it was fully served, its unit price and the serving sellers "
            "with their start pointers and unit prices (exact rationals as strings)."
        ),
        epilog="Exit status: 0 success, 2 bad usage or input (one line naming the option or field).",
    )
    parser.add_argument("--market", required=True, help="market JSON file")
    parser.add_argument(
        "--pricing",
        choices=PRICINGS,
        default="vickrey",
        help="vickrey: the seed's second-price DANTM (not truthful, see docs); uniform: McAfee "
        "valid prices p_b/p_s. Ignored with --dp, which always uses uniform valid prices.",
    )
    parser.add_argument("--dp", action="store_true", help="run DADPM (exponential-mechanism winners)")
    parser.add_argument("--epsilon", type=bounded_float(0.0, MAX_EPSILON, what="a privacy parameter"), default=0.1,
                        help=f"DADPM privacy parameter, in (0, {MAX_EPSILON:g}] (default 0.1)")
    parser.add_argument(
        "--seed",
        type=bounded_int(0, 2**64 - 1, "a seed"),
        default=None,
        help="seed DADPM's random choices for a reproducible simulation; without it the "
        "operating system's randomness is used",
    )
    parser.add_argument("--json", required=True, help="where to write the result JSON")
    return parser


@guarded
def main(argv: list[str] | None = None) -> int:
    """CLI entry point; bad input prints one line naming the option or field and exits with 2."""
    args = build_parser().parse_args(argv)
    check_output_path(args.json, "--json")
    check_not_input(args.json, {"--market": args.market}, "--json")
    try:
        market = load_market(args.market, "--market")
    except MarketFileError as exc:
        raise CliError(str(exc)) from None
    if args.dp:
        from protocols.auction.reference.dadpm import run_dadpm, rng_for

        result = run_dadpm(market, args.epsilon, rng_for(args.seed))
    else:
        result = run_dantm(market, args.pricing)
    write_json_file(args.json, "--json", result_to_dict(result))
    print(f"{len(result.trades)} trade(s) written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
