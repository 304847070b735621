"""The client-input options protocols switch on: clients authenticated by a registered key,
public attachments agreed with the input, one more question-and-answer round, and a final
notice. Each check is broken on purpose and seen to fire."""
import asyncio

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mpc.client_input import (AUTH, CHALLENGE, HELLO, ClientInputError, ClientInputServer, MemoryHub,
                              answer_request, receive_notice, receive_output, submit_input)
from mpc.client_input.wire import auth_message
from mpc.field import PrimeField
from mpc.local import run_parties_async

F = PrimeField()
CONTEXT = b"test-session"
KEYS = {"alice": Ed25519PrivateKey.generate(), "bob": Ed25519PrivateKey.generate()}


def verify(ident: str, message: bytes, signature: bytes) -> bool:
    try:
        KEYS[ident].public_key().verify(signature, message)
        return True
    except InvalidSignature:
        return False


def run_servers(clients, tasks, m=3, window=6.0, attachment_limit=0, questions=None):
    """Authenticating servers: collect, agree, reply with each client's input sum, ask
    `questions[id]` if given, then send a notice."""
    hub = MemoryHub(m)

    async def program(s):
        srv = ClientInputServer(s, clients, timeout=4.0, authenticate=verify, context=CONTEXT,
                                attachment_limit=attachment_limit)
        await srv.prepare()
        hub.attach(s.pid, srv)
        await srv.collect(window)
        agreed = await srv.agree()
        await srv.send_outputs(b"ok", {k: v.sum() for k, v in agreed.inputs.items()})
        replies = None
        if questions is not None:
            replies = await srv.exchange({k: questions[k] for k in agreed.inputs}, 64, 4.0)
            await srv.notify(b"done")
        await srv.close()
        return agreed, replies

    async def main():
        servers = asyncio.ensure_future(run_parties_async(m, program, field=F, timeout=20))
        views = await asyncio.gather(*(t(hub) for t in tasks), return_exceptions=True)
        return await servers, views
    return asyncio.run(main())


def client(ident, values, key=None, attach=None, answer=None):
    key = key or KEYS[ident]

    async def task(hub):
        chans = await hub.connect_all()
        keys = await submit_input(chans, ident, values, F, 4.0, sign=key.sign, context=CONTEXT, attach=attach)
        out = await receive_output(chans, F, 10.0, keys=keys)
        if answer is not None:
            await answer_request(chans, answer, 10.0)
            return out, await receive_notice(chans, 10.0)
        return out
    return task


def test_authenticated_clients_get_through():
    (servers, views) = run_servers([("alice", 2), ("bob", 1)], [client("alice", [3, 4]), client("bob", [5])])
    for agreed, _ in servers:
        assert set(agreed.inputs) == {"alice", "bob"} and agreed.rejected == {}
    assert views[0] == (b"ok", [7]) and views[1] == (b"ok", [5])


def test_an_impostor_is_refused_and_does_not_take_the_clients_place():
    impostor = Ed25519PrivateKey.generate()

    async def impostor_then_alice(hub):
        try:
            await client("alice", [1, 1], key=impostor)(hub)
            return "impostor got in"
        except ClientInputError as exc:
            refused = str(exc)
        return refused, await client("alice", [3, 4])(hub)

    servers, views = run_servers([("alice", 2)], [impostor_then_alice])
    refused, real = views[0]
    assert "failed to prove its identity" in refused
    assert real == (b"ok", [7])
    assert all(set(a.inputs) == {"alice"} for a, _ in servers)


def test_a_signature_for_another_session_or_server_does_not_authenticate():
    """A client that signs another context (a replay from another session), or answers every
    server with the signature meant for server 0, is refused."""
    async def replaying(hub, wrong):
        chans = await hub.connect_all()
        for ch in chans:
            await ch.send(HELLO, b"alice")
        for i, ch in enumerate(chans):
            _, nonce = await ch.recv(4.0)
            ctx, server = (b"other-session", i) if wrong == "context" else (CONTEXT, 0)
            await ch.send(AUTH, KEYS["alice"].sign(auth_message(ctx, server, "alice", nonce)))
        kinds = [(await ch.recv(4.0))[0] for ch in chans]
        return kinds

    for wrong, refused_by in (("context", {0, 1, 2}), ("server", {1, 2})):
        servers, views = run_servers([("alice", 1)], [lambda hub, w=wrong: replaying(hub, w)], window=3.0)
        from mpc.client_input import REJECT
        assert {i for i, k in enumerate(views[0]) if k == REJECT} == refused_by
        assert all(a.inputs == {} for a, _ in servers)


def test_without_authentication_the_server_sends_no_challenge():
    """The challenge is the servers' choice: with authenticate=None a client goes straight to its masks."""
    hub = MemoryHub(2)

    async def program(s):
        srv = ClientInputServer(s, [("x", 1)], timeout=3.0)
        await srv.prepare()
        hub.attach(s.pid, srv)
        await srv.collect(3.0)
        return await srv.agree()

    async def main():
        servers = asyncio.ensure_future(run_parties_async(2, program, field=F, timeout=10))
        chans = await hub.connect_all()
        await submit_input(chans, "x", [9], F, 3.0)
        return await servers
    assert all(set(a.inputs) == {"x"} for a in asyncio.run(main()))


def test_attachments_are_agreed_with_the_input_and_bound_to_it():
    seen = {}

    def attach(masked):
        seen["masked"] = masked
        return b"proof-of:" + masked[:8]

    servers, views = run_servers([("alice", 2)], [client("alice", [3, 4], attach=attach)], attachment_limit=64)
    for agreed, _ in servers:
        assert agreed.masked["alice"] == seen["masked"]
        assert agreed.attachments["alice"] == b"proof-of:" + seen["masked"][:8]


def test_a_client_attaching_different_bytes_per_server_is_excluded():
    calls = []

    def attach(masked):
        calls.append(1)
        return b"A"

    async def equivocating(hub):
        chans = await hub.connect_all()
        # the same protocol, but the last server gets another attachment
        original = chans[-1].send

        async def send(kind, payload):
            from mpc.client_input import INPUT
            if kind == INPUT:
                payload = payload[:-1] + b"B"
            await original(kind, payload)
        chans[-1].send = send
        keys = await submit_input(chans, "alice", [1, 2], F, 4.0, sign=KEYS["alice"].sign, context=CONTEXT,
                                  attach=attach)
        return await receive_output(chans, F, 10.0, keys=keys)

    servers, views = run_servers([("alice", 2)], [equivocating], attachment_limit=8)
    for agreed, _ in servers:
        assert agreed.inputs == {} and "equivocation" in agreed.rejected["alice"]
    assert isinstance(views[0], ClientInputError)


def test_an_oversized_attachment_is_refused_from_the_header():
    servers, views = run_servers([("alice", 1)], [client("alice", [1], attach=lambda d: bytes(65))],
                                 attachment_limit=64)
    for agreed, _ in servers:
        assert agreed.inputs == {} and "exceeds the limit" in agreed.rejected["alice"]


def test_the_question_round_agrees_on_answers_and_ends_with_a_notice():
    questions = {"alice": b"sign this", "bob": b"and this"}
    servers, views = run_servers(
        [("alice", 1), ("bob", 1)],
        [client("alice", [1], answer=lambda q: b"alice:" + q), client("bob", [2], answer=lambda q: b"bob:" + q)],
        questions=questions)
    for _, replies in servers:
        assert replies.replies == {"alice": b"alice:sign this", "bob": b"bob:and this"} and replies.rejected == {}
    assert views[0] == ((b"ok", [1]), b"done") and views[1] == ((b"ok", [2]), b"done")


def test_a_client_that_does_not_answer_or_equivocates_is_left_out_of_the_answers():
    async def silent(hub):
        chans = await hub.connect_all()
        keys = await submit_input(chans, "alice", [1], F, 4.0, sign=KEYS["alice"].sign, context=CONTEXT)
        await receive_output(chans, F, 10.0, keys=keys)
        await asyncio.sleep(6)
        return "silent"

    async def equivocating(hub):
        chans = await hub.connect_all()
        keys = await submit_input(chans, "bob", [2], F, 4.0, sign=KEYS["bob"].sign, context=CONTEXT)
        await receive_output(chans, F, 10.0, keys=keys)
        from mpc.client_input import REPLY, REQUEST
        for i, ch in enumerate(chans):
            kind, _ = await ch.recv(10.0, {REQUEST: 1 << 20})
            await ch.send(REPLY, b"yes" if i else b"no")
        return "equivocated"

    servers, views = run_servers([("alice", 1), ("bob", 1)], [silent, equivocating],
                                 questions={"alice": b"q", "bob": b"q"})
    for _, replies in servers:
        assert replies.replies == {}
        assert "no answer" in replies.rejected["alice"] or "got no answer" in replies.rejected["alice"]
        assert "equivocation" in replies.rejected["bob"]


def test_a_server_asking_another_question_makes_the_client_refuse():
    async def task():
        from mpc.client_input import REQUEST
        from mpc.client_input.channels import memory_channel_pair
        a, b = memory_channel_pair()
        await b.send(REQUEST, b"one")
        c, d = memory_channel_pair()
        await d.send(REQUEST, b"two")
        try:
            await answer_request([a, c], lambda q: q, 2.0)
        except ClientInputError as exc:
            return str(exc)
    assert "different questions" in asyncio.run(task())
    _ = CHALLENGE  # the frame type the tests above exercise through the real client
