"""Many clients, and clients whose failures the servers see differently (issue 16: 100
households as clients). Every server must end with the same view of who is in and why the
others are out, or the public results the servers send differ and every honest client
refuses them; and a burst of registered clients connecting at the same moment must all get in."""
import asyncio

from mpc.client_input import HELLO, ClientInputServer, MemoryHub, receive_output, submit_input
from mpc.client_input.server import DEFAULT_MAX_PENDING
from mpc.errors import MPCAbort
from mpc.field import PrimeField
from mpc.local import run_parties_async

F = PrimeField()


def test_a_client_that_fails_differently_at_each_server_is_excluded_with_the_same_reason_everywhere():
    """`flaky` is closed at server 0, sends a short input to server 1 and never says hello to
    server 2: three local reasons. Before, each server put its own reason into the rejected
    set (and the protocols above into the public result), so the servers' results differed."""
    hub = MemoryHub(3)

    async def program(s):
        srv = ClientInputServer(s, [("good", 1), ("flaky", 2)], timeout=3.0)
        await srv.prepare()
        hub.attach(s.pid, srv)
        await srv.collect(3.0)
        agreed = await srv.agree()
        await srv.send_outputs(repr(sorted(agreed.rejected.items())).encode(), {})
        await srv.close()
        return agreed.rejected

    async def good():
        chans = await hub.connect_all()
        await submit_input(chans, "good", [1], F)
        return await receive_output(chans, F, 10.0)

    async def flaky():
        c0, c1, c2 = await hub.connect_all()
        await c0.send(HELLO, b"flaky")
        c0.close()
        await c1.send(HELLO, b"flaky")
        await c1.recv(3.0)                            # its masks
        from mpc.client_input import INPUT
        await c1.send(INPUT, b"\x00")                 # too short
        await asyncio.sleep(4.0)
        c1.close()
        c2.close()

    async def main():
        servers = asyncio.ensure_future(run_parties_async(3, program, field=F, timeout=20))
        views = await asyncio.gather(good(), flaky(), return_exceptions=True)
        return await servers, views

    servers, views = asyncio.run(main())
    assert servers[0] == servers[1] == servers[2], servers
    reason = servers[0]["flaky"]
    assert "server 0: connection closed by the peer" in reason
    assert "server 1: malformed input" in reason
    assert "server 2: no input before the input window closed" in reason
    public, private = views[0]                        # the honest client accepts the (equal) results
    assert private == [] and b"flaky" in public


def test_more_registered_clients_than_the_pending_cap_may_connect_at_the_same_moment():
    """DEFAULT_MAX_PENDING + 6 registered clients connect at once (as a household simulator
    does). Before, the connections beyond the cap were closed at once and those clients
    excluded, although every one of them was registered and honest."""
    n = DEFAULT_MAX_PENDING + 6
    names = [f"c{i}" for i in range(n)]
    hub = MemoryHub(3)

    async def program(s):
        srv = ClientInputServer(s, [(c, 1) for c in names], timeout=10.0)
        await srv.prepare()
        hub.attach(s.pid, srv)
        await srv.collect(15.0)
        agreed = await srv.agree()
        await srv.send_outputs(b"ok", {})
        await srv.close()
        return sorted(agreed.inputs), agreed.rejected

    async def one(i, chans):
        await submit_input(chans, names[i], [i], F, 10.0)
        return await receive_output(chans, F, 10.0)

    async def main():
        servers = asyncio.ensure_future(run_parties_async(3, program, field=F, timeout=30))
        for p in range(3):
            await asyncio.wait_for(hub._event(p).wait(), 10)
        conns = [[await hub.connect(p) for p in range(3)] for _ in names]   # all connected, none has spoken
        views = await asyncio.gather(*(one(i, ch) for i, ch in enumerate(conns)), return_exceptions=True)
        return await servers, views

    servers, views = asyncio.run(main())
    for accepted, rejected in servers:
        assert rejected == {} and accepted == sorted(names)
    assert all(v == (b"ok", []) for v in views), [v for v in views if v != (b"ok", [])][:3]


def test_answers_may_come_until_the_exchange_window_even_past_the_servers_timeout():
    """The question round's window is the time a client has to answer (it may have a proof to
    compute), not the servers' per-message timeout. A client answers server 0 at once and
    the other servers 3 s later, with a 2 s timeout between servers and a 6 s window. Before,
    server 0 waited for the others in its broadcast for only the 2 s timeout and aborted."""
    hub = MemoryHub(3)

    async def program(s):
        srv = ClientInputServer(s, [("slow", 1)], timeout=2.0)
        await srv.prepare()
        hub.attach(s.pid, srv)
        await srv.collect(5.0)
        await srv.agree()
        await srv.send_outputs(b"ok", {})
        replies = await srv.exchange({"slow": b"q"}, 16, 6.0)
        await srv.close()
        return replies.replies, replies.rejected

    async def slow():
        from mpc.client_input import REPLY, REQUEST
        chans = await hub.connect_all()
        await submit_input(chans, "slow", [1], F, 5.0)
        await receive_output(chans, F, 10.0)
        for ch in chans:
            await ch.recv(10.0, {REQUEST: 16})
        await chans[0].send(REPLY, b"a")
        await asyncio.sleep(3.0)
        for ch in chans[1:]:
            await ch.send(REPLY, b"a")
        await asyncio.sleep(1.0)

    async def main():
        servers = asyncio.ensure_future(run_parties_async(3, program, field=F, timeout=2.0))
        await slow()
        return await servers

    servers = asyncio.run(main())
    for s in servers:
        assert not isinstance(s, MPCAbort), s
        assert s == ({"slow": b"a"}, {})
