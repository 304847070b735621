"""Merkle inclusion at its boundaries: a path must be used up exactly, and a leaf can never
be an inner node.

Both attacks below verify against a real root when the check they target is removed
from ``zkp.merkle``: a 2-leaf path claimed for a 4-leaf tree (without the final "path
exhausted" test ``sn == 0``), and the bytes of an inner node presented as a leaf of a
smaller tree (without the 0x00 leaf prefix — the fake leaf here carries the 0x01 node
prefix, so it hashes to the inner node when leaves are unprefixed).  An independent
recursive verifier serves as the oracle for random trees, sizes and paths.
"""
import hashlib

import pytest
from hypothesis import given, settings, strategies as st

from zkp.merkle import HASH_SIZE, InclusionProof, MerkleTree, leaf_hash, node_hash
from zkp.merkle import verify_inclusion as _verify_inclusion


def verify_inclusion(root, leaf, proof):
    """The verifier at the position and size the proof claims (what the caller expects here)."""
    if isinstance(proof, InclusionProof):
        return _verify_inclusion(root, leaf, proof, index=proof.index, tree_size=proof.tree_size)
    return _verify_inclusion(root, leaf, proof, index=0, tree_size=0)


def test_leaf_and_node_hashes_are_rfc6962():
    # RFC 6962 §2.1: MTH({}) of one empty leaf is SHA-256(0x00); the CT test vector
    assert leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    l, r = bytes(range(32)), bytes(range(32, 64))
    assert node_hash(l, r) == hashlib.sha256(b"\x01" + l + r).digest()
    assert node_hash(l, r) != node_hash(r, l)


def test_two_leaf_path_claimed_for_four_leaves_is_rejected():
    tree = MerkleTree([b"a", b"b"])
    for i, leaf in enumerate([b"a", b"b"]):
        proof = tree.prove(i)
        assert verify_inclusion(tree.root, leaf, proof)
        for size in (3, 4, 5, 8):
            assert not verify_inclusion(tree.root, leaf, InclusionProof(i, size, proof.path)), (i, size)


def test_path_longer_than_the_tree_is_rejected_even_with_a_matching_hash():
    """Leaf 0 of 1 has an empty path; giving it one more element for size 1 must fail."""
    tree = MerkleTree([b"x"])
    assert verify_inclusion(tree.root, b"x", tree.prove(0))
    assert not verify_inclusion(node_hash(tree.root, bytes(32)), b"x", InclusionProof(0, 1, (bytes(32),)))


def test_inner_node_with_its_prefix_byte_cannot_pose_as_a_leaf():
    leaves = [b"a", b"b", b"c", b"d"]
    tree = MerkleTree(leaves)
    # exactly the bytes hashed for the left inner node, 0x01 prefix included
    fake_leaf = b"\x01" + leaf_hash(b"a") + leaf_hash(b"b")
    path = (node_hash(leaf_hash(b"c"), leaf_hash(b"d")),)
    assert node_hash(hashlib.sha256(fake_leaf).digest(), path[0]) == tree.root  # the attack's premise
    assert not verify_inclusion(tree.root, fake_leaf, InclusionProof(0, 2, path))
    assert not verify_inclusion(tree.root, fake_leaf, InclusionProof(0, 4, path))


def test_one_leaf_tree_root_is_the_prefixed_leaf_hash():
    assert MerkleTree([b"only"]).root == hashlib.sha256(b"\x00only").digest()
    assert MerkleTree([b"\x01" + bytes(64)]).root != hashlib.sha256(b"\x01" + bytes(64)).digest()


def _split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _root_from_path(leaf_h, i, n, path):
    """Independent verifier: rebuild the root top-down with the tree's own split (path is
    listed from the leaf up, so the top-level sibling is the last element)."""
    if n == 1:
        return leaf_h if not path else None
    if not path:
        return None
    k = _split(n)
    if i < k:
        sub = _root_from_path(leaf_h, i, k, path[:-1])
        return None if sub is None else node_hash(sub, path[-1])
    sub = _root_from_path(leaf_h, i - k, n - k, path[:-1])
    return None if sub is None else node_hash(path[-1], sub)


def oracle(root, leaf, proof):
    if not 0 <= proof.index < proof.tree_size or any(len(p) != HASH_SIZE for p in proof.path):
        return False
    return _root_from_path(leaf_hash(leaf), proof.index, proof.tree_size, list(proof.path)) == root


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 40), data=st.data())
def test_verifier_agrees_with_an_independent_recursive_verifier(n, data):
    leaves = [bytes([j % 256, j // 256]) for j in range(n)]
    tree = MerkleTree(leaves)
    i = data.draw(st.integers(0, n - 1), label="index")
    path = list(tree.prove(i).path)
    edit = data.draw(st.sampled_from(["none", "drop", "extend", "flip"]), label="edit")
    if edit == "drop" and path:
        path.pop(data.draw(st.integers(0, len(path) - 1)))
    elif edit == "extend":
        path.insert(data.draw(st.integers(0, len(path))), data.draw(st.sampled_from(
            [bytes(32), tree.root] + [leaf_hash(x) for x in leaves[:2]])))
    elif edit == "flip" and path:
        k = data.draw(st.integers(0, len(path) - 1))
        path[k] = bytes([path[k][0] ^ 1]) + path[k][1:]
    size = data.draw(st.integers(1, 2 * n + 2), label="claimed size")
    index = data.draw(st.sampled_from([i, i, max(0, i - 1), i + 1, size]), label="claimed index")
    proof = InclusionProof(index, size, tuple(path))
    expected = oracle(tree.root, leaves[i], proof)
    assert verify_inclusion(tree.root, leaves[i], proof) == expected
    if edit == "none" and size == n and index == i:
        assert expected  # the honest case is in the sample


@pytest.mark.parametrize("n", [2, 3, 5, 6, 7, 9, 16])
def test_every_other_claimed_size_is_checked_like_the_oracle(n):
    leaves = [bytes([j]) for j in range(n)]
    tree = MerkleTree(leaves)
    for i in range(n):
        path = tree.prove(i).path
        for size in range(1, 2 * n + 1):
            proof = InclusionProof(i, size, path)
            assert verify_inclusion(tree.root, leaves[i], proof) == oracle(tree.root, leaves[i], proof), (i, size)


def test_short_hash_in_the_path_is_rejected():
    tree = MerkleTree([b"a", b"b", b"c"])
    proof = tree.prove(2)
    assert not verify_inclusion(tree.root, b"c", InclusionProof(2, 3, (proof.path[0][:31],)))
    assert not verify_inclusion(tree.root, b"c", InclusionProof(2, 3, (proof.path[0] + b"\x00",)))


def test_non_proof_and_negative_index_are_rejected():
    tree = MerkleTree([b"a", b"b"])
    assert not verify_inclusion(tree.root, b"a", (0, 2, tree.prove(0).path))
    assert not verify_inclusion(tree.root, b"a", InclusionProof(-1, 2, tree.prove(0).path))


def test_inclusion_proof_encoding_round_trip_and_exact_length():
    tree = MerkleTree([bytes([j]) for j in range(11)])
    proof = tree.prove(9)
    blob = proof.to_bytes()
    assert len(blob) == 17 + HASH_SIZE * len(proof.path)
    assert blob[:8] == (9).to_bytes(8, "big") and blob[8:16] == (11).to_bytes(8, "big")
    assert blob[16] == len(proof.path)
    assert InclusionProof.from_bytes(blob) == proof
    for bad in (blob[:-1], blob + b"\x00", blob[:16]):
        with pytest.raises(ValueError):
            InclusionProof.from_bytes(bad)
    assert InclusionProof.from_bytes(MerkleTree([b"z"]).prove(0).to_bytes()).path == ()


def test_tree_rejects_an_empty_leaf_list_and_out_of_range_indices():
    with pytest.raises(ValueError, match="at least one leaf"):
        MerkleTree([])
    tree = MerkleTree([b"a", b"b", b"c"])
    for bad in (-1, 3):
        with pytest.raises(IndexError, match=r"outside 0\.\.2"):
            tree.prove(bad)
    assert tree.size == 3


def test_commitment_tuple_leaf_encoding_is_exact(secp, bn254):
    from zkp.merkle import encode_commitment_tuple
    from zkp.pedersen import commit

    c1, c2 = commit(secp, 1)[0], commit(secp, 2)[0]
    name = secp.name.encode()
    assert encode_commitment_tuple([c1, c2]) == (len(name).to_bytes(2, "big") + name + (2).to_bytes(4, "big")
                                                 + c1.to_bytes() + c2.to_bytes())
    assert encode_commitment_tuple([c1]).endswith((1).to_bytes(4, "big") + c1.to_bytes())
    with pytest.raises(ValueError, match="^a leaf needs at least one commitment$"):
        encode_commitment_tuple([])
    with pytest.raises(ValueError, match="^all commitments of a leaf must be in one group$"):
        encode_commitment_tuple([c1, commit(bn254, 1)[0]])


def test_inclusion_proof_decoder_messages_and_wide_sizes():
    with pytest.raises(ValueError, match="^inclusion proof truncated$"):
        InclusionProof.from_bytes(bytes(16))
    with pytest.raises(ValueError, match="^inclusion proof has the wrong length$"):
        InclusionProof.from_bytes(bytes(16) + b"\x01" + bytes(31))
    big = InclusionProof.from_bytes((3).to_bytes(8, "big") + (1 << 60).to_bytes(8, "big") + b"\x00")
    assert (big.index, big.tree_size, big.path) == (3, 1 << 60, ())


def test_tree_messages_and_cached_node_hashes():
    with pytest.raises(ValueError, match="^a Merkle tree needs at least one leaf$"):
        MerkleTree([])
    tree = MerkleTree([bytes([j]) for j in range(5)])
    assert all(isinstance(h, bytes) and len(h) == 32 for h in tree._hashes.values())
    assert tree._hashes[(0, 5)] == tree.root and tree._hashes[(4, 5)] == leaf_hash(bytes([4]))
