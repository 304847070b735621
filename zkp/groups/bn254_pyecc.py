"""BN254 (alt_bn128) G1 through py-ecc: the Ethereum-compatible default group.

Encoding follows Ethereum's precompiles (EIP-196): 64 bytes, x ‖ y as
32-byte big-endian integers, the identity as 64 zero bytes.  G1 has cofactor
1, so a decoded point is in the group as soon as it is on the curve.

py-ecc's ``multiply`` is a plain double-and-add (about 380 group
operations for a 254-bit scalar); this backend keeps py-ecc's group law and
uses the fixed-base combs and the wNAF Straus method of
:mod:`zkp.groups.msm` instead.  Encoding converts from projective
coordinates with Python's built-in modular inverse, several times faster
than py-ecc's own field division.
"""

from __future__ import annotations

from typing import Any, Sequence

import py_ecc.optimized_bn128 as bn

from zkp.groups.base import Group
from zkp.groups.msm import FixedBaseComb, straus_wnaf
from zkp.hash_to_curve import hash_to_short_weierstrass

BN254_P = bn.field_modulus
BN254_ORDER = bn.curve_order
_FQ = bn.FQ
_ONE = _FQ.one()
_Z = bn.Z1


class BN254Encoding:
    """EIP-196 encoding shared by the BN254 backends (x ‖ y, identity = zeros)."""

    name = "bn254"
    order = BN254_ORDER
    point_size = 64

    def _table(self, which: str) -> FixedBaseComb:
        """Precomputed comb table for the fixed base G or H (built on first use)."""
        tables = self.__dict__.setdefault("_tables", {})
        t = tables.get(which)
        if t is None:
            base = self.G.raw if which == "G" else self.H.raw
            t = tables[which] = FixedBaseComb(base, self.order.bit_length(), self._add, self._identity_raw())
        return t

    @staticmethod
    def encode_affine(xy: tuple[int, int] | None) -> bytes:
        if xy is None:
            return bytes(64)
        return xy[0].to_bytes(32, "big") + xy[1].to_bytes(32, "big")

    @staticmethod
    def decode_affine(data: bytes) -> tuple[int, int] | None:
        """(x, y) on the curve, None for the identity; ValueError otherwise."""
        x = int.from_bytes(data[:32], "big")
        y = int.from_bytes(data[32:], "big")
        if x == 0 and y == 0:
            return None
        if x >= BN254_P or y >= BN254_P:
            raise ValueError("bn254: coordinate not reduced modulo p")
        if (y * y - x * x * x - 3) % BN254_P:
            raise ValueError("bn254: point is not on the curve")
        return x, y


class BN254PyEcc(BN254Encoding, Group):
    """BN254/alt_bn128 G1 via py-ecc's ``optimized_bn128`` (projective coordinates)."""

    backend = "py-ecc"

    def _generator_raw(self) -> Any:
        return bn.G1

    def _identity_raw(self) -> Any:
        return _Z

    def _hash_to_raw(self, tag: bytes, msg: bytes) -> Any:
        x, y = hash_to_short_weierstrass(BN254_P, 3, tag, msg)
        return (_FQ(x), _FQ(y), _ONE)

    def _add(self, a: Any, b: Any) -> Any:
        return bn.add(a, b)

    def _neg(self, a: Any) -> Any:
        return bn.neg(a)

    def _mul(self, a: Any, k: int) -> Any:
        if a is self.G.raw:
            return self._table("G").mul(k)
        if a is self.H.raw:
            return self._table("H").mul(k)
        return self._straus([a], [k])

    def _eq(self, a: Any, b: Any) -> bool:
        return bn.eq(a, b)

    def _encode(self, a: Any) -> bytes:
        if bn.is_inf(a):
            return self.encode_affine(None)
        zinv = pow(int(a[2]), -1, BN254_P)
        return self.encode_affine((int(a[0]) * zinv % BN254_P, int(a[1]) * zinv % BN254_P))

    def _decode(self, data: bytes) -> Any:
        xy = self.decode_affine(data)
        return _Z if xy is None else (_FQ(xy[0]), _FQ(xy[1]), _ONE)

    def _straus(self, raws: Sequence[Any], scalars: Sequence[int]) -> Any:
        pts = [(p, k) for p, k in zip(raws, scalars) if not bn.is_inf(p)]
        return straus_wnaf([p for p, _ in pts], [k for _, k in pts], bn.add, bn.double, bn.neg, _Z,
                           BN254_ORDER)

    def _lincomb(self, raws: Sequence[Any], scalars: Sequence[int], g: int, h: int) -> Any:
        acc = _Z
        if g:
            acc = self._table("G").mul(g)
        if h:
            acc = bn.add(acc, self._table("H").mul(h))
        if raws:
            acc = bn.add(acc, self._straus(raws, scalars))
        return acc
