"""The operator's Ed25519 signature over a Merkle root, bound to its operator, ledger and epoch.

Seed paper §4.2.3: the utility operator publishes each epoch's root "with a
verifiable signature and a timestamp".  The signed message is

    "mpc-markets/merkle-root/v2" ‖ |operator id| (1) ‖ operator id (UTF-8)
        ‖ |ledger id| (1) ‖ ledger id ‖ epoch (8) ‖ root (32) ‖ tree size (8) ‖ timestamp (8)

— domain-separated so the key's signatures on other messages can never be
replayed as root signatures; naming the operator id, so one key registered
under two ids cannot have one id's root published as the other's; naming the
ledger id, so a root published on one ledger cannot be replayed on another;
naming the epoch (the operator's counter, strictly increasing on a ledger), so
an old root cannot be re-published as a new epoch; and including the tree
size, which inclusion proofs need (see :mod:`zkp.merkle`).  Signatures come
from ``cryptography`` (Ed25519, RFC 8032).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from zkp.merkle import HASH_SIZE, InclusionProof, MerkleTree, verify_inclusion

ROOT_DOMAIN = b"mpc-markets/merkle-root/v2"
SIGNATURE_SIZE = 64
MAX_OPERATOR_ID_BYTES = 255
MAX_LEDGER_ID_BYTES = 64
_U64 = 1 << 64


def _body(operator_id: str, ledger_id: bytes, epoch: int, root: bytes, tree_size: int, timestamp: int) -> bytes:
    """Everything the signature covers except the domain (also the stored form, before the signature)."""
    if type(operator_id) is not str:
        raise ValueError("operator id must be a str")
    oid = operator_id.encode("utf-8")
    if not 0 < len(oid) <= MAX_OPERATOR_ID_BYTES:
        raise ValueError(f"operator id must be 1..{MAX_OPERATOR_ID_BYTES} bytes")
    if type(ledger_id) is not bytes or not 0 < len(ledger_id) <= MAX_LEDGER_ID_BYTES:
        raise ValueError(f"ledger id must be 1..{MAX_LEDGER_ID_BYTES} bytes")
    if type(root) is not bytes or len(root) != HASH_SIZE:
        raise ValueError(f"root must be {HASH_SIZE} bytes")
    for name, v in (("epoch", epoch), ("tree size", tree_size), ("timestamp", timestamp)):
        if type(v) is not int or not 0 <= v < _U64:
            raise ValueError(f"{name} must be an int in [0, 2^64)")
    return (len(oid).to_bytes(1, "big") + oid + len(ledger_id).to_bytes(1, "big") + ledger_id
            + epoch.to_bytes(8, "big") + root + tree_size.to_bytes(8, "big") + timestamp.to_bytes(8, "big"))


def root_message(operator_id: str, ledger_id: bytes, epoch: int, root: bytes, tree_size: int, timestamp: int) -> bytes:
    """The exact bytes the operator signs (ValueError on out-of-range fields)."""
    return ROOT_DOMAIN + _body(operator_id, ledger_id, epoch, root, tree_size, timestamp)


@dataclass(frozen=True)
class SignedRoot:
    """A published root: who signed it for which ledger and epoch, the root hash, its number of
    leaves, a Unix timestamp (seconds) and the Ed25519 signature over all of them."""

    operator_id: str
    ledger_id: bytes
    epoch: int
    root: bytes
    tree_size: int
    timestamp: int
    signature: bytes

    def message(self) -> bytes:
        return root_message(self.operator_id, self.ledger_id, self.epoch, self.root, self.tree_size, self.timestamp)

    def to_bytes(self) -> bytes:
        if type(self.signature) is not bytes or len(self.signature) != SIGNATURE_SIZE:
            raise ValueError(f"signature must be {SIGNATURE_SIZE} bytes")
        return self.message()[len(ROOT_DOMAIN):] + self.signature

    @classmethod
    def from_bytes(cls, data: bytes) -> "SignedRoot":
        """Inverse of :meth:`to_bytes`; ValueError unless ``data`` is exactly one encoding."""
        data = bytes(data)
        try:
            n = data[0]
            oid = data[1:1 + n].decode("utf-8")
            at = 1 + n
            m = data[at]
            lid = data[at + 1:at + 1 + m]
            at += 1 + m
        except (IndexError, UnicodeDecodeError):
            raise ValueError("signed root is truncated or its operator id is not UTF-8") from None
        if len(lid) != m or len(data) != at + 8 + HASH_SIZE + 16 + SIGNATURE_SIZE:
            raise ValueError("signed root has the wrong length")
        epoch = int.from_bytes(data[at:at + 8], "big")
        root = data[at + 8:at + 8 + HASH_SIZE]
        at += 8 + HASH_SIZE
        signed = cls(oid, lid, epoch, root, int.from_bytes(data[at:at + 8], "big"),
                     int.from_bytes(data[at + 8:at + 16], "big"), data[at + 16:])
        if signed.to_bytes() != data:  # e.g. an empty or over-long id
            raise ValueError("signed root is not in canonical form")
        return signed


def generate_operator_key() -> Ed25519PrivateKey:
    """A fresh operator signing key."""
    return Ed25519PrivateKey.generate()


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    """Raw 32-byte public key, for publishing."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign_root(key: Ed25519PrivateKey, tree: MerkleTree, timestamp: int, *, operator_id: str, ledger_id: bytes,
              epoch: int) -> SignedRoot:
    """Operator ``operator_id``'s signed root of ``tree`` for epoch ``epoch`` on ledger ``ledger_id``."""
    msg = root_message(operator_id, ledger_id, epoch, tree.root, tree.size, timestamp)
    return SignedRoot(operator_id, ledger_id, epoch, tree.root, tree.size, timestamp, key.sign(msg))


def verify_signed_root(public_key: Ed25519PublicKey | bytes, signed: SignedRoot) -> bool:
    """Whether ``signed`` carries a valid signature by ``public_key`` over all of its fields."""
    if isinstance(public_key, (bytes, bytearray)):
        try:
            public_key = Ed25519PublicKey.from_public_bytes(bytes(public_key))
        except ValueError:
            return False
    if not isinstance(signed, SignedRoot) or type(signed.signature) is not bytes:
        return False
    try:
        public_key.verify(signed.signature, signed.message())
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_leaf_under_signed_root(public_key: Ed25519PublicKey | bytes, signed: SignedRoot,
                                  leaf_data: bytes, proof: InclusionProof, *, index: int) -> bool:
    """The whole check a ledger reader makes: operator signature, then leaf ``index`` under the signed root.

    The tree size comes from the signed root, the index from the caller: an audit path by itself
    can also fit a neighbouring size or position (leaf 0 of 3 leaves has the path of leaf 0 of 4).
    """
    return (verify_signed_root(public_key, signed)
            and verify_inclusion(signed.root, leaf_data, proof, index=index, tree_size=signed.tree_size))
