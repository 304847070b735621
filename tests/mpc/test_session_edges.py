"""The online phase's bookkeeping and diagnostics, each tied to what it protects:

- every message carries an integer label of its own step (messages of different steps
  never mix, and the MPyC transport frames labels as integers);
- broadcasts and king-mode openings go through the equivocation hook per peer, so a party
  that tells peers different things is caught;
- an abort by a peer failing mid-step marks the session aborted (nothing more is released,
  and close() raises the latched abort again);
- a local argument error inside a session method latches the abort too;
- close() MAC-checks what was opened but never output; after an abort it checks nothing;
- coin toss and hash commitments follow their definitions (known answers);
- traffic statistics count rounds under the current phase; checks_passed counts checks;
- abort messages name the check, the step and the party.
"""
import asyncio
import hashlib

import pytest

from mpc.errors import (BroadcastInconsistency, CommitmentMismatch, MacCheckFailure, MalformedMessage,
                        MPCAbort, PeerTimeout, SessionFailure)
from mpc.field import PrimeField
from mpc.local import run_parties
from mpc.session import Session, commit_bytes
from mpc.transport import InMemoryNetwork

F = PrimeField()


class RecordingNetwork(InMemoryNetwork):
    def __init__(self, m):
        super().__init__(m)
        self.sent = []

    def deliver(self, src, dst, label, payload):
        self.sent.append((src, dst, label))
        super().deliver(src, dst, label, payload)


async def mixed_workload(s):
    xs = await s.input_many({s.pid: [s.pid + 1, 2]}, {p: 2 for p in range(s.m)})
    y = await s.mul(xs[0], xs[1])
    await s.open(y)
    await s.coin_toss()
    return await s.output(y + xs[s.m - 1])


@pytest.mark.parametrize("m,mode", [(3, "all"), (5, "king")])
def test_every_message_has_an_integer_label_of_its_own_step(m, mode):
    net = RecordingNetwork(m)
    res = run_parties(m, mixed_workload, field=F, network=net, open_mode=mode)
    assert all(r == res[0] for r in res) and not isinstance(res[0], BaseException), res
    assert res[0] == [(1 * 2) + m, 2 * 2 + 2]
    assert all(type(label) is int for _, _, label in net.sent)
    assert len(set(net.sent)) == len(net.sent), "two steps used the same label between the same parties"


def test_open_mode_choice_and_validation():
    net = InMemoryNetwork(5)
    for m, expected in [(2, "all"), (4, "all"), (5, "king")]:
        t = InMemoryNetwork(m).transport(0)
        assert Session(t, None, F).open_mode == expected
    assert Session(net.transport(0), None, F, open_mode="all").open_mode == "all"
    assert Session(net.transport(0), None, F, open_mode="king").open_mode == "king"
    assert Session(net.transport(0), None, F).security == 40  # README: statistical security κ = 40
    with pytest.raises(ValueError, match=r"^open_mode must be 'auto', 'all' or 'king'$"):
        Session(net.transport(0), None, F, open_mode="star")


class Equivocator(Session):
    """Sends the last party other bytes than the others, in payloads of one chosen size."""

    size = 32

    def _broadcast_payload_for(self, peer, payload):
        if peer == self.m - 1 and len(payload) == self.size:
            return bytes([payload[0] ^ 1]) + payload[1:]
        return payload


def test_equivocated_broadcast_is_caught_by_the_party_it_deceives():
    """All-to-all broadcasts (here the coin toss's 32-byte commitments) go through the hook."""
    tosses = {}

    async def prog(s):
        tosses[s.pid] = await s.coin_toss()
        return "tossed"

    res = run_parties(3, prog, field=F, timeout=0.5,
                      session_factory=lambda pid, t, prep: (Equivocator if pid == 1 else Session)(t, prep, F))
    assert isinstance(res[2], CommitmentMismatch)
    assert str(res[2]) == ("commitment of check values failed: party 1 revealed a coin-toss seed "
                           "it did not commit to")
    # party 0 saw consistent messages and finishes the toss itself: no fairness (README, trust
    # model); but close() checks the transcript, which needs the deceived party 2, so party 0
    # ends aborted too instead of finishing the session
    assert isinstance(tosses[0], bytes) and len(tosses[0]) == 32 and 2 not in tosses
    assert isinstance(res[0], PeerTimeout), res[0]
    assert str(res[0]) == "liveness (timeout) failed: party 0 got no message from party 2 within 0.5 s"


def test_equivocating_king_is_caught_at_the_mac_check():
    """In king mode the king's opened total goes through the hook too: party 4 gets another
    total, so its broadcast transcript differs and every honest party aborts."""
    king = 2  # steps: input = label 1, the opening's labels 2 and 3, king = 2 % 5

    class KingLiar(Equivocator):
        size = 4 * 32  # only the opened 4-element vector

    async def prog(s):
        x = await s.input(0, [4, 5, 6, 7] if s.pid == 0 else None, 4)
        return await s.output(x)

    res = run_parties(5, prog, field=F, open_mode="king", timeout=5,
                      session_factory=lambda pid, t, prep: (KingLiar if pid == king else Session)(
                          t, prep, F, open_mode="king"))
    for pid in (0, 1, 3, 4):
        assert isinstance(res[pid], BroadcastInconsistency), (pid, res[pid])
    assert str(res[0]) == "broadcast consistency failed: party 4 saw different broadcast values than party 0"


class Mute(Session):
    """Stops sending after its first `n_ok` messages (a crash in the middle of a step)."""

    n_ok = 0

    async def start(self):
        await super().start()
        t, sent = self.transport, [0]
        orig = t._send

        def send(peer, label, payload):
            sent[0] += 1
            if sent[0] <= self.n_ok:
                orig(peer, label, payload)
        t._send = send
        return self


@pytest.mark.parametrize("step", ["input", "open-king"])
def test_peer_timeout_mid_step_aborts_and_blocks_further_output(step):
    m, mode = (3, "all") if step == "input" else (5, "king")

    attempts = {}

    async def prog(s):
        out = attempts.setdefault(s.pid, [])
        for attempt in range(2):   # a careless program that retries after an abort
            try:
                x = await s.input(1, [9] if s.pid == 1 else None, 1)
                out.append(await s.output(x))
            except MPCAbort as exc:
                out.append(exc)
        return out

    def factory(pid, t, prep):
        cls = Mute if pid == 1 else Session
        return cls(t, prep, F, open_mode=mode)

    if step == "open-king":
        Mute.n_ok = m - 1   # the input arrives; the opening does not
    else:
        Mute.n_ok = 0
    try:
        res = run_parties(m, prog, field=F, open_mode=mode, session_factory=factory, timeout=0.5)
    finally:
        Mute.n_ok = 0
    for pid in (0, 2):
        first, second = attempts[pid]
        assert isinstance(first, PeerTimeout) and str(first).endswith("within 0.5 s"), (pid, first)
        # the retry is refused at once, and close() raises the latched abort again
        for later in (second, res[pid]):
            assert isinstance(later, PeerTimeout), (pid, later)
            assert str(later) == f"liveness (timeout) failed: session already aborted ({first})"
    if step == "input":
        assert str(attempts[0][0]).endswith("got no message from party 1 within 0.5 s")
    else:   # the king of the opening (party 2) waited for party 1; party 0 waited for the king
        assert str(attempts[2][0]).endswith("got no message from party 1 within 0.5 s")
        assert str(attempts[0][0]).endswith("got no message from party 2 within 0.5 s")


def test_malformed_messages_name_the_sender():
    class Shorty(Session):
        def _input_payload_for(self, peer, payload):
            return payload[:-1]

        def _broadcast_payload_for(self, peer, payload):
            return payload + b"\x00"

    async def input_prog(s):
        return await s.input(1, [3] if s.pid == 1 else None, 1)

    res = run_parties(3, input_prog, field=F, timeout=1,
                      session_factory=lambda pid, t, prep: (Shorty if pid == 1 else Session)(t, prep, F))
    assert str(res[0]) == "message format failed: expected 1 field elements (32 bytes) from party 1, got 31"

    async def toss_prog(s):
        return await s.coin_toss()

    res = run_parties(3, toss_prog, field=F, timeout=1,
                      session_factory=lambda pid, t, prep: (Shorty if pid == 1 else Session)(t, prep, F))
    assert str(res[0]) == "message format failed: broadcast from party 1 must be 32 bytes"


class BadShare(Session):
    def _open_shares(self, values):
        return [self.field.q] + list(values[1:])  # not a field element


async def _open_two(s):
    return await s.output(await s.input(0, [1, 2] if s.pid == 0 else None, 2))


@pytest.mark.parametrize("m,mode", [(3, "all"), (5, "king")])
def test_malformed_share_in_an_opening_names_its_sender(m, mode):
    bad = 1 if mode == "all" else 3   # in king mode party 3 is not the king (party 2)
    res = run_parties(m, _open_two, field=F, open_mode=mode, timeout=1,
                      session_factory=lambda pid, t, prep: (BadShare if pid == bad else Session)(
                          t, prep, F, open_mode=mode))
    receivers = [0, 2] if mode == "all" else [2]
    for pid in receivers:
        assert isinstance(res[pid], MalformedMessage), (pid, res[pid])
        assert str(res[pid]) == f"message format failed: value >= field modulus from party {bad}"


def test_malformed_total_from_the_king_names_the_king():
    class BadKing(Session):
        def _broadcast_payload_for(self, peer, payload):
            if len(payload) == 2 * self.field.nbytes:   # the opened total
                return int(self.field.q).to_bytes(self.field.nbytes, "little") + payload[self.field.nbytes:]
            return payload

    res = run_parties(5, _open_two, field=F, open_mode="king", timeout=1,
                      session_factory=lambda pid, t, prep: (BadKing if pid == 2 else Session)(
                          t, prep, F, open_mode="king"))
    for pid in (0, 1, 3, 4):
        assert isinstance(res[pid], MalformedMessage), (pid, res[pid])
        assert str(res[pid]) == "message format failed: value >= field modulus from party 2"


def test_mac_check_value_other_than_committed_is_named():
    from mpc.testing import cheating_factory

    res = run_parties(3, _open_two, field=F, timeout=2, session_factory=cheating_factory("mac", 1, F))
    for pid in (0, 2):
        assert isinstance(res[pid], CommitmentMismatch)
        assert str(res[pid]) == ("commitment of check values failed: party 1 revealed a MAC-check value "
                                 "it did not commit to")


def test_wrong_input_sizes_are_refused_with_a_message():
    """The owner's vector must have the public size; the refusal is a local error inside a
    session method, so it latches the abort (one fresh session per case)."""
    from mpc.preprocessing import BACKENDS

    async def one(values):
        # only party 0 gets to the check; the others would wait, so run party 0's view alone
        t = InMemoryNetwork(2).transport(0, 0.5)
        s = await Session(t, BACKENDS["dealer"](F, t), F).start()
        rounds = t.stats.rounds
        with pytest.raises(ValueError) as info:
            await s.input_many({0: values}, {0: 2})
        assert t.stats.rounds == rounds   # refused before anything was sent
        with pytest.raises(SessionFailure) as later:
            await s.input_many({0: [1, 2]}, {0: 2})
        return str(info.value), str(s.aborted), str(later.value)

    msg = "party 0 must input exactly 2 values"
    latched = f"session state failed: ValueError inside the session: {msg}"
    for values in (None, [1], [1, 2, 3]):
        assert asyncio.run(one(values)) == (msg, latched, f"session state failed: session already aborted ({latched})")


def test_mul_length_mismatch_and_empty_vectors():
    async def mismatch(s):
        x = await s.input(0, [2, 3] if s.pid == 0 else None, 2)
        with pytest.raises(ValueError, match=r"^length mismatch: 2 vs 1$"):
            await s.mul(x, x[0:1])
        return "went on"

    # the local error latches the abort: close() raises it again at every party
    for r in run_parties(3, mismatch, field=F, timeout=2):
        assert isinstance(r, SessionFailure), r
        assert str(r) == ("session state failed: session already aborted (session state failed: "
                          "ValueError inside the session: length mismatch: 2 vs 1)")

    async def prog(s):
        x = await s.input(0, [2, 3] if s.pid == 0 else None, 2)
        rounds, triples = s.stats.rounds, s.consumed.get("triple", 0)
        empty = await s.mul(x[0:0], x[0:0])
        free = (s.stats.rounds - rounds, s.consumed.get("triple", 0) - triples)   # no round, no triple
        sq = await s.square(x)
        return len(empty), free, await s.output(sq), await s.output(await s.inner_product(x, x))

    res = run_parties(3, prog, field=F, timeout=2)
    assert res == [(0, (0, 0), [4, 9], [13])] * 3


def test_commit_bytes_and_coin_toss_known_answers():
    nonce = bytes(range(32))
    assert commit_bytes(b"payload", nonce) == hashlib.sha256(b"mpc-commit|" + nonce + b"payload").digest()
    seen = {}

    class Spy(Session):
        async def broadcast_bytes(self, payload, size):
            out = await super().broadcast_bytes(payload, size)
            seen.setdefault(self.pid, []).append(out)
            return out

    res = run_parties(3, lambda s: s.coin_toss(), field=F, session_factory=lambda pid, t, p: Spy(t, p, F))
    assert res[0] == res[1] == res[2]
    # the toss's two broadcasts, then the two of the check that close() runs over them
    assert [len(seen[pid]) for pid in range(3)] == [4] * 3
    commitments, reveals = seen[0][:2]
    assert [len(r) for r in reveals] == [64] * 3
    for cm, rv in zip(commitments, reveals):
        assert cm == commit_bytes(rv[:32], rv[32:])
    assert res[0] == hashlib.sha256(b"mpc-coin|" + b"".join(r[:32] for r in reveals)).digest()
    assert len(set(r[:32] for r in reveals)) == 3 and len(set(r[32:] for r in reveals)) == 3


def test_rounds_are_counted_under_the_current_phase_and_checks_are_counted():
    async def prog(s):
        s.transport.phase = "stage-a"
        x = await s.input(0, [5] if s.pid == 0 else None, 1)
        await s.output(x)
        s.transport.phase = "stage-b"
        await s.output(x * 2)
        return s.stats.snapshot(), s.checks_passed

    for m, mode in [(3, "all"), (5, "king")]:
        res = run_parties(m, prog, field=F, open_mode=mode)
        for snap, checks in res:
            assert checks == 2
            # the dealer's own messages are counted under "preprocessing", everything else here
            assert {"stage-a", "stage-b"} <= set(snap["by_phase"]) <= {"preprocessing", "stage-a", "stage-b"}
            assert snap["rounds"] == sum(p["rounds"] for p in snap["by_phase"].values())
            # each output: 1 opening (2 rounds for the king) + MAC check (commit and reveal; its
            # coefficients come from the transcript, so no coin toss)
            per_output = (1 if mode == "all" else 2) + 2
            assert snap["by_phase"]["stage-b"]["rounds"] == per_output
            assert snap["by_phase"]["stage-a"]["rounds"] == 1 + per_output


def test_close_checks_values_opened_but_never_output():
    class Shift(Session):
        def _open_shares(self, values):
            return [(values[0] + 1) % self.field.q] + list(values[1:])

    async def prog(s):
        x = await s.input(0, [1] if s.pid == 0 else None, 1)
        await s.open(x)
        return "opened"   # run_parties calls close(), which must run the MAC check

    res = run_parties(3, prog, field=F, timeout=5,
                      session_factory=lambda pid, t, prep: (Shift if pid == 1 else Session)(t, prep, F))
    for pid in (0, 2):
        assert isinstance(res[pid], MacCheckFailure), res[pid]
        assert str(res[pid]).endswith("(1 values checked)")


def test_close_after_an_abort_releases_without_checking():
    """close() after an abort drops the connections without a check round (a check would
    need the peers that aborted) and raises the latched abort again, so a program that
    swallowed the abort still ends aborted."""
    closed = {}

    class Tracking(Session):
        async def close(self):
            rounds, abandoned = self.stats.rounds, []
            self.transport.abandon = lambda: abandoned.append(True)
            try:
                await super().close()
            finally:
                closed[self.pid] = (self.stats.rounds - rounds, abandoned)

    class Shift(Tracking):
        def _open_shares(self, values):
            return [(values[0] + 1) % self.field.q]

    async def prog(s):
        x = await s.input(0, [1] if s.pid == 0 else None, 1)
        try:
            await s.output(x)
        except MacCheckFailure:
            pass
        s._pending_values.append(0)  # as if something was opened after the abort
        return "done"

    res = run_parties(3, prog, field=F, timeout=5,
                      session_factory=lambda pid, t, prep: (Shift if pid == 1 else Tracking)(t, prep, F))
    for pid in (0, 2):
        assert isinstance(res[pid], MacCheckFailure), res[pid]
        assert str(res[pid]) == ("MAC check failed: session already aborted (MAC check failed: opened values "
                                 "are inconsistent with their MACs (1 values checked))")
        assert closed[pid] == (0, [True])   # no check round; the transport was abandoned


class OutOfFieldCheckValue(Session):
    """Commits to and reveals its MAC-check value σ plus q: congruent to σ, so the check's
    sum is still 0 mod q, but not a field element; the commitment matches, so only the
    decoder's range check can refuse it (without it the output goes through)."""

    _coeffs = None

    def challenge(self, label, n):
        out = super().challenge(label, n)
        if label == b"mac-check":
            self._coeffs = out
        return out

    async def broadcast_bytes(self, payload, size):
        f, w = self.field, self.field.nbytes
        if size == 32 and self._coeffs is not None:   # the MAC check's commitment
            c = self._coeffs
            sigma = (f.dot(c, self._pending_macs) - self.key.alpha * f.dot(c, self._pending_values)) % f.q
            self._body = int(sigma + f.q).to_bytes(w, "little") + self._transcript.digest()
            self._nonce = bytes(32)
            payload = commit_bytes(self._body, self._nonce)
        elif size == w + 64 and self._coeffs is not None:   # its reveal
            payload = self._body + self._nonce
            self._coeffs = None
        return await super().broadcast_bytes(payload, size)


def test_mac_check_value_outside_the_field_is_refused_naming_the_party():
    async def prog(s):
        return await s.output(await s.input(0, [3] if s.pid == 0 else None, 1))

    res = run_parties(3, prog, field=F, timeout=2,
                      session_factory=lambda pid, t, prep: (OutOfFieldCheckValue if pid == 1 else Session)(t, prep, F))
    for pid in (0, 2):
        assert isinstance(res[pid], MalformedMessage), res[pid]
        assert str(res[pid]) == "message format failed: value >= field modulus from party 1"
