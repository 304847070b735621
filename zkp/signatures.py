"""The operator's Ed25519 signature over a Merkle root and a timestamp.

Seed paper §4.2.3: the utility operator publishes each epoch's root "with a
verifiable signature and a timestamp".  The signed message is

    "mpc-markets/merkle-root/v1" ‖ root (32 bytes) ‖ tree size (8) ‖ timestamp (8)

— domain-separated so the key's signatures on other messages can never be
replayed as root signatures, and including the tree size, which inclusion
proofs need (see :mod:`zkp.merkle`).  Signatures come from ``cryptography``
(Ed25519, RFC 8032).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from zkp.merkle import HASH_SIZE, InclusionProof, MerkleTree, verify_inclusion

ROOT_DOMAIN = b"mpc-markets/merkle-root/v1"
SIGNATURE_SIZE = 64
_U64 = 1 << 64


def root_message(root: bytes, tree_size: int, timestamp: int) -> bytes:
    """The exact bytes the operator signs."""
    if len(root) != HASH_SIZE:
        raise ValueError(f"root must be {HASH_SIZE} bytes")
    if not 0 <= tree_size < _U64 or not 0 <= timestamp < _U64:
        raise ValueError("tree size and timestamp must fit in 64 unsigned bits")
    return ROOT_DOMAIN + root + tree_size.to_bytes(8, "big") + timestamp.to_bytes(8, "big")


@dataclass(frozen=True)
class SignedRoot:
    """A published root: root hash, number of leaves, Unix timestamp (seconds), Ed25519 signature."""

    root: bytes
    tree_size: int
    timestamp: int
    signature: bytes

    def to_bytes(self) -> bytes:
        return root_message(self.root, self.tree_size, self.timestamp)[len(ROOT_DOMAIN):] + self.signature

    @classmethod
    def from_bytes(cls, data: bytes) -> "SignedRoot":
        if len(data) != HASH_SIZE + 16 + SIGNATURE_SIZE:
            raise ValueError("signed root has the wrong length")
        return cls(data[:HASH_SIZE], int.from_bytes(data[HASH_SIZE:HASH_SIZE + 8], "big"),
                   int.from_bytes(data[HASH_SIZE + 8:HASH_SIZE + 16], "big"), data[HASH_SIZE + 16:])


def generate_operator_key() -> Ed25519PrivateKey:
    """A fresh operator signing key."""
    return Ed25519PrivateKey.generate()


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    """Raw 32-byte public key, for publishing."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign_root(key: Ed25519PrivateKey, tree: MerkleTree, timestamp: int) -> SignedRoot:
    """The operator's signed root for ``tree`` at ``timestamp``."""
    msg = root_message(tree.root, tree.size, timestamp)
    return SignedRoot(tree.root, tree.size, timestamp, key.sign(msg))


def verify_signed_root(public_key: Ed25519PublicKey | bytes, signed: SignedRoot) -> bool:
    """Whether ``signed`` carries a valid operator signature."""
    if isinstance(public_key, (bytes, bytearray)):
        try:
            public_key = Ed25519PublicKey.from_public_bytes(bytes(public_key))
        except ValueError:
            return False
    try:
        public_key.verify(signed.signature, root_message(signed.root, signed.tree_size, signed.timestamp))
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_leaf_under_signed_root(public_key: Ed25519PublicKey | bytes, signed: SignedRoot,
                                  leaf_data: bytes, proof: InclusionProof) -> bool:
    """The whole check a ledger makes: operator signature, same tree size, valid audit path.

    The size must come from the signed root: an audit path by itself can also fit a neighbouring
    tree size (leaf 0 of 3 leaves has the same path shape as leaf 0 of 4).
    """
    return (
        verify_signed_root(public_key, signed)
        and proof.tree_size == signed.tree_size
        and verify_inclusion(signed.root, leaf_data, proof)
    )
