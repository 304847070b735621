"""secp256k1 through coincurve (libsecp256k1): the fast backend for the proof hot path.

libsecp256k1 has no representation of the point at infinity in its public-key
API, so the raw point here is a ``coincurve.PublicKey`` or ``None`` for the
identity.  Encoding: 33-byte SEC1 compressed form; the identity is 33 zero
bytes (SEC1's one-byte infinity would break fixed-length framing).  The curve
has cofactor 1: a point that parses is in the group.
"""

from __future__ import annotations

from typing import Optional, Sequence

from coincurve import PublicKey
from coincurve.utils import GROUP_ORDER_INT

from zkp.groups.base import Group
from zkp.hash_to_curve import hash_to_short_weierstrass

_P = 2**256 - 2**32 - 977
_IDENTITY_BYTES = bytes(33)

Raw = Optional[PublicKey]


class Secp256k1Coincurve(Group):
    """secp256k1 via coincurve; about 0.02–0.05 ms per scalar multiplication."""

    name = "secp256k1"
    backend = "coincurve"
    order = GROUP_ORDER_INT
    point_size = 33

    def _generator_raw(self) -> Raw:
        return PublicKey.from_valid_secret((1).to_bytes(32, "big"))

    def _identity_raw(self) -> Raw:
        return None

    def _hash_to_raw(self, tag: bytes, msg: bytes) -> Raw:
        x, y = hash_to_short_weierstrass(_P, 7, tag, msg)
        return PublicKey(bytes([2 + (y & 1)]) + x.to_bytes(32, "big"))

    def _add(self, a: Raw, b: Raw) -> Raw:
        if a is None:
            return b
        if b is None:
            return a
        try:
            return PublicKey.combine_keys([a, b])
        except ValueError:  # libsecp256k1 refuses to return infinity: a = -b
            return None

    def _neg(self, a: Raw) -> Raw:
        if a is None:
            return None
        enc = a.format(compressed=True)
        return PublicKey(bytes([enc[0] ^ 1]) + enc[1:])

    def _mul(self, a: Raw, k: int) -> Raw:
        if a is None or k == 0:
            return None
        if a is self.G.raw:
            return PublicKey.from_valid_secret(k.to_bytes(32, "big"))
        return a.multiply(k.to_bytes(32, "big"))

    def _eq(self, a: Raw, b: Raw) -> bool:
        if a is None or b is None:
            return a is b
        return a.format(compressed=True) == b.format(compressed=True)

    def _encode(self, a: Raw) -> bytes:
        return _IDENTITY_BYTES if a is None else a.format(compressed=True)

    def _decode(self, data: bytes) -> Raw:
        if data == _IDENTITY_BYTES:
            return None
        if data[0] not in (2, 3):
            raise ValueError("secp256k1: expected a compressed point (prefix 02 or 03)")
        if int.from_bytes(data[1:], "big") >= _P:
            raise ValueError("secp256k1: x coordinate not reduced modulo p")
        try:
            return PublicKey(data)
        except ValueError as exc:
            raise ValueError("secp256k1: point is not on the curve") from exc

    def _lincomb(self, raws: Sequence[Raw], scalars: Sequence[int], g: int, h: int) -> Raw:
        terms = []
        if g:
            terms.append(PublicKey.from_valid_secret(g.to_bytes(32, "big")))
        if h:
            terms.append(self.H.raw.multiply(h.to_bytes(32, "big")))
        for p, k in zip(raws, scalars):
            if k and p is not None:
                terms.append(p.multiply(k.to_bytes(32, "big")))
        if not terms:
            return None
        if len(terms) == 1:
            return terms[0]
        try:
            return PublicKey.combine_keys(terms)
        except ValueError:
            return None
