"""Merkle trees over commitment tuples, with O(log n) inclusion proofs.

Seed paper §4.2.2–4.2.3: the utility operator puts one tuple of commitments
per user and time slot into a leaf and publishes only the signed root.  The
tree follows RFC 6962/9162 (Certificate Transparency), because the naive
"hash(X ‖ Y), duplicate the odd node" tree of the paper's Figure 3 has known
ambiguities:

* leaves and inner nodes are hashed with different prefixes (0x00 / 0x01),
  so an inner node can never be passed off as a leaf (second preimages);
* an odd node is not duplicated: the tree over n leaves splits at the
  largest power of two below n, so two different leaf lists never share a
  root (duplication makes [a, b, c] and [a, b, c, c] collide).

Verification follows RFC 9162 §2.1.3.2 and needs the leaf index and the tree
size.  Both are the *verifier's* expectation, never the prover's claim: the
caller passes the position it cares about (e.g. user i's slot t) and the size
it trusts (the size in the operator-signed root, :mod:`zkp.signatures`).  An
audit path alone fits several positions and sizes (leaf 0 of 3 leaves has the
path shape of leaf 0 of 4), so taking them from the proof would let a prover
choose what is being verified.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

from zkp.pedersen import Commitment

HASH_SIZE = 32
_LEAF = b"\x00"
_NODE = b"\x01"
#: largest number of leaves (the tree size is signed as 8 bytes; 2^32 is plenty).
MAX_LEAVES = 1 << 32


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 ‖ data)."""
    return _sha256(_LEAF + data)


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return _sha256(_NODE + left + right)


def encode_commitment_tuple(commitments: Sequence[Commitment]) -> bytes:
    """Leaf data for a tuple of commitments: group name, count, canonical encodings."""
    if not commitments:
        raise ValueError("a leaf needs at least one commitment")
    group = commitments[0].group
    if any(c.group is not group for c in commitments):
        raise ValueError("all commitments of a leaf must be in one group")
    name = group.name.encode()
    head = len(name).to_bytes(2, "big") + name + len(commitments).to_bytes(4, "big")
    return head + b"".join(c.to_bytes() for c in commitments)


def _split(n: int) -> int:
    """Largest power of two strictly below n (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


@dataclass(frozen=True)
class InclusionProof:
    """Audit path for leaf ``index`` of a tree with ``tree_size`` leaves."""

    index: int
    tree_size: int
    path: tuple[bytes, ...]

    def to_bytes(self) -> bytes:
        return (self.index.to_bytes(8, "big") + self.tree_size.to_bytes(8, "big")
                + len(self.path).to_bytes(1, "big") + b"".join(self.path))

    @classmethod
    def from_bytes(cls, data: bytes) -> "InclusionProof":
        if len(data) < 17:
            raise ValueError("inclusion proof truncated")
        n = data[16]
        if len(data) != 17 + n * HASH_SIZE:
            raise ValueError("inclusion proof has the wrong length")
        path = tuple(data[17 + i * HASH_SIZE : 17 + (i + 1) * HASH_SIZE] for i in range(n))
        return cls(int.from_bytes(data[:8], "big"), int.from_bytes(data[8:16], "big"), path)


class MerkleTree:
    """An RFC 6962 Merkle tree over byte-string leaves (build: O(n) hashes; proof: O(log n))."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        if not 1 <= len(leaves) <= MAX_LEAVES:
            raise ValueError("a Merkle tree needs at least one leaf")
        self.leaves = [bytes(leaf) for leaf in leaves]
        self._hashes: dict[tuple[int, int], bytes] = {}
        self.root = self._mth(0, len(self.leaves))

    @classmethod
    def of_commitment_tuples(cls, rows: Sequence[Sequence[Commitment]]) -> "MerkleTree":
        """The operator's tree: one leaf per tuple of commitments (e.g. one user's time slot)."""
        return cls([encode_commitment_tuple(row) for row in rows])

    @property
    def size(self) -> int:
        return len(self.leaves)

    def _mth(self, lo: int, hi: int) -> bytes:
        key = (lo, hi)
        h = self._hashes.get(key)
        if h is None:
            if hi - lo == 1:
                h = leaf_hash(self.leaves[lo])
            else:
                k = _split(hi - lo)
                h = node_hash(self._mth(lo, lo + k), self._mth(lo + k, hi))
            self._hashes[key] = h
        return h

    def prove(self, index: int) -> InclusionProof:
        """Audit path of leaf ``index`` (siblings from the leaf up)."""
        if not 0 <= index < self.size:
            raise IndexError(f"leaf index {index} outside 0..{self.size - 1}")
        path: list[bytes] = []
        lo, hi, m = 0, self.size, index
        while hi - lo > 1:
            k = _split(hi - lo)
            if m < k:
                path.append(self._mth(lo + k, hi))
                hi = lo + k
            else:
                path.append(self._mth(lo, lo + k))
                lo, m = lo + k, m - k
        return InclusionProof(index, self.size, tuple(reversed(path)))


def verify_inclusion(root: bytes, leaf_data: bytes, proof: InclusionProof | Sequence[bytes], *,
                     index: int, tree_size: int) -> bool:
    """RFC 9162 §2.1.3.2: whether ``leaf_data`` is leaf ``index`` of the ``tree_size``-leaf tree with ``root``.

    ``index`` and ``tree_size`` are what the caller expects; ``proof`` is either a bare
    audit path (sibling hashes from the leaf up) or an :class:`InclusionProof`, whose
    own index and size must then equal the expected ones (a proof made for another
    position is refused even when its path happens to fit).
    """
    if isinstance(proof, InclusionProof):
        if proof.index != index or proof.tree_size != tree_size:
            return False
        path = proof.path
    else:
        path = tuple(proof)
    if type(index) is not int or type(tree_size) is not int or not 0 <= index < tree_size <= MAX_LEAVES:
        return False
    fn, sn = index, tree_size - 1
    r = leaf_hash(leaf_data)
    for p in path:
        if sn == 0 or not isinstance(p, bytes) or len(p) != HASH_SIZE:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_commitment_tuple(root: bytes, commitments: Sequence[Commitment], proof: InclusionProof | Sequence[bytes],
                            *, index: int, tree_size: int) -> bool:
    """Whether this tuple of commitments is leaf ``index`` of the ``tree_size``-leaf tree under ``root``."""
    return verify_inclusion(root, encode_commitment_tuple(commitments), proof, index=index, tree_size=tree_size)
