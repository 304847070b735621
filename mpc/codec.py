"""Strict byte encodings of what parties send each other.

Nothing a peer sends is ever unpickled: vectors of field elements travel as fixed-width
little-endian integers, and the decoder rejects any payload whose length is not exactly
what the protocol step expects or that holds a value outside [0, q).
"""
from __future__ import annotations

from typing import Sequence

from gmpy2 import mpz

from .errors import MalformedMessage
from .field import PrimeField


def encode_vector(field: PrimeField, values: Sequence[int]) -> bytes:
    """Concatenate the values as field.nbytes-byte little-endian integers."""
    w = field.nbytes
    return b"".join([int(v).to_bytes(w, "little") for v in values])


def decode_vector(field: PrimeField, data: bytes, n: int, sender: int | None = None) -> list[mpz]:
    """Parse exactly n field elements; raise MalformedMessage on any deviation."""
    w = field.nbytes
    who = f" from party {sender}" if sender is not None else ""
    if not isinstance(data, (bytes, bytearray)) or len(data) != n * w:
        size = len(data) if isinstance(data, (bytes, bytearray)) else type(data).__name__
        raise MalformedMessage(f"expected {n} field elements ({n * w} bytes){who}, got {size}")
    q = field.q
    out = [mpz(int.from_bytes(data[i:i + w], "little")) for i in range(0, n * w, w)]
    for v in out:
        if v >= q:
            raise MalformedMessage(f"value >= field modulus{who}")
    return out


def expect_bytes(data: bytes, n: int, what: str, sender: int | None = None) -> bytes:
    """Check that an opaque message (hash, seed, nonce) has exactly n bytes."""
    if not isinstance(data, (bytes, bytearray)) or len(data) != n:
        who = f" from party {sender}" if sender is not None else ""
        raise MalformedMessage(f"{what}{who} must be {n} bytes")
    return bytes(data)
