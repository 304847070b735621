"""Distributed proofs inside an SPDZ session: honest runs pass, every kind of cheating aborts.

All parties run as asyncio tasks in one process (mpc.local.run_parties); run_parties returns
each party's result or the exception it raised, so the tests can check that *every* honest
party aborted, and with which check.
"""

import pytest

from mpc.errors import BroadcastInconsistency, MacCheckFailure, MalformedMessage, MPCAbort, ProofFailure
from mpc.testing import CheatingSession
from mpc.field import PrimeField
from mpc.local import run_parties
from mpc.session import Session
from zkp.distributed import dzkp_commitments, dzkp_commitments_many, dzkp_sum, input_committed, joint_challenge
from zkp.groups import get_group
from zkp.pedersen import Opening, commit
from zkp.transcript import Transcript

GROUPS = ["secp256k1", "bn254", "bn254:fastecdsa"]


def _group(spec):
    if spec.endswith("fastecdsa"):
        pytest.importorskip("fastecdsa")
    return get_group(spec)


def _field(group):
    return PrimeField(group.order)


def _cm_program(group, owner, xs, shared_delta=0):
    """The owner commits to xs (public, as from the ledger), inputs xs (+delta on the first), proves."""
    pairs = [commit(group, x) for x in xs]
    commitments = [c for c, _ in pairs]
    openings = [o for _, o in pairs]

    async def program(s):
        clear = [xs[0] + shared_delta, *xs[1:]] if s.pid == owner else None
        shared = await s.input(owner, clear, len(xs))
        await dzkp_commitments(s, group, owner, commitments, shared,
                               openings if s.pid == owner else None, context=b"test")
        return "pass"

    return program


def _only(results, pids):
    return [r for p, r in enumerate(results) if p in pids]


@pytest.mark.parametrize("spec", GROUPS)
def test_dzkp_cm_passes_for_honest_parties(spec):
    group = _group(spec)
    results = run_parties(3, _cm_program(group, 1, [5, 0, -7, 2**40]), field=_field(group))
    assert results == ["pass"] * 3


def test_dzkp_cm_fails_when_the_owner_inputs_another_value():
    group = get_group("secp256k1")
    results = run_parties(3, _cm_program(group, 0, [5, 6], shared_delta=1), field=_field(group))
    assert all(isinstance(r, ProofFailure) for r in results), results
    assert "party 0" in str(results[1])


@pytest.mark.parametrize("cheater", [0, 2])
def test_dzkp_cm_tampered_share_is_caught_by_the_mac_check(cheater):
    """The 'value' cheat adds 1 to the cheater's share of the first opened vector: (z_x, z_r)."""
    group = get_group("secp256k1")
    field = _field(group)

    def factory(pid, t, prep):
        return CheatingSession(t, prep, field, kind="value") if pid == cheater else Session(t, prep, field)

    results = run_parties(3, _cm_program(group, 0, [5, 6]), field=field, session_factory=factory)
    honest = _only(results, {0, 1, 2} - {cheater})
    assert all(isinstance(r, MacCheckFailure) for r in honest), results


class EquivocatingOwner(Session):
    """Sends a different (valid) first message A to the last party than to the others."""

    point_size = 33

    def _broadcast_payload_for(self, peer, payload):
        if peer == self.m - 1 and len(payload) % self.point_size == 0 and payload[:1] in (b"\x02", b"\x03"):
            group = get_group("secp256k1")
            first = group.decode(payload[:self.point_size]) + group.G
            return first.to_bytes() + payload[self.point_size:]
        return payload


def test_dzkp_cm_equivocated_first_message_aborts_everyone():
    group = get_group("secp256k1")
    field = _field(group)

    def factory(pid, t, prep):
        return EquivocatingOwner(t, prep, field) if pid == 0 else Session(t, prep, field)

    results = run_parties(3, _cm_program(group, 0, [5]), field=field, session_factory=factory)
    assert all(isinstance(r, MPCAbort) for r in results[1:]), results
    assert any(isinstance(r, BroadcastInconsistency) for r in results), results


class GarbageOwner(Session):
    """Broadcasts bytes that are not a group element in place of its first message."""

    def _broadcast_payload_for(self, peer, payload):
        if len(payload) == 33 and payload[:1] in (b"\x02", b"\x03"):
            return b"\x04" + payload[1:]
        return payload


def test_dzkp_cm_invalid_first_message_is_rejected_by_decoding():
    group = get_group("secp256k1")
    field = _field(group)

    def factory(pid, t, prep):
        return GarbageOwner(t, prep, field) if pid == 0 else Session(t, prep, field)

    results = run_parties(3, _cm_program(group, 0, [5]), field=field, session_factory=factory, timeout=1.0)
    assert all(isinstance(r, MalformedMessage) and "party 0" in str(r) for r in results[1:]), results


def test_dzkp_many_owners_in_one_batch_names_the_cheater():
    group = get_group("secp256k1")
    data = {0: [1, 2], 1: [3], 2: [4, 5, 6]}
    pairs = {o: [commit(group, x) for x in xs] for o, xs in data.items()}

    def program_for(cheater):
        async def program(s):
            mine = [x + (1 if s.pid == cheater and i == 0 else 0) for i, x in enumerate(data[s.pid])]
            shared = await s.input_many({s.pid: mine}, {o: len(xs) for o, xs in data.items()})
            await dzkp_commitments_many(s, group, {o: [c for c, _ in ps] for o, ps in pairs.items()}, shared,
                                        [op for _, op in pairs[s.pid]])
            return "pass"
        return program

    assert run_parties(3, program_for(None), field=_field(group)) == ["pass"] * 3
    results = run_parties(3, program_for(2), field=_field(group))
    assert all(isinstance(r, ProofFailure) and "party 2" in str(r) for r in results), results


def test_input_committed_returns_the_proven_shares():
    group = get_group("secp256k1")
    pairs = [commit(group, x) for x in (11, 22)]

    async def program(s):
        shared = await input_committed(s, group, 1, [c for c, _ in pairs],
                                       [o for _, o in pairs] if s.pid == 1 else None)
        return await s.output(shared)

    assert run_parties(3, program, field=_field(group)) == [[11, 22]] * 3


def test_mismatched_field_is_refused_before_any_message():
    group = get_group("secp256k1")
    results = run_parties(2, _cm_program(group, 0, [1]), field=PrimeField())  # BN254 order ≠ secp256k1's
    assert all(isinstance(r, ValueError) and "field modulus" in str(r) for r in results)


def _sum_program(group, xs, y, cheat_pid=None):
    pairs = [commit(group, x) for x in xs]
    commitments = [c for c, _ in pairs]

    async def program(s):
        opening = pairs[s.pid][1]
        if s.pid == cheat_pid:
            opening = Opening(opening.x, opening.r + 1)  # shares randomness it did not commit to
        await dzkp_sum(s, group, commitments, y, opening, context=b"test")
        return "pass"

    return program


@pytest.mark.parametrize("spec", GROUPS)
def test_dzkp_sum_passes_for_a_true_sum(spec):
    group = _group(spec)
    assert run_parties(3, _sum_program(group, [10, -4, 7], 13), field=_field(group)) == ["pass"] * 3


def test_dzkp_sum_zero_sum_of_compensations():
    """The paper's Stage 4 use: net compensations φ_i sum to zero."""
    group = get_group("secp256k1")
    assert run_parties(4, _sum_program(group, [-30, 10, 25, -5], 0), field=_field(group)) == ["pass"] * 4


def test_dzkp_sum_rejects_a_wrong_total():
    group = get_group("secp256k1")
    results = run_parties(3, _sum_program(group, [10, -4, 7], 14), field=_field(group))
    assert all(isinstance(r, ProofFailure) for r in results), results


def test_dzkp_sum_rejects_a_party_sharing_other_randomness():
    group = get_group("secp256k1")
    results = run_parties(3, _sum_program(group, [1, 2, 3], 6, cheat_pid=1), field=_field(group))
    assert all(isinstance(r, ProofFailure) for r in results), results


def test_dzkp_sum_tampered_share_is_caught():
    group = get_group("secp256k1")
    field = _field(group)

    def factory(pid, t, prep):
        return CheatingSession(t, prep, field, kind="value") if pid == 1 else Session(t, prep, field)

    results = run_parties(3, _sum_program(group, [1, 2, 3], 6), field=field, session_factory=factory)
    assert isinstance(results[0], MacCheckFailure) and isinstance(results[2], MacCheckFailure), results


def test_joint_challenge_is_common_fresh_and_bound_to_the_transcript():
    group = get_group("secp256k1")

    async def program(s):
        t = Transcript(b"test")
        first = await joint_challenge(s, group, t)
        second = await joint_challenge(s, group, t)
        return first, second

    results = run_parties(3, program, field=_field(group))
    assert len(set(results)) == 1
    first, second = results[0]
    assert first != second and 0 <= first < group.order
    assert run_parties(3, program, field=_field(group))[0] != results[0]  # a fresh toss each session
