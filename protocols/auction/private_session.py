"""One computing party's whole private auction session, and an in-process runner.

:func:`serve_auction` is what every server runs (the CLI :mod:`protocols.auction.run`
calls it inside MPyC's launcher): reserve client-input material, accept the bidders
(sockets or an in-memory hub), agree on the accepted set, run the mechanism, send every
bidder the published result (and a rationed bidder its allocation), return the public
result with traffic and timings. :func:`run_in_memory` runs m servers and all bidders
in one event loop (tests, benchmark).
"""
from __future__ import annotations

import asyncio
import json
import time
from typing import Callable, Optional

from mpc.client_input import ClientInputServer, MemoryHub
from mpc.errors import MPCAbort
from mpc.field import PrimeField
from mpc.local import run_parties_async
from mpc.session import Session
from protocols.auction.market_file import result_to_dict
from protocols.auction.private_bidders import bidder_ids, run_bidder
from protocols.auction.private_dantm import VALUES_PER_BIDDER, dantm_private
from protocols.auction.private_uniform import clear_uniform_private, input_length
MECHANISMS = ("dantm", "uniform")


def registry(mechanism: str, market, range_bits: Optional[int]) -> list[tuple[str, int]]:
    """The public list of (bidder id, number of values it sends)."""
    n = VALUES_PER_BIDDER if mechanism == "dantm" else input_length(market.levels, range_bits)
    return [(b, n) for b in bidder_ids(mechanism, market)]


async def serve_auction(s: Session, mechanism: str, market, *, pricing: str = "vickrey",
                        range_bits: Optional[int] = None, hub: Optional[MemoryHub] = None,
                        listen: Optional[tuple[str, int]] = None, window: float = 600.0,
                        client_timeout: float = 60.0, log: Optional[Callable[[str], None]] = None) -> dict:
    """Run the private auction as computing party s.pid; returns the public outcome."""
    say = log or (lambda msg: None)
    if mechanism not in MECHANISMS:
        raise ValueError(f"mechanism must be one of {MECHANISMS}")
    times = {}
    t0 = time.perf_counter()
    server = ClientInputServer(s, registry(mechanism, market, range_bits), timeout=client_timeout, log=say)
    saved, s.transport.phase = s.transport.phase, "preprocessing"
    await server.prepare()
    s.transport.phase = saved
    times["preprocessing"] = time.perf_counter() - t0
    say(f"reserved input masks for {len(server.clients)} bidders ({server.total} values)")
    t1 = time.perf_counter()
    # From here on, whatever happens (an abort included), the bidders' connections are
    # closed at the end, so no bidder waits for a result that will never come.
    try:
        if hub is not None:
            hub.attach(s.pid, server)
        if listen is not None:
            await server.listen(*listen)
            say(f"accepting bidders on {listen[0]}:{listen[1]}")
        await server.collect(window)
        agreed = await server.agree()
        times["input"] = time.perf_counter() - t1
        say(f"{len(agreed.inputs)} bidders accepted, {len(agreed.rejected)} excluded")
        for ident, reason in sorted(agreed.rejected.items()):
            say(f"excluded {ident}: {reason}")
        t2 = time.perf_counter()
        if mechanism == "dantm":
            result, excluded = await dantm_private(s, market, agreed.inputs, pricing, log=say)
            public = result_to_dict(result)
            private = {}
        else:
            outcome = await clear_uniform_private(s, market, agreed.inputs, range_bits, log=say)
            public, private, excluded = outcome.public_dict(), outcome.private, outcome.excluded
        times["mechanism"] = time.perf_counter() - t2
        for ident, reason in sorted(excluded.items()):
            say(f"excluded {ident}: {reason}")
            await server.exclude(ident, reason)
        t3 = time.perf_counter()
        await server.send_outputs(json.dumps(public, sort_keys=True).encode(), private)
        times["output"] = time.perf_counter() - t3
    except MPCAbort as exc:
        await server.close(f"the servers aborted: {exc}")
        raise
    finally:
        await server.close()
    times["total"] = time.perf_counter() - t0
    return {"party": s.pid, "result": public,
            "excluded": dict(sorted({**agreed.rejected, **excluded}.items())),
            "seconds": times, "traffic": s.stats.snapshot(), "trust_model": s.prep.TRUST_MODEL}


async def run_in_memory_async(mechanism: str, market, *, m: int = 3, pricing: str = "vickrey",
                              range_bits: Optional[int] = None, cheats: Optional[dict] = None,
                              session_factory=None, window: float = 30.0,
                              timeout: float = 30.0) -> tuple[list, list[dict]]:
    """All m servers and all bidders in one event loop. Returns (each server's return value
    or exception, each bidder's view)."""
    hub = MemoryHub(m)
    field = PrimeField()
    cheats = cheats or {}

    async def program(s: Session):
        return await serve_auction(s, mechanism, market, pricing=pricing, range_bits=range_bits,
                                   hub=hub, window=window, client_timeout=timeout)

    async def bidder(ident: str) -> dict:
        chans = await hub.connect_all(timeout)
        return await run_bidder(chans, mechanism, market, ident, field=field, range_bits=range_bits,
                                cheat=cheats.get(ident), timeout=timeout, result_timeout=600.0)

    servers_task = asyncio.ensure_future(run_parties_async(m, program, field=field, timeout=timeout,
                                                           session_factory=session_factory))
    bidders = await asyncio.gather(*(bidder(b) for b in bidder_ids(mechanism, market)))
    return await servers_task, list(bidders)


def run_in_memory(mechanism: str, market, **kwargs) -> tuple[list, list[dict]]:
    return asyncio.run(run_in_memory_async(mechanism, market, **kwargs))
