"""Hashing public strings onto prime-order groups ("nothing up my sleeve" points).

The second Pedersen generator H must be a point whose discrete logarithm to
G nobody knows: whoever knew h = log_G H could open a commitment
x·G + r·H to any other value x' with r' = r + (x - x')/h.  We therefore never
*choose* H; we derive it from a public string:

    for ctr = 0, 1, 2, ...:
        x  = SHAKE-256(len(tag) ‖ tag ‖ len(msg) ‖ msg ‖ ctr)[:64]  mod p
        if x³ + b is a square mod p: return (x, the even square root)

(try-and-increment).  The output is a deterministic function of the tag, so
anyone can recompute it, and — modelling SHAKE-256 as a random oracle — it is
a uniformly random point about which its deriver learns nothing more than
anyone else: computing log_G H is a discrete-logarithm problem.  The loop's
running time depends on the input, which is harmless here because the input
is public.  The 64-byte digest is reduced modulo the ~256-bit p, so the bias
of x is below 2^-250.

Both curves here have the form y² = x³ + b with p ≡ 3 (mod 4), so the square
root is rhs^((p+1)/4); both have cofactor 1, so every curve point is in the
prime-order group.
"""

from __future__ import annotations

import hashlib

#: prefix of every generator-derivation tag in this project.
GENERATOR_TAG_PREFIX = b"mpc-markets/zkp/v1/generator/"


def generator_tag(group_name: str) -> bytes:
    """The domain tag from which a group's second generator H is derived."""
    return GENERATOR_TAG_PREFIX + group_name.encode()


def _lp(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def hash_to_field(tag: bytes, msg: bytes, counter: int, modulus: int) -> int:
    """SHAKE-256 of the length-prefixed (tag, msg, counter), 512 bits reduced modulo ``modulus``."""
    digest = hashlib.shake_256(_lp(tag) + _lp(msg) + counter.to_bytes(4, "big")).digest(64)
    return int.from_bytes(digest, "big") % modulus


def hash_to_short_weierstrass(p: int, b: int, tag: bytes, msg: bytes) -> tuple[int, int]:
    """Affine point (x, y) on y² = x³ + b over GF(p), p ≡ 3 mod 4, by try-and-increment (even y)."""
    if p % 4 != 3:
        raise ValueError("this square-root method needs p ≡ 3 (mod 4)")
    for counter in range(1 << 16):
        x = hash_to_field(tag, msg, counter, p)
        rhs = (pow(x, 3, p) + b) % p
        y = pow(rhs, (p + 1) // 4, p)
        if y * y % p == rhs and y != 0:
            return x, (y if y % 2 == 0 else p - y)
    raise RuntimeError("hash to curve: no point found (probability < 2^-65000)")


def hash_to_safe_prime_subgroup(p: int, tag: bytes, msg: bytes) -> int:
    """Element of the order-(p-1)/2 subgroup of GF(p)* (p a safe prime): a hashed value squared."""
    for counter in range(1 << 16):
        u = hash_to_field(tag, msg, counter, p)
        y = u * u % p
        if y not in (0, 1):
            return y
    raise RuntimeError("hash to group: no element found")
