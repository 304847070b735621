"""Frames between parties: an 8-byte signed label, a 4-byte length and the payload.

The label names the protocol step (online steps count up from 1, preprocessing steps
down from −2^40; a few reserved labels mark the handshake and the closing barrier). The
length is checked against the session's maximum frame size from the header, before any
payload is read, so a peer cannot make a party buffer more than that per message.
"""
from __future__ import annotations

import asyncio
import struct

from ..errors import MalformedMessage

HEADER = struct.Struct("<qI")
HANDSHAKE_LABEL = -(1 << 63)
CLOSE_LABEL = (1 << 62) + 1
#: default largest payload of one message (a session may set its own)
DEFAULT_MAX_FRAME = 256 << 20
#: the largest payload of one length field (4 bytes)
FRAME_LIMIT = (1 << 32) - 1
#: largest handshake message
MAX_HANDSHAKE = 512


def encode_frame(label: int, payload: bytes) -> bytes:
    return HEADER.pack(label, len(payload)) + payload


async def read_frame(reader: asyncio.StreamReader, max_frame: int, peer: str) -> tuple[int, bytes]:
    """The next frame; MalformedMessage if its announced length exceeds `max_frame`.
    IncompleteReadError / ConnectionError when the connection ends."""
    label, length = HEADER.unpack(await reader.readexactly(HEADER.size))
    if length > max_frame:
        raise MalformedMessage(f"{peer} announced a message of {length} bytes (limit {max_frame})")
    return label, await reader.readexactly(length)
