"""Batch verification needs independent random weights per equation.

``verify_batch`` (used by the ledger's solvency check) adds all verification equations
into one multi-scalar multiplication.  With equal weights, two false equations whose
errors cancel (one proof's response bumped by +1, another's by −1) sum to the identity
and the batch accepts.  Each test below makes such a cancelling pair, across two proofs
or inside one proof, and fails if the weights are constant, shared between equations,
or can be zero.
"""
import dataclasses

import pytest

from zkp.sigma import MEMBERSHIP, OPENING, RANGE, SUM, NIProof, prove, verify
from zkp.sigma.base import BATCH_WEIGHT_BITS, random_weight, verify_batch
from zkp_cases import make_case


def _shift(proof, field, delta, q, index=None):
    """The proof with response field (or its element ``index``) changed by delta mod q."""
    v = getattr(proof.response, field)
    if index is None:
        new = (v + delta) % q
    else:
        new = tuple((x + delta) % q if i == index else x for i, x in enumerate(v))
    return NIProof(proof.protocol, proof.first, dataclasses.replace(proof.response, **{field: new}))


def test_two_opening_proofs_bumped_by_plus_and_minus_one_fail_the_batch(secp):
    q = secp.order
    _, s1, w1 = make_case("opening", secp, 11)
    _, s2, w2 = make_case("opening", secp, 22)
    a, b = prove(OPENING, s1, w1), prove(OPENING, s2, w2)
    assert verify_batch([(OPENING, s1, a, b""), (OPENING, s2, b, b"")])
    bad_a, bad_b = _shift(a, "z_x", +1, q), _shift(b, "z_x", -1, q)
    assert not verify(OPENING, s1, bad_a) and not verify(OPENING, s2, bad_b)
    assert not verify_batch([(OPENING, s1, bad_a, b""), (OPENING, s2, bad_b, b"")])


def test_sum_and_opening_errors_on_h_do_not_cancel(secp):
    """A sum proof's z (on H) bumped by +1 and an opening proof's z_r (on H) by −1."""
    q = secp.order
    _, so, wo = make_case("opening", secp, 5)
    _, ss, ws = make_case("sum", secp, 10, (20, 30))
    po, ps = prove(OPENING, so, wo), prove(SUM, ss, ws)
    items = [(SUM, ss, _shift(ps, "z", +1, q), b""), (OPENING, so, _shift(po, "z_r", -1, q), b"")]
    assert not verify_batch(items)


@pytest.mark.parametrize("kind,field,i,j", [
    ("membership", "zs", 0, 1),   # two branches of one OR proof
    ("range", "z0", 0, 1),        # two bits of one range proof
    ("range", "z1", 2, 3),
])
def test_cancelling_errors_inside_one_proof_are_caught(secp, kind, field, i, j):
    protocol, stmt, witness = make_case(kind, secp, 5)
    proof = prove(protocol, stmt, witness)
    q = secp.order
    bad = _shift(_shift(proof, field, +1, q, i), field, -1, q, j)
    assert not verify(protocol, stmt, bad)
    assert not verify_batch([(protocol, stmt, bad, b"")])


def test_solvency_style_batch_of_range_proofs_rejects_a_cancelling_pair(secp):
    """The ledger's case: one range proof per account, batch-verified together."""
    q = secp.order
    cases = [make_case("range", secp, v) for v in (7, 9)]
    proofs = [prove(RANGE, stmt, w) for _, stmt, w in cases]
    good = [(RANGE, stmt, p, b"") for (_, stmt, _), p in zip(cases, proofs)]
    assert verify_batch(good)
    bad = [(RANGE, cases[0][1], _shift(proofs[0], "z_link", +1, q), b""),
           (RANGE, cases[1][1], _shift(proofs[1], "z_link", -1, q), b"")]
    assert not verify_batch(bad)


def test_a_single_false_proof_never_slips_through(secp):
    """A weight that can be 0 accepts a false equation with that probability; 32 tries
    with independent weights find it unless weights are never 0."""
    q = secp.order
    _, stmt, w = make_case("opening", secp, 3)
    bad = _shift(prove(OPENING, stmt, w), "z_x", +1, q)
    assert not any(verify_batch([(OPENING, stmt, bad, b"")]) for _ in range(32))


def test_random_weights_are_odd_distinct_and_full_width():
    ws = [random_weight() for _ in range(64)]
    assert all(w & 1 for w in ws)
    assert all(0 < w < 1 << BATCH_WEIGHT_BITS for w in ws)
    assert len(set(ws)) == len(ws)
    assert max(w.bit_length() for w in ws) > BATCH_WEIGHT_BITS - 8


def test_empty_batch_is_true_and_mixed_groups_are_refused(secp, bn254):
    assert verify_batch([]) is True
    _, s1, w1 = make_case("opening", secp, 1)
    _, s2, w2 = make_case("opening", bn254, 1)
    with pytest.raises(ValueError, match=r"^verify_batch: all statements must be over one group$"):
        verify_batch([(OPENING, s1, prove(OPENING, s1, w1), b""), (OPENING, s2, prove(OPENING, s2, w2), b"")])


def test_batch_binds_each_proof_to_its_context(secp):
    _, stmt, w = make_case("membership", secp, 5)
    proof = prove(MEMBERSHIP, stmt, w, b"ctx-a")
    assert verify_batch([(MEMBERSHIP, stmt, proof, b"ctx-a")])
    assert not verify_batch([(MEMBERSHIP, stmt, proof, b"ctx-b")])


def test_batch_rejects_a_malformed_proof_before_the_equations(secp):
    _, stmt, w = make_case("opening", secp, 4)
    proof = prove(OPENING, stmt, w)
    unreduced = NIProof(OPENING, proof.first, dataclasses.replace(proof.response, z_x=proof.response.z_x + secp.order))
    assert not verify_batch([(OPENING, stmt, unreduced, b"")])
    assert not verify_batch([(OPENING, stmt, "not a proof", b"")])
