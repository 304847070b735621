"""Pseudorandom generation of field elements from a 32-byte seed (AES-256 in CTR mode).

Used by the trusted dealer so that most parties expand their correlated randomness
locally from a seed, and by the MAC check to expand a jointly tossed seed into
coefficients. Each (seed, label) pair is an independent stream.
"""
from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmpy2 import mpz

from .field import PrimeField

# 64 bits of slack above the modulus make the reduction's bias at most 2^-64.
_SLACK_BYTES = 8


def prg_bytes(seed: bytes, label: bytes, nbytes: int) -> bytes:
    """nbytes of AES-256-CTR keystream for key=seed, nonce derived from label."""
    if len(seed) != 32:
        raise ValueError("PRG seed must be 32 bytes")
    nonce = hashlib.sha256(b"mpc-prg-nonce|" + label).digest()[:16]
    enc = Cipher(algorithms.AES(seed), modes.CTR(nonce)).encryptor()
    return enc.update(bytes(nbytes)) + enc.finalize()


def prg_elements(field: PrimeField, seed: bytes, label: bytes, n: int) -> list[mpz]:
    """n field elements, statistically close to uniform, from (seed, label)."""
    w = field.nbytes + _SLACK_BYTES
    stream = prg_bytes(seed, label, n * w)
    q = field.q
    return [mpz(int.from_bytes(stream[i:i + w], "little")) % q for i in range(0, n * w, w)]


def prg_bits(seed: bytes, label: bytes, n: int) -> list[int]:
    """n pseudorandom bits (as 0/1 ints) from (seed, label)."""
    stream = prg_bytes(seed, label, (n + 7) // 8)
    return [(stream[i >> 3] >> (i & 7)) & 1 for i in range(n)]


def prg_below(seed: bytes, label: bytes, n: int, bound_bits: int) -> list[mpz]:
    """n pseudorandom integers uniform in [0, 2^bound_bits)."""
    w = (bound_bits + 7) // 8
    stream = prg_bytes(seed, label, n * w)
    mask = (1 << bound_bits) - 1
    return [mpz(int.from_bytes(stream[i:i + w], "little") & mask) for i in range(0, n * w, w)]
