"""Authenticated additive shares (SPDZ representation) and their local linear algebra.

Party i holds, for a secret vector x, value shares x_i and MAC shares m_i with
Σ_i x_i = x and Σ_i m_i = α·x, where the MAC key α = Σ_i α_i is known to nobody.
Everything here is local: no messages, no rounds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence, Union

from gmpy2 import mpz

from .field import PrimeField

Public = Union[int, Sequence[int]]


@dataclass(frozen=True)
class KeyShare:
    """What a party needs for local operations: the field, its index and its MAC-key share."""

    field: PrimeField
    pid: int
    alpha: mpz


class AuthVector:
    """This party's shares of a vector of secrets, with MAC shares.

    Supports +, - with another AuthVector or a public constant (scalar or vector),
    * by a public constant, unary -, slicing and concatenation. Products of two
    secret vectors need a session (Beaver multiplication).
    """

    __slots__ = ("key", "values", "macs")

    def __init__(self, key: KeyShare, values: list[mpz], macs: list[mpz]):
        if len(values) != len(macs):
            raise ValueError("value and MAC share vectors differ in length")
        self.key = key
        self.values = values
        self.macs = macs

    def __len__(self) -> int:
        return len(self.values)

    def __repr__(self) -> str:
        return f"AuthVector(party={self.key.pid}, n={len(self)})"

    # construction ----------------------------------------------------------
    @classmethod
    def public(cls, key: KeyShare, constants: Iterable[int]) -> "AuthVector":
        """Shares of a public vector c: party 0 holds c, every MAC share is α_i·c."""
        f = key.field
        cs = f.elements(constants)
        values = cs if key.pid == 0 else [mpz(0)] * len(cs)
        return cls(key, values, f.scale(key.alpha, cs))

    @classmethod
    def concat(cls, parts: Sequence["AuthVector"]) -> "AuthVector":
        if not parts:
            raise ValueError("nothing to concatenate")
        key = parts[0].key
        values: list[mpz] = []
        macs: list[mpz] = []
        for p in parts:
            values.extend(p.values)
            macs.extend(p.macs)
        return cls(key, values, macs)

    def split(self, sizes: Sequence[int]) -> list["AuthVector"]:
        out, at = [], 0
        for s in sizes:
            out.append(self[at:at + s])
            at += s
        if at != len(self):
            raise ValueError("sizes do not add up to the vector length")
        return out

    def __getitem__(self, idx) -> "AuthVector":
        if isinstance(idx, slice):
            return AuthVector(self.key, self.values[idx], self.macs[idx])
        if isinstance(idx, int):
            return AuthVector(self.key, [self.values[idx]], [self.macs[idx]])
        idx = list(idx)
        return AuthVector(self.key, [self.values[i] for i in idx], [self.macs[i] for i in idx])

    def repeat(self, k: int) -> "AuthVector":
        """Each element repeated k times in place: [a, b] -> [a]*k + [b]*k."""
        return AuthVector(self.key, [v for v in self.values for _ in range(k)],
                          [m for m in self.macs for _ in range(k)])

    def tile(self, k: int) -> "AuthVector":
        """The whole vector repeated k times: [a, b] -> [a, b, a, b, ...]."""
        return AuthVector(self.key, self.values * k, self.macs * k)

    # linear operations ------------------------------------------------------
    def _broadcast_public(self, c: Public) -> list[mpz]:
        f = self.key.field
        if isinstance(c, (int, type(mpz(0)))):
            return [mpz(c) % f.q] * len(self)
        cs = f.elements(c)
        if len(cs) != len(self):
            raise ValueError(f"public vector of length {len(cs)} for a secret of length {len(self)}")
        return cs

    def _check_same(self, other: "AuthVector") -> None:
        if other.key is not self.key and other.key != self.key:
            raise ValueError("shares belong to different sessions")
        if len(other) != len(self):
            raise ValueError(f"length mismatch: {len(self)} vs {len(other)}")

    def __add__(self, other) -> "AuthVector":
        f = self.key.field
        if isinstance(other, AuthVector):
            self._check_same(other)
            return AuthVector(self.key, f.add(self.values, other.values), f.add(self.macs, other.macs))
        cs = self._broadcast_public(other)
        values = f.add(self.values, cs) if self.key.pid == 0 else list(self.values)
        return AuthVector(self.key, values, f.add(self.macs, f.scale(self.key.alpha, cs)))

    __radd__ = __add__

    def __neg__(self) -> "AuthVector":
        f = self.key.field
        return AuthVector(self.key, f.scale(-1, self.values), f.scale(-1, self.macs))

    def __sub__(self, other) -> "AuthVector":
        if isinstance(other, AuthVector):
            f = self.key.field
            self._check_same(other)
            return AuthVector(self.key, f.sub(self.values, other.values), f.sub(self.macs, other.macs))
        return self + [-c for c in self._broadcast_public(other)]

    def __rsub__(self, other) -> "AuthVector":
        return (-self) + other

    def __mul__(self, c) -> "AuthVector":
        if isinstance(c, AuthVector):
            raise TypeError("the product of two secrets needs a session: use session.mul(x, y)")
        f = self.key.field
        cs = self._broadcast_public(c)
        return AuthVector(self.key, f.mul(self.values, cs), f.mul(self.macs, cs))

    __rmul__ = __mul__

    def sum(self) -> "AuthVector":
        """Shares of the sum of the elements (a vector of length 1)."""
        f = self.key.field
        return AuthVector(self.key, [f.sum(self.values)], [f.sum(self.macs)])

    def dot_public(self, cs: Sequence[int]) -> "AuthVector":
        """Shares of Σ_j c_j·x_j for public coefficients c."""
        f = self.key.field
        cs = f.elements(cs)
        return AuthVector(self.key, [f.dot(self.values, cs)], [f.dot(self.macs, cs)])
