"""The private auction with every server and bidder in one process (tests, benchmarks)."""
from __future__ import annotations

import asyncio
from typing import Optional

from mpc.client_input import MemoryHub
from mpc.field import PrimeField
from mpc.local import run_parties_async
from mpc.session import Session
from protocols.auction.private.bidders import bidder_ids
from protocols.auction.private.session import serve_auction
from protocols.auction.private.simulator import play_bidder


async def run_local_async(mechanism: str, market, *, m: int = 3, pricing: str = "vickrey",
                          range_bits: Optional[int] = None, cheats: Optional[dict] = None,
                          session_factory=None, window: float = 30.0, timeout: float = 30.0,
                          backend: str = "dealer") -> tuple[list, list[dict]]:
    """All m servers and all bidders in one event loop. Returns (each server's return value
    or exception, each bidder's view). `cheats` (testing) maps bidder ids to a kind of
    mpc.testing.CLIENT_CHEATS."""
    hub = MemoryHub(m)
    field = PrimeField()
    cheats = cheats or {}

    async def program(s: Session):
        return await serve_auction(s, mechanism, market, pricing=pricing, range_bits=range_bits,
                                   hub=hub, window=window, client_timeout=timeout)

    async def bidder(ident: str) -> dict:
        chans = await hub.connect_all(timeout)
        return await play_bidder(chans, mechanism, market, ident, cheats.get(ident), field=field,
                                 range_bits=range_bits, timeout=timeout, result_timeout=600.0)

    servers_task = asyncio.ensure_future(run_parties_async(m, program, field=field, timeout=timeout,
                                                           session_factory=session_factory, backend=backend))
    bidders = await asyncio.gather(*(bidder(b) for b in bidder_ids(mechanism, market)))
    return await servers_task, list(bidders)


def run_local(mechanism: str, market, **kwargs) -> tuple[list, list[dict]]:
    return asyncio.run(run_local_async(mechanism, market, **kwargs))
