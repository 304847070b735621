"""The prime-order group interface shared by every backend.

A backend implements a handful of operations on its own native point
representation (``raw``); :class:`Point` wraps a raw point together with its
group so that callers write ``a * P + b * Q`` and never touch the backend.

Scalars are integers modulo ``group.order``; anything with ``__index__``
(``int``, ``gmpy2.mpz``) is accepted and reduced.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from typing import Any, Iterable, Sequence

from zkp.hash_to_curve import generator_tag


def to_scalar(k: Any, order: int) -> int:
    """Reduce an integer-like value (int, gmpy2.mpz, bool excluded) modulo ``order``."""
    if isinstance(k, bool) or not hasattr(k, "__index__"):
        raise TypeError(f"scalar must be an integer, got {type(k).__name__}")
    return int(k) % order


class Group(ABC):
    """A cyclic group of prime order ``order`` written additively.

    Every backend provides the generator ``G`` and a second generator ``H``
    obtained by hashing a public, documented string onto the group (see
    :mod:`zkp.hash_to_curve`), so that no party knows log_G H.  Points have a
    canonical fixed-length encoding; :meth:`decode` rejects anything that is
    not the encoding of a group element.
    """

    #: name of the mathematical group; it is what transcripts bind, so two
    #: backends of the same curve produce interchangeable proofs.
    name: str
    #: which implementation computes on it (for benchmarks and reports).
    backend: str
    #: prime order q of the group; the MPC field is GF(q).
    order: int
    #: length in bytes of an encoded point.
    point_size: int

    def __init__(self) -> None:
        self.scalar_size = (self.order.bit_length() + 7) // 8
        self.G = Point(self, self._generator_raw())
        self.H = Point(self, self._hash_to_raw(generator_tag(self.name), b"H"))
        self._identity = Point(self, self._identity_raw())

    # -- what a backend implements -------------------------------------------------
    @abstractmethod
    def _generator_raw(self) -> Any: ...

    @abstractmethod
    def _identity_raw(self) -> Any: ...

    @abstractmethod
    def _hash_to_raw(self, tag: bytes, msg: bytes) -> Any: ...

    @abstractmethod
    def _add(self, a: Any, b: Any) -> Any: ...

    @abstractmethod
    def _neg(self, a: Any) -> Any: ...

    @abstractmethod
    def _mul(self, a: Any, k: int) -> Any:
        """k·a for a reduced scalar 0 <= k < order."""

    @abstractmethod
    def _eq(self, a: Any, b: Any) -> bool: ...

    @abstractmethod
    def _encode(self, a: Any) -> bytes: ...

    @abstractmethod
    def _decode(self, data: bytes) -> Any:
        """Inverse of _encode; raises ValueError unless data encodes a group element."""

    def _lincomb(self, raws: Sequence[Any], scalars: Sequence[int], g: int, h: int) -> Any:
        """g·G + h·H + Σ scalars[i]·raws[i] (scalars reduced); backends may speed this up."""
        acc = self._add(self._mul(self.G.raw, g), self._mul(self.H.raw, h))
        for p, k in zip(raws, scalars):
            acc = self._add(acc, self._mul(p, k))
        return acc

    # -- public API ----------------------------------------------------------------
    def identity(self) -> "Point":
        """The neutral element."""
        return self._identity

    def scalar(self, k: Any) -> int:
        """k reduced modulo the group order."""
        return to_scalar(k, self.order)

    def random_scalar(self) -> int:
        """A uniformly random scalar from the OS CSPRNG."""
        return secrets.randbelow(self.order)

    def hash_to_point(self, msg: bytes, tag: bytes) -> "Point":
        """A point whose discrete logarithm to any fixed base is unknown (see hash_to_curve)."""
        return Point(self, self._hash_to_raw(tag, msg))

    def decode(self, data: bytes) -> "Point":
        """Point from its canonical encoding; ValueError if not a valid group element."""
        if not isinstance(data, (bytes, bytearray)) or len(data) != self.point_size:
            raise ValueError(f"{self.name}: point encoding must be {self.point_size} bytes")
        return Point(self, self._decode(bytes(data)))

    def mul_g(self, k: Any) -> "Point":
        """k·G."""
        return Point(self, self._lincomb((), (), self.scalar(k), 0))

    def commit_point(self, x: Any, r: Any) -> "Point":
        """x·G + r·H: the Pedersen commitment as a bare point."""
        return Point(self, self._lincomb((), (), self.scalar(x), self.scalar(r)))

    def lincomb(self, points: Iterable["Point"], scalars: Iterable[Any], g: Any = 0, h: Any = 0) -> "Point":
        """g·G + h·H + Σ s_i·P_i, computed as one multi-scalar multiplication where the backend can."""
        pts = list(points)
        ks = [self.scalar(k) for k in scalars]
        if len(pts) != len(ks):
            raise ValueError("lincomb: as many scalars as points are needed")
        for p in pts:
            self._check_member(p)
        return Point(self, self._lincomb([p.raw for p in pts], ks, self.scalar(g), self.scalar(h)))

    def _check_member(self, p: "Point") -> None:
        if not isinstance(p, Point) or p.group is not self:
            raise TypeError(f"expected a point of group {self.name}/{self.backend}")

    def __repr__(self) -> str:
        return f"<Group {self.name} via {self.backend}, order {self.order.bit_length()} bits>"


class Point:
    """An element of a :class:`Group`, written additively (``P + Q``, ``k * P``, ``-P``)."""

    __slots__ = ("group", "raw")

    def __init__(self, group: Group, raw: Any) -> None:
        self.group = group
        self.raw = raw

    def _same(self, other: Any) -> "Point":
        if not isinstance(other, Point) or other.group is not self.group:
            raise TypeError("points of different groups (or not a point)")
        return other

    def __add__(self, other: "Point") -> "Point":
        o = self._same(other)
        return Point(self.group, self.group._add(self.raw, o.raw))

    def __neg__(self) -> "Point":
        return Point(self.group, self.group._neg(self.raw))

    def __sub__(self, other: "Point") -> "Point":
        o = self._same(other)
        return Point(self.group, self.group._add(self.raw, self.group._neg(o.raw)))

    def __mul__(self, k: Any) -> "Point":
        if isinstance(k, Point):
            return NotImplemented
        return Point(self.group, self.group._mul(self.raw, self.group.scalar(k)))

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Point) or other.group is not self.group:
            return NotImplemented
        return self.group._eq(self.raw, other.raw)

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def is_identity(self) -> bool:
        return self.group._eq(self.raw, self.group._identity.raw)

    def to_bytes(self) -> bytes:
        """Canonical fixed-length encoding (``group.point_size`` bytes)."""
        return self.group._encode(self.raw)

    __bytes__ = to_bytes

    def __repr__(self) -> str:
        return f"Point<{self.group.name}>({self.to_bytes().hex()[:16]}…)"
