"""The two messages that open a connection between parties.

The dialling party j sends HELLO (session size m, its claimed index j, the index i it
wants to reach); the listening party i answers WELCOME (m, i, accepted or refused with a
reason). Fixed layouts, parsed strictly: anything else refuses the connection.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

MAGIC = b"MPCNET1\x00"
_HELLO = struct.Struct("<8sHHH")
_WELCOME = struct.Struct("<8sHHB")
MAX_REASON = 200


class HandshakeError(ValueError):
    """A handshake message that does not parse."""


@dataclass(frozen=True)
class Hello:
    m: int
    claimed: int
    target: int

    def encode(self) -> bytes:
        return _HELLO.pack(MAGIC, self.m, self.claimed, self.target)

    @classmethod
    def decode(cls, data: bytes) -> "Hello":
        if len(data) != _HELLO.size:
            raise HandshakeError(f"hello of {len(data)} bytes, expected {_HELLO.size}")
        magic, m, claimed, target = _HELLO.unpack(data)
        if magic != MAGIC:
            raise HandshakeError("not an mpc-markets party (wrong protocol magic)")
        return cls(m, claimed, target)


@dataclass(frozen=True)
class Welcome:
    m: int
    pid: int
    accepted: bool
    reason: str = ""

    def encode(self) -> bytes:
        reason = self.reason.encode("utf-8", errors="replace")[:MAX_REASON]
        return _WELCOME.pack(MAGIC, self.m, self.pid, 1 if self.accepted else 0) + reason

    @classmethod
    def decode(cls, data: bytes) -> "Welcome":
        if not _WELCOME.size <= len(data) <= _WELCOME.size + MAX_REASON:
            raise HandshakeError(f"welcome of {len(data)} bytes")
        magic, m, pid, status = _WELCOME.unpack_from(data)
        if magic != MAGIC or status not in (0, 1):
            raise HandshakeError("not an mpc-markets party (wrong protocol magic)")
        return cls(m, pid, status == 1, data[_WELCOME.size:].decode("utf-8", errors="replace"))
