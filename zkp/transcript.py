"""Fiat–Shamir transcripts: domain-separated hashing of labelled, length-prefixed items.

A transcript is a SHAKE-256 sponge that absorbs a fixed protocol prefix and
a domain string, then items ``(label, data)`` each framed as
``len(label) ‖ label ‖ len(data) ‖ data`` (8-byte lengths), so no two
different item sequences hash the same bytes.  A challenge is squeezed from a
copy of the state after absorbing its own label; 512 bits are reduced modulo
the group order ("wide reduction"), so the challenge's distance from uniform
is below 2^-250.  The challenge is then absorbed, so later challenges depend
on earlier ones.

Non-interactive proofs bind into the transcript: the protocol name, the
group and both generators, the caller's context string, the whole public
statement and every first-message element — so a proof made for one
statement (or context) never verifies for another.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterable

from zkp.groups.base import Group, Point

PROTOCOL_PREFIX = b"mpc-markets/zkp/transcript/v1"


class Transcript:
    """A running Fiat–Shamir transcript."""

    def __init__(self, domain: bytes) -> None:
        self._h = hashlib.shake_256()
        self._absorb(b"protocol", PROTOCOL_PREFIX)
        self._absorb(b"domain", domain)

    def _absorb(self, label: bytes, data: bytes) -> None:
        self._h.update(len(label).to_bytes(8, "big") + label + len(data).to_bytes(8, "big") + data)

    def append_bytes(self, label: bytes, data: bytes) -> None:
        """Absorb an opaque byte string under ``label``."""
        self._absorb(label, bytes(data))

    def append_point(self, label: bytes, p: Point) -> None:
        """Absorb a group element's canonical encoding."""
        self._absorb(label, p.to_bytes())

    def append_points(self, label: bytes, ps: Iterable[Point]) -> None:
        """Absorb a list of points, with its length."""
        ps = list(ps)
        self._absorb(label, len(ps).to_bytes(8, "big") + b"".join(p.to_bytes() for p in ps))

    def append_scalar(self, label: bytes, k: Any, group: Group) -> None:
        """Absorb a scalar (reduced, fixed width)."""
        self._absorb(label, group.scalar(k).to_bytes(group.scalar_size, "big"))

    def append_scalars(self, label: bytes, ks: Iterable[Any], group: Group) -> None:
        """Absorb a list of scalars, with its length."""
        ks = [group.scalar(k).to_bytes(group.scalar_size, "big") for k in ks]
        self._absorb(label, len(ks).to_bytes(8, "big") + b"".join(ks))

    def append_int(self, label: bytes, n: int) -> None:
        """Absorb a small non-negative integer parameter (e.g. a bit length)."""
        self._absorb(label, int(n).to_bytes(8, "big"))

    def append_group(self, group: Group) -> None:
        """Absorb the group's name and both generators."""
        self._absorb(b"group", group.name.encode())
        self.append_point(b"G", group.G)
        self.append_point(b"H", group.H)

    def challenge_scalar(self, label: bytes, group: Group) -> int:
        """A challenge in [0, q), derived from everything absorbed so far."""
        h = self._h.copy()
        h.update(len(label).to_bytes(8, "big") + label + b"challenge")
        c = int.from_bytes(h.digest(64), "big") % group.order
        self.append_scalar(label, c, group)
        return c
