"""The signed hash chain that links ledger entries, the genesis, and the canonical payload encoding.

Each entry is (seq, kind, payload) with the payload stored as canonical JSON
(sorted keys, no spaces, ASCII only, no NaN, exact JSON types).  Its hash is

    SHA-256("mpc-markets/ledger/entry/v1" ‖ prev_hash ‖ seq (8) ‖ |kind| (4) ‖ kind ‖ |payload| (8) ‖ payload)

with prev_hash = 32 zero bytes for the first entry (seq 0, the genesis), and
the ledger's writer signs every entry:

    signature = Ed25519_writer("mpc-markets/ledger/entry-signature/v1\\0" ‖ hash)

The writer's public key is fixed in the genesis payload together with a random
ledger id and the issuer's key, so it cannot change later without changing the
genesis hash — which every party pins (:mod:`protocols.ledger.pins`) and
compares with the others in a session (:mod:`protocols.ledger.replica`).

What the chain shows, and what it does not:

* changing, inserting, dropping or reordering entries anywhere needs the
  writer's key: the hashes can be recomputed by anyone, the signatures cannot;
* cutting entries off the end leaves a valid signed prefix: only a pinned head
  (or another party's replica) shows it;
* replacing the whole file by a fresh ledger under another writer key is a
  different genesis: a pinned head or an expected writer key shows it.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ENTRY_DOMAIN = b"mpc-markets/ledger/entry/v1"
SIGNATURE_DOMAIN = b"mpc-markets/ledger/entry-signature/v1\x00"
GENESIS_PREV = bytes(32)
HASH_SIZE = 32
SIGNATURE_SIZE = 64
LEDGER_ID_SIZE = 16
FORMAT_VERSION = 2
KINDS = ("genesis", "register_operator", "publish_root", "open_account", "multi_transaction", "decision")
#: the largest stored payload of every kind but the multi-transaction
MAX_PAYLOAD_BYTES = 1 << 26
#: a multi-transaction carries every account's signature and solvency proof, about 38 kB per
#: transfer in JSON (37 kB of it the proof), so transactions.MAX_TRANSFERS of them need about
#: 770 MB; a replication batch (replica.MAX_BATCH, 1 GiB) still holds one
MAX_MULTI_TRANSACTION_BYTES = 800 << 20


def max_payload_bytes(kind: str) -> int:
    """The largest stored payload of an entry of this kind."""
    return MAX_MULTI_TRANSACTION_BYTES if kind == "multi_transaction" else MAX_PAYLOAD_BYTES


def entry_hash(prev_hash: bytes, seq: int, kind: str, payload: bytes) -> bytes:
    """The chain hash of one entry."""
    k = kind.encode("utf-8")
    return hashlib.sha256(ENTRY_DOMAIN + bytes(prev_hash) + seq.to_bytes(8, "big") + len(k).to_bytes(4, "big") + k
                          + len(payload).to_bytes(8, "big") + bytes(payload)).digest()


def sign_entry(writer: Ed25519PrivateKey, h: bytes) -> bytes:
    """The writer's signature on an entry hash."""
    return writer.sign(SIGNATURE_DOMAIN + h)


def verify_entry_signature(writer_key: bytes, h: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(writer_key).verify(signature, SIGNATURE_DOMAIN + h)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class StoredEntry:
    """One entry exactly as stored: the payload bytes are the canonical JSON the rules checked."""

    seq: int
    kind: str
    payload: bytes
    prev_hash: bytes
    hash: bytes
    signature: bytes

    def to_bytes(self) -> bytes:
        """Wire form for replication: seq (8) ‖ |kind| (1) ‖ kind ‖ |payload| (4) ‖ payload ‖ prev ‖ hash ‖ sig."""
        k = self.kind.encode("ascii")
        return (self.seq.to_bytes(8, "big") + len(k).to_bytes(1, "big") + k + len(self.payload).to_bytes(4, "big")
                + self.payload + self.prev_hash + self.hash + self.signature)

    @classmethod
    def from_bytes(cls, data: bytes) -> "StoredEntry":
        """Inverse of :meth:`to_bytes` (ValueError unless ``data`` is exactly one entry)."""
        data = bytes(data)
        try:
            seq = int.from_bytes(data[:8], "big")
            n = data[8]
            kind = data[9:9 + n].decode("ascii")
            at = 9 + n
            m = int.from_bytes(data[at:at + 4], "big")
        except (IndexError, UnicodeDecodeError):
            raise ValueError("entry truncated or its kind is not ASCII") from None
        at += 4
        if len(data) != at + m + 2 * HASH_SIZE + SIGNATURE_SIZE or m > max_payload_bytes(kind):
            raise ValueError("entry has the wrong length")
        payload = data[at:at + m]
        at += m
        return cls(seq, kind, payload, data[at:at + HASH_SIZE], data[at + HASH_SIZE:at + 2 * HASH_SIZE],
                   data[at + 2 * HASH_SIZE:])


def check_json_value(value: Any, where: str = "payload") -> None:
    """ValueError unless ``value`` is built from exact JSON types (dict with str keys, list, str, int,
    finite float, bool, None) and so survives a JSON round trip unchanged.

    Subclasses are refused: an ``int`` subclass can compare equal to one number and serialise
    as another, so what a rule checked would not be what the ledger stores.
    """
    t = type(value)
    if value is None or t in (bool, int, str):
        return
    if t is float:
        if not math.isfinite(value):
            raise ValueError(f"{where}: non-finite number")
        return
    if t is list:
        for i, v in enumerate(value):
            check_json_value(v, f"{where}[{i}]")
        return
    if t is dict:
        for k, v in value.items():
            if type(k) is not str:
                raise ValueError(f"{where}: key {k!r} is not a str")
            check_json_value(v, f"{where}.{k}")
        return
    raise ValueError(f"{where}: {t.__name__} is not an exact JSON type (encode bytes as hex, tuples as lists)")


def canonical_json(payload: dict) -> bytes:
    """The stored bytes of a payload (ValueError unless it is built from exact JSON types)."""
    check_json_value(payload)
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")


def parse_canonical(data: bytes, limit: int | None = None) -> dict:
    """Decode stored payload bytes (at most `limit` of them, default MAX_PAYLOAD_BYTES); ValueError
    unless they are exactly the canonical JSON of a dict."""
    if len(data) > (MAX_PAYLOAD_BYTES if limit is None else limit):
        raise ValueError("payload too large")
    try:
        payload = json.loads(bytes(data).decode("ascii"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValueError(f"payload is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise ValueError("payload is not a JSON object")
    if canonical_json(payload) != bytes(data):
        raise ValueError("payload is not in canonical form")
    return payload


@dataclass(frozen=True)
class Genesis:
    """What entry 0 fixes for the ledger's lifetime."""

    group: str
    ledger_id: bytes
    writer_key: bytes
    issuer_key: bytes

    def payload(self) -> dict:
        return {"format": FORMAT_VERSION, "ledger": "mpc-markets", "group": self.group,
                "ledger_id": self.ledger_id.hex(), "writer_key": self.writer_key.hex(),
                "issuer_key": self.issuer_key.hex()}

    @classmethod
    def from_payload(cls, p: dict) -> "Genesis":
        """ValueError unless ``p`` is a genesis payload of this format."""
        if set(p) != {"format", "ledger", "group", "ledger_id", "writer_key", "issuer_key"}:
            raise ValueError(f"genesis fields {sorted(p)} are not those of format {FORMAT_VERSION}")
        if p["format"] != FORMAT_VERSION or p["ledger"] != "mpc-markets" or type(p["group"]) is not str:
            raise ValueError(f"unsupported genesis (format {p['format']!r}, ledger {p['ledger']!r})")
        g = cls(p["group"], unhex(p["ledger_id"], LEDGER_ID_SIZE), unhex(p["writer_key"], 32),
                unhex(p["issuer_key"], 32))
        for key in (g.writer_key, g.issuer_key):
            Ed25519PublicKey.from_public_bytes(key)
        return g


def new_genesis(group: str, writer_key: bytes, issuer_key: bytes) -> Genesis:
    """A genesis with a fresh random ledger id: two ledgers never share a genesis hash."""
    return Genesis(group, secrets.token_bytes(LEDGER_ID_SIZE), bytes(writer_key), bytes(issuer_key))


def unhex(s: Any, size: int | None = None) -> bytes:
    """Lowercase hex (as :func:`bytes.hex` writes it) back to bytes; ValueError otherwise."""
    if type(s) is not str or s != s.lower():
        raise ValueError("expected a lowercase hex string")
    b = bytes.fromhex(s)
    if b.hex() != s or (size is not None and len(b) != size):
        raise ValueError(f"expected {size if size is not None else 'some'} bytes as lowercase hex")
    return b
