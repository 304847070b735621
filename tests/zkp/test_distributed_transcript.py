"""The distributed proofs' challenges bind the whole statement.

Π_dzkpCm's challenge ψ (and Π_dzkpSum's β) is the tossed coin hashed with a transcript of
the group, the context, every owner's commitments and first messages (and y for the sum).
These tests recompute the challenge from an independently built transcript and compare
it with the one every party used, so they fail if any item (e.g. the commitments) is
left out of the transcript, reordered or relabelled; a second test shows that a
statement with other commitments gets another challenge for the same coin.
"""
import pytest

import zkp.distributed as D
from mpc.field import PrimeField
from mpc.local import run_parties
from zkp.groups import get_group
from zkp.pedersen import commit
from zkp.transcript import Transcript

GROUP = get_group("secp256k1")
FIELD = PrimeField(GROUP.order)


@pytest.fixture
def spy(monkeypatch):
    """Record, per party, the first messages broadcast, the coin and the challenge."""
    seen = {"firsts": {}, "coin": {}, "challenge": {}}
    orig_points, orig_challenge = D.broadcast_points, D.joint_challenge

    async def broadcast_points(session, group, mine, counts):
        out = await orig_points(session, group, mine, counts)
        seen["firsts"][session.pid] = out
        return out

    async def joint_challenge(session, group, transcript):
        orig_toss = session.coin_toss

        async def toss():
            seed = await orig_toss()
            seen["coin"][session.pid] = seed
            return seed
        session.coin_toss = toss
        try:
            c = await orig_challenge(session, group, transcript)
        finally:
            session.coin_toss = orig_toss
        seen["challenge"][session.pid] = c
        return c

    monkeypatch.setattr(D, "broadcast_points", broadcast_points)
    monkeypatch.setattr(D, "joint_challenge", joint_challenge)
    return seen


def _expected_cm_challenge(commitments, firsts, coin, context):
    t = Transcript(b"dzkpCm")
    t.append_group(GROUP)
    t.append_bytes(b"context", context)
    for o in sorted(commitments):
        t.append_int(b"owner", o)
        t.append_points(b"C", [c.point for c in commitments[o]])
        t.append_points(b"A", firsts[o])
    t.append_bytes(b"coin", coin)
    return t.challenge_scalar(b"challenge", GROUP)


def test_dzkp_cm_challenge_is_the_coin_hashed_with_commitments_and_first_messages(spy):
    values = {0: [3, 4], 2: [-5]}
    pairs = {o: [commit(GROUP, x) for x in xs] for o, xs in values.items()}
    commitments = {o: [c for c, _ in ps] for o, ps in pairs.items()}

    async def program(s):
        shared = await s.input_many({s.pid: values[s.pid]} if s.pid in values else {},
                                    {o: len(xs) for o, xs in values.items()})
        openings = [o for _, o in pairs[s.pid]] if s.pid in pairs else None
        await D.dzkp_commitments_many(s, GROUP, commitments, shared, openings, context=b"ctx-1")
        return "pass"

    assert run_parties(3, program, field=FIELD) == ["pass"] * 3
    assert len(set(spy["challenge"].values())) == 1 and len(set(spy["coin"].values())) == 1
    coin = spy["coin"][0]
    psi = spy["challenge"][0]
    assert psi == _expected_cm_challenge(commitments, spy["firsts"][0], coin, b"ctx-1")
    # the same coin and first messages with other commitments, or another context, give another ψ
    other = {0: [commit(GROUP, 3)[0], commitments[0][1]], 2: commitments[2]}
    assert psi != _expected_cm_challenge(other, spy["firsts"][0], coin, b"ctx-1")
    assert psi != _expected_cm_challenge(commitments, spy["firsts"][0], coin, b"ctx-2")


def test_dzkp_sum_challenge_binds_commitments_y_and_first_messages(spy):
    xs, y = [10, -4, 7], 13
    pairs = [commit(GROUP, x) for x in xs]
    commitments = [c for c, _ in pairs]

    async def program(s):
        await D.dzkp_sum(s, GROUP, commitments, y, pairs[s.pid][1], context=b"sum-ctx")
        return "pass"

    assert run_parties(3, program, field=FIELD) == ["pass"] * 3
    A = [spy["firsts"][0][p][0] for p in range(3)]

    def expected(cms, total):
        t = Transcript(b"dzkpSum")
        t.append_group(GROUP)
        t.append_bytes(b"context", b"sum-ctx")
        t.append_points(b"C", [c.point for c in cms])
        t.append_scalar(b"y", total, GROUP)
        t.append_points(b"A", A)
        t.append_bytes(b"coin", spy["coin"][0])
        return t.challenge_scalar(b"challenge", GROUP)

    beta = spy["challenge"][0]
    assert set(spy["challenge"].values()) == {beta}
    assert beta == expected(commitments, y)
    assert beta != expected(commitments[::-1], y) and beta != expected(commitments, y + 1)
