"""Uniform-price clearing over a public price grid (the sugar-beet auction format): the
plaintext reference for :mod:`protocols.auction.private.uniform_price`.

Market file (JSON)::

    {"prices":  [40, 41, ..., 139],                       # L public levels, strictly increasing
     "buyers":  [{"id": "f1", "demand": [30, 30, ..., 0]}, ...],   # L quantities, non-increasing
     "sellers": [{"id": "m1", "supply": [0, 5, ..., 80]}, ...]}    # L quantities, non-decreasing

Quantities are integers in [0, 2^32); ids are unique across both sides. A buyer's
demand[l] is how much it buys if the price is prices[l]; a seller's supply[l] how much
it sells.

Clearing rule (what :func:`clear_uniform` computes exactly):

* D(l) = Σ buyers' demand[l], S(l) = Σ sellers' supply[l] (l = 0..L−1).
* The clearing level l* is found by binary search on the predicate D(l) ≤ S(l) over
  l ∈ [0, L] (lo = 0, hi = L; mid = (lo + hi) // 2; D(mid) ≤ S(mid) ⇒ hi = mid, else
  lo = mid + 1), ⌈log2(L + 1)⌉ comparisons. With monotone curves this is the lowest
  price at which supply covers demand. If the search ends at L (demand exceeds supply
  even at the top price), l* = L − 1 and the buyers are the rationed side; otherwise
  the sellers are (at l*, S ≥ D).
* The clearing price is prices[l*]. The short side trades its full quantity at l*.
  The long side is rationed pro rata with a public precision of F = 32 bits:
  with V = min(D, S) and W = max(D, S) at l*, ρ = ⌊2^F·V / W⌋ (ρ = 0 if W = 0) and a
  rationed bidder with quantity q at l* gets ⌊q·ρ / 2^F⌋. This is at most its exact
  share q·V/W and less than it by under 1 + q/2^F units; the units lost to rounding
  stay untraded, so Σ allocations ≤ V (never more than the other side delivers).

The private version publishes only the price (and, implicitly through the binary
search, which side is rationed); each bidder learns its own allocation — a full-side
bidder computes it from its own curve, a rationed one receives it from the servers.
"""
from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mpc.cli import ArgumentParser, CliError, bounded_int, check_not_input, check_output_path, guarded, write_json_file
from protocols.auction.market_file import MarketFileError, read_market_json

QUANTITY_BITS = 32
PRECISION_BITS = 32
#: price levels of a market (file or --generate): far above the benchmarks' 300, and small
#: enough that each bidder's curve stays a few hundred kB and the private clearing finishes
MAX_LEVELS = 100_000
#: --generate: bidders in all, enough for the benchmarks (5,000), small enough that a typo
#: cannot make the generator run for hours or exhaust memory
MAX_GENERATED_BIDDERS = 1_000_000


@dataclass(frozen=True)
class CurveBidder:
    id: str
    quantities: tuple[int, ...]


@dataclass(frozen=True)
class UniformMarket:
    prices: tuple[int, ...]
    buyers: tuple[CurveBidder, ...]
    sellers: tuple[CurveBidder, ...]

    @property
    def levels(self) -> int:
        return len(self.prices)


@dataclass(frozen=True)
class UniformResult:
    level: int
    price: int
    rationed: str  # "buyers" or "sellers"
    allocations: dict[str, int]


def _quantities(entry: dict, key: str, where: str, levels: int, increasing: bool) -> tuple[int, ...]:
    if key not in entry:
        raise MarketFileError(f"{where}: missing field '{key}'")
    vec = entry[key]
    if not isinstance(vec, list) or len(vec) != levels:
        raise MarketFileError(f"{where}.{key}: expected a list of {levels} integers (one per price level)")
    for i, v in enumerate(vec):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < (1 << QUANTITY_BITS):
            raise MarketFileError(f"{where}.{key}[{i}]: expected an integer in [0, 2^{QUANTITY_BITS}), got {v!r}")
    for i in range(1, levels):
        if (vec[i] < vec[i - 1]) if increasing else (vec[i] > vec[i - 1]):
            shape = "non-decreasing (supply)" if increasing else "non-increasing (demand)"
            raise MarketFileError(f"{where}.{key}[{i}]: the curve must be {shape} in the price")
    return tuple(vec)


def uniform_market_from_dict(data: Any) -> UniformMarket:
    """Validate a decoded uniform-price market file; errors name the offending field."""
    if not isinstance(data, dict):
        raise MarketFileError("market: expected a JSON object with 'prices', 'buyers' and 'sellers'")
    unknown = set(data) - {"prices", "buyers", "sellers"}
    if unknown:
        raise MarketFileError(f"market: unknown field(s) {sorted(unknown)}")
    prices = data.get("prices")
    if not isinstance(prices, list) or not prices:
        raise MarketFileError("prices: expected a non-empty list of integers")
    if len(prices) > MAX_LEVELS:
        raise MarketFileError(f"prices: at most {MAX_LEVELS:,} price levels, got {len(prices):,}")
    for i, p in enumerate(prices):
        if isinstance(p, bool) or not isinstance(p, int) or p < 0:
            raise MarketFileError(f"prices[{i}]: expected a non-negative integer, got {p!r}")
        if i and p <= prices[i - 1]:
            raise MarketFileError(f"prices[{i}]: prices must be strictly increasing")
    levels = len(prices)
    seen: set[str] = set()
    sides = {}
    for side, key, increasing in (("buyers", "demand", False), ("sellers", "supply", True)):
        entries = data.get(side)
        if not isinstance(entries, list):
            raise MarketFileError(f"market: missing or non-list field '{side}'")
        out = []
        for i, e in enumerate(entries):
            where = f"{side}[{i}]"
            if not isinstance(e, dict):
                raise MarketFileError(f"{where}: expected an object")
            extra = set(e) - {"id", key}
            if extra:
                raise MarketFileError(f"{where}: unknown field(s) {sorted(extra)}")
            ident = e.get("id")
            if not isinstance(ident, str) or not ident:
                raise MarketFileError(f"{where}.id: expected a non-empty string")
            if ident in seen:
                raise MarketFileError(f"{where}.id: duplicate id {ident!r}")
            seen.add(ident)
            out.append(CurveBidder(ident, _quantities(e, key, where, levels, increasing)))
        sides[side] = tuple(out)
    return UniformMarket(tuple(prices), sides["buyers"], sides["sellers"])


def uniform_market_to_dict(market: UniformMarket) -> dict:
    return {"prices": list(market.prices),
            "buyers": [{"id": b.id, "demand": list(b.quantities)} for b in market.buyers],
            "sellers": [{"id": s.id, "supply": list(s.quantities)} for s in market.sellers]}


def load_uniform_market(path: str | Path, what: str = "market file") -> UniformMarket:
    """Read and validate a uniform-price market file; MarketFileError whose message is
    `<what> <path>: <field>: <problem>` otherwise."""
    data = read_market_json(path, what)
    try:
        return uniform_market_from_dict(data)
    except MarketFileError as exc:
        raise MarketFileError(f"{what} {path}: {exc}") from None


def binary_search_level(covers, levels: int) -> int:
    """The binary search of the module docstring: smallest l in [0, levels] at which
    covers(l) holds, assuming monotonicity (covers(levels) is taken as true).
    `covers` is called ⌈log2(levels + 1)⌉ times at most."""
    lo, hi = 0, levels
    while lo < hi:
        mid = (lo + hi) // 2
        if covers(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def search_probes(levels: int) -> int:
    """How many comparisons the binary search makes in the worst case."""
    return (levels).bit_length()


def rationing_ratio(short: int, long: int) -> int:
    """ρ = ⌊2^F·short/long⌋ (0 if long = 0)."""
    return 0 if long == 0 else (short << PRECISION_BITS) // long


def rationed_allocation(quantity: int, ratio: int) -> int:
    return (quantity * ratio) >> PRECISION_BITS


def clear_uniform(market: UniformMarket) -> UniformResult:
    """The clearing level, price and every bidder's allocation (module docstring)."""
    L = market.levels
    demand = [sum(b.quantities[l] for b in market.buyers) for l in range(L)]
    supply = [sum(s.quantities[l] for s in market.sellers) for l in range(L)]
    found = binary_search_level(lambda l: demand[l] <= supply[l], L)
    level = min(found, L - 1)
    rationed = "buyers" if found == L else "sellers"
    d, s = demand[level], supply[level]
    ratio = rationing_ratio(min(d, s), max(d, s))
    alloc = {}
    for side, bidders in (("buyers", market.buyers), ("sellers", market.sellers)):
        for b in bidders:
            q = b.quantities[level]
            alloc[b.id] = rationed_allocation(q, ratio) if side == rationed else q
    return UniformResult(level, market.prices[level], rationed, alloc)


def uniform_result_to_dict(result: UniformResult) -> dict:
    return {"mechanism": "uniform", "level": result.level, "price": result.price,
            "rationed": result.rationed, "allocations": dict(sorted(result.allocations.items()))}


def random_uniform_market(buyers: int, sellers: int, levels: int, rng: random.Random,
                          max_step: int = 20) -> UniformMarket:
    """Random monotone curves on the grid 100..100+L−1 (for tests and benchmarks)."""
    prices = tuple(100 + i for i in range(levels))

    def curve(increasing: bool) -> tuple[int, ...]:
        steps = [rng.randint(0, max_step) if rng.random() < 0.3 else 0 for _ in range(levels)]
        acc, out = 0, []
        for st in steps:
            acc += st
            out.append(acc)
        return tuple(out) if increasing else tuple(reversed(out))

    return UniformMarket(prices,
                         tuple(CurveBidder(f"b{i}", curve(False)) for i in range(buyers)),
                         tuple(CurveBidder(f"s{i}", curve(True)) for i in range(sellers)))


@guarded
def main(argv: list[str] | None = None) -> int:
    p = ArgumentParser(
        prog="python -m protocols.auction.reference.uniform_price",
        description="Plaintext uniform-price clearing over a public price grid (sugar-beet format): "
                    "binary search for the lowest price where supply covers demand, pro-rata rationing "
                    "of the long side (see the module docstring). Or generate a random market file.",
        epilog="Exit status: 0 success, 2 bad usage or input (one line naming the option or field).")
    p.add_argument("--market", help="market JSON file (prices, buyers[].demand, sellers[].supply)")
    p.add_argument("--json", help="write the result JSON here (default: print); with --generate, the market file")
    p.add_argument("--generate", nargs=3, metavar=("BUYERS", "SELLERS", "LEVELS"),
                   help=f"write a random market file to --json instead of clearing one (BUYERS + SELLERS at most "
                        f"{MAX_GENERATED_BIDDERS:,}, LEVELS in 1..{MAX_LEVELS:,})")
    p.add_argument("--seed", type=bounded_int(0, 2**64 - 1, "a seed"), default=1, help="seed for --generate (default 1)")
    args = p.parse_args(argv)
    if args.generate:
        counts = []
        for name, text, low, high in zip(("BUYERS", "SELLERS", "LEVELS"), args.generate, (0, 0, 1),
                                         (MAX_GENERATED_BIDDERS, MAX_GENERATED_BIDDERS, MAX_LEVELS)):
            try:
                counts.append(bounded_int(low, high, "an integer")(text))
            except argparse.ArgumentTypeError as exc:
                raise CliError(f"--generate {name}: {exc}") from None
        nb, ns, levels = counts
        if nb + ns > MAX_GENERATED_BIDDERS:
            raise CliError(f"--generate: at most {MAX_GENERATED_BIDDERS:,} bidders in all, got {nb + ns:,}")
        if args.json is None:
            raise CliError("--generate needs --json OUT (where to write the market file)")
        check_output_path(args.json, "--json")
        payload = uniform_market_to_dict(random_uniform_market(nb, ns, levels, random.Random(args.seed)))
    else:
        if not args.market:
            raise CliError("--market FILE is required (or --generate)")
        if args.json is not None:
            check_output_path(args.json, "--json")
            check_not_input(args.json, {"--market": args.market}, "--json")
        try:
            market = load_uniform_market(args.market, "--market")
        except MarketFileError as exc:
            raise CliError(str(exc)) from None
        payload = uniform_result_to_dict(clear_uniform(market))
    if args.json is not None:
        write_json_file(args.json, "--json", payload, indent=1)
    else:
        print(json.dumps(payload, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
