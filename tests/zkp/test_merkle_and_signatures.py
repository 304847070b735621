"""Merkle inclusion proofs over commitment tuples and the operator's signed roots."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from zkp.merkle import (InclusionProof, MerkleTree, encode_commitment_tuple, leaf_hash, node_hash,
                        verify_commitment_tuple, verify_inclusion)
from zkp.pedersen import commit
from zkp.signatures import (SignedRoot, generate_operator_key, public_key_bytes, sign_root,
                            verify_leaf_under_signed_root, verify_signed_root)


@settings(max_examples=25, deadline=None)
@given(leaves=st.lists(st.binary(max_size=8), min_size=1, max_size=70), data=st.data())
def test_every_leaf_has_a_short_valid_proof(leaves, data):
    tree = MerkleTree(leaves)
    i = data.draw(st.integers(0, len(leaves) - 1))
    proof = tree.prove(i)
    assert verify_inclusion(tree.root, leaves[i], proof)
    assert len(proof.path) <= max(0, math.ceil(math.log2(len(leaves))))
    assert InclusionProof.from_bytes(proof.to_bytes()) == proof


def test_known_small_tree_shape():
    a, b, c = b"a", b"b", b"c"
    tree = MerkleTree([a, b, c])
    assert tree.root == node_hash(node_hash(leaf_hash(a), leaf_hash(b)), leaf_hash(c))
    assert MerkleTree([a]).root == leaf_hash(a)


def test_odd_leaf_is_not_duplicated():
    """[a, b, c] and [a, b, c, c] must have different roots (the duplication ambiguity)."""
    assert MerkleTree([b"a", b"b", b"c"]).root != MerkleTree([b"a", b"b", b"c", b"c"]).root


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13])
def test_tampering_is_detected(n):
    leaves = [bytes([i]) * 3 for i in range(n)]
    tree = MerkleTree(leaves)
    for i in range(n):
        proof = tree.prove(i)
        assert verify_inclusion(tree.root, leaves[i], proof)
        assert not verify_inclusion(tree.root, leaves[i] + b"x", proof)
        assert not verify_inclusion(bytes(32), leaves[i], proof)
        if n > 1:
            assert not verify_inclusion(tree.root, leaves[i], InclusionProof((i + 1) % n, n, proof.path))
            assert not verify_inclusion(tree.root, leaves[i], InclusionProof(i, n, proof.path[:-1]))
            bad = list(proof.path)
            bad[0] = bytes(32)
            assert not verify_inclusion(tree.root, leaves[i], InclusionProof(i, n, tuple(bad)))
        assert not verify_inclusion(tree.root, leaves[i], InclusionProof(i, n, proof.path + (bytes(32),)))
        assert not verify_inclusion(tree.root, leaves[i], InclusionProof(n, n, proof.path))


def test_inner_node_cannot_pose_as_a_leaf():
    leaves = [b"a", b"b", b"c", b"d"]
    tree = MerkleTree(leaves)
    inner = leaf_hash(b"a") + leaf_hash(b"b")  # the bytes hashed for the inner node
    fake = InclusionProof(0, 2, (node_hash(leaf_hash(b"c"), leaf_hash(b"d")),))
    assert not verify_inclusion(tree.root, inner, fake)


def test_commitment_tuples(secp):
    rows = [[commit(secp, 10 * t + k)[0] for k in range(5)] for t in range(6)]
    tree = MerkleTree.of_commitment_tuples(rows)
    for t, row in enumerate(rows):
        assert verify_commitment_tuple(tree.root, row, tree.prove(t))
    swapped = [rows[2][1], rows[2][0], *rows[2][2:]]
    assert not verify_commitment_tuple(tree.root, swapped, tree.prove(2))
    assert not verify_commitment_tuple(tree.root, rows[2][:4], tree.prove(2))
    with pytest.raises(ValueError):
        encode_commitment_tuple([])


def test_bad_inputs():
    with pytest.raises(ValueError):
        MerkleTree([])
    with pytest.raises(IndexError):
        MerkleTree([b"a"]).prove(1)
    with pytest.raises(ValueError):
        InclusionProof.from_bytes(b"\x00" * 16)


def test_tree_size_is_authenticated_by_the_signed_root():
    """An audit path alone may also fit a neighbouring tree size (e.g. leaf 0 of 3 or 4 leaves);
    the size is bound by the operator's signature, and the combined check compares them."""
    key = generate_operator_key()
    tree = MerkleTree([b"a", b"b", b"c"])
    signed = sign_root(key, tree, 7)
    proof = tree.prove(0)
    assert verify_inclusion(tree.root, b"a", InclusionProof(0, 4, proof.path))  # path shape alone
    assert verify_leaf_under_signed_root(key.public_key(), signed, b"a", proof)
    assert not verify_leaf_under_signed_root(key.public_key(), signed, b"a", InclusionProof(0, 4, proof.path))
    assert not verify_leaf_under_signed_root(key.public_key(), signed, b"b", proof)
    other = generate_operator_key().public_key()
    assert not verify_leaf_under_signed_root(other, signed, b"a", proof)


def test_signed_root_verifies_and_every_field_is_bound():
    key = generate_operator_key()
    pub = key.public_key()
    tree = MerkleTree([b"a", b"b", b"c"])
    signed = sign_root(key, tree, 1_700_000_000)
    assert verify_signed_root(pub, signed)
    assert verify_signed_root(public_key_bytes(pub), signed)
    assert SignedRoot.from_bytes(signed.to_bytes()) == signed
    from dataclasses import replace

    assert not verify_signed_root(pub, replace(signed, root=bytes(32)))
    assert not verify_signed_root(pub, replace(signed, timestamp=signed.timestamp + 1))
    assert not verify_signed_root(pub, replace(signed, tree_size=4))
    sig = bytearray(signed.signature)
    sig[0] ^= 1
    assert not verify_signed_root(pub, replace(signed, signature=bytes(sig)))
    assert not verify_signed_root(generate_operator_key().public_key(), signed)
    assert not verify_signed_root(b"\x00" * 31, signed)
    with pytest.raises(ValueError):
        SignedRoot.from_bytes(signed.to_bytes()[:-1])
