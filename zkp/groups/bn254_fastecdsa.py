"""BN254 (alt_bn128) G1 through fastecdsa's Rust core: the fast BN254 backend.

fastecdsa (``pip install fastecdsa``, 4.x) accepts custom short-Weierstrass
curves; BN254 G1 is y² = x³ + 3 over GF(p) with the generator (1, 2).  Its
points kept in projective coordinates add in about 2 µs, so this backend
runs the combs and the wNAF Straus method of :mod:`zkp.groups.msm` on
fastecdsa's addition; fastecdsa's own scalar multiplication (a ladder of
about 1 ms) is not used.  fastecdsa's ``==`` compares raw projective
coordinates (two representations of one point differ), so equality is
decided here by cross-multiplication.

Same group, same encoding (EIP-196) and same H as the py-ecc backend, so
proofs made with one verify with the other: only the speed differs.
"""

from __future__ import annotations

from operator import add as _add_op, neg as _neg_op
from typing import Sequence

from fastecdsa.curve import Curve
from fastecdsa.point import Point as FPoint

from zkp.groups.base import Group
from zkp.groups.bn254_pyecc import BN254_ORDER, BN254_P, BN254Encoding
from zkp.groups.msm import PIPPENGER_MIN_POINTS, pippenger, straus_wnaf
from zkp.hash_to_curve import hash_to_short_weierstrass

_CURVE = Curve("alt_bn128", BN254_P, 0, 3, BN254_ORDER, 1, 2)


def _proj(x: int, y: int) -> FPoint:
    return FPoint(x, y, _CURVE, projective=True)


_G = _proj(1, 2)
_Z = _G - _G  # the point at infinity (z = 0)


def _double(a: FPoint) -> FPoint:
    return a + a


class BN254FastEcdsa(BN254Encoding, Group):
    """BN254/alt_bn128 G1 via fastecdsa (Rust), projective coordinates."""

    backend = "fastecdsa"

    def _generator_raw(self) -> FPoint:
        return _G

    def _identity_raw(self) -> FPoint:
        return _Z

    def _hash_to_raw(self, tag: bytes, msg: bytes) -> FPoint:
        return _proj(*hash_to_short_weierstrass(BN254_P, 3, tag, msg))

    def _add(self, a: FPoint, b: FPoint) -> FPoint:
        return a + b

    def _neg(self, a: FPoint) -> FPoint:
        return -a

    def _mul(self, a: FPoint, k: int) -> FPoint:
        if a is self.G.raw:
            return self._table("G").mul(k)
        if a is self.H.raw:
            return self._table("H").mul(k)
        return self._straus([a], [k])

    def _eq(self, a: FPoint, b: FPoint) -> bool:
        # fastecdsa's == compares raw projective coordinates; compare the affine points instead
        za, zb = a.z, b.z
        if za == 0 or zb == 0:
            return za == zb
        return (a.x * zb - b.x * za) % BN254_P == 0 and (a.y * zb - b.y * za) % BN254_P == 0

    def _encode(self, a: FPoint) -> bytes:
        if a.z == 0:
            return self.encode_affine(None)
        n = a.normalize()
        return self.encode_affine((n.x, n.y))

    def _decode(self, data: bytes) -> FPoint:
        xy = self.decode_affine(data)
        return _Z if xy is None else _proj(*xy)

    def _straus(self, raws: Sequence[FPoint], scalars: Sequence[int]) -> FPoint:
        pts = [(p, k) for p, k in zip(raws, scalars) if p.z != 0]
        # many points (a batch of proofs): Pippenger's buckets need fewer additions per point
        msm = pippenger if len(pts) >= PIPPENGER_MIN_POINTS else straus_wnaf
        return msm([p for p, _ in pts], [k for _, k in pts], _add_op, _double, _neg_op, _Z, BN254_ORDER)

    def _lincomb(self, raws: Sequence[FPoint], scalars: Sequence[int], g: int, h: int) -> FPoint:
        acc = _Z
        if g:
            acc = self._table("G").mul(g)
        if h:
            acc = acc + self._table("H").mul(h)
        if raws:
            acc = acc + self._straus(raws, scalars)
        return acc
