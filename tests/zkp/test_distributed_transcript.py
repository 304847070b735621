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


def test_default_context_is_empty_and_the_wrappers_pass_theirs_through(spy):
    xs = [8, 9]
    pairs = [commit(GROUP, x) for x in xs]
    cms, ops = [c for c, _ in pairs], [o for _, o in pairs]

    async def program(s):
        shared = await D.input_committed(s, GROUP, 1, cms, ops if s.pid == 1 else None)     # default context
        await D.dzkp_commitments(s, GROUP, 1, cms, shared, ops if s.pid == 1 else None, context=b"w")
        return await s.output(shared)

    res = run_parties(2, program, field=FIELD)
    assert res == [[8, 9], [8, 9]]
    # the spy kept the last proof's values: recompute both proofs' challenges from their coins
    assert spy["challenge"][0] == _expected_cm_challenge({1: cms}, spy["firsts"][0], spy["coin"][0], b"w")


def test_input_committed_uses_the_empty_context_by_default(spy):
    pairs = [commit(GROUP, 5)]
    cms, ops = [pairs[0][0]], [pairs[0][1]]

    async def program(s):
        return await s.output(await D.input_committed(s, GROUP, 0, cms, ops if s.pid == 0 else None))

    assert run_parties(2, program, field=FIELD) == [[5], [5]]
    assert spy["challenge"][0] == _expected_cm_challenge({0: cms}, spy["firsts"][0], spy["coin"][0], b"")


def test_argument_checks_name_the_party():
    c, o = commit(GROUP, 1)

    async def program(s):
        out = []
        x = await s.input(0, [1] if s.pid == 0 else None, 1)
        for call in (lambda: D.broadcast_points(s, GROUP, [], {s.pid: 2}),
                     lambda: D.dzkp_commitments_many(s, GROUP, {0: [c]}, {}, None),
                     lambda: D.dzkp_commitments_many(s, GROUP, {0: [c, c]}, {0: x}, None),
                     lambda: D.dzkp_commitments_many(s, GROUP, {s.pid: [c]}, {s.pid: x}, None),
                     lambda: D.dzkp_sum(s, GROUP, [c], 1, o)):
            try:
                await call()
                out.append("accepted")
            except ValueError as exc:
                out.append(str(exc))
        out.append(await D.broadcast_points(s, GROUP, [], {}))
        return out

    res = run_parties(2, program, field=FIELD)
    assert res[1][0] == "party 1 must broadcast 2 points"
    assert res[0] == ["party 0 must broadcast 2 points",
                      "one shared value per commitment of party 0 is needed",
                      "one shared value per commitment of party 0 is needed",
                      "party 0 must pass the opening of each of its 1 commitments",
                      "Π_dzkpSum needs exactly one commitment per party (2), got 1",
                      {}]


def test_several_failing_owners_are_all_named_and_a_wrong_sum_is_named():
    from mpc.errors import ProofFailure

    pairs = {o: [commit(GROUP, 10 + o)] for o in range(3)}

    async def program(s):
        # owners 0 and 2 share another value than they committed to; owner 1 is honest
        mine = [10 + s.pid + (1 if s.pid != 1 else 0)]
        shared = await s.input_many({s.pid: mine}, {o: 1 for o in range(3)})
        await D.dzkp_commitments_many(s, GROUP, {o: [p[0][0]] for o, p in pairs.items()}, shared,
                                      [pairs[s.pid][0][1]])
        return "pass"

    res = run_parties(3, program, field=FIELD)
    assert all(isinstance(r, ProofFailure) for r in res), res
    assert str(res[0]) == ("zero-knowledge proof failed: dzkpCm: shared values of party 0, 2 do not match "
                           "the commitments")
    sums = [commit(GROUP, x) for x in (1, 2)]

    async def wrong_total(s):
        await D.dzkp_sum(s, GROUP, [c for c, _ in sums], 4, sums[s.pid][1])
        return "pass"

    res = run_parties(2, wrong_total, field=FIELD)
    assert [str(r) for r in res] == ["zero-knowledge proof failed: dzkpSum: the committed values do not sum to "
                                     "the claimed total"] * 2


def test_a_party_without_points_must_broadcast_none():
    async def program(s):
        try:
            await D.broadcast_points(s, GROUP, [GROUP.G], {1 - s.pid: 1})
        except ValueError as exc:
            return str(exc)

    assert run_parties(2, program, field=FIELD) == ["party 0 must broadcast 0 points", "party 1 must broadcast 0 points"]


def test_contexts_reach_the_challenge_of_every_entry_point(spy):
    c, o = commit(GROUP, 3)

    async def many(s):                                            # no context: the empty one
        x = await s.input(0, [3] if s.pid == 0 else None, 1)
        await D.dzkp_commitments_many(s, GROUP, {0: [c]}, {0: x}, [o] if s.pid == 0 else None)
        return "pass"

    assert run_parties(2, many, field=FIELD) == ["pass"] * 2
    assert spy["challenge"][0] == _expected_cm_challenge({0: [c]}, spy["firsts"][0], spy["coin"][0], b"")

    async def single(s):                                          # input_committed passes its context on
        return await s.output(await D.input_committed(s, GROUP, 0, [c], [o] if s.pid == 0 else None, context=b"ic"))

    assert run_parties(2, single, field=FIELD) == [[3], [3]]
    assert spy["challenge"][0] == _expected_cm_challenge({0: [c]}, spy["firsts"][0], spy["coin"][0], b"ic")
    pairs = [commit(GROUP, x) for x in (1, 2)]

    async def total(s):                                           # dzkp_sum without context: the empty one
        await D.dzkp_sum(s, GROUP, [p[0] for p in pairs], 3, pairs[s.pid][1])
        return "pass"

    assert run_parties(2, total, field=FIELD) == ["pass"] * 2
    t = Transcript(b"dzkpSum")
    t.append_group(GROUP)
    t.append_bytes(b"context", b"")
    t.append_points(b"C", [p[0].point for p in pairs])
    t.append_scalar(b"y", 3, GROUP)
    t.append_points(b"A", [spy["firsts"][0][p][0] for p in range(2)])
    t.append_bytes(b"coin", spy["coin"][0])
    assert spy["challenge"][0] == t.challenge_scalar(b"challenge", GROUP)


def test_single_owner_proof_uses_the_empty_context_by_default(spy):
    c, o = commit(GROUP, 4)

    async def program(s):
        x = await s.input(1, [4] if s.pid == 1 else None, 1)
        await D.dzkp_commitments(s, GROUP, 1, [c], x, [o] if s.pid == 1 else None)
        return "pass"

    assert run_parties(2, program, field=FIELD) == ["pass"] * 2
    assert spy["challenge"][0] == _expected_cm_challenge({1: [c]}, spy["firsts"][0], spy["coin"][0], b"")
