"""Client-input transport and server-side message checks, one frame at a time.

The server's `handle` runs against a raw in-memory channel (no MPC session is needed: the
mask shares come from a stand-in triple), and SocketChannel against a real loopback
socket, so each check is hit directly and its verdict compared exactly: size limits at
their boundary, timeouts, unknown frame types, ids, refusals, late inputs, exclusions, and
what the client reports for malformed results.
"""
import asyncio
import inspect
import struct

import pytest

import mpc.client_input as CI
from mpc.client_input import (ACK, HELLO, INPUT, MASKS, REFUSE, REJECT, RESULT, ClientInputError, ClientInputServer,
                              ClientProtocolError, MemoryChannel, SocketChannel, connect_servers,
                              memory_channel_pair, receive_output)
from mpc.codec import encode_vector
from mpc.field import PrimeField
from tests.conftest import free_base_port

F = PrimeField()


def run(coro):
    return asyncio.run(coro)


class _Vec:
    def __init__(self, values):
        self.values = values


class _FakeSession:
    field = F


def _server(clients=(("ann", 2),), timeout=1.0):
    srv = ClientInputServer(_FakeSession(), list(clients), timeout=timeout)
    total = sum(n for _, n in clients)
    srv.triples = (_Vec(list(range(1, total + 1))), _Vec(list(range(11, 11 + total))),
                   _Vec(list(range(21, 21 + total))))
    return srv


async def _talk(srv, frames, replies=2, wait=1.0):
    """Send frames to srv.handle over a fresh channel; collect up to `replies` answers."""
    client, server_end = memory_channel_pair()
    task = asyncio.get_running_loop().create_task(srv.handle(server_end))
    got = []
    for kind, payload in frames:
        await client.send(kind, payload)
    try:
        for _ in range(replies):
            got.append(await client.recv(wait))
    except ClientProtocolError as exc:
        got.append(str(exc))
    await asyncio.wait_for(task, 5)
    return got


def test_server_sends_this_servers_mask_shares_and_acks_an_input():
    async def go():
        srv = _server([("zed", 1), ("ann", 2)])
        got = await _talk(srv, [(HELLO, b"ann"), (INPUT, encode_vector(F, [7, 8]))])
        return srv, got

    srv, got = run(go())
    assert got[0] == (MASKS, encode_vector(F, [2, 3, 12, 13, 22, 23]))   # ann's slice of a, b, c
    assert got[1] == (ACK, b"")
    c = srv.by_id["ann"]
    assert c.diffs == [7, 8] and c.done and c.reason is None


@pytest.mark.parametrize("frames,reason", [
    ([(HELLO, b"x" * 257)], "client id too long"),
    ([(HELLO, b"x" * 256)], "unknown client id '" + "x" * 256 + "'"),
    ([(HELLO, b"\xff\xfe")], "client id is not UTF-8"),
    ([(INPUT, b"")], "expected a HELLO message, got INPUT"),
    ([(HELLO, b"ann"), (REFUSE, b"bad masks")], "client refused its masks: bad masks"),
    ([(HELLO, b"ann"), (HELLO, b"ann")], "expected an INPUT message, got HELLO"),
    ([(HELLO, b"ann"), (99, b"")], "expected an INPUT message, got 99"),
    ([(HELLO, b"ann"), (INPUT, encode_vector(F, [1]))],
     "malformed input (expected 2 field elements (64 bytes), got 32)"),
])
def test_server_rejects_naming_the_reason(frames, reason):
    async def go():
        srv = _server()
        got = await _talk(srv, frames, replies=3)
        return srv, got

    srv, got = run(go())
    assert (REJECT, reason.encode()) in got
    assert got[-1] == "connection closed by the peer"
    c = srv.by_id["ann"]
    if frames[0] == (HELLO, b"ann"):
        assert c.reason == reason and c.diffs is None and c.digest == bytes(32) and c.done


def test_long_and_invalid_reasons_are_cut_and_replaced():
    async def go():
        srv = _server()
        return await _talk(srv, [(HELLO, b"ann"), (REFUSE, b"\xff" + b"r" * 600)], replies=3)

    got = run(go())
    kind, payload = got[1]
    text = payload.decode()
    assert kind == REJECT and text.startswith("client refused its masks: \ufffd")
    assert len(text) == len("client refused its masks: ") + 500


def test_second_connection_with_the_same_id_and_late_clients_are_refused():
    async def go():
        srv = _server()
        first = await _talk(srv, [(HELLO, b"ann"), (INPUT, encode_vector(F, [1, 2]))])
        second = await _talk(srv, [(HELLO, b"ann")], replies=2)
        late_srv = _server()
        late_srv._closed = True
        late = await _talk(late_srv, [(HELLO, b"ann")], replies=2)
        return first, second, late, srv

    first, second, late, srv = run(go())
    assert first[1] == (ACK, b"")
    assert second[0] == (REJECT, b"client 'ann' already connected")
    assert srv.by_id["ann"].diffs == [1, 2]          # the first connection's input stands
    assert late[0] == (REJECT, b"input window closed")


def test_input_arriving_after_the_window_closed_is_refused():
    async def go():
        srv = _server()
        client, server_end = memory_channel_pair()
        task = asyncio.get_running_loop().create_task(srv.handle(server_end))
        await client.send(HELLO, b"ann")
        await client.recv(1)
        srv._closed = True                          # the window closes while the client computes
        await client.send(INPUT, encode_vector(F, [1, 2]))
        reply = await client.recv(1)
        await task
        return reply, srv

    reply, srv = run(go())
    assert reply == (REJECT, b"input window closed") and srv.by_id["ann"].diffs is None


def test_exclude_tells_an_accepted_client_and_drops_it():
    async def go():
        srv = _server()
        client, server_end = memory_channel_pair()
        task = asyncio.get_running_loop().create_task(srv.handle(server_end))
        await client.send(HELLO, b"ann")
        await client.recv(1)
        await client.send(INPUT, encode_vector(F, [1, 2]))
        await client.recv(1)
        await task
        await srv.exclude("ann", "bid out of range")
        reply = await client.recv(1)
        try:
            await client.recv(0.2)
            after = "more"
        except ClientProtocolError as exc:
            after = str(exc)
        return reply, after, srv.by_id["ann"].channel

    reply, after, channel = run(go())
    assert reply == (REJECT, b"bid out of range")
    assert after == "connection closed by the peer" and channel is None


def test_memory_channel_contract():
    async def go():
        a, b = memory_channel_pair()
        out = []
        try:
            await a.recv(0.1)
        except ClientProtocolError as exc:
            out.append(str(exc))
        await a.send(ACK, bytearray(b"x"))
        out.append(await b.recv(1))
        try:
            await a.send(HELLO, b"")
            await b.expect(MASKS, 1)
        except ClientProtocolError as exc:
            out.append(str(exc))
        a.close()
        a.close()  # idempotent
        try:
            await a.send(ACK, b"")
        except ClientProtocolError as exc:
            out.append(str(exc))
        try:
            await b.recv(1)
        except ClientProtocolError as exc:
            out.append(str(exc))
        return out

    assert run(go()) == ["no message within 0.1 s", (ACK, b"x"), "expected a MASKS message, got HELLO",
                         "channel closed", "connection closed by the peer"]


def test_client_reports_truncated_and_malformed_results():
    def result(public, count, shares):
        return struct.pack("<I", len(public)) + public + struct.pack("<I", count) + shares

    async def go(payloads):
        chans = []
        for p in payloads:
            ours, theirs = memory_channel_pair()
            await theirs.send(RESULT, p)
            chans.append(ours)
        try:
            return await receive_output(chans, F, timeout=1)
        except ClientInputError as exc:
            return str(exc)

    good = result(b"p", 1, encode_vector(F, [0, 0, 0]))
    assert run(go([good, b"\x01\x00\x00"])) == "server 1 sent a truncated result"
    assert run(go([good, struct.pack("<I", 9) + b"abc" + b"\x00" * 4])) == "server 1 sent a truncated result"
    assert run(go([good, result(b"p", 1, b"\x00" * 5)])) == (
        "server 1: message format failed: expected 3 field elements (96 bytes) from party 1, got 5")
    # y = 3, r = 2, v = 6 split over two servers: accepted; v = 7: refused
    ok = [result(b"p", 1, encode_vector(F, [1, 1, 2])), result(b"p", 1, encode_vector(F, [2, 1, 4]))]
    assert run(go(ok)) == (b"p", [3])
    bad = [result(b"p", 1, encode_vector(F, [1, 1, 2])), result(b"p", 1, encode_vector(F, [2, 1, 5]))]
    assert run(go(bad)) == "output shares fail the v = r*y check: a server altered its share"


def test_sockets_frame_limits_timeouts_and_closing(monkeypatch):
    monkeypatch.setattr(CI, "MAX_FRAME", 8)

    async def go():
        received = asyncio.Queue()

        async def serve(reader, writer):
            await received.put((reader, writer))

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        out = {}

        async def pair():
            r, w = await asyncio.open_connection("127.0.0.1", port)
            sr, sw = await received.get()
            return SocketChannel(r, w), SocketChannel(sr, sw), sw

        client, srv, raw = await pair()
        await client.send(MASKS, b"12345678")          # exactly the limit
        out["limit"] = await srv.recv(1)
        with pytest.raises(ValueError, match="^frame too large$"):
            await client.send(MASKS, b"123456789")
        raw.write(struct.pack("<BI", ACK, 9))
        await raw.drain()
        out["over"] = await _err(client.recv(1))
        client, srv, raw = await pair()
        raw.write(struct.pack("<BI", 99, 0))
        await raw.drain()
        out["type"] = await _err(client.recv(1))
        client, srv, raw = await pair()
        out["silent"] = await _err(client.recv(0.2))
        raw.write(struct.pack("<BI", ACK, 4) + b"ab")   # a header, then only part of the payload
        await raw.drain()
        out["partial"] = await _err(client.recv(0.2))
        client, srv, raw = await pair()
        srv.close()
        out["closed"] = await _err(client.recv(1))
        client.close()
        client.close()
        server.close()
        return out

    out = run(go())
    assert out["limit"] == (MASKS, b"12345678")
    assert out["over"] == "frame of 9 bytes exceeds the limit of 8"
    assert out["type"] == "unknown message type 99"
    assert out["silent"] == out["partial"] == "no message within 0.2 s"
    assert out["closed"] == "connection closed by the peer"


async def _err(coro):
    try:
        await coro
        return "no error"
    except ClientProtocolError as exc:
        return str(exc)


def test_connect_servers_gives_up_with_a_named_error():
    port = free_base_port(1)

    async def go():
        try:
            await connect_servers([("127.0.0.1", port)], timeout=0.3)
        except ClientInputError as exc:
            return str(exc)

    assert run(go()) == f"could not connect to server 127.0.0.1:{port} within 0.3 s"
    assert inspect.signature(connect_servers).parameters["timeout"].default == 60.0


def test_listen_binds_the_given_host_only():
    async def go():
        srv = _server()
        port = free_base_port(1)
        await srv.listen("127.0.0.1", port)
        names = [s.getsockname() for s in srv._server.sockets]
        await srv.close()
        return names, port

    names, port = run(go())
    assert names == [("127.0.0.1", port)]


def test_registration_checks():
    with pytest.raises(ValueError, match="^client ids must be unique$"):
        ClientInputServer(_FakeSession(), [("a", 1), ("a", 2)])
    with pytest.raises(ValueError, match="^client 'b' must send at least one value$"):
        ClientInputServer(_FakeSession(), [("a", 1), ("b", 0)])
    srv = ClientInputServer(_FakeSession(), [("a", 2), ("b", 3)])
    assert srv.total == 5 and [(c.ident, c.n, c.offset) for c in srv.clients] == [("a", 2, 0), ("b", 3, 2)]
    assert not srv._all_done.is_set()
    assert ClientInputServer(_FakeSession(), [])._all_done.is_set()


def test_memory_channel_is_a_client_channel():
    a, _ = memory_channel_pair()
    assert isinstance(a, MemoryChannel) and not a.closed


# --- the client against scripted servers ------------------------------------------------------
def _masks(values_a, values_b, values_c):
    return encode_vector(F, values_a + values_b + values_c)


async def _scripted(ch, script, log, linger=0.6):
    """A fake server: for each step, wait for the client's frame, log it, send the scripted reply;
    then stay silent for `linger` seconds and hang up (so a client without a timeout fails too)."""
    try:
        for reply in script:
            log.append(await ch.recv(0.5))
            if reply is not None:
                await ch.send(*reply)
        log.append(await ch.recv(0.2))
    except ClientProtocolError:
        pass  # the client stopped talking (it gave up on another server, or it is done)
    await asyncio.sleep(linger)
    ch.close()


def _client_against(scripts, values, **kw):
    async def go():
        from mpc.client_input import submit_input
        pairs = [memory_channel_pair() for _ in scripts]
        logs = [[] for _ in scripts]
        servers = [asyncio.ensure_future(_scripted(b, s, log)) for (_, b), s, log in zip(pairs, scripts, logs)]
        try:
            await submit_input([a for a, _ in pairs], "cli", values, **kw)
            out = "ok"
        except ClientInputError as exc:
            out = str(exc)
        await asyncio.gather(*servers)
        return out, logs
    return run(go())


# a = 2 + 1, b = 3 + 4, c = 10 + 11 = a·b for one value, split over two servers
GOOD = [(MASKS, _masks([2], [3], [10])), (MASKS, _masks([1], [4], [11]))]


def test_client_sends_x_minus_a_to_every_server_with_the_default_field():
    out, logs = _client_against([[GOOD[0], (ACK, b"")], [GOOD[1], (ACK, b"")]], [9])
    assert out == "ok"
    for log in logs:
        assert log[0] == (HELLO, b"cli") and log[1] == (INPUT, encode_vector(F, [9 - 3]))


@pytest.mark.parametrize("second,message", [
    ([(REJECT, b"no such id")], "server 1 rejected the client: no such id"),
    ([(ACK, b"")], "server 1 sent ACK instead of mask shares"),
    ([(MASKS, b"\x00" * 5)], "server 1 sent malformed mask shares: message format failed: "
                             "expected 3 field elements (96 bytes) from party 1, got 5"),
    ([GOOD[1], (REJECT, b"late")], "server 1 rejected the input: late"),
    ([GOOD[1], (MASKS, GOOD[1][1])], "server 1 sent MASKS instead of ACK"),
    ([GOOD[1], (99, b"")], "server 1 sent 99 instead of ACK"),
])
def test_client_names_the_server_and_what_went_wrong(second, message):
    out, _ = _client_against([[GOOD[0], (ACK, b"")], second], [9], field=F, timeout=1)
    assert out == message


def test_inconsistent_masks_are_refused_at_every_server():
    bad = [(MASKS, _masks([2], [3], [10])), (MASKS, _masks([1], [4], [12]))]   # c = 22 != 3·7
    out, logs = _client_against([[bad[0]], [bad[1]]], [9], field=F, timeout=1)
    reason = "mask shares are inconsistent (c != a*b): a server cheated; input withheld"
    assert out == reason
    for log in logs:
        assert log[1] == (REFUSE, reason.encode())


def test_silent_server_times_out_with_the_clients_timeout():
    out, _ = _client_against([[GOOD[0], (ACK, b"")], [None]], [9], field=F, timeout=0.3)
    assert out == "connection problem: no message within 0.3 s"


def test_receive_output_from_one_server_and_an_empty_result():
    async def go(payload):
        ours, theirs = memory_channel_pair()
        await theirs.send(RESULT, payload)
        return await receive_output([ours])

    assert run(go(struct.pack("<I", 0) + struct.pack("<I", 0))) == (b"", [])
    shares = encode_vector(F, [5, 2, 10])   # y = 5, r = 2, v = 10
    assert run(go(struct.pack("<I", 3) + b"pub" + struct.pack("<I", 1) + shares)) == (b"pub", [5])


def test_expect_names_unknown_kinds_and_times_out():
    async def go():
        a, b = memory_channel_pair()
        await a.send(99, b"")
        out = [await _err(b.expect(MASKS, 1)), await _err(b.expect(MASKS, 0.1))]
        return out

    assert run(go()) == ["expected a MASKS message, got 99", "no message within 0.1 s"]


def test_memory_hub_connects_only_to_attached_servers():
    from mpc.client_input import MemoryHub

    async def go():
        hub = MemoryHub(2)
        srv = _server()
        hub.attach(1, srv)
        ch = await hub.connect(1, 0.5)
        try:
            await hub.connect(0, 0.2)
            zero = "connected"
        except asyncio.TimeoutError:
            zero = "timeout"
        try:
            await hub.connect_all(0.2)
            every = "connected"
        except asyncio.TimeoutError:
            every = "timeout"
        ch.close()
        await srv.close()
        return zero, every

    assert run(go()) == ("timeout", "timeout")
    from mpc.client_input import MemoryHub, submit_input
    for fn, name in ((MemoryHub.connect, "timeout"), (MemoryHub.connect_all, "timeout"), (submit_input, "timeout"),
                     (ClientInputServer.__init__, "timeout")):
        assert inspect.signature(fn).parameters[name].default == 60.0
    assert inspect.signature(receive_output).parameters["timeout"].default == 600.0


def test_close_drops_every_channel():
    async def go():
        srv = _server()
        a, b = memory_channel_pair()
        srv.by_id["ann"].channel = b
        await srv.close()
        return srv.by_id["ann"].channel, await _err(a.recv(0.5))

    assert run(go()) == (None, "connection closed by the peer")


def test_sending_to_a_closed_socket_is_a_named_protocol_error():
    async def go():
        accepted = asyncio.Queue()
        server = await asyncio.start_server(lambda r, w: accepted.put_nowait(w), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        r, w = await asyncio.open_connection("127.0.0.1", port)
        peer = await accepted.get()
        peer.transport.abort()          # the peer resets the connection
        server.close()
        ch = SocketChannel(r, w)
        for _ in range(200):
            try:
                await ch.send(ACK, b"x" * 65536)
            except ClientProtocolError as exc:
                return str(exc)
            await asyncio.sleep(0.005)
        return "never failed"

    assert run(go()).startswith("connection lost while sending (")


def test_finished_connection_handlers_are_forgotten():
    from mpc.client_input import MemoryHub

    async def go():
        hub = MemoryHub(1)
        srv = _server()
        hub.attach(0, srv)
        ch = await hub.connect(0, 1)
        assert len(srv._tasks) == 1
        await ch.send(HELLO, b"ann")
        await ch.recv(1)
        await ch.send(INPUT, encode_vector(F, [1, 2]))
        assert (await ch.recv(1)) == (ACK, b"")
        for _ in range(5):
            await asyncio.sleep(0)
        return len(srv._tasks), srv.by_id["ann"].done

    assert run(go()) == (0, True)


def test_a_connection_that_never_says_hello_is_rejected_after_the_timeout():
    async def go():
        return await _talk(_server(timeout=0.3), [], replies=2, wait=2.0)

    got = run(go())
    assert got[0] == (REJECT, b"no message within 0.3 s")


def test_clients_arriving_after_the_window_are_refused():
    from mpc.client_input import MemoryHub

    async def go():
        hub = MemoryHub(1)
        srv = _server()
        srv.s = _FakeSession()
        hub.attach(0, srv)
        await srv.collect(0.05)                      # ann never came: the window closes
        ch = await hub.connect(0, 1)
        await ch.send(HELLO, b"ann")
        reply = await ch.recv(1)
        await srv.close()
        return reply, srv.by_id["ann"].reason

    reply, reason = run(go())
    assert reply == (REJECT, b"input window closed")
    assert reason == "no input before the input window closed"


def test_result_of_the_wrong_kind_names_the_server():
    async def go():
        pairs = [memory_channel_pair() for _ in range(2)]
        await pairs[0][1].send(RESULT, struct.pack("<I", 0) + struct.pack("<I", 0))
        await pairs[1][1].send(ACK, b"")
        try:
            await receive_output([a for a, _ in pairs], F, timeout=1)
        except ClientInputError as exc:
            return str(exc)

    assert run(go()) == "server 1 sent ACK instead of a result"


def test_a_server_that_never_acknowledges_times_out_with_the_clients_timeout():
    out, _ = _client_against([[GOOD[0], (ACK, b"")], [GOOD[1], None]], [9], field=F, timeout=0.3)
    assert out == "connection problem: no message within 0.3 s"
