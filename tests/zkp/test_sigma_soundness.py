"""Soundness: every mutated field, every wrong statement and every malformed encoding is rejected."""

import dataclasses

import pytest
from hypothesis import given, settings, strategies as st

from zkp.groups.base import Point
from zkp.pedersen import Opening, commit
from zkp.sigma import (MEMBERSHIP, OPENING, RANGE, SUM, MembershipStatement, NIProof, OpeningStatement,
                       RangeStatement, SumStatement, SumWitness, Verifier, prove, verify)
from zkp.sigma.base import verify_batch
from zkp_cases import KINDS, make_case


def _bump(group, v):
    return v + group.G if isinstance(v, Point) else (v + 1) % group.order


def field_mutations(group, obj):
    """(name, mutated copy) for every field of a first message / response.

    Every element of a tuple field is mutated when it has at most 8 entries (all of them for the
    bn254 cases); longer tuples (64-bit range proofs) at their first, middle and last entry.
    """
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, tuple):
            for i in (range(len(v)) if len(v) <= 8 else sorted({0, len(v) // 2, len(v) - 1})):
                new = list(v)
                new[i] = _bump(group, v[i])
                yield f"{f.name}[{i}]", dataclasses.replace(obj, **{f.name: tuple(new)})
        else:
            yield f.name, dataclasses.replace(obj, **{f.name: _bump(group, v)})


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_mutation_is_rejected(group, kind):
    protocol, stmt, witness = make_case(kind, group)
    proof = prove(protocol, stmt, witness, b"ctx")
    assert verify(protocol, stmt, proof, b"ctx")
    names = []
    for name, first in field_mutations(group, proof.first):
        assert not verify(protocol, stmt, NIProof(protocol, first, proof.response), b"ctx"), name
        names.append(name)
    for name, resp in field_mutations(group, proof.response):
        assert not verify(protocol, stmt, NIProof(protocol, proof.first, resp), b"ctx"), name
        names.append(name)
    assert names  # the loop really ran over the proof's fields


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_flipping_any_byte_of_the_encoding_is_rejected(secp, kind, data):
    protocol, stmt, witness = make_case(kind, secp)
    blob = bytearray(prove(protocol, stmt, witness).to_bytes(stmt))
    pos = data.draw(st.integers(0, len(blob) - 1))
    blob[pos] ^= 1 << data.draw(st.integers(0, 7))
    try:
        tampered = NIProof.from_bytes(protocol, stmt, bytes(blob))
    except ValueError:
        return
    assert not verify(protocol, stmt, tampered)


@pytest.mark.parametrize("kind", KINDS)
def test_malformed_encodings_raise(secp, kind):
    protocol, stmt, witness = make_case(kind, secp)
    blob = prove(protocol, stmt, witness).to_bytes(stmt)
    with pytest.raises(ValueError):
        NIProof.from_bytes(protocol, stmt, blob[:-1])
    with pytest.raises(ValueError):
        NIProof.from_bytes(protocol, stmt, blob + b"\x00")
    with pytest.raises(ValueError, match="type tag"):
        other = OPENING if protocol is not OPENING else SUM
        NIProof.from_bytes(other, make_case("opening" if other is OPENING else "sum", secp)[1], blob)
    # the last field is always a scalar: make it unreduced
    q_bytes = secp.order.to_bytes(secp.scalar_size, "big")
    with pytest.raises(ValueError, match="not reduced"):
        NIProof.from_bytes(protocol, stmt, blob[: -secp.scalar_size] + q_bytes)


def test_wrong_type_of_proof_is_rejected(secp):
    _, stmt, witness = make_case("opening", secp)
    proof = prove(OPENING, stmt, witness)
    assert not verify(SUM, make_case("sum", secp)[1], proof)
    assert not verify_batch([(SUM, make_case("sum", secp)[1], proof, b"")])


def test_proof_does_not_transfer_to_another_commitment(group):
    _, stmt, witness = make_case("opening", group, 5)
    proof = prove(OPENING, stmt, witness)
    other, _ = commit(group, 5)
    assert not verify(OPENING, OpeningStatement(other), proof)


def test_proof_does_not_transfer_between_groups(secp, bn254):
    _, stmt, witness = make_case("opening", secp, 5)
    proof = prove(OPENING, stmt, witness)
    _, stmt_bn, _ = make_case("opening", bn254, 5)
    assert not verify(OPENING, stmt_bn, proof)


def test_membership_proof_does_not_transfer_to_another_set(group):
    c, o = commit(group, 7)
    proof = prove(MEMBERSHIP, MembershipStatement(c, (1, 7, 9)), o)
    assert verify(MEMBERSHIP, MembershipStatement(c, (1, 7, 9)), proof)
    for values in [(1, 8, 9), (7, 1, 9), (1, 7, 10)]:
        assert not verify(MEMBERSHIP, MembershipStatement(c, values), proof), values


def test_non_member_cannot_prove_membership(secp):
    """Without a member, the best a prover can do is simulate for a guessed challenge; it fails."""
    c, o = commit(secp, 8)
    stmt = MembershipStatement(c, (1, 7, 9))
    with pytest.raises(ValueError, match="not in the set"):
        prove(MEMBERSHIP, stmt, o)
    first, resp = MEMBERSHIP.simulate(stmt, 12345)
    assert MEMBERSHIP.check(stmt, first, 12345, resp)
    assert not verify(MEMBERSHIP, stmt, NIProof(MEMBERSHIP, first, resp))
    v = Verifier(MEMBERSHIP, stmt)
    v.challenge(first)
    assert not v.verify(resp)


@pytest.mark.parametrize("bad_value", [-1, -(2**40), 2**64, 2**64 + 5, 2**200])
def test_out_of_range_values_are_rejected(secp, bad_value):
    """A prover that runs the algebra anyway (bits of x mod 2^64) cannot satisfy the link equation."""
    c, o = commit(secp, bad_value)
    stmt = RangeStatement(c, 64)
    with pytest.raises(ValueError, match="not in"):
        prove(RANGE, stmt, o)
    first, state = RANGE.commit(stmt, o)
    ch = RANGE.challenge(stmt, first, b"")
    cheat = NIProof(RANGE, first, RANGE.respond(stmt, o, state, ch))
    assert not verify(RANGE, stmt, cheat)


def test_range_proof_is_bound_to_its_bit_length(secp):
    c, o = commit(secp, 200)
    proof = prove(RANGE, RangeStatement(c, 8), o)
    assert verify(RANGE, RangeStatement(c, 8), proof)
    assert not verify(RANGE, RangeStatement(c, 9), proof)


def test_wrong_sum_is_rejected(group):
    _, stmt, witness = make_case("sum", group, 10, (20, 30))
    proof = prove(SUM, stmt, witness)
    wrong = SumStatement(stmt.commitments, stmt.y + 1)
    assert not verify(SUM, wrong, proof)
    with pytest.raises(ValueError):
        prove(SUM, wrong, witness)
    first, k = SUM.commit(wrong, witness)
    forged = NIProof(SUM, first, SUM.respond(wrong, witness, k, SUM.challenge(wrong, first, b"")))
    assert not verify(SUM, wrong, forged)
    reordered = SumStatement(stmt.commitments[::-1], stmt.y)
    assert not verify(SUM, reordered, proof)  # the transcript binds the list, not just its sum


def test_interactive_verifier_rejects_a_replayed_response(secp):
    protocol, stmt, witness = make_case("opening", secp)
    first, state = protocol.commit(stmt, witness)
    old = protocol.respond(stmt, witness, state, 1)
    v = Verifier(protocol, stmt)
    v.challenge(first)  # a fresh random challenge ≠ 1 (but for probability 2^-256)
    assert not v.verify(old)


def test_false_witness_for_opening_is_rejected(group):
    c, o = commit(group, 3)
    with pytest.raises(ValueError):
        prove(OPENING, OpeningStatement(c), Opening(4, o.r))
    first, st = OPENING.commit(OpeningStatement(c), Opening(4, o.r))
    ch = OPENING.challenge(OpeningStatement(c), first, b"")
    z = OPENING.respond(OpeningStatement(c), Opening(4, o.r), st, ch)
    assert not verify(OPENING, OpeningStatement(c), NIProof(OPENING, first, z))


def test_sum_witness_from_openings(secp):
    (_, o1), (_, o2) = commit(secp, 1), commit(secp, 2)
    w = SumWitness.from_openings(secp, [o1, o2])
    assert w.rho == (o1.r + o2.r) % secp.order


@pytest.mark.parametrize("kind", KINDS)
def test_unreduced_or_non_integer_scalars_are_rejected(secp, kind):
    """z and z + q are the same in the group, but a proof must have one form (no malleability)."""
    protocol, stmt, witness = make_case(kind, secp)
    proof = prove(protocol, stmt, witness)
    resp = proof.response
    f = dataclasses.fields(resp)[-1]
    v = getattr(resp, f.name)
    for bad in ([v[0] + secp.order, *v[1:]] if isinstance(v, tuple) else v + secp.order,
                [True, *v[1:]] if isinstance(v, tuple) else 1.0):
        bad = tuple(bad) if isinstance(v, tuple) else bad
        mutated = dataclasses.replace(resp, **{f.name: bad})
        assert not verify(protocol, stmt, NIProof(protocol, proof.first, mutated))
