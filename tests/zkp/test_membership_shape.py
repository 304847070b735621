"""Shape checks of the OR-based proofs are soundness checks, not hygiene.

The verification equations are summed over ``zip(values, As, challenges, zs)``: if a
proof may carry fewer (or more) elements than the statement has branches, the zip stops
early and the branch whose challenge the verifier derives (the last one) is never
checked.  Every other branch's challenge is the prover's choice, so it can simulate
them.  Each test below builds such a forgery for a false statement — a commitment to 999
"in {1, 2, 3}", a commitment to −1 "in [0, 2^8)" — and fails if the length check it
targets is removed from ``well_formed``.
"""
import pytest

from zkp.pedersen import Opening, commit
from zkp.sigma import MEMBERSHIP, RANGE, MembershipStatement, NIProof, RangeStatement, Verifier, verify
from zkp.sigma.base import verify_batch
from zkp.sigma.membership import MembershipFirst, MembershipResponse
from zkp.sigma.nonnegative import RangeFirst, RangeResponse
from zkp.sigma.or_proof import or_commit, or_respond

SET = (1, 2, 3)


def _simulated_branch(g, C, s):
    """(A, c, z) with z·H == A + c·(C − s·G) for a challenge c the prover picks itself."""
    c, z = g.random_scalar(), g.random_scalar()
    A = g.lincomb([C], [-c], g=c * s, h=z)
    return A, c, z


def _forged_membership(g, C, n_first, n_partial, n_z):
    """A 'proof' with the given element counts in which every checked branch is simulated."""
    branches = [_simulated_branch(g, C.point, s) for s in SET]
    As = tuple(A for A, _, _ in branches)[:n_first]
    partial = tuple(c for _, c, _ in branches)[:n_partial] + (0,) * max(0, n_partial - len(SET))
    zs = tuple(z for _, _, z in branches)[:n_z]
    return NIProof(MEMBERSHIP, MembershipFirst(As), MembershipResponse(partial, zs))


# (first messages, partial challenges, responses): each drops the derived branch from the zip
SHAPES = {
    "one first message for three elements": (1, 2, 3),
    "n partial challenges instead of n - 1": (3, 3, 3),
    "n - 1 responses instead of n": (3, 2, 2),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_membership_forgery_with_a_wrong_shape_is_rejected(secp, shape):
    C, _ = commit(secp, 999)
    stmt = MembershipStatement(C, SET)
    forged = _forged_membership(secp, C, *SHAPES[shape])
    assert not MEMBERSHIP.well_formed(stmt, forged.first, forged.response)
    assert not verify(MEMBERSHIP, stmt, forged)
    assert not verify_batch([(MEMBERSHIP, stmt, forged, b"")])
    v = Verifier(MEMBERSHIP, stmt)
    v.challenge(forged.first)
    assert not v.verify(forged.response)


def test_the_forgery_passes_the_equations_it_reaches(secp):
    """Without the shape check the forgery would verify: the equations alone accept it.
    (This is what makes the shape test above a soundness test.)"""
    from zkp.sigma.base import Terms

    C, _ = commit(secp, 999)
    stmt = MembershipStatement(C, SET)
    for shape in SHAPES.values():
        forged = _forged_membership(secp, C, *shape)
        c = MEMBERSHIP.challenge(stmt, forged.first, b"")
        terms = Terms(secp)
        MEMBERSHIP.equations(stmt, forged.first, c, forged.response, terms)
        assert terms.is_zero(), shape


def _forged_range(g, bits):
    """A range 'proof' that C = Cm(−1, r) lies in [0, 2^bits): the top bit commitment holds
    v = −2^-(bits−1) mod q, so Σ 2^i C_i − C commits to 0; its OR proof is left out by
    giving one OR element fewer than bit commitments."""
    q = g.order
    C, o = commit(g, q - 1)
    values = [0] * (bits - 1) + [(-pow(2, -(bits - 1), q)) % q]
    rs = [g.random_scalar() for _ in range(bits)]
    Cs = [g.commit_point(v, r) for v, r in zip(values, rs)]
    A0, A1, states = [], [], []
    for b, r in zip(values[:-1], rs[:-1]):  # honest OR proofs for the real bits only
        As, st = or_commit(g, r, [b, b - 1], b)
        A0.append(As[0])
        A1.append(As[1])
        states.append((r, st))
    k = g.random_scalar()
    first = RangeFirst(tuple(Cs), tuple(A0), tuple(A1), g.commit_point(0, k))
    stmt = RangeStatement(C, bits)
    c = RANGE.challenge(stmt, first, b"")
    c0, z0, z1 = [], [], []
    for r, st in states:
        partial, zs = or_respond(g, r, st, c, 2)
        c0.append(partial[0])
        z0.append(zs[0])
        z1.append(zs[1])
    rho = (sum(r << i for i, r in enumerate(rs)) - o.r) % q
    resp = RangeResponse(tuple(c0), tuple(z0), tuple(z1), (k + c * rho) % q)
    return stmt, NIProof(RANGE, first, resp), c


def test_range_forgery_of_minus_one_with_a_missing_or_proof_is_rejected(secp):
    from zkp.sigma.base import Terms

    stmt, forged, c = _forged_range(secp, 8)
    terms = Terms(secp)
    RANGE.equations(stmt, forged.first, c, forged.response, terms)
    assert terms.is_zero()  # only the shape check stands between this and "−1 ≥ 0"
    assert not RANGE.well_formed(stmt, forged.first, forged.response)
    assert not verify(RANGE, stmt, forged)
    assert not verify_batch([(RANGE, stmt, forged, b"")])


@pytest.mark.parametrize("field_name", ["A0", "A1", "c0", "z0", "z1"])
def test_range_proof_with_one_field_too_short_is_malformed(secp, field_name):
    from zkp.sigma import prove

    c, o = commit(secp, 5)
    stmt = RangeStatement(c, 4)
    proof = prove(RANGE, stmt, o)
    first, resp = proof.first, proof.response
    if field_name in ("A0", "A1"):
        first = RangeFirst(**{**first.__dict__, field_name: getattr(first, field_name)[:-1]})
    else:
        resp = RangeResponse(**{**resp.__dict__, field_name: getattr(resp, field_name)[:-1]})
    assert not RANGE.well_formed(stmt, first, resp)
    assert not verify(RANGE, stmt, NIProof(RANGE, first, resp))


def test_range_proof_with_every_list_one_short_is_malformed(secp):
    """All lists consistent with each other but one shorter than the statement's bit length."""
    from zkp.sigma import prove

    c, o = commit(secp, 5)
    proof = prove(RANGE, RangeStatement(c, 4), o)
    f, z = proof.first, proof.response
    first = RangeFirst(f.bit_commitments[:3], f.A0[:3], f.A1[:3], f.A_link)
    resp = RangeResponse(z.c0[:3], z.z0[:3], z.z1[:3], z.z_link)
    assert not RANGE.well_formed(RangeStatement(c, 4), first, resp)


def test_membership_of_a_member_with_the_right_shape_still_verifies(secp):
    """Control: the honest proof has exactly n first messages, n − 1 partial challenges, n responses."""
    from zkp.sigma import prove

    C, o = commit(secp, 2)
    stmt = MembershipStatement(C, SET)
    proof = prove(MEMBERSHIP, stmt, Opening(o.x, o.r))
    assert (len(proof.first.As), len(proof.response.partial_challenges), len(proof.response.zs)) == (3, 2, 3)
    assert verify(MEMBERSHIP, stmt, proof)
