"""The EVM-form proofs (SHA-256 Fiat–Shamir, compact form) and their transcript: no web3 needed."""

from __future__ import annotations

import hashlib
import os

import pytest

from zkp import evm_proofs as E
from zkp.groups import get_group
from zkp.sha256_transcript import PREFIX, Sha256Transcript, word

G = get_group("bn254")


def test_transcript_is_the_documented_hash_chain():
    t = Sha256Transcript(b"d")
    t.absorb(word(5), word(7))
    s0 = hashlib.sha256(PREFIX + b"\x00d").digest()
    s1 = hashlib.sha256(s0 + word(5) + word(7)).digest()
    assert t.state == s1
    hi = int.from_bytes(hashlib.sha256(s1 + b"\x01").digest(), "big")
    lo = int.from_bytes(hashlib.sha256(s1 + b"\x02").digest(), "big")
    assert t.challenge(G.order) == ((hi << 256) + lo) % G.order
    with pytest.raises(ValueError):
        t.absorb(b"short")


def test_zero_sum_proof_completeness_and_binding():
    ctx = os.urandom(32)
    rs = [G.random_scalar() for _ in range(3)]
    cms = [G.commit_point(v, r) for v, r in zip((5, -2, -3), rs)]
    D = cms[0] + cms[1] + cms[2]
    proof = E.prove_zero_sum(G, D, sum(rs) % G.order, ctx)
    assert E.verify_zero_sum(G, D, proof, ctx)
    assert not E.verify_zero_sum(G, D, proof, os.urandom(32))          # another context
    assert not E.verify_zero_sum(G, D + G.G, proof, ctx)               # Σ = 1, not 0
    bad = bytearray(proof)
    bad[-1] ^= 1
    assert not E.verify_zero_sum(G, D, bytes(bad), ctx)
    assert not E.verify_zero_sum(G, D, word(G.order) + proof[32:], ctx)  # unreduced challenge
    assert not E.verify_zero_sum(G, D, proof[:63], ctx)
    with pytest.raises(ValueError):
        E.prove_zero_sum(G, D + G.G, sum(rs) % G.order, ctx)


@pytest.mark.parametrize("x", [0, 1, 2**63 + 12345, 2**64 - 1])
def test_range_proof_completeness(x):
    ctx, r = os.urandom(32), G.random_scalar()
    C = G.commit_point(x, r)
    proof = E.prove_range(G, C, x, r, 64, ctx)
    assert len(proof) == E.range_proof_size(64) == 10_304
    assert E.verify_range(G, C, proof, 64, ctx)


def test_range_proof_soundness_checks():
    ctx, r = os.urandom(32), G.random_scalar()
    C = G.commit_point(1000, r)
    proof = E.prove_range(G, C, 1000, r, 64, ctx)
    assert not E.verify_range(G, C, proof, 64, os.urandom(32))
    assert not E.verify_range(G, C + G.G, proof, 64, ctx)
    for pos in (0, 32, 32 + 64 * 64, len(proof) - 32):  # challenge, a bit commitment, c0, z_link
        bad = bytearray(proof)
        bad[pos + 31] ^= 1
        assert not E.verify_range(G, C, bytes(bad), 64, ctx), pos
    with pytest.raises(ValueError):
        E.prove_range(G, G.commit_point(2**64, r), 2**64, r, 64, ctx)
    with pytest.raises(ValueError):
        E.prove_range(G, G.commit_point(-1, r), -1, r, 64, ctx)


def test_range_proof_of_a_negative_value_cannot_be_assembled_from_honest_parts():
    """A prover that commits to the bits of x mod 2^64 for x = −1 (mod q) fails the link equation."""
    ctx, r = os.urandom(32), G.random_scalar()
    C_neg = G.commit_point(-1, r)
    C_pos = G.commit_point(2**64 - 1, r)
    proof = E.prove_range(G, C_pos, 2**64 - 1, r, 64, ctx)
    assert not E.verify_range(G, C_neg, proof, 64, ctx)
