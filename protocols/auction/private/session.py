"""One computing party's whole private auction session.

:func:`serve_auction` is what every server runs (the CLI :mod:`protocols.auction.run`
calls it): reserve client-input material, accept the bidders (sockets or an in-memory
hub), agree on the accepted set, run the mechanism, send every bidder the published
result (and a rationed bidder its allocation), return the public result with per-stage
costs (offline and online apart). :mod:`.local` runs m servers and all bidders in one
event loop (tests, benchmark).
"""
from __future__ import annotations

import asyncio

import json
from typing import Callable, Optional

from mpc.client_input import ClientInputServer, MemoryHub
from mpc.errors import MPCAbort
from mpc.session import Session
from protocols.auction.market_file import result_to_dict
from protocols.auction.private.bidders import bidder_ids
from protocols.auction.private.dantm import VALUES_PER_BIDDER, dantm_private
from protocols.auction.private.uniform_price import clear_uniform_private, input_length
MECHANISMS = ("dantm", "uniform")


def registry(mechanism: str, market, range_bits: Optional[int]) -> list[tuple[str, int]]:
    """The public list of (bidder id, number of values it sends)."""
    n = VALUES_PER_BIDDER if mechanism == "dantm" else input_length(market.levels, range_bits)
    return [(b, n) for b in bidder_ids(mechanism, market)]


async def serve_auction(s: Session, mechanism: str, market, *, pricing: str = "vickrey",
                        range_bits: Optional[int] = None, hub: Optional[MemoryHub] = None,
                        listen: Optional[tuple[str, int]] = None, window: float = 600.0,
                        client_timeout: float = 60.0, log: Optional[Callable[[str], None]] = None,
                        ready: Optional[asyncio.Event] = None) -> dict:
    """Run the private auction as computing party s.pid; returns the public outcome. `ready`
    is set once this server accepts bidders (after its preprocessing, which can take many
    minutes with MASCOT: bidders started earlier would give up connecting)."""
    say = log or (lambda msg: None)
    if mechanism not in MECHANISMS:
        raise ValueError(f"mechanism must be one of {MECHANISMS}")
    server = ClientInputServer(s, registry(mechanism, market, range_bits), timeout=client_timeout, log=say)
    with s.stage("preprocessing"):
        await server.prepare()
    say(f"reserved input masks for {len(server.clients)} bidders ({server.total} values)")
    # From here on, whatever happens (an abort included), the bidders' connections are
    # closed at the end, so no bidder waits for a result that will never come.
    try:
        with s.stage("input"):
            if hub is not None:
                hub.attach(s.pid, server)
            if listen is not None:
                await server.listen(*listen)
                say(f"accepting bidders on {listen[0]}:{listen[1]}")
            if ready is not None:
                ready.set()
            await server.collect(window)
            agreed = await server.agree()
        say(f"{len(agreed.inputs)} bidders accepted, {len(agreed.rejected)} excluded")
        for ident, reason in sorted(agreed.rejected.items()):
            say(f"excluded {ident}: {reason}")
        with s.stage("mechanism"):
            if mechanism == "dantm":
                result, excluded = await dantm_private(s, market, agreed.inputs, pricing, log=say)
                public = result_to_dict(result)
                private = {}
            else:
                outcome = await clear_uniform_private(s, market, agreed.inputs, range_bits, log=say)
                public, private, excluded = outcome.public_dict(), outcome.private, outcome.excluded
        for ident, reason in sorted(excluded.items()):
            say(f"excluded {ident}: {reason}")
            await server.exclude(ident, reason)
        with s.stage("output"):
            await server.send_outputs(json.dumps(public, sort_keys=True).encode(), private)
    except MPCAbort as exc:
        await server.close(f"the servers aborted: {exc}")
        raise
    finally:
        await server.close()
    return {"party": s.pid, "result": public,
            "excluded": dict(sorted({**agreed.rejected, **excluded}.items())),
            "stages": s.stage_report(), "traffic": s.traffic(), "trust_model": s.trust_model}
