"""Prime field GF(q) on gmpy2 integers.

The default modulus is the order of the BN254 (alt_bn128) group, so that values
computed inside MPC can be checked against Pedersen commitments in that group with no
conversion.
"""
from __future__ import annotations

import secrets
from typing import Iterable, Sequence

import gmpy2
from gmpy2 import mpz

# Order of the BN254 G1 group (py_ecc's curve_order); prime.
BN254_ORDER = mpz(21888242871839275222246405745257275088548364400416034343698204186575808495617)
# Order of the secp256k1 group, for sessions whose proofs run on the fast backend.
SECP256K1_ORDER = mpz(0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141)


class PrimeField:
    """Arithmetic modulo a prime q on lists of gmpy2 integers in [0, q)."""

    def __init__(self, modulus: int = BN254_ORDER):
        q = mpz(modulus)
        if q < 3 or not gmpy2.is_prime(q):
            raise ValueError(f"field modulus must be an odd prime, got {modulus}")
        self.q = q
        self.bits = q.bit_length()
        self.nbytes = (self.bits + 7) // 8
        self.half = q // 2

    def __repr__(self) -> str:
        return f"PrimeField({self.bits}-bit)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PrimeField) and other.q == self.q

    def __hash__(self) -> int:
        return hash(int(self.q))

    def element(self, x: int) -> mpz:
        """x reduced into [0, q); negative integers map to q - |x|."""
        return mpz(x) % self.q

    def elements(self, xs: Iterable[int]) -> list[mpz]:
        q = self.q
        return [mpz(x) % q for x in xs]

    def signed(self, x: int) -> int:
        """The representative of x in (-q/2, q/2], as a Python int."""
        x = int(x)
        return x - int(self.q) if x > self.half else x

    def random(self, n: int) -> list[mpz]:
        """n uniform field elements from the operating system's CSPRNG."""
        q = int(self.q)
        return [mpz(secrets.randbelow(q)) for _ in range(n)]

    def inverse(self, x: int) -> mpz:
        x = mpz(x) % self.q
        if x == 0:
            raise ZeroDivisionError("0 has no inverse in GF(q)")
        return gmpy2.invert(x, self.q)

    # vector helpers -------------------------------------------------------
    def add(self, xs: Sequence[mpz], ys: Sequence[mpz]) -> list[mpz]:
        q = self.q
        return [(x + y) % q for x, y in zip(xs, ys)]

    def sub(self, xs: Sequence[mpz], ys: Sequence[mpz]) -> list[mpz]:
        q = self.q
        return [(x - y) % q for x, y in zip(xs, ys)]

    def mul(self, xs: Sequence[mpz], ys: Sequence[mpz]) -> list[mpz]:
        q = self.q
        return [(x * y) % q for x, y in zip(xs, ys)]

    def scale(self, c: int, xs: Sequence[mpz]) -> list[mpz]:
        q = self.q
        c = mpz(c) % q
        return [(c * x) % q for x in xs]

    def dot(self, xs: Sequence[mpz], ys: Sequence[mpz]) -> mpz:
        acc = mpz(0)
        for x, y in zip(xs, ys):
            acc += x * y
        return acc % self.q

    def sum(self, xs: Iterable[mpz]) -> mpz:
        return mpz(sum(xs, mpz(0))) % self.q
