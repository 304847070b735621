"""The servers' agreement on client inputs, and the client's checks on what servers send back.

Every client here waits at most CLIENT_TIMEOUT seconds for a server, and the servers close
their client connections however the session ends (as protocols.auction.private.session
does), so a broken agreement shows up within seconds as a named failure
(ClientInputError, or the servers' MPCAbort) instead of a client that waits for ever.
Each test fails if the check it names is removed:

- agreement: a client that sent different inputs to different servers is excluded by
  every server (without that check the servers share inconsistent inputs and abort);
- agreement: a client missing at one server is excluded everywhere;
- client: all servers must send exactly the same result (public part, number of masked
  outputs and their values), whichever part a server changes and for whichever client.

Private outputs are masked by the client's own key (the b of its checked triples, which
submit_input returns), so clients pass those keys to receive_output.
"""
import asyncio
import hashlib
import struct

import pytest

from mpc.client_input import (HELLO, INPUT, RESULT, ClientInputError, ClientInputServer, MemoryHub,
                              receive_output, submit_input)
from mpc.codec import encode_vector
from mpc.errors import MPCAbort
from mpc.field import PrimeField
from mpc.local import run_parties_async

F = PrimeField()
CLIENT_TIMEOUT = 8.0
M = 3


def run(coro):
    return asyncio.run(coro)


async def serve(clients, client_tasks, server_cls=ClientInputServer, window=6.0):
    """Servers: collect, agree, open every accepted input, send each accepted client
    twice its vector and the public part b"sum"; client connections are closed in every case."""
    hub = MemoryHub(M)

    async def program(s):
        srv = server_cls(s, clients, timeout=CLIENT_TIMEOUT)
        await srv.prepare()
        hub.attach(s.pid, srv)
        try:
            await srv.collect(window)
            agreed = await srv.agree()
            opened = {k: [F.signed(v) for v in await s.output(x)] for k, x in sorted(agreed.inputs.items())}
            await srv.send_outputs(b"sum", {k: x * 2 for k, x in agreed.inputs.items()})
        except MPCAbort as exc:
            await srv.close(f"the servers aborted: {exc}")
            raise
        finally:
            await srv.close()
        return opened, agreed.rejected

    servers = asyncio.ensure_future(run_parties_async(M, program, field=F, timeout=20))
    views = await asyncio.gather(*(t(hub) for t in client_tasks), return_exceptions=True)
    return await servers, views


def honest(ident, values):
    async def task(hub):
        chans = await hub.connect_all(CLIENT_TIMEOUT)
        keys = await submit_input(chans, ident, values, F, timeout=CLIENT_TIMEOUT)
        public, private = await receive_output(chans, F, timeout=CLIENT_TIMEOUT, keys=keys)
        return public, [F.signed(v) for v in private]
    return task


def equivocating(ident, n):
    """Sends server i the vector [i, i, ...]: every server's input is valid, they differ."""
    async def task(hub):
        chans = await hub.connect_all(CLIENT_TIMEOUT)
        for ch in chans:
            await ch.send(HELLO, ident.encode())
        for ch in chans:
            await ch.recv(CLIENT_TIMEOUT)
        for i, ch in enumerate(chans):
            await ch.send(INPUT, encode_vector(F, [i] * n))
        replies = []
        for ch in chans:
            try:
                while True:
                    replies.append((await ch.recv(CLIENT_TIMEOUT))[0])
            except Exception:  # noqa: BLE001 — the server closes after REJECT
                pass
        return replies
    return task


def test_equivocating_client_is_excluded_and_the_honest_one_is_served_promptly():
    clients = [("good", 2), ("liar", 2)]
    servers, views = run(serve(clients, [honest("good", [3, -4]), equivocating("liar", 2)]))
    for out in servers:
        assert not isinstance(out, BaseException), out
        opened, rejected = out
        assert opened == {"good": [3, -4]}
        assert rejected == {"liar": "servers received different inputs from this client (equivocation)"}
    assert views[0] == (b"sum", [6, -8])
    # ACK from every server, then the REJECT of the agreement (kind 6), from every server
    assert sorted(views[1]) == [5, 5, 5, 6, 6, 6]


def test_client_missing_at_one_server_is_excluded_by_every_server():
    async def partial(hub):
        chans = [await hub.connect(p, CLIENT_TIMEOUT) for p in (0, 1)]  # never talks to server 2
        for ch in chans:
            await ch.send(HELLO, b"half")
            await ch.recv(CLIENT_TIMEOUT)
            await ch.send(INPUT, encode_vector(F, [7]))
        return [(await ch.recv(CLIENT_TIMEOUT))[0] for ch in chans]

    servers, views = run(serve([("half", 1), ("full", 1)], [partial, honest("full", [1])], window=1.5))
    for out in servers:
        assert not isinstance(out, BaseException), out
        opened, rejected = out
        assert opened == {"full": [1]}
        assert "half" in rejected
    # servers 0 and 1 hold a valid input; server 2 says why it has none, and every server
    # records that same reason (issue 16: each used to record its own, so results differed)
    assert [out[1]["half"] for out in servers] == ["server 2: no input before the input window closed"] * 3
    assert views == [[5, 5], (b"sum", [2])]  # ACKs from servers 0 and 1, then the exclusion


def test_accepted_input_is_bound_to_the_client_id_by_its_digest():
    """The agreement compares H("client-input|" id "|" d): the id is part of what all servers agree on."""
    captured = {}

    class Recording(ClientInputServer):
        async def agree(self):
            captured[self.s.pid] = {c.ident: (c.digest, c.diffs) for c in self.clients}
            before = self.s.transport.timeout
            out = await super().agree()
            # the agreement waits longer for slow peers, then the session's own timeout is back
            assert self.s.transport.timeout == before
            return out

    servers, _ = run(serve([("ann", 1)], [honest("ann", [9])], server_cls=Recording))
    assert all(out[0] == {"ann": [9]} for out in servers)
    digest, diffs = captured[0]["ann"]
    assert all(captured[p]["ann"][0] == digest for p in range(M))
    assert digest == hashlib.sha256(b"client-input|ann|" + encode_vector(F, diffs)).digest()


class PublicLiar(ClientInputServer):
    """Server 2 sends the clients another public part than the others."""

    async def send_outputs(self, public, private):
        return await super().send_outputs(public + b"!" if self.s.pid == 2 else public, private)


def test_client_refuses_different_public_results():
    async def client(hub):
        chans = await hub.connect_all(CLIENT_TIMEOUT)
        keys = await submit_input(chans, "cy", [5], F, timeout=CLIENT_TIMEOUT)
        with pytest.raises(ClientInputError, match="^servers sent different results: at least one server cheated$"):
            await receive_output(chans, F, timeout=CLIENT_TIMEOUT, keys=keys)
        return "refused"

    servers, views = run(serve([("cy", 1)], [client], server_cls=PublicLiar))
    assert views == ["refused"]
    assert all(out[0] == {"cy": [5]} for out in servers)


class ShareDropper(ClientInputServer):
    """Server 1 rewrites its RESULT to declare no private outputs (the others declare one),
    a well-formed result with the right public part; the computation itself is honest, so
    only the client's comparison of the whole results can notice."""

    async def send_outputs(self, public, private):
        if self.s.pid == 1:
            for c in self.clients:
                if c.channel is not None:
                    orig = c.channel.send

                    async def send(kind, payload, orig=orig):
                        if kind == RESULT:
                            (plen,) = struct.unpack_from("<I", payload, 0)
                            payload = payload[:4 + plen] + struct.pack("<I", 0)
                        return await orig(kind, payload)
                    c.channel.send = send
        return await super().send_outputs(public, private)


def test_client_refuses_results_with_different_numbers_of_outputs():
    async def client(hub):
        chans = await hub.connect_all(CLIENT_TIMEOUT)
        keys = await submit_input(chans, "dee", [5], F, timeout=CLIENT_TIMEOUT)
        with pytest.raises(ClientInputError, match="^servers sent different results: at least one server cheated$"):
            await receive_output(chans, F, timeout=CLIENT_TIMEOUT, keys=keys)
        return "refused"

    _, views = run(serve([("dee", 1)], [client], server_cls=ShareDropper))
    assert views == ["refused"]


def test_servers_that_abort_leave_no_client_waiting():
    """If the servers abort after the agreement (here: a server tampers with a share), every
    client learns it at once, with the servers' reason (ClientInputServer.close(reason))."""
    class Tamper(ClientInputServer):
        async def agree(self):
            agreed = await super().agree()
            if self.s.pid == 1:
                x = agreed.inputs["eve"]
                x.values[0] = (x.values[0] + 1) % F.q
            return agreed

    async def client(hub):
        chans = await hub.connect_all(CLIENT_TIMEOUT)
        await submit_input(chans, "eve", [4], F, timeout=CLIENT_TIMEOUT)
        with pytest.raises(ClientInputError, match=r"^excluded by the servers: the servers aborted: MAC check failed"):
            await receive_output(chans, F, timeout=CLIENT_TIMEOUT)
        return "told"

    servers, views = run(serve([("eve", 1)], [client], server_cls=Tamper))
    assert views == ["told"]
    assert all(isinstance(out, MPCAbort) and "MAC check failed" in str(out) for out in servers), servers


def test_receive_output_times_out_with_a_named_error():
    async def go():
        hub = MemoryHub(1)

        class Silent:
            def _spawn(self, channel):
                pass  # accepts the connection and never answers

        hub.attach(0, Silent())
        chans = await hub.connect_all(1.0)
        with pytest.raises(ClientInputError, match=r"connection problem: no message within 0\.3 s"):
            await receive_output(chans, F, timeout=0.3)
        return "ok"

    assert run(go()) == "ok"


class TamperForOne(ClientInputServer):
    """Server 0 alters only the masked output it sends to client "x" (the hook gets the
    client's id); what it sends client "y" is honest."""

    def _result_values(self, ident, masked):
        out = list(super()._result_values(ident, masked))
        if self.s.pid == 0 and ident == "x":
            out[0] = (out[0] + 1) % F.q
        return out


def test_output_tampering_aimed_at_one_client_is_caught_by_that_client_only():
    async def victim(hub):
        chans = await hub.connect_all(CLIENT_TIMEOUT)
        keys = await submit_input(chans, "x", [3], F, timeout=CLIENT_TIMEOUT)
        with pytest.raises(ClientInputError, match="^servers sent different results: at least one server cheated$"):
            await receive_output(chans, F, timeout=CLIENT_TIMEOUT, keys=keys)
        return "detected"

    _, views = run(serve([("x", 1), ("y", 1)], [victim, honest("y", [4])], server_cls=TamperForOne))
    assert views == ["detected", (b"sum", [8])]


def test_collect_returns_as_soon_as_every_client_is_done():
    """The window is a bound, not a wait: with every registered client done, collect returns."""
    loop_times = {}

    class Timed(ClientInputServer):
        async def collect(self, window):
            t0 = asyncio.get_running_loop().time()
            await super().collect(window)
            loop_times[self.s.pid] = asyncio.get_running_loop().time() - t0

    servers, views = run(serve([("p", 1)], [honest("p", [1])], server_cls=Timed, window=60.0))
    assert views == [(b"sum", [2])]
    assert max(loop_times.values()) < 10.0, loop_times


def test_a_server_silent_at_the_agreement_times_out_the_others_after_their_timeout():
    async def go():
        hub = MemoryHub(M)

        async def program(s):
            srv = ClientInputServer(s, [("q", 1)], timeout=CLIENT_TIMEOUT)
            await srv.prepare()
            hub.attach(s.pid, srv)
            try:
                await srv.collect(0.2)                 # nobody comes: the window closes at once
                if s.pid == 2:
                    await asyncio.sleep(5)             # never joins the agreement in time
                return await srv.agree()
            finally:
                await srv.close()

        return await run_parties_async(M, program, field=F, timeout=1.0)

    res = run(go())
    for pid in (0, 1):
        assert isinstance(res[pid], MPCAbort), res[pid]
        assert str(res[pid]).endswith("got no message from party 2 within 1 s")
