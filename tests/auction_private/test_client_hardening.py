"""Attacks on the client-input protocol (issue 12, items 6 and 8): a corrupt server that
tries to learn a client's output from whether the client accepts it, and hostile client
connections (oversized headers, too many idle connections, a client that stops reading).
Each test performs the attack and was confirmed to fail against the previous version."""
import asyncio
import struct
import time

from mpc.client_input import (HELLO, REJECT, ClientInputError, ClientInputServer, connect_servers,
                              receive_output, submit_input)
from mpc.field import PrimeField
from mpc.local import run_parties_async
from tests.auction_private.test_client_input import run, session
from tests.conftest import free_base_port

F = PrimeField()


# --- item 6: the client's acceptance must not reveal its output -------------------------------
class GuessingServer(ClientInputServer):
    """Server 2 guesses that the client's output is GUESS and tampers with what it sends so
    that, if it could, the client accepts exactly when the guess is right.

    Against the previous protocol (value shares of y, r and v = r·y, checked by the client)
    it adds 1 to its share of r and GUESS to its share of v: the client's check
    (r + 1)·y = v + GUESS passes iff y = GUESS. Against the current one all it can send is
    the masked output z = y + b (b known to the client alone), and it changes that."""

    GUESS = 14

    def _output_shares(self, ident, y, r, v):    # the previous protocol's hook
        out = super()._output_shares(ident, y, r, v)
        if self.s.pid == 2:
            n = len(y)
            out[n] = (out[n] + 1) % F.q
            out[2 * n] = (out[2 * n] + self.GUESS) % F.q
        return out

    def _result_values(self, ident, masked):
        out = list(super()._result_values(ident, masked))
        if self.s.pid == 2:
            out[0] = (out[0] + 1) % F.q
        return out


def accepts(value, server_cls):
    async def client(hub):
        chans = await hub.connect_all()
        keys = await submit_input(chans, "ann", [value], F)
        try:
            return await receive_output(chans, F, keys=keys)
        except ClientInputError as exc:
            return str(exc)

    _, views = run(session([("ann", 1)], [client], server_cls=server_cls))
    return not isinstance(views[0], str), views[0]


def test_whether_the_client_accepts_does_not_depend_on_its_output():
    # the servers give the client twice its input: 7 -> 14 (the guess), 8 -> 16
    right, _ = accepts(7, GuessingServer)
    wrong, _ = accepts(8, GuessingServer)
    assert right == wrong, "the corrupt server learns whether y == GUESS from the client's acceptance"
    assert not right
    assert accepts(8, ClientInputServer) == (True, (b"public", [16]))


# --- item 8: hostile connections ---------------------------------------------------------------
async def raw_connect(port, attempts=100):
    for _ in range(attempts):
        try:
            return await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
    raise OSError(f"no server on port {port}")


def test_an_oversized_hello_is_refused_from_its_header():
    """Before: the server waited for the announced 64 MiB (and would have buffered them)
    and gave up only after its timeout."""
    base = free_base_port(3)

    async def attacker(_hub):
        replies = []
        for i in range(3):
            reader, writer = await raw_connect(base + i)
            t0 = time.perf_counter()
            writer.write(struct.pack("<BI", HELLO, 1 << 26))
            await writer.drain()
            kind, length = struct.unpack("<BI", await reader.readexactly(5))
            replies.append((kind, (await reader.readexactly(length)).decode(), time.perf_counter() - t0))
            writer.close()
        return replies

    _, views = run(session([("ok", 1)], [attacker], listen_base=base, window=3.0))
    for kind, text, seconds in views[0]:
        assert kind == REJECT and "HELLO of 67108864 bytes exceeds the limit of 256" in text
        assert seconds < 2.0


class CappedServer(ClientInputServer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, max_pending=4, hello_timeout=1.0, **kwargs)


def test_idle_connections_are_capped_and_time_out():
    """Ten connections that never say hello: six are closed at once, the other four after
    the hello timeout; then a real client gets through. Before there was no cap."""
    base = free_base_port(3)

    async def idle_then_honest(_hub):
        conns = [await raw_connect(base) for _ in range(10)]
        t0 = time.perf_counter()

        async def closed_after(reader):
            try:
                await asyncio.wait_for(reader.read(), 5.0)   # EOF (or a REJECT then EOF)
            except asyncio.TimeoutError:
                return None
            return time.perf_counter() - t0

        waits = await asyncio.gather(*(closed_after(r) for r, _ in conns))
        for _, w in conns:
            w.close()
        chans = await connect_servers([("127.0.0.1", base + i) for i in range(3)], timeout=20)
        keys = await submit_input(chans, "ok", [5], F)
        return waits, await receive_output(chans, F, keys=keys)

    _, views = run(session([("ok", 1)], [idle_then_honest], listen_base=base, server_cls=CappedServer))
    waits, result = views[0]
    assert all(w is not None for w in waits)
    assert sum(w < 0.5 for w in waits) == 6          # beyond the cap: closed at once
    assert sum(0.8 < w < 3.0 for w in waits) == 4    # within it: cut off after the hello timeout
    assert result == (b"public", [10])


def test_a_client_that_stops_reading_does_not_hold_up_the_servers():
    """One client submits its input and then never reads; the result (with a 32 MiB public
    part, more than the socket buffers take) still reaches the other client, and the
    servers finish. Before, the first drain() waited for ever."""
    base = free_base_port(3)
    addresses = [("127.0.0.1", base + i) for i in range(3)]
    public = b"x" * (32 << 20)

    async def scenario():
        ready = asyncio.Event()

        async def program(s):
            srv = ClientInputServer(s, [("lazy", 1), ("busy", 1)], timeout=2.0)
            await srv.prepare()
            await srv.listen("127.0.0.1", base + s.pid)
            try:
                await srv.collect(20.0)
                agreed = await srv.agree()
                ready.set()
                await srv.send_outputs(public, {k: v * 3 for k, v in agreed.inputs.items()})
            finally:
                await srv.close()
            return sorted(agreed.inputs)

        async def lazy():
            chans = await connect_servers(addresses, timeout=20)
            try:
                await submit_input(chans, "lazy", [1], F)
                await ready.wait()
                await asyncio.sleep(60)   # holds the connections open, reads nothing
            finally:
                for ch in chans:
                    ch.close()

        async def busy():
            chans = await connect_servers(addresses, timeout=20)
            keys = await submit_input(chans, "busy", [2], F)
            got = await receive_output(chans, F, timeout=60, keys=keys)
            for ch in chans:
                ch.close()
            return len(got[0]), got[1]

        servers = asyncio.ensure_future(run_parties_async(3, program, field=F, timeout=20))
        lazy_task = asyncio.ensure_future(lazy())
        busy_view = await busy()
        t0 = time.perf_counter()
        done = await asyncio.wait_for(servers, 20.0)
        lazy_task.cancel()
        return done, busy_view, time.perf_counter() - t0

    servers, busy_view, _ = asyncio.run(scenario())
    for out in servers:
        assert out == ["busy", "lazy"], out
    assert busy_view == (len(public), [6])
