"""How parties exchange bytes: one small interface, two implementations.

`InMemoryNetwork` runs all parties as asyncio tasks in one process (tests);
`mpc.net.NetTransport` connects real processes over TCP or TLS with authenticated party
identities. Code above this layer never knows which one runs. Every message is a
byte string labelled with an integer that identifies the protocol step, so messages
of different steps never mix. Receiving blocks at most `timeout` seconds.
"""
from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from contextlib import contextmanager
from typing import Iterator
from dataclasses import dataclass, field

from .errors import PeerDisconnected, PeerTimeout

DEFAULT_TIMEOUT = 30.0
# Traffic of the preprocessing (offline) phase is counted under this phase name.
OFFLINE_PHASE = "preprocessing"
# mpc.net frames every payload with an 8-byte label and a 4-byte length; the in-memory
# transport counts the same overhead so that byte counts are comparable.
FRAME_OVERHEAD = 12


@dataclass
class TrafficStats:
    """Traffic of one party: messages and bytes it sent, and communication rounds."""

    messages: int = 0
    bytes: int = 0
    rounds: int = 0
    by_phase: dict = field(default_factory=dict)

    def record(self, nbytes: int, phase: str) -> None:
        self.messages += 1
        self.bytes += nbytes + FRAME_OVERHEAD
        ph = self.by_phase.setdefault(phase, {"messages": 0, "bytes": 0, "rounds": 0})
        ph["messages"] += 1
        ph["bytes"] += nbytes + FRAME_OVERHEAD

    def round(self, phase: str) -> None:
        self.rounds += 1
        ph = self.by_phase.setdefault(phase, {"messages": 0, "bytes": 0, "rounds": 0})
        ph["rounds"] += 1

    def snapshot(self) -> dict:
        return {"messages": self.messages, "bytes": self.bytes, "rounds": self.rounds,
                "by_phase": {k: dict(v) for k, v in self.by_phase.items()}}


class Transport(ABC):
    """Point-to-point labelled byte messages between m parties."""

    def __init__(self, pid: int, m: int, timeout: float = DEFAULT_TIMEOUT):
        if m < 2:
            raise ValueError("a session needs at least 2 parties")
        if not 0 <= pid < m:
            raise ValueError(f"party index {pid} outside 0..{m - 1}")
        self.pid = pid
        self.m = m
        self.timeout = timeout
        self.stats = TrafficStats()
        self.phase = "online"

    def send(self, peer: int, label: int, payload: bytes) -> None:
        if peer == self.pid:
            raise ValueError("a party does not send to itself")
        self.stats.record(len(payload), self.phase)
        self._send(peer, label, bytes(payload))

    async def recv(self, peer: int, label: int) -> bytes:
        try:
            return await asyncio.wait_for(self._recv(peer, label), self.timeout)
        except asyncio.TimeoutError:
            raise PeerTimeout(f"party {self.pid} got no message from party {peer} "
                              f"within {self.timeout:g} s") from None

    @abstractmethod
    def _send(self, peer: int, label: int, payload: bytes) -> None: ...

    @abstractmethod
    async def _recv(self, peer: int, label: int) -> bytes: ...

    async def close(self) -> None:
        """Release the connections (a no-op in memory)."""

    def abandon(self) -> None:
        """Drop the connections at once, without the closing handshake (after an abort)."""

    @contextmanager
    def in_phase(self, phase: str) -> Iterator[None]:
        """Count the traffic inside the block under `phase` (e.g. OFFLINE_PHASE)."""
        saved, self.phase = self.phase, phase
        try:
            yield
        finally:
            self.phase = saved


class InMemoryNetwork:
    """Mailboxes for m parties living in one asyncio event loop."""

    def __init__(self, m: int):
        self.m = m
        self._boxes: dict[tuple[int, int, int], asyncio.Future | bytes] = {}
        self.dead: set[int] = set()

    def transport(self, pid: int, timeout: float = DEFAULT_TIMEOUT) -> "InMemoryTransport":
        return InMemoryTransport(self, pid, timeout)

    def deliver(self, src: int, dst: int, label: int, payload: bytes) -> None:
        key = (dst, src, label)
        box = self._boxes.get(key)
        if isinstance(box, asyncio.Future):
            del self._boxes[key]
            if not box.done():
                box.set_result(payload)
        else:
            self._boxes[key] = payload

    def collect(self, dst: int, src: int, label: int) -> asyncio.Future:
        key = (dst, src, label)
        box = self._boxes.pop(key, None)
        fut = asyncio.get_running_loop().create_future()
        if box is None:
            self._boxes[key] = fut
        elif isinstance(box, asyncio.Future):
            # A second receive of the same step: protocol error on our side.
            raise RuntimeError(f"duplicate receive for step {label}")
        else:
            fut.set_result(box)
        return fut


class InMemoryTransport(Transport):
    def __init__(self, net: InMemoryNetwork, pid: int, timeout: float):
        super().__init__(pid, net.m, timeout)
        self.net = net

    def _send(self, peer: int, label: int, payload: bytes) -> None:
        if self.pid in self.net.dead:
            return
        self.net.deliver(self.pid, peer, label, payload)

    async def _recv(self, peer: int, label: int) -> bytes:
        if peer in self.net.dead:
            raise PeerDisconnected(f"party {peer} has left the session")
        return await self.net.collect(self.pid, peer, label)
