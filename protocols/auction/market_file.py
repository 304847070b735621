"""Market and result files of the one-slot data double auction (docs/specs/markets.md).

This module holds only the data model, its validation and the JSON (de)serialisation,
so that the plaintext CLIs (``dantm``, ``dadpm``) and the later private CLI read and
write exactly the same files.

Market file::

    {"buyers":  [{"id": "b1", "bid": 74, "quality": 3, "quantity": 12}, ...],
     "sellers": [{"id": "s1", "ask": 40, "quality": 4, "quantity": 30}, ...]}

Prices are integers per unit of data, qualities are integer levels (a seller can serve a
buyer iff seller quality >= buyer quality), quantities are positive integers, ids are
unique across buyers and sellers. Result prices are exact rationals written as strings
("61", "123/2").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from mpc.cli import CliError, read_json_file


class MarketFileError(ValueError):
    """A market file (or dict) is malformed; the message names the offending field."""


@dataclass(frozen=True)
class Buyer:
    id: str
    bid: int
    quality: int
    quantity: int


@dataclass(frozen=True)
class Seller:
    id: str
    ask: int
    quality: int
    quantity: int


@dataclass(frozen=True)
class Market:
    buyers: tuple[Buyer, ...]
    sellers: tuple[Seller, ...]

    def replace_buyer(self, buyer: Buyer) -> "Market":
        """The same market with the buyer of the same id replaced (used for misreports)."""
        return Market(tuple(buyer if b.id == buyer.id else b for b in self.buyers), self.sellers)

    def replace_seller(self, seller: Seller) -> "Market":
        """The same market with the seller of the same id replaced (used for misreports)."""
        return Market(self.buyers, tuple(seller if s.id == seller.id else s for s in self.sellers))


@dataclass(frozen=True)
class SellerShare:
    """One serving seller's part of a trade: it delivers units start .. start+quantity-1."""

    seller: str
    quantity: int
    start: int
    seller_price: Fraction


@dataclass(frozen=True)
class Trade:
    """One winning buyer and the sellers that serve it (one round of the auction)."""

    buyer: str
    quantity: int
    satisfied: bool
    buyer_price: Fraction
    sellers: tuple[SellerShare, ...]


def build_trade(
    buyer: Buyer, served: list[tuple[str, int, int]], buyer_price: Fraction, seller_price: Fraction
) -> Trade:
    """The record of one round: ``served`` lists (seller id, units, start pointer) in serving
    order; every serving seller gets the same unit price (both pricings do this)."""
    quantity = sum(q for _s, q, _st in served)
    shares = tuple(SellerShare(seller, q, start, seller_price) for seller, q, start in served)
    return Trade(buyer.id, quantity, quantity == buyer.quantity, buyer_price, shares)


@dataclass(frozen=True)
class AuctionResult:
    pricing: str
    trades: tuple[Trade, ...] = field(default_factory=tuple)


def _integer(entry: dict, key: str, where: str, *, minimum: int | None = None) -> int:
    if key not in entry:
        raise MarketFileError(f"{where}: missing field '{key}'")
    value = entry[key]
    # bool is an int subclass in Python; a JSON true is not a price.
    if isinstance(value, bool) or not isinstance(value, int):
        raise MarketFileError(f"{where}.{key}: expected an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise MarketFileError(f"{where}.{key}: must be >= {minimum}, got {value}")
    return value


def _identifier(entry: dict, where: str) -> str:
    if "id" not in entry:
        raise MarketFileError(f"{where}: missing field 'id'")
    value = entry["id"]
    if not isinstance(value, str) or not value:
        raise MarketFileError(f"{where}.id: expected a non-empty string, got {value!r}")
    return value


def market_from_dict(data: Any) -> Market:
    """Validate a decoded market file and build the immutable :class:`Market`.

    Raises MarketFileError naming the offending field (e.g. ``buyers[2].bid``).
    Prices must be >= 0 and quantities >= 1; quality levels are any integers.
    """
    if not isinstance(data, dict):
        raise MarketFileError("market: expected a JSON object with 'buyers' and 'sellers'")
    unknown = set(data) - {"buyers", "sellers"}
    if unknown:
        raise MarketFileError(f"market: unknown field(s) {sorted(unknown)}")
    seen: set[str] = set()
    parsed: dict[str, list] = {}
    for side, price_key, cls in (("buyers", "bid", Buyer), ("sellers", "ask", Seller)):
        if side not in data:
            raise MarketFileError(f"market: missing field '{side}'")
        entries = data[side]
        if not isinstance(entries, list):
            raise MarketFileError(f"{side}: expected a list")
        items = []
        for index, entry in enumerate(entries):
            where = f"{side}[{index}]"
            if not isinstance(entry, dict):
                raise MarketFileError(f"{where}: expected an object")
            extra = set(entry) - {"id", price_key, "quality", "quantity"}
            if extra:
                raise MarketFileError(f"{where}: unknown field(s) {sorted(extra)}")
            ident = _identifier(entry, where)
            if ident in seen:
                raise MarketFileError(f"{where}.id: duplicate id {ident!r}")
            seen.add(ident)
            items.append(
                cls(
                    ident,
                    _integer(entry, price_key, where, minimum=0),
                    _integer(entry, "quality", where),
                    _integer(entry, "quantity", where, minimum=1),
                )
            )
        parsed[side] = items
    return Market(tuple(parsed["buyers"]), tuple(parsed["sellers"]))


def market_to_dict(market: Market) -> dict:
    """The market as the JSON object of the market file."""
    return {
        "buyers": [
            {"id": b.id, "bid": b.bid, "quality": b.quality, "quantity": b.quantity}
            for b in market.buyers
        ],
        "sellers": [
            {"id": s.id, "ask": s.ask, "quality": s.quality, "quantity": s.quantity}
            for s in market.sellers
        ],
    }


def read_market_json(path: str | Path, what: str = "market file") -> Any:
    """The parsed JSON of a market file (safe loader: regular file, size, depth and number
    length bounded); MarketFileError starting with `what` and the path otherwise."""
    try:
        return read_json_file(path, what)
    except CliError as exc:
        raise MarketFileError(str(exc)) from None


def load_market(path: str | Path, what: str = "market file") -> Market:
    """Read and validate a market file; unreadable or malformed files raise MarketFileError
    whose message is `<what> <path>: <field>: <problem>`."""
    data = read_market_json(path, what)
    try:
        return market_from_dict(data)
    except MarketFileError as exc:
        raise MarketFileError(f"{what} {path}: {exc}") from None


def format_price(value: Fraction) -> str:
    """An exact rational as the result file writes it: "61" or "123/2"."""
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def result_to_dict(result: AuctionResult) -> dict:
    """The result as the JSON object of the result file (docs/specs/markets.md)."""
    return {
        "pricing": result.pricing,
        "trades": [
            {
                "buyer": t.buyer,
                "quantity": t.quantity,
                "satisfied": t.satisfied,
                "buyer_price": format_price(t.buyer_price),
                "sellers": [
                    {
                        "seller": s.seller,
                        "quantity": s.quantity,
                        "start": s.start,
                        "seller_price": format_price(s.seller_price),
                    }
                    for s in t.sellers
                ],
            }
            for t in result.trades
        ],
    }


def result_from_dict(data: dict) -> AuctionResult:
    """Inverse of :func:`result_to_dict` (used by tests and by checks of the private CLI)."""
    trades = tuple(
        Trade(
            t["buyer"],
            t["quantity"],
            t["satisfied"],
            Fraction(t["buyer_price"]),
            tuple(
                SellerShare(s["seller"], s["quantity"], s["start"], Fraction(s["seller_price"]))
                for s in t["sellers"]
            ),
        )
        for t in data["trades"]
    )
    return AuctionResult(data["pricing"], trades)
