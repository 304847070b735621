"""A tiny Schnorr group, for exhaustive tests only — it offers no security.

The subgroup of squares in GF(p)*, p = 2q + 1 a safe prime, has prime order
q.  With q around a hundred, tests can enumerate every nonce and compare the
exact distributions of real and simulated transcripts.  Never use it for
anything but tests: discrete logarithms in it take microseconds.
"""

from __future__ import annotations

from typing import Any

from zkp.groups.base import Group
from zkp.hash_to_curve import hash_to_safe_prime_subgroup


def _is_prime(n: int) -> bool:
    if n < 2:
        return False
    i = 2
    while i * i <= n:
        if n % i == 0:
            return False
        i += 1
    return True


class ToySchnorrGroup(Group):
    """Order-q subgroup of GF(2q+1)*; insecure, for tests that enumerate the group."""

    backend = "toy"

    def __init__(self, q: int = 83) -> None:
        if not (_is_prime(q) and _is_prime(2 * q + 1)):
            raise ValueError("q and 2q+1 must both be prime")
        self.order = q
        self.p = 2 * q + 1
        self.name = f"toy-schnorr-{q}"
        self.point_size = (self.p.bit_length() + 7) // 8
        super().__init__()

    def _generator_raw(self) -> int:
        return 4  # 2², a square ≠ 1, hence a generator of the order-q subgroup

    def _identity_raw(self) -> int:
        return 1

    def _hash_to_raw(self, tag: bytes, msg: bytes) -> int:
        return hash_to_safe_prime_subgroup(self.p, tag, msg)

    def _add(self, a: int, b: int) -> int:
        return a * b % self.p

    def _neg(self, a: int) -> int:
        return pow(a, -1, self.p)

    def _mul(self, a: int, k: int) -> int:
        return pow(a, k, self.p)

    def _eq(self, a: Any, b: Any) -> bool:
        return a == b

    def _encode(self, a: int) -> bytes:
        return a.to_bytes(self.point_size, "big")

    def _decode(self, data: bytes) -> int:
        a = int.from_bytes(data, "big")
        if not 1 <= a < self.p or pow(a, self.order, self.p) != 1:
            raise ValueError(f"{self.name}: not an element of the order-q subgroup")
        return a
