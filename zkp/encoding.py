"""Byte framing for proofs: fixed-width points and scalars, with strict decoding.

Decoding is strict so that a proof has exactly one encoding: scalars must be
reduced (< q), points canonical and in the group, counts within the limits
the caller states, and no bytes may be left over.
"""

from __future__ import annotations

from typing import Any

from zkp.groups.base import Group, Point


class Writer:
    """Appends framed fields to a byte buffer."""

    def __init__(self, group: Group, tag: bytes) -> None:
        self.group = group
        self.parts: list[bytes] = [bytes([len(tag)]), tag]

    def point(self, p: Point) -> "Writer":
        self.parts.append(p.to_bytes())
        return self

    def points(self, ps: list[Point]) -> "Writer":
        self.count(len(ps))
        for p in ps:
            self.point(p)
        return self

    def scalar(self, k: Any) -> "Writer":
        self.parts.append(self.group.scalar(k).to_bytes(self.group.scalar_size, "big"))
        return self

    def scalars(self, ks: list[Any]) -> "Writer":
        self.count(len(ks))
        for k in ks:
            self.scalar(k)
        return self

    def count(self, n: int) -> "Writer":
        self.parts.append(int(n).to_bytes(4, "big"))
        return self

    def bytes(self) -> bytes:
        return b"".join(self.parts)


class Reader:
    """Reads the fields a :class:`Writer` wrote; every malformation raises ValueError."""

    def __init__(self, group: Group, tag: bytes, data: bytes) -> None:
        if not isinstance(data, (bytes, bytearray)):
            raise ValueError("proof must be bytes")
        self.group = group
        self.data = bytes(data)
        self.pos = 0
        if self._take(1)[0] != len(tag) or self._take(len(tag)) != tag:
            raise ValueError(f"not a {tag.decode(errors='replace')} proof (wrong type tag)")

    def _take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ValueError("proof truncated")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def point(self) -> Point:
        return self.group.decode(self._take(self.group.point_size))

    def points(self, max_count: int) -> list[Point]:
        return [self.point() for _ in range(self.count(max_count))]

    def scalar(self) -> int:
        k = int.from_bytes(self._take(self.group.scalar_size), "big")
        if k >= self.group.order:
            raise ValueError("scalar not reduced modulo the group order")
        return k

    def scalars(self, max_count: int) -> list[int]:
        return [self.scalar() for _ in range(self.count(max_count))]

    def count(self, max_count: int) -> int:
        n = int.from_bytes(self._take(4), "big")
        if n > max_count:
            raise ValueError(f"count {n} exceeds the limit {max_count}")
        return n

    def finish(self) -> None:
        if self.pos != len(self.data):
            raise ValueError(f"{len(self.data) - self.pos} trailing bytes after the proof")
