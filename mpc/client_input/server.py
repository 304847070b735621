"""A computing party's side of the client-input protocol: hand out mask shares, collect
inputs, agree with the other servers on who is in, and send authenticated outputs."""
from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from dataclasses import dataclass, field as dc_field
from typing import Callable, Optional, Sequence

from gmpy2 import mpz

from ..errors import MalformedMessage
from ..session import Session
from ..shares import AuthVector
from .channels import ClientChannel, SocketChannel
from .wire import (ACK, AUTH, CHALLENGE, HELLO, INPUT, MASKS, MAX_AUTH, MAX_ID_BYTES, MAX_REASON, NONCE_BYTES, NOTICE,
                   REFUSE, REJECT, REPLY, REQUEST, RESULT, ClientProtocolError, auth_message, decode_hello,
                   decode_input, encode_masks, encode_result, text)

#: decides whether `signature` proves that client `ident` signed `message` (its registered key)
Authenticator = Callable[[str, bytes, bytes], bool]

#: connections that have not yet named a registered client (a valid HELLO) at any time,
#: at least; more are closed at once, so idle or hostile connections cannot exhaust the
#: server. By default the cap is this or the number of registered clients, whichever is
#: larger: every registered client may connect at the same moment (a burst of households
#: beyond a fixed cap used to be shut out: households in issue 16, and
#: 701 of 5,000 bidders connecting 200 at a time to a busy server).
DEFAULT_MAX_PENDING = 64
#: the longest per-server reason for a client's exclusion that the servers exchange
MAX_SHARED_REASON = 200
#: seconds a new connection has to send its HELLO
DEFAULT_HELLO_TIMEOUT = 10.0

_ZERO_DIGEST = bytes(32)


@dataclass
class _ClientState:
    ident: str
    n: int
    offset: int
    diffs: Optional[list[mpz]] = None
    masked: bytes = b""
    attachment: bytes = b""
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
    #: per accepted client: its masked input d exactly as sent, and its public attachment
    masked: dict[str, bytes] = dc_field(default_factory=dict)
    attachments: dict[str, bytes] = dc_field(default_factory=dict)


@dataclass
class AgreedReplies:
    """The answers all servers got alike from the clients asked, and why the others are out."""

    replies: dict[str, bytes]
    rejected: dict[str, str] = dc_field(default_factory=dict)


class ClientInputServer:
    """One computing party's side of the client-input protocol (see the module docstring).

    All servers create it with the same public list of (client id, number of values)
    and call prepare → (listen / MemoryHub.attach) → collect → agree → send_outputs in
    the same order.
    """

    def __init__(self, session: Session, clients: Sequence[tuple[str, int]], *,
                 timeout: float = 60.0, log=None, max_pending: Optional[int] = None,
                 hello_timeout: float = DEFAULT_HELLO_TIMEOUT, authenticate: Optional[Authenticator] = None,
                 context: bytes = b"", attachment_limit: int = 0):
        """`authenticate`: if given, a client must sign this server's fresh nonce (bound to
        `context` and the server's index, see wire.auth_message) before it gets anything, and
        a connection that fails does not take the client's place. `attachment_limit`: clients
        may append up to that many public bytes to their input (a proof, say); servers agree
        on them together with the input. `max_pending`: connections kept that have not named
        a registered client yet (default: DEFAULT_MAX_PENDING or the number of clients,
        whichever is larger)."""
        ids = [c for c, _ in clients]
        if len(set(ids)) != len(ids):
            raise ValueError("client ids must be unique")
        self.s = session
        self.f = session.field
        self.timeout = timeout
        self.max_pending = max(DEFAULT_MAX_PENDING, len(clients)) if max_pending is None else max_pending
        self.hello_timeout = min(hello_timeout, timeout)
        self._unnamed = 0  # connections that have not named a registered client yet
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
        self._channels: list[ClientChannel] = []   # every connection served (for traffic())
        self._server: Optional[asyncio.base_events.Server] = None
        self.triples: Optional[tuple[AuthVector, AuthVector, AuthVector]] = None
        self._deadline: Optional[float] = None
        self.authenticate = authenticate
        self.context = context
        self.attachment_limit = attachment_limit

    async def prepare(self) -> None:
        """Reserve one triple per client value (preprocessing, before clients connect)."""
        self.triples = await self.s.triples(self.total)

    # connections --------------------------------------------------------------------
    async def listen(self, host: str, port: int) -> None:
        """Accept client connections on host:port until :meth:`collect` returns."""
        self._server = await asyncio.start_server(
            lambda r, w: self._spawn(SocketChannel(r, w, send_timeout=self.timeout)), host, port)

    def _spawn(self, channel: ClientChannel) -> None:
        if self._unnamed >= self.max_pending:
            self.log(f"refused a connection: {self.max_pending} connections have not said who they are yet")
            channel.close()
            return
        self._unnamed += 1
        self._channels.append(channel)
        task = asyncio.get_running_loop().create_task(self.handle(channel))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def client_traffic(self) -> dict[str, int]:
        """Frames and bytes this server sent to and received from clients so far (over every
        connection it served, refused ones included), and the number of connections."""
        out = {"connections": len(self._channels), "sent_messages": 0, "sent_bytes": 0, "received_messages": 0,
               "received_bytes": 0}
        for ch in self._channels:
            for k, v in ch.traffic().items():
                out[k] += v
        return out

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
        unnamed = True
        try:
            ident = decode_hello(await ch.expect(HELLO, self.hello_timeout, MAX_ID_BYTES))
            c = self.by_id.get(ident)
            if c is None:
                raise ClientProtocolError(f"unknown client id {ident!r}")
            if c.seen or self._closed:
                other = c
                c = None  # do not disturb the state of the first connection with this id
                raise ClientProtocolError(
                    f"client {other.ident!r} already connected" if other.seen else "input window closed")
            if self.authenticate is not None:
                claimed, c = c, None   # an impostor fails here and leaves the client's state alone
                await self._challenge(ch, ident)
                c = claimed
                if c.seen or self._closed:
                    other, c = c, None
                    raise ClientProtocolError(
                        f"client {other.ident!r} already connected" if other.seen else "input window closed")
            c.seen = True
            self._unnamed -= 1
            unnamed = False
            n = c.n
            shares = self._mask_shares(c)
            await ch.send(MASKS, encode_masks(self.f, shares[:n], shares[n:2 * n], shares[2 * n:]))
            width = n * self.f.nbytes
            kind, payload = await ch.recv(self.timeout, {INPUT: width + self.attachment_limit, REFUSE: MAX_REASON})
            if kind == REFUSE:
                raise ClientProtocolError(f"client refused its masks: {text(payload)}")
            if len(payload) < width:
                raise ClientProtocolError(f"malformed input (expected {n} field elements)")
            diffs = decode_input(self.f, payload[:width], c.n)
            if self._closed:
                raise ClientProtocolError("input window closed")
            c.diffs, c.masked, c.attachment = diffs, payload[:width], payload[width:]
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
            if unnamed:
                self._unnamed -= 1
            if c is not None:
                self._finish(c)

    async def _challenge(self, ch: ClientChannel, ident: str) -> None:
        nonce = secrets.token_bytes(NONCE_BYTES)
        await ch.send(CHALLENGE, nonce)
        signature = await ch.expect(AUTH, self.timeout, MAX_AUTH)
        message = auth_message(self.context, self.s.pid, ident, nonce)
        try:
            ok = self.authenticate(ident, message, signature)
        except Exception:  # noqa: BLE001 — a verifier that trips on a malformed signature refuses it
            ok = False
        if not ok:
            raise ClientProtocolError(f"client {ident!r} failed to prove its identity")

    # hooks that tests override to play a corrupt server ---------------------------------
    def _mask_shares(self, c: _ClientState) -> list[mpz]:
        """This server's value shares (a, b, c) of the triples reserved for client c."""
        a, b, t = self.triples
        lo, hi = c.offset, c.offset + c.n
        return a.values[lo:hi] + b.values[lo:hi] + t.values[lo:hi]

    def _result_values(self, ident: str, masked: list[mpz]) -> list[mpz]:
        """The masked outputs y + b this server sends client `ident` (the same at every
        honest server: they were opened and MAC-checked among the servers)."""
        return masked

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
        missing = {c.ident: [p for p, v in enumerate(views) if v[32 * i:32 * (i + 1)] == _ZERO_DIGEST]
                   for i, c in enumerate(self.clients)}
        local = {c.ident: c.reason or "no valid input from this client" for c in self.clients}
        why = await self._agree_on_reasons({k: v for k, v in missing.items() if v}, local)
        a = self.triples[0]
        agreed = AgreedInputs({})
        for i, c in enumerate(self.clients):
            seen = [v[32 * i:32 * (i + 1)] for v in views]
            if missing[c.ident]:
                reason = why[c.ident]
            elif any(d != seen[0] for d in seen):
                reason = "servers received different inputs from this client (equivocation)"
            else:
                agreed.inputs[c.ident] = a[c.offset:c.offset + c.n] + c.diffs
                agreed.masked[c.ident], agreed.attachments[c.ident] = c.masked, c.attachment
                continue
            agreed.rejected[c.ident] = reason
            await self._reject(c, reason)
        return agreed

    async def _agree_on_reasons(self, missing: dict[str, list[int]], local: dict[str, str]) -> dict[str, str]:
        """The same reason at every server for each client that some servers lack (`missing`:
        client → those servers, the same at every server after a MAC check): each of them
        broadcasts its own reason (`local`, cut to MAX_SHARED_REASON bytes), and the agreed
        reason is that reason if all servers lack the client for the same one, else every
        lacking server's reason prefixed by its index. A server's local reason alone differs
        from server to server (one saw the client hang up, another never heard from it), and
        a result that names it differs too: every honest client would refuse the results
        (issue 16). The broadcast is MAC-checked before this returns."""
        if not missing:
            return {}
        names = list(missing)
        mine = [local[nm].encode("utf-8", errors="replace")[:MAX_SHARED_REASON].decode("utf-8", errors="ignore")
                if self.s.pid in missing[nm] else "" for nm in names]
        got = await self.s.broadcast_variable(json.dumps(mine).encode(), 16 + len(names) * 8 * MAX_SHARED_REASON)
        await self.s.mac_check()
        views = []
        for p, raw in enumerate(got):
            try:
                theirs = json.loads(raw.decode("utf-8"))
                if not isinstance(theirs, list) or len(theirs) != len(names) or \
                        any(not isinstance(r, str) or len(r) > MAX_SHARED_REASON for r in theirs):
                    raise ValueError
            except (UnicodeDecodeError, ValueError):
                raise self.s.abort(MalformedMessage(f"party {p} sent malformed exclusion reasons")) from None
            views.append(theirs)
        out = {}
        for i, nm in enumerate(names):
            said = {p: (views[p][i] or "(no reason given)") for p in missing[nm]}
            if len(said) == self.s.m and len(set(said.values())) == 1:
                out[nm] = said[0]
            else:
                out[nm] = "; ".join(f"server {p}: {r}" for p, r in said.items())
        return out

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
        their private outputs, masked by values only they know (see the module docstring).
        Everything opened so far is MAC-checked before anything is sent. Clients are served
        concurrently; one that does not read within the timeout is dropped."""
        names = [c.ident for c in self.clients if c.ident in private]
        masked: dict[str, list[mpz]] = {}
        if names:
            ys = AuthVector.concat([private[nm] for nm in names])
            keys = AuthVector.concat([self._output_keys(self.by_id[nm], len(private[nm])) for nm in names])
            opened = await self.s.open_checked(ys + keys)
            at = 0
            for nm in names:
                k = len(private[nm])
                masked[nm] = [mpz(v) for v in opened[at:at + k]]
                at += k
        else:
            await self.s.mac_check()
        await asyncio.gather(*(self._send_result(c, encode_result(self.f, public,
                                                                  self._result_values(c.ident, masked.get(c.ident, []))))
                               for c in self.clients if c.channel is not None))

    async def exchange(self, requests: dict[str, bytes], reply_limit: int, window: float) -> AgreedReplies:
        """Ask each client named in `requests` (still connected) a question and collect its
        answer (at most `reply_limit` bytes) until `window` seconds from now; then agree with
        the other servers, as for inputs, on who answered what. All servers pass the same
        requests.

        The window is the time every client has to answer (it may have a proof to compute,
        and many clients may share a machine), however long that is against the servers'
        own timeout: a server whose clients have all answered waits for the others in the
        agreement for as long as the window still runs, plus its usual timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + window
        replies: dict[str, bytes] = {}
        reasons: dict[str, str] = {}

        async def ask(c: _ClientState) -> None:
            try:
                await c.channel.send(REQUEST, requests[c.ident])
                replies[c.ident] = await c.channel.expect(REPLY, max(0.0, deadline - loop.time()), reply_limit)
            except ClientProtocolError as exc:
                reasons[c.ident] = f"no answer ({exc})"

        asked = [c for c in self.clients if c.ident in requests and c.channel is not None]
        for c in self.clients:
            if c.ident in requests and c.channel is None:
                reasons[c.ident] = "not connected"
        await asyncio.gather(*(ask(c) for c in asked))
        names = sorted(requests)
        mine = b"".join(hashlib.sha256(b"client-reply|" + nm.encode() + b"|" + replies[nm]).digest()
                        if nm in replies else _ZERO_DIGEST for nm in names)
        t = self.s.transport
        saved = t.timeout
        t.timeout = saved + max(0.0, deadline - loop.time())
        try:
            views = await self.s.broadcast_bytes(mine, 32 * len(names))
        finally:
            t.timeout = saved
        await self.s.mac_check()   # every server saw the same digests before anyone goes on
        missing = {nm: [p for p, v in enumerate(views) if v[32 * i:32 * (i + 1)] == _ZERO_DIGEST]
                   for i, nm in enumerate(names)}
        why = await self._agree_on_reasons({k: v for k, v in missing.items() if v},
                                           {nm: reasons.get(nm, "no answer") for nm in names})
        agreed = AgreedReplies({})
        for i, nm in enumerate(names):
            seen = [v[32 * i:32 * (i + 1)] for v in views]
            if missing[nm]:
                agreed.rejected[nm] = why[nm]
            elif any(d != seen[0] for d in seen):
                agreed.rejected[nm] = "servers got different answers from this client (equivocation)"
            else:
                agreed.replies[nm] = replies[nm]
        return agreed

    async def notify(self, public: bytes) -> None:
        """Send every connected client a final public notice (e.g. where the outcome was
        recorded); clients accept it only if every server sent the same bytes."""
        async def tell(c: _ClientState) -> None:
            try:
                await c.channel.send(NOTICE, public)
            except ClientProtocolError:
                pass
        await asyncio.gather(*(tell(c) for c in self.clients if c.channel is not None))

    def _output_keys(self, c: _ClientState, k: int) -> AuthVector:
        """⟨b⟩ of the first k triples reserved for client c: uniform, known in the clear to
        the client alone (it added up and checked them against c = a·b at input time), and
        used for nothing else."""
        if k > c.n:
            raise ValueError(f"client {c.ident!r} can receive at most {c.n} private outputs (one per input value)")
        return self.triples[1][c.offset:c.offset + k]

    async def _send_result(self, c: _ClientState, payload: bytes) -> None:
        try:
            await c.channel.send(RESULT, payload)
        except ClientProtocolError as exc:
            self.log(f"client {c.ident} did not take its result: {exc}")
            if c.channel is not None:
                c.channel.close()
                c.channel = None

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
