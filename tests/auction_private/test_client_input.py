"""Input-only clients (mpc.client_input): honest round trip, and every check fired by a
client or a server that breaks it; a misbehaving client never stops the others."""
import asyncio

import pytest

from mpc.client_input import (HELLO, INPUT, ClientInputError, ClientInputServer, MemoryHub,
                              connect_servers, receive_output, submit_input)
from mpc.codec import encode_vector
from mpc.errors import BroadcastInconsistency
from mpc.field import PrimeField
from mpc.local import run_parties_async
from tests.conftest import free_base_port

F = PrimeField()


def run(coro):
    return asyncio.run(coro)


async def session(clients, client_tasks, m=3, server_cls=ClientInputServer, window=10.0, hub=None,
                  listen_base=None, outputs=True):
    """Servers collect the clients' inputs, output every accepted client's vector sum
    (public) and give each client twice its own vector (private)."""
    hub = hub or MemoryHub(m)

    async def program(s):
        cls = server_cls(s) if callable(server_cls) and not isinstance(server_cls, type) else server_cls
        srv = cls(s, clients, timeout=5.0)
        await srv.prepare()
        if listen_base is None:
            hub.attach(s.pid, srv)
        else:
            await srv.listen("127.0.0.1", listen_base + s.pid)
        await srv.collect(window)
        agreed = await srv.agree()
        opened = {k: await s.output(v) for k, v in sorted(agreed.inputs.items())}
        if outputs:
            await srv.send_outputs(b"public", {k: v * 2 for k, v in agreed.inputs.items()})
        await srv.close()
        return opened, agreed.rejected

    servers = asyncio.ensure_future(run_parties_async(m, program, field=F, timeout=20))
    views = await asyncio.gather(*(t(hub) for t in client_tasks))
    return await servers, views


def honest(ident, values):
    async def task(hub):
        chans = await hub.connect_all()
        keys = await submit_input(chans, ident, values, F)
        return await receive_output(chans, F, keys=keys)
    return task


def signed(v):
    return F.signed(v)


def test_honest_clients_share_inputs_and_get_private_outputs():
    clients = [("alice", 3), ("bob", 2)]
    servers, views = run(session(clients, [honest("alice", [5, -7, 0]), honest("bob", [1, 2])]))
    for opened, rejected in servers:
        assert rejected == {}
        assert [signed(v) for v in opened["alice"]] == [5, -7, 0]
        assert opened["bob"] == [1, 2]
    (pa, ya), (pb, yb) = views
    assert pa == pb == b"public"
    assert [signed(v) for v in ya] == [10, -14, 0] and yb == [2, 4]


async def _raw_client(hub, ident, n, deviation):
    chans = await hub.connect_all()
    for ch in chans:
        await ch.send(HELLO, ident.encode())
    if deviation == "silent":
        await asyncio.sleep(3)
        return "silent"
    for ch in chans:
        await ch.recv(5)  # the mask shares
    for i, ch in enumerate(chans):
        if deviation == "short":
            payload = encode_vector(F, [1] * (n - 1))
        elif deviation == "overflow":
            payload = int(F.q).to_bytes(F.nbytes, "little") * n
        elif deviation == "equivocate":
            payload = encode_vector(F, [i] * n)
        await ch.send(INPUT, payload)
    out = []
    for ch in chans:
        try:
            while True:
                kind, payload = await ch.recv(5)
                out.append((kind, payload.decode(errors="replace")))
        except Exception:  # noqa: BLE001 — connection closed after the reject
            pass
    return out


@pytest.mark.parametrize("deviation,reason", [
    ("short", "malformed input (expected 2 field elements"),
    ("overflow", "value >= field modulus"),
    ("equivocate", "different inputs from this client (equivocation)"),
    ("silent", "no message within"),
])
def test_misbehaving_client_is_excluded_and_the_others_go_on(deviation, reason):
    clients = [("good", 2), ("bad", 2)]
    tasks = [honest("good", [3, 4]), lambda hub: _raw_client(hub, "bad", 2, deviation)]
    servers, views = run(session(clients, tasks, window=8.0))
    for opened, rejected in servers:
        assert set(opened) == {"good"} and opened["good"] == [3, 4]
        assert reason in rejected["bad"]
    assert views[0] == (b"public", [6, 8])
    if deviation != "silent":
        assert any(reason in text for _, text in views[1])


def test_unknown_and_duplicate_ids_are_rejected():
    async def intruder(hub):
        chans = await hub.connect_all()
        with pytest.raises(ClientInputError, match="unknown client id 'mallory'"):
            await submit_input(chans, "mallory", [1], F)
        return "ok"

    async def twice(hub):
        first = await hub.connect_all()
        keys = await submit_input(first, "carol", [9], F)
        second = await hub.connect_all()
        with pytest.raises(ClientInputError, match="already connected"):
            await submit_input(second, "carol", [1], F)
        return await receive_output(first, F, keys=keys)

    servers, views = run(session([("carol", 1)], [intruder, twice]))
    for opened, rejected in servers:
        assert opened == {"carol": [9]} and rejected == {}
    assert views[1] == (b"public", [18])


class BadMaskServer(ClientInputServer):
    """Server 1 shifts its share of the mask a: the client's c = a·b check must fire."""

    def _mask_shares(self, c):
        shares = super()._mask_shares(c)
        if self.s.pid == 1 and c.ident == "dave":
            shares[0] = (shares[0] + 1) % F.q
        return shares


class BadOutputServer(ClientInputServer):
    """Server 2 shifts the client's masked output: the client must see the servers disagree."""

    def _result_values(self, ident, masked):
        out = list(super()._result_values(ident, masked))
        if self.s.pid == 2:
            out[0] = (out[0] + 5) % F.q
        return out


def test_client_detects_a_server_that_tampers_with_its_mask_shares():
    async def victim(hub):
        chans = await hub.connect_all()
        with pytest.raises(ClientInputError, match=r"inconsistent \(c != a\*b\)"):
            await submit_input(chans, "dave", [1, 2], F)
        return "refused"

    servers, views = run(session([("dave", 2), ("erin", 1)], [victim, honest("erin", [4])],
                                 server_cls=BadMaskServer))
    assert views[0] == "refused"
    for opened, rejected in servers:
        assert "refused its masks" in rejected["dave"] or "no valid input" in rejected["dave"]
        assert opened == {"erin": [4]}


def test_client_detects_a_server_that_tampers_with_its_output_share():
    async def victim(hub):
        chans = await hub.connect_all()
        keys = await submit_input(chans, "fay", [7], F)
        with pytest.raises(ClientInputError, match="servers sent different results"):
            await receive_output(chans, F, keys=keys)
        return "detected"

    _, views = run(session([("fay", 1)], [victim], server_cls=BadOutputServer))
    assert views == ["detected"]


class EquivocatingDigestServer(ClientInputServer):
    """Server 1 tells server 2 a different hash than server 0: the broadcast check fires."""

    async def agree(self):
        orig = self.s._broadcast_payload_for
        first = [True]

        def lie(peer, payload):
            # only the first broadcast of agree() carries the client hashes
            if self.s.pid == 1 and peer == 2 and first[0]:
                first[0] = False
                return bytes(32) + payload[32:]
            return payload
        self.s._broadcast_payload_for = lie
        try:
            return await super().agree()
        finally:
            self.s._broadcast_payload_for = orig


def test_server_equivocating_about_a_client_input_makes_honest_servers_abort():
    servers, _ = run(session([("gus", 1)], [lambda hub: _quiet_honest(hub, "gus", [1])],
                             server_cls=EquivocatingDigestServer, outputs=False))
    for pid in (0, 2):
        assert isinstance(servers[pid], BroadcastInconsistency), servers[pid]


async def _quiet_honest(hub, ident, values):
    chans = await hub.connect_all()
    try:
        await submit_input(chans, ident, values, F)
    except ClientInputError:
        pass
    return "done"


def test_clients_over_tcp_sockets():
    base = free_base_port(3)
    addresses = [("127.0.0.1", base + i) for i in range(3)]

    def over_tcp(ident, values):
        async def task(_hub):
            chans = await connect_servers(addresses, timeout=20)
            keys = await submit_input(chans, ident, values, F)
            return await receive_output(chans, F, keys=keys)
        return task

    async def malformed(_hub):
        chans = await connect_servers(addresses, timeout=20)
        for ch in chans:
            await ch.send(INPUT, b"not a hello")
        return [await ch.recv(5) for ch in chans]

    servers, views = run(session([("h1", 2), ("h2", 1)],
                                 [over_tcp("h1", [11, 12]), over_tcp("h2", [13]), malformed],
                                 listen_base=base))
    for opened, rejected in servers:
        assert opened == {"h1": [11, 12], "h2": [13]}
    assert views[0] == (b"public", [22, 24]) and views[1] == (b"public", [26])
    assert all(kind == 6 and b"expected a HELLO" in msg for kind, msg in views[2])


def test_client_cli_against_socket_servers():
    import sys
    from tests.conftest import REPO
    base = free_base_port(3)
    servers_arg = ",".join(f"127.0.0.1:{base + i}" for i in range(3))

    async def cli(_hub):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "mpc.client", "--servers", servers_arg, "--id", "zoe", "--values", "4,-2",
            cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate()
        return proc.returncode, out.decode(), err.decode()

    servers, views = run(session([("zoe", 2)], [cli], listen_base=base))
    assert [signed(v) for v in servers[0][0]["zoe"]] == [4, -2]
    rc, out, _ = views[0]
    assert rc == 0 and '"private": [8, -4]' in out and '"public": "public"' in out


def test_client_cli_rejects_bad_arguments():
    import subprocess
    import sys
    from tests.conftest import REPO
    res = subprocess.run([sys.executable, "-m", "mpc.client", "--servers", "nohost", "--id", "x", "--values", "1"],
                         cwd=REPO, capture_output=True, text=True)
    assert res.returncode == 2 and "expected host:port" in res.stderr


def test_socket_framing_rejects_unknown_types_and_oversized_frames():
    import struct
    base = free_base_port(3)

    async def raw(header):
        async def task(_hub):
            replies = []
            for i in range(3):
                for _ in range(100):
                    try:
                        reader, writer = await asyncio.open_connection("127.0.0.1", base + i)
                        break
                    except OSError:
                        await asyncio.sleep(0.1)
                writer.write(header)
                await writer.drain()
                head = await reader.readexactly(5)
                kind, length = struct.unpack("<BI", head)
                replies.append((kind, (await reader.readexactly(length)).decode()))
                writer.close()
            return replies
        return task

    async def good(_hub):
        chans = await connect_servers([("127.0.0.1", base + i) for i in range(3)], timeout=20)
        keys = await submit_input(chans, "ok", [1], F)
        return await receive_output(chans, F, keys=keys)

    async def go():
        return await session([("ok", 1)], [await raw(struct.pack("<BI", 99, 0)),
                                           await raw(struct.pack("<BI", 1, 1 << 30)), good],
                             listen_base=base)

    servers, views = run(go())
    assert all(kind == 6 and "unknown message type 99" in text for kind, text in views[0])
    assert all(kind == 6 and "exceeds the limit" in text for kind, text in views[1])
    assert views[2] == (b"public", [2])


def test_client_that_skips_some_servers_is_excluded_without_a_server_timing_out():
    """The client completes its input at server 0 only; servers 1 and 2 wait for it until
    their input window closes, longer than the servers' message timeout. Server 0 must wait
    for them in the agreement instead of aborting."""
    async def partial(hub):
        ch = await hub.connect(0)
        await ch.send(HELLO, b"kim")
        await ch.recv(5)
        await ch.send(INPUT, encode_vector(F, [1]))
        return await ch.recv(5)

    async def short_timeout_session():
        hub = MemoryHub(3)

        async def program(s):
            srv = ClientInputServer(s, [("kim", 1), ("lee", 1)], timeout=30.0)
            await srv.prepare()
            hub.attach(s.pid, srv)
            try:
                await srv.collect(4.0)
                agreed = await srv.agree()
                out = {k: await s.output(v) for k, v in agreed.inputs.items()}
                await srv.send_outputs(b"p", {})
            finally:
                await srv.close()  # on an abort too: no client waits for ever
            return out, agreed.rejected

        servers = asyncio.ensure_future(run_parties_async(3, program, field=F, timeout=1.5))
        views = await asyncio.gather(partial(hub), honest("lee", [2])(hub))
        return await servers, views

    servers, views = run(short_timeout_session())
    for out in servers:
        assert not isinstance(out, BaseException), out
        opened, rejected = out
        assert opened == {"lee": [2]} and "kim" in rejected
    assert views[0][0] == 5  # ACK from server 0 before the exclusion
