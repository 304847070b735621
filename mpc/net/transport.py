"""Party-to-party connections over TCP, with TLS and authenticated party identities.

Party i listens on its own address; every party j > i dials it (so each pair has one
connection). A connection starts with a handshake (mpc.net.handshake): the dialler says
which party it is and which it wants to reach, the listener accepts or refuses with a
reason. The listener refuses a claimed index that is out of range, that should not dial
it (j ≤ i), that already has a connection, or — with TLS — whose certificate does not
name exactly that party of a session of this size (mpc.net.identity); the dialler
likewise checks that the certificate at the address it dials names the party it wants.
So with TLS no party can speak for another, whatever it sends and whoever wins a race to
connect. Without TLS there is no proof of identity at all: such sessions are allowed only
when every address is on this machine (mpc.launch enforces that, and so does this class),
and they trust every user of the machine.

After the handshake every message is a frame (mpc.net.framing) whose length is checked
against the session's maximum before it is read. A peer that sends two messages for one
step, runs further ahead than the buffer limit, announces an oversized frame or stops
reading what this party sends is cut off, and whatever waits for it fails with an MPCAbort
naming it. Payloads are bytes handed to the strict decoders of the layer above: nothing a
peer sends is ever unpickled or evaluated.
"""
from __future__ import annotations

import asyncio
import ipaddress
import ssl
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from ..errors import AuthenticationFailure, MalformedMessage, MPCAbort, PeerDisconnected, PeerTimeout
from ..transport import DEFAULT_TIMEOUT, Transport
from .framing import CLOSE_LABEL, DEFAULT_MAX_FRAME, HANDSHAKE_LABEL, MAX_HANDSHAKE, encode_frame, read_frame
from .handshake import HandshakeError, Hello, Welcome
from .identity import CertPaths, client_context, peer_identity, server_context

#: seconds a new connection has to complete TLS and the handshake
HANDSHAKE_TIMEOUT = 10.0
_CONNECTION_ERRORS = (asyncio.IncompleteReadError, ConnectionError, OSError, ssl.SSLError)


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only: "localhost" or a loopback address."""
    h = host.strip("[]")
    if h.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


@dataclass
class _Peer:
    """One authenticated connection and what arrived on it."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    mailbox: dict[int, bytes] = field(default_factory=dict)
    waiters: dict[int, asyncio.Future] = field(default_factory=dict)
    consumed: set[int] = field(default_factory=set)
    buffered: int = 0
    error: Optional[MPCAbort] = None
    task: Optional[asyncio.Task] = None


class NetTransport(Transport):
    """Labelled byte messages between the m parties at `addresses` (index = party)."""

    def __init__(self, pid: int, addresses: Sequence[tuple[str, int]], *, timeout: float = DEFAULT_TIMEOUT,
                 tls: Optional[CertPaths] = None, max_frame: int = DEFAULT_MAX_FRAME,
                 bind_host: Optional[str] = None, log: Optional[Callable[[str], None]] = None):
        super().__init__(pid, len(addresses), timeout)
        remote = [h for i, (h, _) in enumerate(addresses) if i != pid and not is_loopback(h)]
        if tls is None and remote:
            raise ValueError(f"party address {remote[0]} is not on this machine: TLS is required "
                             "(--ssl with certificates from python -m mpc.certs)")
        self.addresses = list(addresses)
        self.tls = tls
        self.max_frame = max_frame
        # how far a peer may run ahead of this party (messages it sent that nobody read yet)
        self.buffer_limit = 4 * max_frame
        self.bind_host = bind_host if bind_host is not None else addresses[pid][0]
        self.log = log or (lambda msg: None)
        self.handshake_timeout = min(timeout, HANDSHAKE_TIMEOUT)
        self.refusals: list[str] = []
        self._peers: dict[int, _Peer] = {}
        self._server: Optional[asyncio.base_events.Server] = None
        self._all_connected: Optional[asyncio.Event] = None
        self._handshaking = 0
        self._closing = False

    # connecting ------------------------------------------------------------------------
    async def connect(self) -> None:
        """Listen for parties j > pid, dial parties j < pid; return when all m − 1 are
        connected and authenticated. PeerTimeout after `timeout` seconds (naming refused
        connections, if any), AuthenticationFailure when a party this one dials cannot
        prove who it is or refuses this one."""
        self._all_connected = asyncio.Event()
        if self.pid < self.m - 1:
            host = self.bind_host or None
            self._server = await asyncio.start_server(
                self._on_connection, host, self.addresses[self.pid][1], reuse_address=True,
                ssl=server_context(self.tls) if self.tls else None, ssl_handshake_timeout=self._ssl_timeout())
        dials = [asyncio.ensure_future(self._dial(j)) for j in range(self.pid)]
        self._check_complete()
        try:
            await asyncio.wait_for(self._wait_all(dials), self.timeout)
        except asyncio.TimeoutError:
            missing = [j for j in range(self.m) if j != self.pid and j not in self._peers]
            extra = f"; refused: {'; '.join(self.refusals[:3])}" if self.refusals else ""
            self.abandon()
            raise PeerTimeout(f"party {self.pid} could not connect to part{'ies' if len(missing) > 1 else 'y'} "
                              f"{', '.join(map(str, missing))} within {self.timeout:g} s{extra}") from None
        except BaseException:
            self.abandon()
            raise
        finally:
            for d in dials:
                d.cancel()

    def _ssl_timeout(self) -> Optional[float]:
        return self.handshake_timeout if self.tls else None

    async def _wait_all(self, dials: list[asyncio.Future]) -> None:
        if dials:
            await asyncio.gather(*dials)
        await self._all_connected.wait()

    def _check_complete(self) -> None:
        if len(self._peers) == self.m - 1:
            self._all_connected.set()
            if self._server is not None:
                self._server.close()   # nobody else is expected

    def _register(self, peer: int, reader, writer) -> None:
        p = _Peer(reader, writer)
        self._peers[peer] = p
        p.task = asyncio.ensure_future(self._read_loop(peer, p))
        self._check_complete()

    def _refuse(self, what: str) -> None:
        if len(self.refusals) < 20:
            self.refusals.append(what)
        self.log(f"refused a connection: {what}")

    # the listening side ------------------------------------------------------------------
    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # at most a few connections in the handshake at once: strangers cannot pile up
        if self._closing or self._all_connected.is_set() or self._handshaking >= 2 * self.m + 8:
            writer.transport.abort()
            return
        self._handshaking += 1
        try:
            accepted = await asyncio.wait_for(self._accept(reader, writer), self.handshake_timeout)
        except asyncio.TimeoutError:
            self._refuse(f"{_address(writer)}: no handshake within {self.handshake_timeout:g} s")
            accepted = False
        except _CONNECTION_ERRORS as exc:
            self._refuse(f"{_address(writer)}: {type(exc).__name__} during the handshake")
            accepted = False
        finally:
            self._handshaking -= 1
        if not accepted:
            writer.transport.abort()

    async def _accept(self, reader, writer) -> bool:
        try:
            label, data = await read_frame(reader, MAX_HANDSHAKE, _address(writer))
            if label != HANDSHAKE_LABEL:
                raise HandshakeError("the first message is not a handshake")
            hello = Hello.decode(data)
        except (MalformedMessage, HandshakeError) as exc:
            self._refuse(f"{_address(writer)}: {exc}")
            return False
        reason = self._judge(hello, writer)
        if reason is not None:
            self._refuse(f"{_address(writer)} claiming party {hello.claimed}: {reason}")
            writer.write(encode_frame(HANDSHAKE_LABEL, Welcome(self.m, self.pid, False, reason).encode()))
            await writer.drain()
            return False
        writer.write(encode_frame(HANDSHAKE_LABEL, Welcome(self.m, self.pid, True).encode()))
        await writer.drain()
        self._register(hello.claimed, reader, writer)
        return True

    def _judge(self, hello: Hello, writer) -> Optional[str]:
        """Why a connection must be refused, or None to accept it."""
        if hello.m != self.m:
            return f"this session has {self.m} parties, the peer expects {hello.m}"
        if hello.target != self.pid:
            return f"this is party {self.pid}, not party {hello.target}"
        if not 0 <= hello.claimed < self.m or hello.claimed <= self.pid:
            return f"party {hello.claimed} is not one that connects to party {self.pid}"
        if self.tls is not None:
            bound = peer_identity(writer.get_extra_info("ssl_object"))
            if bound is None:
                return "its certificate does not name a party"
            if bound != (hello.claimed, self.m):
                return f"its certificate is bound to party {bound[0]} of {bound[1]}"
        if hello.claimed in self._peers:
            return f"party {hello.claimed} is already connected"
        return None

    # the dialling side ---------------------------------------------------------------------
    async def _dial(self, j: int) -> None:
        host, port = self.addresses[j]
        while True:
            try:
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=client_context(self.tls) if self.tls else None,
                    ssl_handshake_timeout=self._ssl_timeout())
                break
            except ssl.SSLEOFError:
                await asyncio.sleep(0.1)  # the listener dropped the connection (busy): try again
            except ssl.SSLError as exc:
                # a certificate that does not verify, or a peer that refused ours
                raise AuthenticationFailure(f"TLS with party {j} at {host}:{port} failed: {exc}") from None
            except OSError:
                await asyncio.sleep(0.1)  # not listening yet: try again (connect() bounds the wait)
        try:
            if self.tls is not None:
                bound = peer_identity(writer.get_extra_info("ssl_object"))
                if bound != (j, self.m):
                    who = "no party" if bound is None else f"party {bound[0]} of {bound[1]}"
                    raise AuthenticationFailure(f"the certificate at {host}:{port} names {who}, not party {j} "
                                                f"of {self.m}")
            writer.write(encode_frame(HANDSHAKE_LABEL, Hello(self.m, self.pid, j).encode()))
            await writer.drain()
            label, data = await asyncio.wait_for(read_frame(reader, MAX_HANDSHAKE, f"party {j}"),
                                                 self.handshake_timeout)
            if label != HANDSHAKE_LABEL:
                raise AuthenticationFailure(f"party {j} at {host}:{port} did not answer the handshake")
            welcome = Welcome.decode(data)
            if not welcome.accepted:
                raise AuthenticationFailure(f"party {j} at {host}:{port} refused this party: {welcome.reason}")
            if (welcome.m, welcome.pid) != (self.m, j):
                raise AuthenticationFailure(f"{host}:{port} answered as party {welcome.pid} of {welcome.m}, "
                                            f"not party {j} of {self.m}")
        except (HandshakeError, MalformedMessage, asyncio.TimeoutError, *_CONNECTION_ERRORS) as exc:
            writer.transport.abort()
            raise AuthenticationFailure(f"handshake with party {j} at {host}:{port} failed: "
                                        f"{exc or type(exc).__name__}") from None
        except BaseException:
            writer.transport.abort()
            raise
        self._register(j, reader, writer)

    # messages ----------------------------------------------------------------------------
    async def _read_loop(self, peer: int, p: _Peer) -> None:
        try:
            while True:
                label, payload = await read_frame(p.reader, self.max_frame, f"party {peer}")
                self._deliver(peer, p, label, payload)
        except MalformedMessage as exc:
            self._fail(peer, exc)
        except _CONNECTION_ERRORS:
            if not self._closing:
                self._fail(peer, PeerDisconnected(f"connection to party {peer} lost"))
        except asyncio.CancelledError:
            pass

    def _deliver(self, peer: int, p: _Peer, label: int, payload: bytes) -> None:
        if label == HANDSHAKE_LABEL or label in p.consumed or label in p.mailbox:
            raise MalformedMessage(f"party {peer} sent a second message for step {label}")
        waiter = p.waiters.pop(label, None)
        if waiter is not None and not waiter.done():
            p.consumed.add(label)
            waiter.set_result(payload)
            return
        p.mailbox[label] = payload
        p.buffered += len(payload)
        if p.buffered > self.buffer_limit:
            raise MalformedMessage(f"party {peer} ran {p.buffered} bytes ahead of the protocol "
                                   f"(limit {self.buffer_limit})")

    def _fail(self, peer: int, exc: MPCAbort) -> None:
        p = self._peers[peer]
        if p.error is None:
            p.error = exc
        for fut in p.waiters.values():
            if not fut.done():
                fut.set_exception(p.error)
        p.waiters.clear()
        p.writer.transport.abort()

    def _send(self, peer: int, label: int, payload: bytes) -> None:
        p = self._peers.get(peer)
        if p is None or p.error is not None:
            return  # the matching receive reports the failure
        p.writer.write(encode_frame(label, payload))
        if p.writer.transport.get_write_buffer_size() > self.buffer_limit:
            self._fail(peer, PeerTimeout(f"party {peer} does not read what party {self.pid} sends"))

    async def _recv(self, peer: int, label: int) -> bytes:
        p = self._peers.get(peer)
        if p is None:
            raise PeerDisconnected(f"no connection to party {peer}")
        if label in p.mailbox:
            payload = p.mailbox.pop(label)
            p.buffered -= len(payload)
            p.consumed.add(label)
            return payload
        if p.error is not None:
            raise p.error
        if label in p.waiters:
            raise RuntimeError(f"duplicate receive for step {label}")
        fut = asyncio.get_running_loop().create_future()
        p.waiters[label] = fut
        try:
            return await fut
        finally:
            p.waiters.pop(label, None)

    # closing -----------------------------------------------------------------------------
    async def close(self) -> None:
        """Barrier on a close message, then close the connections."""
        peers = [p for p in range(self.m) if p != self.pid]
        for p in peers:
            self._send(p, CLOSE_LABEL, b"")
        try:
            await asyncio.gather(*(self.recv(p, CLOSE_LABEL) for p in peers))
        finally:
            self._closing = True
            for p in self._peers.values():
                p.writer.close()
                if p.task is not None:
                    p.task.cancel()
            if self._server is not None:
                self._server.close()

    def abandon(self) -> None:
        """Drop every connection at once (after an abort): peers notice immediately."""
        self._closing = True
        for p in self._peers.values():
            p.writer.transport.abort()
            if p.task is not None:
                p.task.cancel()
        if self._server is not None:
            self._server.close()


def _address(writer) -> str:
    peer = writer.get_extra_info("peername")
    return f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) and len(peer) >= 2 else "a peer"
