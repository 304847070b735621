"""The online phase's bookkeeping and diagnostics, each tied to what it protects:

- every message carries an integer label of its own step (messages of different steps
  never mix, and the MPyC transport frames labels as integers);
- broadcasts and king-mode openings go through the equivocation hook per peer, so a party
  that tells peers different things is caught;
- an abort by a peer failing mid-step marks the session aborted (nothing more is released);
- close() MAC-checks what was opened but never output, and only then;
- coin toss and hash commitments follow their definitions (known answers);
- traffic statistics count rounds under the current phase; checks_passed counts checks;
- abort messages name the check, the step and the party.
"""
import asyncio
import hashlib

import pytest

from mpc.errors import (BroadcastInconsistency, CommitmentMismatch, MacCheckFailure, MalformedMessage,
                        MPCAbort, PeerTimeout)
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
    async def prog(s):
        return await s.coin_toss()

    res = run_parties(3, prog, field=F, timeout=2,
                      session_factory=lambda pid, t, prep: (Equivocator if pid == 1 else Session)(t, prep, F))
    assert isinstance(res[2], CommitmentMismatch)
    assert str(res[2]) == ("commitment of check values failed: party 1 revealed a coin-toss seed "
                           "it did not commit to")
    # party 0 saw consistent messages and finishes the toss: no fairness (README, trust model)
    assert isinstance(res[0], bytes) and len(res[0]) == 32


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

    async def prog(s):
        out = []
        for attempt in range(2):
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
        res = run_parties(m, prog, field=F, open_mode=mode, session_factory=factory, timeout=1.0)
    finally:
        Mute.n_ok = 0
    for pid in (0, 2):
        first, second = res[pid]
        assert isinstance(first, PeerTimeout) and str(first).endswith("within 1 s"), (pid, first)
        assert isinstance(second, PeerTimeout) and "session already aborted" in str(second)
    if step == "input":
        assert str(res[0][0]).endswith("got no message from party 1 within 1 s")


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
    async def prog(s):
        out = []
        for values in (None, [1, 2, 3]):
            try:
                await s.input_many({0: values}, {0: 2})
            except ValueError as exc:
                out.append(str(exc))
        return out

    # only party 0 gets to the check; the others would wait, so run party 0's view alone
    net = InMemoryNetwork(2)
    from mpc.preprocessing import BACKENDS

    async def one():
        t = net.transport(0, 1.0)
        s = await Session(t, BACKENDS["dealer"](F, t), F).start()
        return await prog(s)

    assert asyncio.run(one()) == ["party 0 must input exactly 2 values"] * 2


def test_mul_length_mismatch_and_empty_vectors():
    async def prog(s):
        x = await s.input(0, [2, 3] if s.pid == 0 else None, 2)
        with pytest.raises(ValueError, match=r"^length mismatch: 2 vs 1$"):
            await s.mul(x, x[0:1])
        empty = await s.mul(x[0:0], x[0:0])
        sq = await s.square(x)
        return len(empty), await s.output(sq), await s.output(await s.inner_product(x, x))

    res = run_parties(3, prog, field=F)
    assert res == [(0, [4, 9], [13])] * 3


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
    commitments, reveals = seen[0]
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
            # each output: 1 opening (2 rounds for the king) + MAC check (coin toss 2, check 2 broadcasts)
            per_output = (1 if mode == "all" else 2) + 4
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
    closed = []

    class Tracking(Session):
        async def close(self):
            await super().close()
            closed.append(self.pid)

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
    assert res[0] == res[2] == "done"
    assert {0, 2} <= set(closed)


class OutOfFieldCheckValue(Session):
    """Commits to and reveals a MAC-check value equal to q (not a field element), with a
    commitment that matches: only the decoder's range check can refuse it."""

    _after_toss = False

    async def broadcast_bytes(self, payload, size):
        if size == 64:                      # the coin toss's reveal: the MAC check comes next
            self._after_toss = True
        elif size == 32 and self._after_toss:
            w = self.field.nbytes
            self._body = int(self.field.q).to_bytes(w, "little") + self._transcript.digest()
            self._nonce = bytes(32)
            payload = commit_bytes(self._body, self._nonce)
        elif self._after_toss and size == len(payload) == self.field.nbytes + 64:
            payload = self._body + self._nonce
            self._after_toss = False
        return await super().broadcast_bytes(payload, size)


def test_mac_check_value_outside_the_field_is_refused_naming_the_party():
    async def prog(s):
        return await s.output(await s.input(0, [3] if s.pid == 0 else None, 1))

    res = run_parties(3, prog, field=F, timeout=2,
                      session_factory=lambda pid, t, prep: (OutOfFieldCheckValue if pid == 1 else Session)(t, prep, F))
    for pid in (0, 2):
        assert isinstance(res[pid], MalformedMessage), res[pid]
        assert str(res[pid]) == "message format failed: value >= field modulus from party 1"
