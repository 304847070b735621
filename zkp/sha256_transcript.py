"""A Fiat–Shamir transcript the EVM can recompute: a SHA-256 hash chain over 32-byte words.

The default transcript (:mod:`zkp.transcript`) is a SHAKE-256 sponge; the EVM
has no SHAKE, so proofs that a contract verifies use this variant instead:

    state_0   = SHA-256("mpc-markets/zkp/sha256-transcript/v1" ‖ 0x00 ‖ domain)
    absorb(w) : state ← SHA-256(state ‖ w_1 ‖ … ‖ w_k)      (each w_j one 32-byte word)
    challenge : c = (SHA-256(state ‖ 0x01) · 2^256 + SHA-256(state ‖ 0x02)) mod q

SHA-256 is the EVM's precompile 0x02 (60 + 12 gas per word), Python's hashlib
on this side.  Every protocol absorbs a fixed sequence of fixed-width blocks
whose count is fixed by values absorbed before them (bit length, number of
commitments), so two different transcripts never hash the same word sequence.
The challenge is reduced from 512 bits, as in the default transcript, so its
distance from uniform modulo q is below 2^-250; on chain that is one
``mulmod`` and one ``addmod``.  After a challenge the state does not change:
each protocol here draws one challenge, last.
"""

from __future__ import annotations

import hashlib

PREFIX = b"mpc-markets/zkp/sha256-transcript/v1"


def word(n: int) -> bytes:
    """A non-negative integer below 2^256 as one big-endian 32-byte word."""
    return int(n).to_bytes(32, "big")


class Sha256Transcript:
    """A running hash-chain transcript (see the module docstring)."""

    def __init__(self, domain: bytes) -> None:
        self.state = hashlib.sha256(PREFIX + b"\x00" + bytes(domain)).digest()

    @staticmethod
    def initial_state(domain: bytes) -> bytes:
        """state_0 for ``domain`` (contracts hold it as a constant)."""
        return hashlib.sha256(PREFIX + b"\x00" + bytes(domain)).digest()

    def absorb(self, *words: bytes) -> None:
        """Absorb one block of 32-byte words."""
        if not words or any(len(w) != 32 for w in words):
            raise ValueError("a transcript block is one or more 32-byte words")
        self.state = hashlib.sha256(self.state + b"".join(words)).digest()

    def absorb_point(self, encoded: bytes) -> None:
        """Absorb a 64-byte EIP-196 point encoding (x ‖ y) as one block."""
        if len(encoded) != 64:
            raise ValueError("a point is 64 bytes here")
        self.absorb(encoded[:32], encoded[32:])

    def challenge(self, order: int) -> int:
        """The challenge in [0, order) from everything absorbed so far."""
        hi = int.from_bytes(hashlib.sha256(self.state + b"\x01").digest(), "big")
        lo = int.from_bytes(hashlib.sha256(self.state + b"\x02").digest(), "big")
        return ((hi << 256) + lo) % order
