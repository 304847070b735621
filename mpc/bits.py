"""Bit encoding of inputs that must lie in [0, 2^B), and the parties' range check on them.

A value that must lie in [0, 2^B) can be input as its B bits (least significant first);
the parties check b·(b − 1) = 0 for every bit (one Beaver product each) by opening the
products, which are 0 for an honest input and so reveal nothing about it, and rebuild
the value as Σ 2^j·b_j. An input whose products are not all 0 is refused (the opened
non-zero products concern only that malformed input). This is what stops an input-only
client or a party from injecting a negative or huge number into a sum or comparison.
"""
from __future__ import annotations

from typing import Sequence

from .session import Session
from .shares import AuthVector


def to_bits(values: Sequence[int], bits: int) -> list[int]:
    """The bits of every value (least significant first), values concatenated."""
    out = []
    for v in values:
        if not 0 <= v < (1 << bits):
            raise ValueError(f"value {v} outside [0, 2^{bits})")
        out.extend((v >> j) & 1 for j in range(bits))
    return out


def from_bits(x: AuthVector, bits: int) -> AuthVector:
    """⟨Σ_j 2^j b_j⟩ for each consecutive group of `bits` shared bits (local)."""
    n = len(x) // bits
    coeffs = [1 << j for j in range(bits)]
    return AuthVector.concat([x[i * bits:(i + 1) * bits].dot_public(coeffs) for i in range(n)])


async def check_bits(s: Session, vectors: dict[str, AuthVector]) -> set[str]:
    """Names of the vectors whose every entry is a bit. One multiplication round and one
    checked output for all of them (the MAC check runs before the answer is used)."""
    names = sorted(vectors)
    if not names:
        return set()
    x = AuthVector.concat([vectors[nm] for nm in names])
    prod = await s.mul(x, x - 1)
    opened = await s.output(prod)
    good, at = set(), 0
    for nm in names:
        k = len(vectors[nm])
        if not any(opened[at:at + k]):
            good.add(nm)
        at += k
    return good
