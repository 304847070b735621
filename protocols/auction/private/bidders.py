"""The bidders' side of the private auctions: input-only clients of the computing parties.

Each bidder connects to every server, secret-shares its bid (mpc.client_input), and waits
for the published result (and, when it is rationed in the uniform-price auction, its own
allocation). A deployment runs one bidder per machine; :mod:`.simulator` plays many
bidders at once (``python -m protocols.auction.private.simulator``).
"""
from __future__ import annotations

import json
from typing import Optional, Sequence

from mpc.bits import to_bits
from mpc.client_input import ClientChannel, ClientInputError, receive_output, submit_input
from mpc.field import PrimeField
from protocols.auction.private.dantm import bidder_values as dantm_values
from protocols.auction.private.uniform_price import wire_vector
from protocols.auction.reference.uniform_price import UniformMarket


def uniform_values(market: UniformMarket, bidder_id: str, range_bits: Optional[int]) -> tuple[str, list[int], tuple]:
    for side, group in (("buyers", market.buyers), ("sellers", market.sellers)):
        for b in group:
            if b.id == bidder_id:
                wire = wire_vector(b.quantities, side)
                return side, (to_bits(wire, range_bits) if range_bits else wire), b.quantities
    raise KeyError(bidder_id)


def bidder_input(mechanism: str, market, bidder_id: str, range_bits: Optional[int]) -> tuple[list[int], dict]:
    """What `bidder_id` sends, and what it needs to read its result (side and curve)."""
    if mechanism == "uniform":
        side, values, curve = uniform_values(market, bidder_id, range_bits)
        return values, {"side": side, "curve": curve}
    return dantm_values(market, bidder_id), {}


async def await_result(channels: Sequence[ClientChannel], mechanism: str, bidder_id: str, context: dict, *,
                       field: PrimeField, result_timeout: float, keys=None) -> dict:
    """Receive the servers' result after the input went through (`keys`: what submit_input
    returned); returns what the bidder learned."""
    public, private = await receive_output(channels, field, result_timeout, keys)
    info = json.loads(public)
    out = {"id": bidder_id, "status": "accepted", "public": info}
    if mechanism == "uniform":
        level = info["level"]
        if info["rationed"] == context["side"]:
            if len(private) != 1:
                raise ClientInputError("expected exactly one private output (the allocation)")
            out["allocation"] = private[0]
        else:
            out["allocation"] = context["curve"][level]
    return out


async def run_bidder(channels: Sequence[ClientChannel], mechanism: str, market, bidder_id: str, *,
                     field: PrimeField, range_bits: Optional[int] = None,
                     timeout: float = 60.0, result_timeout: float = 3600.0) -> dict:
    """One honest bidder's whole session; returns what it learned ({"id", "status", ...})."""
    try:
        values, context = bidder_input(mechanism, market, bidder_id, range_bits)
        keys = await submit_input(channels, bidder_id, values, field, timeout)
        return await await_result(channels, mechanism, bidder_id, context, field=field,
                                  result_timeout=result_timeout, keys=keys)
    except ClientInputError as exc:
        return {"id": bidder_id, "status": "rejected", "reason": str(exc)}
    finally:
        for ch in channels:
            ch.close()


def bidder_ids(mechanism: str, market) -> list[str]:
    return [b.id for b in market.buyers] + [s.id for s in market.sellers]
