"""Input-only clients: parties that secret-share values to the m computing parties
(and receive private outputs from them) without taking part in the computation.

Protocol (the client-input technique of Damgård, Damgård, Nielsen, Nordholt and
Toft, "Confidential benchmarking based on multiparty computation", FC 2016):

1. Offline, the servers reserve one Beaver triple ⟨a⟩, ⟨b⟩, ⟨c⟩ (c = a·b) per value
   of every registered client (the list of client ids and how many values each
   sends is public).
2. The client connects to every server; server i sends its *value* shares
   (a_i, b_i, c_i) of the client's triples — never MAC shares, which would relate
   α to the triple.
3. The client adds the shares up and checks c = a·b for every value. A server that
   changes its share of a, b or c passes this test only if it guesses the honest
   servers' shares (probability ≤ 2/q per value): a ≠ Σa_i would need
   δ_c = δ_a·b + δ_b·a + δ_a·δ_b for secret a, b. On failure the client sends
   nothing but a refusal and reports that a server cheated.
4. The client sends the same vector d = x − a to every server; each server sets
   ⟨x⟩ = ⟨a⟩ + d, an authenticated sharing of x.
5. The servers agree on what each client sent: every server broadcasts a hash of
   each client's d (or zeros if it got nothing valid), in one broadcast for all
   clients. A client is accepted iff all m hashes are equal and non-zero. So a client
   that sends different d to different servers (equivocation), a malformed message or
   nothing at all is excluded at every server, and the others go on. The broadcast
   enters the session's transcript, so a server that reports different hashes to
   different servers is caught at the next MAC check.

Outputs to a client y (length n): the servers compute ⟨v⟩ = ⟨r⟩·⟨y⟩ for a random ⟨r⟩
(one Beaver product), MAC-check everything opened so far, and send the client their
value shares of (y, r, v). The client checks v = r·y: a server that changes its share
of y by δ must change v by r·δ, and r is hidden from it. A public part (e.g. the
clearing price) travels in the same message; the client accepts it only if every
server sent the same bytes, which is correct as long as one server is honest.

What this guarantees (with at most m − 1 corrupt servers, the SPDZ model):
- privacy of the client's input: d = x − a with a uniform and unknown to any proper
  subset of servers;
- integrity: a corrupt server cannot change an accepted client's input (its share of
  ⟨a⟩ is authenticated, and d is agreed among servers) nor a client's output without
  the client or the MAC check noticing;
- the client learns nothing but its own outputs and the public part (a, b, c are
  fresh randomness it alone sees in the clear).
What it does not guarantee: that a client is included — one corrupt server can make any
client fail (by sending bad triple shares or lying about its hash); a dishonest-majority
protocol cannot guarantee delivery anyway. Client ids are not authenticated here (use TLS
client certificates in a deployment): whoever connects first with an id speaks for it.
The values' *meaning* (ranges, monotone curves) is not checked by this module; the
protocols above check what they need (e.g. by bit-decomposed inputs).

Wire format: frames of 1 type byte + 4-byte little-endian length + payload; field elements
as in :mod:`mpc.codec`. Nothing is unpickled; every frame is checked for type and exact
length. Transports: asyncio TCP sockets (:func:`connect_servers`,
:meth:`ClientInputServer.listen`) or in-memory channels (:class:`MemoryHub`, tests).
A command-line client lives in :mod:`mpc.client`.
"""
from __future__ import annotations

import asyncio
import hashlib
import struct
from abc import ABC, abstractmethod
from dataclasses import dataclass, field as dc_field
from typing import Optional, Sequence

from gmpy2 import mpz

from .codec import decode_vector, encode_vector
from .errors import MalformedMessage
from .field import PrimeField
from .session import Session
from .shares import AuthVector

# Frame types.
HELLO, MASKS, INPUT, REFUSE, ACK, REJECT, RESULT = range(1, 8)
_NAMES = {HELLO: "HELLO", MASKS: "MASKS", INPUT: "INPUT", REFUSE: "REFUSE", ACK: "ACK",
          REJECT: "REJECT", RESULT: "RESULT"}
_HEADER = struct.Struct("<BI")
MAX_FRAME = 1 << 26
MAX_ID_BYTES = 256
_ZERO_DIGEST = bytes(32)


class ClientProtocolError(Exception):
    """A peer on a client connection broke the framing or the message sequence."""


class ClientInputError(Exception):
    """Raised at a client: its input or output did not go through; the message says why."""


# --- channels ---------------------------------------------------------------------------
class ClientChannel(ABC):
    """One bidirectional connection between a client and one server (framed messages)."""

    @abstractmethod
    async def send(self, kind: int, payload: bytes) -> None: ...

    @abstractmethod
    async def recv(self, timeout: float) -> tuple[int, bytes]: ...

    @abstractmethod
    def close(self) -> None: ...

    async def expect(self, kind: int, timeout: float) -> bytes:
        got, payload = await self.recv(timeout)
        if got != kind:
            raise ClientProtocolError(f"expected a {_NAMES[kind]} message, got {_NAMES.get(got, got)}")
        return payload


class SocketChannel(ClientChannel):
    """Framed messages over an asyncio TCP stream."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    async def send(self, kind: int, payload: bytes) -> None:
        if len(payload) > MAX_FRAME:
            raise ValueError("frame too large")
        try:
            self.writer.write(_HEADER.pack(kind, len(payload)) + payload)
            await self.writer.drain()
        except (ConnectionError, OSError) as exc:
            raise ClientProtocolError(f"connection lost while sending ({exc})") from None

    async def recv(self, timeout: float) -> tuple[int, bytes]:
        try:
            head = await asyncio.wait_for(self.reader.readexactly(_HEADER.size), timeout)
            kind, length = _HEADER.unpack(head)
            if kind not in _NAMES:
                raise ClientProtocolError(f"unknown message type {kind}")
            if length > MAX_FRAME:
                raise ClientProtocolError(f"frame of {length} bytes exceeds the limit of {MAX_FRAME}")
            payload = await asyncio.wait_for(self.reader.readexactly(length), timeout)
        except asyncio.TimeoutError:
            raise ClientProtocolError(f"no message within {timeout:g} s") from None
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            raise ClientProtocolError("connection closed by the peer") from None
        return kind, payload

    def close(self) -> None:
        try:
            self.writer.close()
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

    async def recv(self, timeout: float) -> tuple[int, bytes]:
        try:
            item = await asyncio.wait_for(self.inbox.get(), timeout)
        except asyncio.TimeoutError:
            raise ClientProtocolError(f"no message within {timeout:g} s") from None
        if item is None:
            raise ClientProtocolError("connection closed by the peer")
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


# --- client side ------------------------------------------------------------------------
async def submit_input(channels: Sequence[ClientChannel], client_id: str, values: Sequence[int],
                       field: Optional[PrimeField] = None, timeout: float = 60.0) -> None:
    """Secret-share `values` to the servers behind `channels` (one per server, in order).

    Returns when every server acknowledged; raises ClientInputError naming the reason
    otherwise (a server's mask shares were inconsistent, a server rejected the input...).
    Acceptance by every server is final only after the servers' agreement step; a client
    excluded there receives a REJECT instead of its result.
    """
    f = field or PrimeField()
    n = len(values)
    ident = client_id.encode()
    try:
        for ch in channels:
            await ch.send(HELLO, ident)
        shares = []
        for i, ch in enumerate(channels):
            payload = await _expect_reply(ch, i, MASKS, "mask shares", "server {i} rejected the client: {reason}",
                                          timeout)
            try:
                shares.append(decode_vector(f, payload, 3 * n, i))
            except MalformedMessage as exc:
                raise ClientInputError(f"server {i} sent malformed mask shares: {exc}") from None
        q = f.q
        a = [sum(col) % q for col in zip(*(sh[:n] for sh in shares))]
        b = [sum(col) % q for col in zip(*(sh[n:2 * n] for sh in shares))]
        c = [sum(col) % q for col in zip(*(sh[2 * n:] for sh in shares))]
        if any((x * y - z) % q for x, y, z in zip(a, b, c)):
            reason = "mask shares are inconsistent (c != a*b): a server cheated; input withheld"
            for ch in channels:
                try:
                    await ch.send(REFUSE, reason.encode())
                except ClientProtocolError:
                    pass
            raise ClientInputError(reason)
        payload = encode_vector(f, f.sub(f.elements(values), a))
        for ch in channels:
            await ch.send(INPUT, payload)
        for i, ch in enumerate(channels):
            await _expect_reply(ch, i, ACK, "ACK", "server {i} rejected the input: {reason}", timeout)
    except ClientProtocolError as exc:
        raise ClientInputError(f"connection problem: {exc}") from None


async def _expect_reply(ch, i: int, expected: int, what: str, on_reject: str, timeout: float) -> bytes:
    """The payload of server i's next message, which must be of kind `expected`; a REJECT
    becomes ClientInputError(on_reject with {i} and {reason} filled in)."""
    kind, payload = await ch.recv(timeout)
    if kind == REJECT:
        raise ClientInputError(on_reject.format(i=i, reason=_text(payload)))
    if kind != expected:
        raise ClientInputError(f"server {i} sent {_NAMES.get(kind, kind)} instead of {what}")
    return payload


async def receive_output(channels: Sequence[ClientChannel], field: Optional[PrimeField] = None,
                         timeout: float = 600.0) -> tuple[bytes, list[int]]:
    """Wait for the servers' RESULT messages; return (public part, own private outputs).

    Checks that all servers sent the same public part and that the private outputs
    pass the v = r·y test (see the module docstring)."""
    f = field or PrimeField()
    publics, shares = [], []
    try:
        for i, ch in enumerate(channels):
            payload = await _expect_reply(ch, i, RESULT, "a result", "excluded by the servers: {reason}", timeout)
            public, private = _split_result(f, payload, i)
            publics.append(public)
            shares.append(private)
    except ClientProtocolError as exc:
        raise ClientInputError(f"connection problem: {exc}") from None
    if any(p != publics[0] for p in publics):
        raise ClientInputError("servers sent different public results: at least one server cheated")
    if any(len(s) != len(shares[0]) for s in shares):
        raise ClientInputError("servers sent different numbers of output shares")
    n = len(shares[0]) // 3
    q = f.q
    tot = [sum(col) % q for col in zip(*shares)]
    y, r, v = tot[:n], tot[n:2 * n], tot[2 * n:]
    if any((ri * yi - vi) % q for yi, ri, vi in zip(y, r, v)):
        raise ClientInputError("output shares fail the v = r*y check: a server altered its share")
    return publics[0], [int(x) for x in y]


def _split_result(f: PrimeField, payload: bytes, sender: int) -> tuple[bytes, list[mpz]]:
    if len(payload) < 8:
        raise ClientInputError(f"server {sender} sent a truncated result")
    (plen,) = struct.unpack_from("<I", payload, 0)
    if 4 + plen + 4 > len(payload):
        raise ClientInputError(f"server {sender} sent a truncated result")
    public = payload[4:4 + plen]
    (count,) = struct.unpack_from("<I", payload, 4 + plen)
    try:
        private = decode_vector(f, payload[8 + plen:], 3 * count, sender)
    except MalformedMessage as exc:
        raise ClientInputError(f"server {sender}: {exc}") from None
    return public, private


def _text(payload: bytes) -> str:
    return payload.decode("utf-8", errors="replace")[:500]


# --- server side ------------------------------------------------------------------------
@dataclass
class _ClientState:
    ident: str
    n: int
    offset: int
    diffs: Optional[list[mpz]] = None
    digest: bytes = _ZERO_DIGEST
    reason: Optional[str] = None
    channel: Optional[ClientChannel] = None
    seen: bool = False
    done: bool = False


@dataclass
class AgreedInputs:
    """What all servers agreed on: the accepted clients' shared inputs, and why the others were excluded."""

    inputs: dict[str, AuthVector]
    rejected: dict[str, str] = dc_field(default_factory=dict)


class ClientInputServer:
    """One computing party's side of the client-input protocol (see the module docstring).

    All servers create it with the same public list of (client id, number of values)
    and call prepare → (listen / MemoryHub.attach) → collect → agree → send_outputs in
    the same order.
    """

    def __init__(self, session: Session, clients: Sequence[tuple[str, int]], *,
                 timeout: float = 60.0, log=None):
        ids = [c for c, _ in clients]
        if len(set(ids)) != len(ids):
            raise ValueError("client ids must be unique")
        self.s = session
        self.f = session.field
        self.timeout = timeout
        self.log = log or (lambda msg: None)
        self.clients: list[_ClientState] = []
        off = 0
        for ident, n in clients:
            if n < 1:
                raise ValueError(f"client {ident!r} must send at least one value")
            self.clients.append(_ClientState(ident, n, off))
            off += n
        self.total = off
        self.by_id = {c.ident: c for c in self.clients}
        self._pending = len(self.clients)
        self._all_done = asyncio.Event()
        if not self.clients:
            self._all_done.set()
        self._closed = False
        self._tasks: set[asyncio.Task] = set()
        self._server: Optional[asyncio.base_events.Server] = None
        self.triples: Optional[tuple[AuthVector, AuthVector, AuthVector]] = None
        self._deadline: Optional[float] = None

    async def prepare(self) -> None:
        """Reserve one triple per client value (preprocessing, before clients connect)."""
        self.triples = await self.s.prep.triples(self.total)

    # connections --------------------------------------------------------------------
    async def listen(self, host: str, port: int) -> None:
        """Accept client connections on host:port until :meth:`collect` returns."""
        self._server = await asyncio.start_server(
            lambda r, w: self._spawn(SocketChannel(r, w)), host, port, limit=MAX_FRAME)

    def _spawn(self, channel: ClientChannel) -> None:
        task = asyncio.get_running_loop().create_task(self.handle(channel))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _finish(self, c: _ClientState) -> None:
        if not c.done:
            c.done = True
            self._pending -= 1
            if self._pending == 0:
                self._all_done.set()

    async def handle(self, ch: ClientChannel) -> None:
        """Serve one client connection: HELLO → MASKS → INPUT (or REFUSE) → ACK.

        Anything unexpected rejects this client only (with a REJECT naming the reason);
        the server goes on serving the others."""
        c: Optional[_ClientState] = None
        try:
            hello = await ch.expect(HELLO, self.timeout)
            if len(hello) > MAX_ID_BYTES:
                raise ClientProtocolError("client id too long")
            try:
                ident = hello.decode("utf-8")
            except UnicodeDecodeError:
                raise ClientProtocolError("client id is not UTF-8") from None
            c = self.by_id.get(ident)
            if c is None:
                raise ClientProtocolError(f"unknown client id {ident!r}")
            if c.seen or self._closed:
                other = c
                c = None  # do not disturb the state of the first connection with this id
                raise ClientProtocolError(
                    f"client {other.ident!r} already connected" if other.seen else "input window closed")
            c.seen = True
            await ch.send(MASKS, encode_vector(self.f, self._mask_shares(c)))
            kind, payload = await ch.recv(self.timeout)
            if kind == REFUSE:
                raise ClientProtocolError(f"client refused its masks: {_text(payload)}")
            if kind != INPUT:
                raise ClientProtocolError(f"expected an INPUT message, got {_NAMES.get(kind, kind)}")
            try:
                diffs = decode_vector(self.f, payload, c.n)
            except MalformedMessage as exc:
                raise ClientProtocolError(f"malformed input ({exc.detail})") from None
            if self._closed:
                raise ClientProtocolError("input window closed")
            c.diffs = diffs
            c.digest = hashlib.sha256(b"client-input|" + c.ident.encode() + b"|" + payload).digest()
            c.channel = ch
            await ch.send(ACK, b"")
        except ClientProtocolError as exc:
            reason = str(exc)
            if c is not None:
                c.reason = reason
                c.diffs, c.digest, c.channel = None, _ZERO_DIGEST, None
            self.log(f"client {c.ident if c else '?'} rejected: {reason}")
            try:
                await ch.send(REJECT, reason.encode())
            except (ClientProtocolError, ValueError):
                pass
            ch.close()
        finally:
            if c is not None:
                self._finish(c)

    # hooks that tests override to play a corrupt server ---------------------------------
    def _mask_shares(self, c: _ClientState) -> list[mpz]:
        """This server's value shares (a, b, c) of the triples reserved for client c."""
        a, b, t = self.triples
        lo, hi = c.offset, c.offset + c.n
        return a.values[lo:hi] + b.values[lo:hi] + t.values[lo:hi]

    def _output_shares(self, ident: str, y: list[mpz], r: list[mpz], v: list[mpz]) -> list[mpz]:
        """This server's value shares of (y, r, v) sent to client `ident`."""
        return y + r + v

    async def collect(self, window: float) -> None:
        """Wait until every registered client has finished its input, or `window` seconds."""
        loop = asyncio.get_running_loop()
        self._deadline = loop.time() + window
        try:
            await asyncio.wait_for(self._all_done.wait(), window)
        except asyncio.TimeoutError:
            pass
        self._closed = True
        for c in self.clients:
            if not c.done:
                c.reason = c.reason or "no input before the input window closed"
                c.diffs, c.digest = None, _ZERO_DIGEST
                self._finish(c)
        if self._server is not None:
            self._server.close()

    # agreement ---------------------------------------------------------------------
    async def agree(self) -> AgreedInputs:
        """One broadcast among servers of every client's input hash; accept a client iff all
        servers hold the same valid input. Excluded clients get a REJECT."""
        n = len(self.clients)
        mine = b"".join(c.digest for c in self.clients)
        # Another server may still be waiting for a client that finished here (or that never
        # contacted this server) until its own input window closes; wait for it that long
        # plus the usual timeout, instead of aborting on a slow peer.
        t = self.s.transport
        saved = t.timeout
        left = self._deadline - asyncio.get_running_loop().time() if self._deadline else 0.0
        t.timeout = saved + max(0.0, left)
        try:
            views = await self.s.broadcast_bytes(mine, 32 * n)
        finally:
            t.timeout = saved
        # Verify now that every server saw the same hashes (a server telling different
        # servers different things is caught here), so that all honest servers go on with
        # the same set of clients.
        await self.s.mac_check()
        a = self.triples[0]
        agreed = AgreedInputs({})
        for i, c in enumerate(self.clients):
            seen = [v[32 * i:32 * (i + 1)] for v in views]
            missing = [p for p, d in enumerate(seen) if d == _ZERO_DIGEST]
            if missing:
                reason = c.reason or f"server(s) {missing} received no valid input from this client"
            elif any(d != seen[0] for d in seen):
                reason = "servers received different inputs from this client (equivocation)"
            else:
                agreed.inputs[c.ident] = a[c.offset:c.offset + c.n] + c.diffs
                continue
            agreed.rejected[c.ident] = reason
            await self._reject(c, reason)
        return agreed

    async def exclude(self, ident: str, reason: str) -> None:
        """Tell an accepted client it was excluded later (e.g. its values failed a range
        check of the protocol above) and drop its connection: it gets no result."""
        await self._reject(self.by_id[ident], reason)

    @staticmethod
    async def _reject(c, reason: str) -> None:
        """Tell the client why it is out (best effort) and drop its connection."""
        if c.channel is not None:
            try:
                await c.channel.send(REJECT, reason.encode())
            except ClientProtocolError:
                pass
            c.channel.close()
            c.channel = None

    # outputs ------------------------------------------------------------------------
    async def send_outputs(self, public: bytes, private: dict[str, AuthVector]) -> None:
        """Send every accepted client the public part, and the clients named in `private`
        their authenticated private outputs (see the module docstring)."""
        names = [c.ident for c in self.clients if c.ident in private]
        auth: dict[str, tuple[list, list, list]] = {}
        if names:
            ys = AuthVector.concat([private[nm] for nm in names])
            r = (await self.s.prep.triples(len(ys)))[0]
            v = await self.s.mul(r, ys)
            at = 0
            for nm in names:
                k = len(private[nm])
                auth[nm] = (ys.values[at:at + k], r.values[at:at + k], v.values[at:at + k])
                at += k
        # Nothing leaves the servers before everything opened so far is verified.
        await self.s.mac_check()
        head = struct.pack("<I", len(public)) + public
        for c in self.clients:
            if c.channel is None:
                continue
            if c.ident in auth:
                y, r, v = auth[c.ident]
                body = struct.pack("<I", len(y)) + encode_vector(self.f, self._output_shares(c.ident, y, r, v))
            else:
                body = struct.pack("<I", 0)
            try:
                await c.channel.send(RESULT, head + body)
            except ClientProtocolError:
                pass

    async def close(self, reason: Optional[str] = None) -> None:
        """Stop accepting, drop every client connection and cancel pending handlers. With a
        reason (the servers aborted), each connected client first gets a REJECT carrying it."""
        if self._server is not None:
            self._server.close()
        for c in self.clients:
            if reason is not None:
                await self._reject(c, reason)
            elif c.channel is not None:
                c.channel.close()
                c.channel = None
        for t in list(self._tasks):
            t.cancel()
