"""Pedersen commitments Cm(x, r) = x·G + r·H over a prime-order group.

Perfectly hiding (for uniform r, Cm is a uniform group element whatever x
is) and computationally binding under the discrete-logarithm assumption,
because log_G H is unknown (H is hashed onto the group, see
:mod:`zkp.hash_to_curve`).

The homomorphism is exposed as operators on :class:`Commitment`:
``Cm(x1, r1) + Cm(x2, r2) == Cm(x1 + x2, r1 + r2)``, ``k * Cm(x, r) ==
Cm(k·x, k·r)``, ``Cm(x, r) + c`` adds a public constant (``Cm(x + c, r)``).
The paper writes the group multiplicatively (products of commitments); this
module writes it additively.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zkp.groups.base import Group, Point


@dataclass(frozen=True)
class Opening:
    """The secret (x, r) behind a commitment, both reduced mod the group order."""

    x: int
    r: int


class Commitment:
    """A Pedersen commitment: a group element with commitment arithmetic."""

    __slots__ = ("point",)

    def __init__(self, point: Point) -> None:
        if not isinstance(point, Point):
            raise TypeError("a commitment wraps a group point")
        self.point = point

    @property
    def group(self) -> Group:
        return self.point.group

    def __add__(self, other: Any) -> "Commitment":
        if isinstance(other, Commitment):
            return Commitment(self.point + other.point)
        if hasattr(other, "__index__") and not isinstance(other, bool):
            return Commitment(self.point + self.group.mul_g(other))
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: Any) -> "Commitment":
        if isinstance(other, Commitment):
            return Commitment(self.point - other.point)
        if hasattr(other, "__index__") and not isinstance(other, bool):
            return Commitment(self.point - self.group.mul_g(other))
        return NotImplemented

    def __neg__(self) -> "Commitment":
        return Commitment(-self.point)

    def __mul__(self, k: Any) -> "Commitment":
        if isinstance(k, (Commitment, Point)):
            return NotImplemented
        return Commitment(self.point * k)

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Commitment):
            return NotImplemented
        return self.point == other.point

    def __hash__(self) -> int:
        return hash(self.point)

    def to_bytes(self) -> bytes:
        return self.point.to_bytes()

    @classmethod
    def from_bytes(cls, group: Group, data: bytes) -> "Commitment":
        """Decode; ValueError if ``data`` is not a valid group element."""
        return cls(group.decode(data))

    def __repr__(self) -> str:
        return f"Commitment({self.point!r})"


def commit(group: Group, x: Any, r: Any | None = None) -> tuple[Commitment, Opening]:
    """Cm(x, r) with r drawn uniformly when not given; returns the commitment and its opening."""
    xs = group.scalar(x)
    rs = group.random_scalar() if r is None else group.scalar(r)
    return Commitment(group.commit_point(xs, rs)), Opening(xs, rs)


def verify_opening(group: Group, c: Commitment, x: Any, r: Any) -> bool:
    """Whether (x, r) opens c."""
    return c.point == group.commit_point(x, r)


def sum_commitments(cs: "list[Commitment]") -> Commitment:
    """Σ c_i (the paper's Π Cm(x_i)); needs at least one commitment."""
    if not cs:
        raise ValueError("sum of no commitments: the group is unknown")
    acc = cs[0]
    for c in cs[1:]:
        acc = acc + c
    return acc
