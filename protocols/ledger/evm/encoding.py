"""What the contract hashes, mirrored byte for byte in Python (no web3 needed).

* account / operator keys: SHA-256("account\\0" ‖ id) and SHA-256("operator\\0" ‖ id),
  so arbitrary id strings (up to 255 bytes) map to fixed storage keys;
* the ledger tag: SHA-256("mpc-markets/evm-ledger/v2" ‖ chain id ‖ contract address ‖ mode ‖
  writer address ‖ issuer key ‖ a random salt), which every signature and proof context includes, so nothing
  signed for one deployment (or one mode) is accepted by another; its first 16 bytes are the
  ledger id (:attr:`Ledger.ledger_id`) that issuance, operator registrations and roots name;
* the batch digest every account holder signs: a SHA-256 hash chain over the tag,
  the context hash, the attestation hash, the count, then (account, Cm(φ), nonce)
  per transfer in order;
* the solvency key of one transfer: the context of its range proof and the key
  under which the contract records that it verified it (mode 1);
* the attestation hash (mode 2): the hash of every range proof of the batch, in
  transfer order, which the co-signers sign.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

from protocols.ledger.chain import LEDGER_ID_SIZE
from zkp.sha256_transcript import word

MODES = {"onchain": 1, "attested": 2, "writer": 3}
MODE_NAMES = {v: k for k, v in MODES.items()}
ZERO32 = bytes(32)
ZERO_ADDRESS = "0x" + "00" * 20
MAX_ID_BYTES = 255
#: the contract's bound on the transfers of one batch (MultiTxLedger.vy MAX_TRANSFERS)
MAX_TRANSFERS = 128


def _sha(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def _id_bytes(name: str) -> bytes:
    b = name.encode("utf-8") if isinstance(name, str) else b""
    if not b or len(b) > MAX_ID_BYTES:
        raise ValueError(f"an id is a non-empty string of at most {MAX_ID_BYTES} UTF-8 bytes")
    return b


def account_key(account_id: str) -> bytes:
    return _sha(b"account\x00", _id_bytes(account_id))


def operator_key(operator_id: str) -> bytes:
    return _sha(b"operator\x00", _id_bytes(operator_id))


def ledger_tag(chain_id: int, contract_address: bytes, mode: int, writer: bytes, issuer_key: bytes,
               salt: bytes) -> bytes:
    if len(contract_address) != 20 or len(writer) != 20:
        raise ValueError("a contract or writer address is 20 bytes")
    if len(issuer_key) != 32:
        raise ValueError("the issuer key is a raw 32-byte Ed25519 key")
    return _sha(b"mpc-markets/evm-ledger/v2", word(chain_id), bytes(12) + bytes(contract_address), word(mode),
                bytes(12) + bytes(writer), bytes(issuer_key), bytes(salt))


def ledger_id(tag: bytes) -> bytes:
    """The ledger id (16 bytes, as the SQLite ledger's) of a deployment: its tag's first half."""
    return bytes(tag[:LEDGER_ID_SIZE])


def genesis_head(tag: bytes) -> bytes:
    return _sha(b"mpc-markets/evm-ledger/genesis/v1", tag)


def next_head(head: bytes, seq: int, kind: int, digest: bytes) -> bytes:
    return _sha(head, word(seq), word(kind), digest)


def context_hash(context: bytes) -> bytes:
    """The 32-byte form of a multi-transaction's application context that the contract sees."""
    return _sha(b"mpc-markets/evm-ledger/context/v1\x00", bytes(context))


@dataclass(frozen=True)
class ChainTransfer:
    """One transfer as the contract takes it: account key, Cm(φ) as (x, y), nonce."""

    account: bytes
    cm: tuple[int, int]
    nonce: int

    @classmethod
    def of(cls, account_id: str, amount_commitment: bytes, nonce: int) -> "ChainTransfer":
        if len(amount_commitment) != 64:
            raise ValueError("an amount commitment is a 64-byte BN254 point")
        return cls(account_key(account_id), point_words(amount_commitment), int(nonce))

    def as_abi(self) -> tuple:
        return (self.account, list(self.cm), self.nonce)


def point_words(encoded: bytes) -> tuple[int, int]:
    return int.from_bytes(encoded[:32], "big"), int.from_bytes(encoded[32:64], "big")


def point_bytes(xy: Sequence[int]) -> bytes:
    return word(xy[0]) + word(xy[1])


def body_digest(tag: bytes, transfers: Sequence[ChainTransfer], context: bytes, attest: bytes = ZERO32) -> bytes:
    """The digest the contract computes in ``_digest``; ``context`` is already hashed (32 bytes)."""
    h = _sha(tag, b"multi-transaction\x00", context, attest, word(len(transfers)))
    for t in transfers:
        h = _sha(h, t.account, word(t.cm[0]), word(t.cm[1]), word(t.nonce))
    return h


def solvency_key(digest: bytes, t: ChainTransfer) -> bytes:
    return _sha(digest, t.account, word(t.cm[0]), word(t.cm[1]), word(t.nonce))


def open_context(tag: bytes, account_id: str, owner: bytes, balance_commitment: bytes) -> bytes:
    """Context of the opening balance's range proof (mode 1 checks it on chain)."""
    return _sha(tag, b"open\x00", account_key(account_id), bytes(12) + bytes(owner), bytes(balance_commitment))


def attest_hash(transfers: Sequence[ChainTransfer], proofs: Sequence[bytes]) -> bytes:
    """Mode 2: what the co-signers attest to having verified (every range proof, in transfer order)."""
    h = _sha(b"mpc-markets/evm-ledger/attest/v1\x00", word(len(proofs)))
    for t, p in zip(transfers, proofs, strict=True):
        h = _sha(h, t.account, _sha(bytes(p)))
    return h


def payload_hash(canonical_payload: bytes) -> bytes:
    """Mode 3: the hash of the full off-chain payload (Ed25519 signatures, SHAKE proofs)."""
    return _sha(b"mpc-markets/evm-ledger/payload/v1\x00", canonical_payload)
