"""Wire format between input-only clients and the computing parties.

A frame is 1 type byte, a 4-byte little-endian length and the payload. Field elements
travel as in :mod:`mpc.codec` (fixed width, little-endian, each < q). The encoders and
decoders here are the only code that builds or parses a client-protocol payload; every
decoder checks the exact length and raises on anything else.
"""
from __future__ import annotations

import struct
from typing import Sequence

from gmpy2 import mpz

from ..codec import decode_vector, encode_vector
from ..errors import MalformedMessage
from ..field import PrimeField

# Frame types.
HELLO, MASKS, INPUT, REFUSE, ACK, REJECT, RESULT, CHALLENGE, AUTH, REQUEST, REPLY, NOTICE = range(1, 13)
NAMES = {HELLO: "HELLO", MASKS: "MASKS", INPUT: "INPUT", REFUSE: "REFUSE", ACK: "ACK",
         REJECT: "REJECT", RESULT: "RESULT", CHALLENGE: "CHALLENGE", AUTH: "AUTH", REQUEST: "REQUEST",
         REPLY: "REPLY", NOTICE: "NOTICE"}
#: a server's challenge to a client that must prove its identity
NONCE_BYTES = 32
#: the largest signature a client may answer a challenge with
MAX_AUTH = 256
_AUTH_DOMAIN = b"mpc-markets/client-input/auth/v1\x00"
HEADER = struct.Struct("<BI")
#: the largest frame either side ever accepts (a result with a long public part)
MAX_FRAME = 1 << 26
MAX_ID_BYTES = 256
#: the largest free-text reason in a REFUSE or REJECT
MAX_REASON = 1024


class ClientProtocolError(Exception):
    """A peer on a client connection broke the framing or the message sequence."""


class ClientInputError(Exception):
    """Raised at a client: its input or output did not go through; the message says why."""


def name(kind: int) -> str:
    return NAMES.get(kind, str(kind))


def encode_hello(client_id: str) -> bytes:
    return client_id.encode("utf-8")


def decode_hello(payload: bytes) -> str:
    """The client id of a HELLO; ClientProtocolError if too long or not UTF-8."""
    if len(payload) > MAX_ID_BYTES:
        raise ClientProtocolError("client id too long")
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        raise ClientProtocolError("client id is not UTF-8") from None


def encode_masks(field: PrimeField, a: Sequence[int], b: Sequence[int], c: Sequence[int]) -> bytes:
    """A server's value shares of the client's triples: a ‖ b ‖ c."""
    return encode_vector(field, list(a) + list(b) + list(c))


def decode_masks(field: PrimeField, payload: bytes, n: int, sender: int) -> list[mpz]:
    """3n field elements (a ‖ b ‖ c); ClientInputError naming the server on any deviation."""
    try:
        return decode_vector(field, payload, 3 * n, sender)
    except MalformedMessage as exc:
        raise ClientInputError(f"server {sender} sent malformed mask shares: {exc}") from None


def encode_input(field: PrimeField, diffs: Sequence[int]) -> bytes:
    """The client's masked input d = x − a."""
    return encode_vector(field, diffs)


def decode_input(field: PrimeField, payload: bytes, n: int) -> list[mpz]:
    try:
        return decode_vector(field, payload, n)
    except MalformedMessage as exc:
        raise ClientProtocolError(f"malformed input ({exc.detail})") from None


def encode_result(field: PrimeField, public: bytes, values: Sequence[int]) -> bytes:
    """|public| (4) ‖ public ‖ count (4) ‖ count field elements (the client's masked outputs)."""
    return (struct.pack("<I", len(public)) + public + struct.pack("<I", len(values))
            + encode_vector(field, values))


def decode_result(field: PrimeField, payload: bytes, sender: int) -> tuple[bytes, list[mpz]]:
    """(public part, masked private outputs); ClientInputError naming the server otherwise."""
    if len(payload) < 8:
        raise ClientInputError(f"server {sender} sent a truncated result")
    (plen,) = struct.unpack_from("<I", payload, 0)
    if 4 + plen + 4 > len(payload):
        raise ClientInputError(f"server {sender} sent a truncated result")
    public = payload[4:4 + plen]
    (count,) = struct.unpack_from("<I", payload, 4 + plen)
    try:
        private = decode_vector(field, payload[8 + plen:], count, sender)
    except MalformedMessage as exc:
        raise ClientInputError(f"server {sender}: {exc}") from None
    return public, private


def auth_message(context: bytes, server: int, client_id: str, nonce: bytes) -> bytes:
    """What a client signs to prove its identity to server `server`: bound to the session's
    context (so it cannot be replayed in another session), the server (so one server cannot
    replay it to another) and that server's fresh nonce."""
    cid = client_id.encode("utf-8")
    return (_AUTH_DOMAIN + len(context).to_bytes(4, "big") + context + server.to_bytes(4, "big")
            + len(cid).to_bytes(2, "big") + cid + nonce)


def text(payload: bytes) -> str:
    """A peer's free-text reason, made printable and short."""
    return payload.decode("utf-8", errors="replace")[:500]
