"""Fuzzing what a peer can send (issue 12): random bytes, truncations, values ≥ q and huge
lengths in place of any message of a session, of a frame on a connection, of a handshake
and of a client's message. Every honest party must end with an MPCAbort subclass (or, when
the change is a legitimate one such as a different input, with the same result as the
other honest parties) — never another exception, never a hang."""
import asyncio

from gmpy2 import mpz
from hypothesis import HealthCheck, given, settings, strategies as st

from mpc import comparison as C
from mpc.client_input import ClientInputError, ClientInputServer, ClientProtocolError, memory_channel_pair
from mpc.client_input.channels import check_header
from mpc.client_input.wire import (HELLO, INPUT, NAMES, REFUSE, decode_hello, decode_input, decode_masks,
                                   decode_result)
from mpc.codec import decode_vector
from mpc.errors import MalformedMessage, MPCAbort
from mpc.field import PrimeField
from mpc.local import run_parties
from mpc.net.framing import HEADER, read_frame
from mpc.net.handshake import HandshakeError, Hello, Welcome
from mpc.net.transport import NetTransport, _Peer
from mpc.session import Session
from mpc.shares import AuthVector, KeyShare

F = PrimeField()
Q = int(F.q)
W = F.nbytes
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- mutations of one message -------------------------------------------------------------------
def _at_q(payload: bytes, at: int) -> bytes:
    """The payload with the field element at position `at` replaced by q (or q appended)."""
    k = len(payload) // W
    if k == 0:
        return payload + Q.to_bytes(W, "little")
    i = at % k
    return payload[:i * W] + Q.to_bytes(W, "little") + payload[(i + 1) * W:]


mutations = st.one_of(
    st.tuples(st.just("random"), st.binary(max_size=200)),
    st.tuples(st.just("truncate"), st.integers(0, 10_000)),
    st.tuples(st.just("extend"), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("at_q"), st.integers(0, 1000)),
    st.tuples(st.just("all_ff"), st.integers(1, 4)),
    st.tuples(st.just("huge"), st.sampled_from([1 << 16, 1 << 20])),
    st.tuples(st.just("flip"), st.integers(0, 10_000)),
    st.tuples(st.just("drop"), st.none()),
)


def mutate(payload: bytes, mutation):
    kind, arg = mutation
    if kind == "random":
        return arg
    if kind == "truncate":
        return payload[:arg % max(1, len(payload))]
    if kind == "extend":
        return payload + arg
    if kind == "at_q":
        return _at_q(payload, arg)
    if kind == "all_ff":
        return b"\xff" * (len(payload) or 4 * arg)
    if kind == "huge":
        return bytes(arg)
    if kind == "flip":
        if not payload:
            return b"\x01"
        i = arg % len(payload)
        return payload[:i] + bytes([payload[i] ^ 1]) + payload[i + 1:]
    return None  # drop


class FuzzingTransport:
    """Wraps party 1's transport: its `index`-th message is mutated (or dropped)."""

    def __init__(self, inner, index, mutation):
        self._inner, self.index, self.mutation, self.count = inner, index, mutation, 0
        self.mutated = None

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def send(self, peer, label, payload):
        if self.count == self.index:
            new = mutate(payload, self.mutation)
            self.mutated = (label, new != payload)
            self.count += 1
            if new is None:
                return
            payload = new
        else:
            self.count += 1
        self._inner.send(peer, label, payload)


async def session_workload(s):
    xs = await s.input_many({s.pid: [s.pid + 1, 5]}, {0: 2, 1: 2, 2: 2}, bits=8)
    y = await s.mul(xs[0], xs[1])
    lt = await C.less_than(s, xs[1], xs[2], 8)
    got = await s.broadcast_variable(bytes([s.pid]) * (s.pid + 1), limit=16)
    await s.coin_toss()
    await s.output_to_each(y, [0, 1])
    (stop,) = await s.open_checked(lt[:1])
    return await s.output(y + lt), got, stop


def run_fuzzed(m, mode, index, mutation):
    fuzzers = {}

    def factory(pid, t, prep):
        if pid == 1:
            t = fuzzers[1] = FuzzingTransport(t, index, mutation)
            prep.transport = t
        return Session(t, prep, F, open_mode=mode)

    return run_parties(m, session_workload, field=F, session_factory=factory, timeout=0.5), fuzzers[1]


def assert_honest_parties_abort_or_agree(results, cheater=1):
    honest = [r for pid, r in enumerate(results) if pid != cheater]
    for r in honest:
        assert isinstance(r, MPCAbort) or not isinstance(r, BaseException), repr(r)
    finished = [r for r in honest if not isinstance(r, BaseException)]
    assert all(r == finished[0] for r in finished)


@FUZZ
@given(index=st.integers(0, 60), mutation=mutations)
def test_any_message_of_a_session_mutated_all_to_all(index, mutation):
    results, fuzzer = run_fuzzed(3, "all", index, mutation)
    assert_honest_parties_abort_or_agree(results)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, 60), mutation=mutations)
def test_any_message_of_a_session_mutated_via_the_king(index, mutation):
    results, _ = run_fuzzed(5, "king", index, mutation)
    assert_honest_parties_abort_or_agree(results)


def test_the_workload_is_fuzzable_and_agrees_unfuzzed():
    results, fuzzer = run_fuzzed(3, "all", 10_000, ("drop", None))
    assert fuzzer.count > 40 and fuzzer.mutated is None
    assert all(r == results[0] for r in results) and not isinstance(results[0], BaseException)


# --- frames on a real connection ----------------------------------------------------------------
class _DeadWriter:
    class transport:  # noqa: N801 — stands in for an asyncio transport
        @staticmethod
        def abort():
            pass

        @staticmethod
        def get_write_buffer_size():
            return 0

    def write(self, data):
        pass

    def close(self):
        pass


@FUZZ
@given(stream=st.one_of(
    st.binary(max_size=300),
    st.tuples(st.integers(-(1 << 63), (1 << 63) - 1), st.integers(0, (1 << 32) - 1), st.binary(max_size=64))
    .map(lambda t: HEADER.pack(t[0], t[1]) + t[2]),
    st.binary(max_size=40).map(lambda b: HEADER.pack(3, len(b)) + b + HEADER.pack(3, len(b)) + b)))
def test_any_byte_stream_from_a_connected_peer(stream):
    async def scenario():
        t = NetTransport(0, [("127.0.0.1", 1), ("127.0.0.1", 2)], timeout=0.3, max_frame=1024)
        reader = asyncio.StreamReader()
        reader.feed_data(stream)
        reader.feed_eof()
        p = _Peer(reader, _DeadWriter())
        t._peers[1] = p
        p.task = asyncio.ensure_future(t._read_loop(1, p))
        try:
            return await t.recv(1, 3)
        except MPCAbort as exc:
            return exc
        finally:
            p.task.cancel()

    out = asyncio.run(scenario())
    assert isinstance(out, (bytes, MPCAbort)), repr(out)


@FUZZ
@given(st.binary(max_size=40))
def test_handshake_messages_parse_or_refuse(data):
    for cls in (Hello, Welcome):
        try:
            cls.decode(data)
        except HandshakeError:
            pass


@FUZZ
@given(st.binary(max_size=64), st.integers(0, 2000))
def test_read_frame_on_random_bytes(data, limit):
    async def go():
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        try:
            return await read_frame(reader, limit, "peer")
        except (MalformedMessage, asyncio.IncompleteReadError) as exc:
            return exc

    out = asyncio.run(go())
    assert isinstance(out, (tuple, MalformedMessage, asyncio.IncompleteReadError))


# --- decoders -----------------------------------------------------------------------------------
@FUZZ
@given(st.binary(max_size=200), st.integers(0, 6))
def test_engine_decoder_returns_field_elements_or_refuses(data, n):
    try:
        values = decode_vector(F, data, n, 1)
    except MalformedMessage:
        return
    assert len(values) == n and all(0 <= v < Q for v in values)


@FUZZ
@given(st.binary(max_size=300), st.integers(0, 4))
def test_client_wire_decoders_refuse_with_their_own_errors(data, n):
    for call in (lambda: decode_hello(data), lambda: decode_input(F, data, n)):
        try:
            call()
        except ClientProtocolError:
            pass
    for call in (lambda: decode_masks(F, data, n, 0), lambda: decode_result(F, data, 0)):
        try:
            call()
        except ClientInputError:
            pass


@FUZZ
@given(st.integers(0, 255), st.integers(0, (1 << 32) - 1))
def test_frame_headers_are_judged_before_the_payload(kind, length):
    limits = {HELLO: 256}
    try:
        check_header(kind, length, limits)
    except ClientProtocolError:
        assert kind != HELLO or length > 256
        return
    assert kind == HELLO and length <= 256


# --- a client's messages at a server ------------------------------------------------------------
class _FakeSession:
    """Just enough of a session for one client handler: a field and the reserved triples."""

    def __init__(self):
        self.field = F
        key = KeyShare(F, 0, mpz(3))
        self.key = key


def _server_with_triples(n):
    s = _FakeSession()
    srv = ClientInputServer(s, [("c", n)], timeout=0.3, hello_timeout=0.3)
    vec = AuthVector(s.key, [mpz(i + 1) for i in range(n)], [mpz(0)] * n)
    srv.triples = (vec, vec, vec)
    return srv


frames = st.lists(st.tuples(st.sampled_from(sorted(NAMES) + [0, 99]), st.binary(max_size=120)), max_size=4)


@FUZZ
@given(frames, st.booleans())
def test_any_client_messages_leave_the_server_serving(msgs, hello_first):
    async def scenario():
        srv = _server_with_triples(2)
        client, server_end = memory_channel_pair()
        if hello_first:
            await client.send(HELLO, b"c")
        for kind, payload in msgs:
            await client.outbox.put((kind, payload))
        client.close()
        await asyncio.wait_for(srv.handle(server_end), 5.0)
        return srv.clients[0]

    c = asyncio.run(scenario())
    assert c.diffs is None or (len(c.diffs) == 2 and c.reason is None)
    assert (c.diffs is None) == (c.digest == bytes(32))


def test_a_well_formed_client_is_still_accepted_by_the_fuzzed_handler():
    async def scenario():
        srv = _server_with_triples(2)
        client, server_end = memory_channel_pair()
        task = asyncio.ensure_future(srv.handle(server_end))
        await client.send(HELLO, b"c")
        await client.recv(1)
        await client.send(INPUT, bytes(2 * W))
        kind, _ = await client.recv(1)
        await task
        return kind, srv.clients[0]

    kind, c = asyncio.run(scenario())
    assert kind == 5 and c.diffs == [0, 0]
    assert REFUSE in NAMES
