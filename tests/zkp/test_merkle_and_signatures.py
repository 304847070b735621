"""Merkle inclusion proofs over commitment tuples and the operator's signed roots."""

from dataclasses import replace

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
    n = len(leaves)
    assert verify_inclusion(tree.root, leaves[i], proof, index=i, tree_size=n)
    assert verify_inclusion(tree.root, leaves[i], proof.path, index=i, tree_size=n)  # a bare path
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

        def ok(leaf=leaves[i], pr=proof, root=tree.root, index=i, size=n):
            return verify_inclusion(root, leaf, pr, index=index, tree_size=size)
        assert ok()
        assert not ok(leaf=leaves[i] + b"x")
        assert not ok(root=bytes(32))
        if n > 1:
            assert not ok(pr=InclusionProof((i + 1) % n, n, proof.path))
            assert not ok(pr=InclusionProof(i, n, proof.path[:-1]))
            bad = list(proof.path)
            bad[0] = bytes(32)
            assert not ok(pr=InclusionProof(i, n, tuple(bad)))
        assert not ok(pr=InclusionProof(i, n, proof.path + (bytes(32),)))
        assert not ok(pr=InclusionProof(n, n, proof.path), index=n)


@pytest.mark.parametrize("n", [2, 3, 5, 8, 13])
def test_index_and_size_are_the_callers_not_the_provers(n):
    """Finding 6: a genuine proof for leaf j is no proof that the leaf sits at the position the caller asks
    about, nor is a proof for one tree size a proof for another — whatever the proof object claims."""
    same = MerkleTree([b"same"] * n)  # equal leaves: a proof made for position j says nothing about i
    for j in range(n):
        for i in range(n):
            assert verify_inclusion(same.root, b"same", same.prove(j), index=i, tree_size=n) == (i == j)
    tree = MerkleTree([bytes([k]) for k in range(n)])  # distinct leaves: the path is computed at the caller's i
    for j in range(n):
        for i in range(n):
            assert verify_inclusion(tree.root, bytes([j]), tree.prove(j).path, index=i, tree_size=n) == (i == j)
    three = MerkleTree([b"a", b"b", b"c"])
    p0 = three.prove(0)
    as_four = InclusionProof(0, 4, p0.path)  # leaf 0 of 3 has the path shape of leaf 0 of 4
    assert verify_inclusion(three.root, b"a", p0.path, index=0, tree_size=3)
    assert verify_inclusion(three.root, b"a", p0.path, index=0, tree_size=4)  # why the size must be trusted
    assert not verify_inclusion(three.root, b"a", as_four, index=0, tree_size=3)
    assert not verify_inclusion(three.root, b"a", p0, index=0, tree_size=4)
    for bad in (-1, n, True, 1.0):
        assert not verify_inclusion(tree.root, bytes([0]), tree.prove(0).path, index=bad, tree_size=n)


def test_inner_node_cannot_pose_as_a_leaf():
    leaves = [b"a", b"b", b"c", b"d"]
    tree = MerkleTree(leaves)
    inner = leaf_hash(b"a") + leaf_hash(b"b")  # the bytes hashed for the inner node
    fake = InclusionProof(0, 2, (node_hash(leaf_hash(b"c"), leaf_hash(b"d")),))
    assert not verify_inclusion(tree.root, inner, fake, index=0, tree_size=2)
    assert not verify_inclusion(tree.root, inner, fake.path, index=0, tree_size=4)


def test_commitment_tuples(secp):
    rows = [[commit(secp, 10 * t + k)[0] for k in range(5)] for t in range(6)]
    tree = MerkleTree.of_commitment_tuples(rows)
    for t, row in enumerate(rows):
        assert verify_commitment_tuple(tree.root, row, tree.prove(t), index=t, tree_size=6)
        assert not verify_commitment_tuple(tree.root, row, tree.prove(t), index=(t + 1) % 6, tree_size=6)
    swapped = [rows[2][1], rows[2][0], *rows[2][2:]]
    assert not verify_commitment_tuple(tree.root, swapped, tree.prove(2), index=2, tree_size=6)
    assert not verify_commitment_tuple(tree.root, rows[2][:4], tree.prove(2), index=2, tree_size=6)
    with pytest.raises(ValueError):
        encode_commitment_tuple([])


def test_bad_inputs():
    with pytest.raises(ValueError):
        MerkleTree([])
    with pytest.raises(IndexError):
        MerkleTree([b"a"]).prove(1)
    with pytest.raises(ValueError):
        InclusionProof.from_bytes(b"\x00" * 16)


LEDGER = bytes(range(16))


def _sign(key, tree, timestamp=7, operator_id="utility", ledger_id=LEDGER, epoch=1):
    return sign_root(key, tree, timestamp, operator_id=operator_id, ledger_id=ledger_id, epoch=epoch)


def test_tree_size_is_authenticated_by_the_signed_root():
    """An audit path alone may also fit a neighbouring tree size (e.g. leaf 0 of 3 or 4 leaves);
    the size is bound by the operator's signature, and the combined check compares them."""
    key = generate_operator_key()
    tree = MerkleTree([b"a", b"b", b"c"])
    signed = _sign(key, tree)
    proof = tree.prove(0)
    assert verify_inclusion(tree.root, b"a", InclusionProof(0, 4, proof.path), index=0, tree_size=4)  # shape alone
    assert verify_leaf_under_signed_root(key.public_key(), signed, b"a", proof, index=0)
    assert not verify_leaf_under_signed_root(key.public_key(), signed, b"a", InclusionProof(0, 4, proof.path), index=0)
    assert not verify_leaf_under_signed_root(key.public_key(), signed, b"a", proof, index=1)
    assert not verify_leaf_under_signed_root(key.public_key(), signed, b"b", proof, index=0)
    other = generate_operator_key().public_key()
    assert not verify_leaf_under_signed_root(other, signed, b"a", proof, index=0)


def test_signed_root_verifies_and_every_field_is_bound():
    """Finding 7: besides root, size and timestamp, the signature covers the operator id, the ledger id and the
    epoch — changing any of them (to replay the root for another operator id of the same key, on another
    ledger, or as another epoch) breaks it."""
    key = generate_operator_key()
    pub = key.public_key()
    tree = MerkleTree([b"a", b"b", b"c"])
    signed = _sign(key, tree, 1_700_000_000, epoch=5)
    assert (signed.operator_id, signed.ledger_id, signed.epoch) == ("utility", LEDGER, 5)
    assert verify_signed_root(pub, signed)
    assert verify_signed_root(public_key_bytes(pub), signed)
    assert SignedRoot.from_bytes(signed.to_bytes()) == signed
    for change in ({"root": bytes(32)}, {"timestamp": signed.timestamp + 1}, {"tree_size": 4},
                   {"operator_id": "grid"}, {"ledger_id": bytes(16)}, {"epoch": 6}):
        assert not verify_signed_root(pub, replace(signed, **change)), change
    sig = bytearray(signed.signature)
    sig[0] ^= 1
    assert not verify_signed_root(pub, replace(signed, signature=bytes(sig)))
    assert not verify_signed_root(generate_operator_key().public_key(), signed)
    assert not verify_signed_root(b"\x00" * 31, signed)
    with pytest.raises(ValueError):
        SignedRoot.from_bytes(signed.to_bytes()[:-1])
    with pytest.raises(ValueError):
        SignedRoot.from_bytes(signed.to_bytes() + b"\x00")
    with pytest.raises(ValueError):
        _sign(key, tree, operator_id="")
    with pytest.raises(ValueError):
        _sign(key, tree, ledger_id=b"")


@settings(max_examples=30, deadline=None)
@given(operator_id=st.text(min_size=1, max_size=40).filter(lambda s: len(s.encode("utf-8", "replace")) <= 255),
       ledger_id=st.binary(min_size=1, max_size=64), epoch=st.integers(0, 2**64 - 1),
       timestamp=st.integers(0, 2**64 - 1))
def test_signed_root_encoding_round_trips(operator_id, ledger_id, epoch, timestamp):
    try:
        operator_id.encode("utf-8")
    except UnicodeEncodeError:
        return
    signed = _sign(_KEY, MerkleTree([b"x"]), timestamp, operator_id, ledger_id, epoch)
    assert SignedRoot.from_bytes(signed.to_bytes()) == signed
    assert verify_signed_root(_KEY.public_key(), signed)


_KEY = generate_operator_key()
