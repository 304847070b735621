"""The hash chain that links ledger entries, and the canonical encoding of their payloads.

Each entry is (seq, kind, payload) with the payload stored as canonical JSON
(sorted keys, no spaces, ASCII only, no NaN).  Its hash is

    SHA-256("mpc-markets/ledger/entry/v1" ‖ prev_hash ‖ seq (8) ‖ |kind| (4) ‖ kind ‖ |payload| (8) ‖ payload)

with prev_hash = 32 zero bytes for the first entry (seq 0, the genesis).
Changing any stored byte of an entry changes its hash or breaks the link to
the next one.  What a chain alone cannot show is that entries were dropped
from the end, or that someone rewrote a suffix and recomputed every hash:
pin :meth:`~protocols.ledger.api.Ledger.head` elsewhere for the first, and
use the deep check (every signature and proof verified again) for the second.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

ENTRY_DOMAIN = b"mpc-markets/ledger/entry/v1"
GENESIS_PREV = bytes(32)
HASH_SIZE = 32
KINDS = ("genesis", "register_operator", "publish_root", "open_account", "multi_transaction", "decision")


def entry_hash(prev_hash: bytes, seq: int, kind: str, payload: bytes) -> bytes:
    """The chain hash of one entry."""
    k = kind.encode("utf-8")
    return hashlib.sha256(ENTRY_DOMAIN + bytes(prev_hash) + seq.to_bytes(8, "big") + len(k).to_bytes(4, "big") + k
                          + len(payload).to_bytes(8, "big") + bytes(payload)).digest()


def check_json_value(value: Any, where: str = "payload") -> None:
    """ValueError unless ``value`` survives a JSON round trip unchanged (str keys, finite floats, no bytes)."""
    if value is None or isinstance(value, (bool, int, str)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: non-finite number")
        return
    if isinstance(value, list):
        for i, v in enumerate(value):
            check_json_value(v, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError(f"{where}: key {k!r} is not a string")
            check_json_value(v, f"{where}.{k}")
        return
    raise ValueError(f"{where}: {type(value).__name__} is not JSON (encode bytes as hex, tuples as lists)")


def canonical_json(payload: dict) -> bytes:
    """The stored bytes of a payload."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")


def parse_canonical(data: bytes) -> dict:
    """Decode stored payload bytes; ValueError unless they are exactly the canonical JSON of a dict."""
    try:
        payload = json.loads(bytes(data).decode("ascii"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValueError(f"payload is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise ValueError("payload is not a JSON object")
    if canonical_json(payload) != bytes(data):
        raise ValueError("payload is not in canonical form")
    return payload
