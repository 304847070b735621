"""Bit encoding of inputs that must lie in [0, 2^B), and the parties' range check on them.

A value that must lie in [0, 2^B) can be input as its B bits (least significant first);
the parties check b·(b − 1) = 0 for every bit (one Beaver product each) and open one
random combination of the products per input vector, which is 0 for an honest input and
so reveals nothing about it; the value is rebuilt as Σ 2^j·b_j. An input whose
combination is not 0 is refused. This is what stops an input-only client or a party
from injecting a negative or huge number into a sum or comparison. (A computing party's
own inputs get the same check from `Session.input(..., bits=k)`.)
"""
from __future__ import annotations

from typing import Sequence

from .session import Session, zero_groups
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
    checked opening of one value per vector (the MAC check runs before the answer is used)."""
    names = sorted(vectors)
    if not names:
        return set()
    x = AuthVector.concat([vectors[nm] for nm in names])
    prod = await s.mul(x, x - 1)
    ok = await zero_groups(s, prod, [len(vectors[nm]) for nm in names])
    return {nm for nm, good in zip(names, ok) if good}
