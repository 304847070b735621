"""Transport over MPyC's runtime: real processes started by MPyC's launcher.

We use only MPyC's connection set-up (`-M`, `-I`, `-P host:port`, `-B`, `--ssl`) and its
framing of labelled byte messages. We never call `mpc.transfer` or `mpc.shutdown`,
which unpickle what a peer sends (a malicious peer could run code on an honest one);
payloads stay raw bytes and are parsed by the strict decoders of `mpc.codec`.
"""
from __future__ import annotations

import asyncio
from typing import Optional

from .errors import PeerDisconnected, PeerTimeout
from .transport import DEFAULT_TIMEOUT, Transport

# Our step labels are offset into a range MPyC's own program counters do not visit in
# practice, so a program may also use MPyC's secure types in the same run.
_LABEL_OFFSET = 0x3A5D_C0DE_0000_0000
_CLOSE_LABEL = 0x3A5D_C0DE_7FFF_FFFF

_patched = False


def _patch_connection_lost() -> None:
    """Make MPyC tell us when a peer's connection drops, instead of raising inside asyncio."""
    global _patched
    if _patched:
        return
    from mpyc import asyncoro

    def connection_lost(self, exc):
        notify = getattr(self.runtime, "_mpc_markets_lost", None)
        if notify is not None:
            notify(self.peer_pid, exc)
        rt = self.runtime
        if self.peer_pid is None or rt.parties[self.peer_pid].protocol is not self:
            return
        # MPyC's own bookkeeping (unset_protocol), minus its failure when the
        # all-connected future was already resolved at start-up.
        rt.parties[self.peer_pid].protocol = None
        own = rt.parties[rt.pid].protocol
        if (isinstance(own, asyncio.Future) and not own.done()
                and all(p.protocol is None for p in rt.parties if p.pid != rt.pid)):
            own.set_result(None)

    asyncoro.MessageExchanger.connection_lost = connection_lost
    _patched = True


class MPyCTransport(Transport):
    """Labelled byte messages over the TCP (or TLS) connections of MPyC's runtime."""

    def __init__(self, runtime, timeout: float = DEFAULT_TIMEOUT):
        super().__init__(runtime.pid, len(runtime.parties), timeout)
        self.rt = runtime
        self._lost: dict[int, asyncio.Future] = {}
        self._closing = False

    async def connect(self) -> None:
        _patch_connection_lost()
        loop = asyncio.get_running_loop()
        self._lost = {p: loop.create_future() for p in range(self.m) if p != self.pid}
        self.rt._mpc_markets_lost = self._on_lost
        try:
            await asyncio.wait_for(self.rt.start(), self.timeout)
        except asyncio.TimeoutError:
            raise PeerTimeout(f"party {self.pid} could not connect to all {self.m} parties "
                              f"within {self.timeout:g} s") from None

    def _on_lost(self, peer: Optional[int], exc) -> None:
        if peer is None or self._closing:
            return
        fut = self._lost.get(peer)
        if fut is not None and not fut.done():
            fut.set_result(exc)

    def _protocol(self, peer: int):
        proto = self.rt.parties[peer].protocol
        if proto is None or (peer in self._lost and self._lost[peer].done()):
            raise PeerDisconnected(f"connection to party {peer} lost")
        return proto

    def _send(self, peer: int, label: int, payload: bytes) -> None:
        try:
            self._protocol(peer).send(_LABEL_OFFSET + label, payload)
        except PeerDisconnected:
            pass  # the matching receive reports the failure

    async def _recv(self, peer: int, label: int) -> bytes:
        item = self._protocol(peer).receive(_LABEL_OFFSET + label)
        if not isinstance(item, asyncio.Future):
            return bytes(item)
        lost = self._lost[peer]
        done, _ = await asyncio.wait({item, lost}, return_when=asyncio.FIRST_COMPLETED)
        if item in done:
            return bytes(item.result())
        item.cancel()
        raise PeerDisconnected(f"connection to party {peer} lost before its message arrived")

    async def close(self) -> None:
        """Barrier on a close message, then drop the connections (no pickling involved)."""
        peers = [p for p in range(self.m) if p != self.pid]
        for p in peers:
            self._send(p, _CLOSE_LABEL - _LABEL_OFFSET, b"")
        try:
            await asyncio.gather(*(self.recv(p, _CLOSE_LABEL - _LABEL_OFFSET) for p in peers))
        finally:
            self.abort_connections()

    def abort_connections(self) -> None:
        self._closing = True
        for p in range(self.m):
            proto = self.rt.parties[p].protocol if p != self.pid else None
            if proto is not None and getattr(proto, "transport", None) is not None:
                proto.close_connection()
