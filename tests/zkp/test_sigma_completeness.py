"""Completeness: honest provers convince, interactively and non-interactively, for random witnesses."""

import pytest
from hypothesis import given, settings, strategies as st

from zkp.pedersen import commit
from zkp.sigma import (NIProof, Prover, Verifier, prove, prove_membership, prove_opening, prove_range,
                       prove_sum, verify, verify_batch, verify_membership, verify_opening, verify_range,
                       verify_sum)
from zkp_cases import KINDS, make_case, range_bits

values = st.integers(min_value=0, max_value=2**64 - 1)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=4, deadline=None)
@given(value=values, extra=st.tuples(values, values))
def test_interactive_completeness(group, kind, value, extra):
    protocol, stmt, witness = make_case(kind, group, value, extra)
    prover = Prover(protocol, stmt, witness)
    verifier = Verifier(protocol, stmt)
    c = verifier.challenge(prover.first_message())
    assert verifier.verify(prover.respond(c))


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=4, deadline=None)
@given(value=values, extra=st.tuples(values, values), context=st.binary(max_size=16))
def test_non_interactive_completeness_and_serialisation(group, kind, value, extra, context):
    protocol, stmt, witness = make_case(kind, group, value, extra)
    proof = prove(protocol, stmt, witness, context)
    assert verify(protocol, stmt, proof, context)
    data = proof.to_bytes(stmt)
    again = NIProof.from_bytes(protocol, stmt, data)
    assert again.to_bytes(stmt) == data
    assert verify(protocol, stmt, again, context)


def test_convenience_wrappers(secp):
    c, o = commit(secp, 77)
    assert verify_opening(c, prove_opening(c, o, b"ctx"), b"ctx")
    assert verify_membership(c, [1, 77, 3], prove_membership(c, [1, 77, 3], o))
    assert verify_range(c, 64, prove_range(c, o, 64))
    d, od = commit(secp, -70)
    assert verify_sum([c, d], 7, prove_sum([c, d], [o, od], 7))


@pytest.mark.parametrize("x", [0, 1, 2**64 - 1, 2**63])
def test_range_edges(secp, x):
    c, o = commit(secp, x)
    assert verify_range(c, 64, prove_range(c, o, 64))


def test_membership_singleton_and_large_sets(secp):
    c, o = commit(secp, 5)
    assert verify_membership(c, [5], prove_membership(c, [5], o))
    vals = list(range(0, 64))
    assert verify_membership(c, vals, prove_membership(c, vals, o))


def test_batch_verification_of_mixed_proofs(group):
    items = []
    for kind in KINDS:
        protocol, stmt, witness = make_case(kind, group)
        items.append((protocol, stmt, prove(protocol, stmt, witness, b"b"), b"b"))
    assert verify_batch(items)
    protocol, stmt, proof, _ = items[2]
    items[2] = (protocol, stmt, proof, b"other context")
    assert not verify_batch(items)


def test_prover_refuses_false_statements_and_second_challenges(secp):
    protocol, stmt, witness = make_case("range", secp, 5)
    with pytest.raises(ValueError, match="zkpNN"):
        Prover(protocol, stmt, type(witness)(2**64, witness.r))
    prover = Prover(protocol, stmt, witness)
    prover.respond(1)
    with pytest.raises(RuntimeError):
        prover.respond(2)


def test_range_bits_limits(secp, bn254):
    assert range_bits(secp) == 64
    from zkp.sigma import RangeStatement

    c, _ = commit(bn254, 1)
    with pytest.raises(ValueError):
        RangeStatement(c, 0)
    with pytest.raises(ValueError):
        RangeStatement(c, 253)
    RangeStatement(c, 252)
