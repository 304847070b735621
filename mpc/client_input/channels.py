"""Framed, bidirectional connections between a client and one server: asyncio TCP
sockets, or in-memory queues for tests (:class:`MemoryHub` stands in for the servers'
listening sockets)."""
from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Mapping, Optional, Sequence

from .wire import HEADER, MAX_FRAME, NAMES, ClientInputError, ClientProtocolError, name

if TYPE_CHECKING:  # pragma: no cover
    from .server import ClientInputServer


#: seconds a peer may take to accept what we send before we give up on it
DEFAULT_SEND_TIMEOUT = 30.0

Limits = Optional[Mapping[int, int]]


def check_header(kind: int, length: int, limits: Limits) -> None:
    """Refuse a frame from its header alone: an unknown type, a type not expected now, or
    a length above that type's limit (nothing of the payload is read or buffered)."""
    if kind not in NAMES:
        raise ClientProtocolError(f"unknown message type {kind}")
    if limits is None:
        limit = MAX_FRAME
    elif kind not in limits:
        wanted = f"a {name(next(iter(limits)))} message" if len(limits) == 1 else \
            "one of " + ", ".join(map(name, limits))
        raise ClientProtocolError(f"expected {wanted}, got {name(kind)}")
    else:
        limit = limits[kind]
    if length > limit:
        raise ClientProtocolError(f"{name(kind)} of {length} bytes exceeds the limit of {limit}")


class ClientChannel(ABC):
    """One bidirectional connection between a client and one server (framed messages).

    Each end counts the frames and bytes (headers included) it sent and received whole
    (`traffic()`), for cost reports."""

    sent_messages = sent_bytes = received_messages = received_bytes = 0

    def traffic(self) -> dict[str, int]:
        return {"sent_messages": self.sent_messages, "sent_bytes": self.sent_bytes,
                "received_messages": self.received_messages, "received_bytes": self.received_bytes}

    def _count_sent(self, payload: bytes) -> None:
        self.sent_messages += 1
        self.sent_bytes += HEADER.size + len(payload)

    def _count_received(self, payload: bytes) -> None:
        self.received_messages += 1
        self.received_bytes += HEADER.size + len(payload)

    @abstractmethod
    async def send(self, kind: int, payload: bytes) -> None: ...

    @abstractmethod
    async def recv(self, timeout: float, limits: Limits = None) -> tuple[int, bytes]:
        """The next frame; with `limits` (type → largest payload), only those types and
        sizes are accepted, checked on the header before the payload is read."""

    @abstractmethod
    def close(self) -> None: ...

    async def expect(self, kind: int, timeout: float, limit: int = MAX_FRAME) -> bytes:
        got, payload = await self.recv(timeout, {kind: limit})
        return payload


class SocketChannel(ClientChannel):
    """Framed messages over an asyncio TCP stream. A message must arrive whole within the
    receive timeout (a slow sender is cut off), and a peer that stops reading what we
    send is cut off after `send_timeout` seconds."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 send_timeout: float = DEFAULT_SEND_TIMEOUT):
        self.reader, self.writer = reader, writer
        self.send_timeout = send_timeout

    async def send(self, kind: int, payload: bytes) -> None:
        if len(payload) > MAX_FRAME:
            raise ValueError("frame too large")
        try:
            self.writer.write(HEADER.pack(kind, len(payload)) + payload)
            self._count_sent(payload)
            await asyncio.wait_for(self.writer.drain(), self.send_timeout)
        except asyncio.TimeoutError:
            self.close()
            raise ClientProtocolError(f"the peer did not read what was sent within {self.send_timeout:g} s") from None
        except (ConnectionError, OSError) as exc:
            raise ClientProtocolError(f"connection lost while sending ({exc})") from None

    async def recv(self, timeout: float, limits: Limits = None) -> tuple[int, bytes]:
        async def frame() -> tuple[int, bytes]:
            kind, length = HEADER.unpack(await self.reader.readexactly(HEADER.size))
            check_header(kind, length, limits)
            payload = await self.reader.readexactly(length)
            self._count_received(payload)
            return kind, payload

        try:
            return await asyncio.wait_for(frame(), timeout)
        except asyncio.TimeoutError:
            raise ClientProtocolError(f"no message within {timeout:g} s") from None
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            raise ClientProtocolError("connection closed by the peer") from None

    def close(self) -> None:
        try:
            # abort, not close: a peer that stopped reading must not keep our buffers alive
            self.writer.transport.abort()
        except Exception:  # noqa: BLE001 — closing a broken socket must not raise
            pass


class MemoryChannel(ClientChannel):
    """One end of an in-memory connection (tests): frames go through asyncio queues."""

    def __init__(self, inbox: asyncio.Queue, outbox: asyncio.Queue):
        self.inbox, self.outbox = inbox, outbox
        self.closed = False

    async def send(self, kind: int, payload: bytes) -> None:
        if self.closed:
            raise ClientProtocolError("channel closed")
        await self.outbox.put((kind, bytes(payload)))
        self._count_sent(payload)

    async def recv(self, timeout: float, limits: Limits = None) -> tuple[int, bytes]:
        try:
            item = await asyncio.wait_for(self.inbox.get(), timeout)
        except asyncio.TimeoutError:
            raise ClientProtocolError(f"no message within {timeout:g} s") from None
        if item is None:
            raise ClientProtocolError("connection closed by the peer")
        check_header(item[0], len(item[1]), limits)
        self._count_received(item[1])
        return item

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.outbox.put_nowait(None)


def memory_channel_pair() -> tuple[MemoryChannel, MemoryChannel]:
    a, b = asyncio.Queue(), asyncio.Queue()
    return MemoryChannel(a, b), MemoryChannel(b, a)


class MemoryHub:
    """In-memory stand-in for the servers' listening sockets (all in one event loop)."""

    def __init__(self, m: int):
        self.m = m
        self._servers: dict[int, "ClientInputServer"] = {}
        self._ready: dict[int, asyncio.Event] = {}

    def _event(self, pid: int) -> asyncio.Event:
        return self._ready.setdefault(pid, asyncio.Event())

    def attach(self, pid: int, server: "ClientInputServer") -> None:
        self._servers[pid] = server
        self._event(pid).set()

    async def connect(self, pid: int, timeout: float = 60.0) -> MemoryChannel:
        await asyncio.wait_for(self._event(pid).wait(), timeout)
        client_end, server_end = memory_channel_pair()
        server = self._servers[pid]
        server._spawn(server_end)
        return client_end

    async def connect_all(self, timeout: float = 60.0) -> list[MemoryChannel]:
        return [await self.connect(p, timeout) for p in range(self.m)]



async def connect_servers(addresses: Sequence[tuple[str, int]], timeout: float = 60.0) -> list[SocketChannel]:
    """Open one TCP connection per server, retrying until `timeout` (servers may still be starting)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    out = []
    for host, port in addresses:
        while True:
            try:
                reader, writer = await asyncio.open_connection(host, port)
                out.append(SocketChannel(reader, writer))
                break
            except OSError:
                if loop.time() > deadline:
                    for ch in out:
                        ch.close()
                    raise ClientInputError(f"could not connect to server {host}:{port} within {timeout:g} s")
                await asyncio.sleep(0.2)
    return out

