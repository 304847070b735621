"""The interactive Prover/Verifier objects refuse misuse with exact messages, and the
Fiat–Shamir challenge binds every input (protocol name, group, context, statement,
first message) — recomputed here from an independently built transcript."""
import pytest

from zkp.pedersen import commit
from zkp.sigma import MEMBERSHIP, OPENING, RANGE, SUM, NIProof, OpeningStatement, Prover, Verifier, prove, verify
from zkp.sigma.base import Terms, points_ok, scalars_ok
from zkp.transcript import Transcript
from zkp_cases import KINDS, make_case


def test_prover_answers_once_and_verifier_needs_its_challenge_first(secp):
    protocol, stmt, witness = make_case("opening", secp, 7)
    prover = Prover(protocol, stmt, witness)
    v = Verifier(protocol, stmt)
    with pytest.raises(RuntimeError, match=r"^no challenge issued yet$"):
        v.verify(None)
    c = v.challenge(prover.first_message())
    with pytest.raises(RuntimeError, match=r"^challenge already issued$"):
        v.challenge(prover.first_message())
    assert v.verify(prover.respond(c))
    with pytest.raises(RuntimeError, match=r"^this prover already answered a challenge; start a new run$"):
        prover.respond(c)


def _explicit_transcript(kind, secp, stmt, first):
    """The Fiat–Shamir transcript written out item by item (labels included), independently of
    the protocols' absorb_* methods, so a proof made today keeps verifying tomorrow."""
    name = {"opening": b"zkpCm", "membership": b"zkpMbs", "range": b"zkpNN", "sum": b"zkpSum"}[kind]
    t = Transcript(b"sigma/" + name)
    t.append_group(secp)
    t.append_bytes(b"context", b"ctx")
    if kind == "opening":
        t.append_point(b"C", stmt.commitment.point)
        t.append_point(b"A", first.A)
    elif kind == "membership":
        t.append_point(b"C", stmt.commitment.point)
        t.append_scalars(b"set", stmt.values, secp)
        t.append_points(b"A", first.As)
    elif kind == "range":
        t.append_point(b"C", stmt.commitment.point)
        t.append_int(b"bits", stmt.bits)
        t.append_points(b"bit-commitments", first.bit_commitments)
        t.append_points(b"A0", first.A0)
        t.append_points(b"A1", first.A1)
        t.append_point(b"A-link", first.A_link)
    else:
        t.append_points(b"C", [c.point for c in stmt.commitments])
        t.append_scalar(b"y", stmt.y, secp)
        t.append_point(b"A", first.A)
    return t.challenge_scalar(b"challenge", secp)


@pytest.mark.parametrize("kind", KINDS)
def test_challenge_is_the_transcript_of_name_group_context_statement_and_first(secp, kind):
    protocol, stmt, witness = make_case(kind, secp, 9)
    proof = prove(protocol, stmt, witness, b"ctx")
    assert protocol.challenge(stmt, proof.first, b"ctx") == _explicit_transcript(kind, secp, stmt, proof.first)
    assert protocol.challenge(stmt, proof.first, b"ctx2") != protocol.challenge(stmt, proof.first, b"ctx")


def test_challenge_is_reduced_before_the_equations(secp):
    """check() reduces c modulo q: c and c + q are the same challenge."""
    protocol, stmt, witness = make_case("opening", secp, 3)
    first, state = protocol.commit(stmt, witness)
    z = protocol.respond(stmt, witness, state, 5)
    assert protocol.check(stmt, first, 5 + secp.order, z)
    assert not protocol.check(stmt, first, 6, z)


def test_terms_reduce_scalars_and_points_and_scalars_are_checked(secp, bn254):
    t = Terms(secp)
    t.add(secp.order + 3, secp.G)
    t.add(-3, secp.G)
    assert t.scalars == [3, secp.order - 3] and t.is_zero()
    assert points_ok(secp, [secp.G, secp.H]) and not points_ok(secp, [bn254.G]) and not points_ok(secp, [1])
    assert scalars_ok(secp, [0, secp.order - 1])
    for bad in ([secp.order], [-1], [True], [1.0], ["1"]):
        assert not scalars_ok(secp, bad), bad


def test_verify_rejects_a_proof_of_another_protocol_object(secp):
    _, stmt, witness = make_case("sum", secp)
    proof = prove(SUM, stmt, witness)
    assert verify(SUM, stmt, proof)
    assert not verify(SUM, stmt, NIProof(OPENING, proof.first, proof.response))
    assert not verify(SUM, stmt, (proof.first, proof.response))


def test_encodings_round_trip_for_every_protocol(secp):
    for protocol, kind in ((OPENING, "opening"), (MEMBERSHIP, "membership"), (RANGE, "range"), (SUM, "sum")):
        _, stmt, witness = make_case(kind, secp, 11)
        proof = prove(protocol, stmt, witness)
        again = NIProof.from_bytes(protocol, stmt, proof.to_bytes(stmt))
        assert again == proof and verify(protocol, stmt, again)


def test_or_extraction_needs_two_different_challenges(secp):
    from zkp.sigma.or_proof import or_extract

    _, stmt, witness = make_case("membership", secp, 5)
    first, state = MEMBERSHIP.commit(stmt, witness)
    z = MEMBERSHIP.respond(stmt, witness, state, 7)
    with pytest.raises(ValueError, match=r"^the two transcripts have the same branch challenges \(c1 == c2\)$"):
        or_extract(secp.order, stmt.values, 7, z.partial_challenges, z.zs, 7, z.partial_challenges, z.zs)


def test_convenience_wrappers_use_the_empty_context_by_default(secp):
    from zkp.sigma import (MembershipStatement, OpeningStatement, RangeStatement, SumStatement, prove_membership,
                           prove_opening, prove_range, prove_sum, verify_membership, verify_opening, verify_range,
                           verify_sum)
    from zkp.sigma.sum import SumWitness

    c, o = commit(secp, 6)
    assert verify(OPENING, OpeningStatement(c), prove_opening(c, o), b"")
    assert verify_opening(c, prove(OPENING, OpeningStatement(c), o, b""))
    assert verify(MEMBERSHIP, MembershipStatement(c, (1, 6)), prove_membership(c, [1, 6], o), b"")
    assert verify_membership(c, [1, 6], prove(MEMBERSHIP, MembershipStatement(c, (1, 6)), o, b""))
    assert verify(RANGE, RangeStatement(c, 4), prove_range(c, o, 4), b"")
    assert verify_range(c, 4, prove(RANGE, RangeStatement(c, 4), o, b""))
    c2, o2 = commit(secp, 4)
    stmt = SumStatement((c, c2), 10)
    assert verify(SUM, stmt, prove_sum([c, c2], [o, o2], 10), b"")
    assert verify_sum([c, c2], 10, prove(SUM, stmt, SumWitness.from_openings(secp, [o, o2]), b""))
    assert not verify_sum([c, c2], 10, prove(SUM, stmt, SumWitness.from_openings(secp, [o, o2]), b"x"))


def test_membership_statement_normalises_and_bounds_its_set(secp):
    from zkp.sigma import MembershipStatement
    from zkp.sigma.membership import MAX_SET_SIZE

    c, o = commit(secp, 2)
    q = secp.order
    assert MembershipStatement(c, (q + 1, 2, -1)).values == (1, 2, q - 1)
    with pytest.raises(ValueError, match=f"^zkpMbs: set elements must be distinct modulo q = {q}$"):
        MembershipStatement(c, (1, q + 1))
    with pytest.raises(ValueError, match=f"^zkpMbs: the set must have 1..{MAX_SET_SIZE} elements$"):
        MembershipStatement(c, ())
    assert len(MembershipStatement(c, tuple(range(MAX_SET_SIZE))).values) == MAX_SET_SIZE
    with pytest.raises(ValueError, match="the set must have"):
        MembershipStatement(c, tuple(range(MAX_SET_SIZE + 1)))


def test_membership_prover_refuses_false_witnesses_with_messages(secp):
    from zkp.pedersen import Opening
    from zkp.sigma import MembershipStatement, prove_membership, verify_membership

    c, o = commit(secp, 2)
    with pytest.raises(ValueError, match=r"^zkpMbs: \(x, r\) does not open the commitment$"):
        prove(MEMBERSHIP, MembershipStatement(c, (1, 2)), Opening(1, o.r))
    with pytest.raises(ValueError, match=r"^zkpMbs: the committed value is not in the set$"):
        prove(MEMBERSHIP, MembershipStatement(c, (1, 3)), o)
    proof = prove_membership(c, [1, 2], o, b"ctx")
    assert verify_membership(c, [1, 2], proof, b"ctx") and not verify_membership(c, [1, 2], proof)


def test_wrappers_pass_their_context_through(secp):
    from zkp.sigma import (prove_opening, prove_range, prove_sum, verify_opening, verify_range, verify_sum)

    c, o = commit(secp, 6)
    c2, o2 = commit(secp, 4)
    for proof_of, check in [
        (lambda ctx: prove_opening(c, o, ctx), lambda p, ctx: verify_opening(c, p, ctx)),
        (lambda ctx: prove_range(c, o, 4, ctx), lambda p, ctx: verify_range(c, 4, p, ctx)),
        (lambda ctx: prove_sum([c, c2], [o, o2], 10, ctx), lambda p, ctx: verify_sum([c, c2], 10, p, ctx)),
    ]:
        p = proof_of(b"ctx")
        assert check(p, b"ctx") and not check(p, b"") and not check(proof_of(b""), b"ctx")


def test_range_statement_bounds_and_messages(secp):
    from zkp.pedersen import Opening
    from zkp.sigma import RangeStatement, prove_range, verify_range

    c, o = commit(secp, 1)
    top = secp.order.bit_length() - 2
    assert RangeStatement(c, 1).bits == 1 and RangeStatement(c, top).bits == top
    for bad in (0, top + 1, 1.0, "8"):
        with pytest.raises(ValueError, match=f"^zkpNN: bits must be an integer in 1..{top} for this group$"):
            RangeStatement(c, bad)
    assert verify_range(c, 1, prove_range(c, o, 1))      # a one-bit range proof works
    with pytest.raises(ValueError, match=r"^zkpNN: \(x, r\) does not open the commitment$"):
        prove(RANGE, RangeStatement(c, 4), Opening(2, o.r))
    with pytest.raises(ValueError, match=r"^zkpNN: the committed value is not in \[0, 2\^1\)$"):
        prove(RANGE, RangeStatement(commit(secp, 2, 0)[0], 1), Opening(2, 0))


@pytest.mark.parametrize("kind", KINDS)
def test_proof_parts_of_another_protocol_are_malformed(secp, kind):
    """well_formed checks the types of both parts: a first message or response of another
    protocol is refused (not an exception)."""
    protocol, stmt, witness = make_case(kind, secp, 3)
    other_kind = "sum" if kind != "sum" else "opening"
    other, ostmt, owitness = make_case(other_kind, secp, 3)
    mine, theirs = prove(protocol, stmt, witness), prove(other, ostmt, owitness)
    assert not protocol.well_formed(stmt, theirs.first, mine.response)
    assert not protocol.well_formed(stmt, mine.first, theirs.response)
    assert not verify(protocol, stmt, NIProof(protocol, theirs.first, mine.response))
    assert not verify(protocol, stmt, NIProof(protocol, mine.first, theirs.response))


def test_sum_statement_bounds_normalisation_and_messages(secp, bn254):
    from zkp.sigma import SumStatement, SumWitness, prove_sum, verify_sum
    from zkp.sigma.sum import MAX_TERMS

    c, o = commit(secp, 7)
    assert verify_sum([c], 7, prove_sum([c], [o], 7))            # one commitment is a valid statement
    stmt = SumStatement([c, c], secp.order + 14)
    assert stmt.commitments == (c, c) and isinstance(stmt.commitments, tuple) and stmt.y == 14
    assert stmt.difference() == secp.commit_point(0, 2 * o.r)
    assert len(SumStatement((c,) * MAX_TERMS, 0).commitments) == MAX_TERMS
    for bad in ((), (c,) * (MAX_TERMS + 1)):
        with pytest.raises(ValueError, match="^zkpSum: need at least one commitment$"):
            SumStatement(bad, 0)
    with pytest.raises(ValueError, match="^zkpSum: commitments of different groups$"):
        SumStatement((c, commit(bn254, 1)[0]), 0)
    with pytest.raises(ValueError, match="^zkpSum: the commitments do not sum to y with randomness ρ$"):
        prove(SUM, SumStatement((c,), 8), SumWitness(o.r))


def test_opening_prover_refuses_a_false_opening_with_its_message(secp):
    from zkp.pedersen import Opening

    c, o = commit(secp, 3)
    with pytest.raises(ValueError, match=r"^zkpCm: \(x, r\) does not open the commitment$"):
        prove(OPENING, OpeningStatement(c), Opening(4, o.r))
