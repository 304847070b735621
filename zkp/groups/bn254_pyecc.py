"""BN254 (alt_bn128) G1 through py-ecc: the Ethereum-compatible group.

Encoding follows Ethereum's precompiles (EIP-196): 64 bytes, x ‖ y as
32-byte big-endian integers, the identity as 64 zero bytes.  G1 has cofactor
1, so a decoded point is in the group as soon as it is on the curve.

py-ecc's ``multiply`` is a plain double-and-add (about 380 group operations
for a 254-bit scalar).  Two algorithms on top of py-ecc's group law make the
hot paths cheaper without touching field arithmetic:

* fixed-base combs for G and H (8-bit windows, tables built lazily): a
  multiple of G or H costs 32 additions;
* Straus' interleaved method with width-5 signed digits (wNAF) for
  multi-scalar multiplications: the 254 doublings are shared by all points,
  and each point costs about 8 + 254/6 ≈ 50 additions.

Encoding converts from projective coordinates with Python's built-in modular
inverse (``pow(z, -1, p)``), several times faster than py-ecc's own division.
"""

from __future__ import annotations

from typing import Any, Sequence

import py_ecc.optimized_bn128 as bn

from zkp.groups.base import Group
from zkp.hash_to_curve import hash_to_short_weierstrass

_P = bn.field_modulus
_FQ = bn.FQ
_ONE = _FQ.one()
_Z = bn.Z1
_add = bn.add
_double = bn.double

_COMB_BITS = 8
_WNAF_WIDTH = 5


def wnaf_digits(k: int, width: int = _WNAF_WIDTH) -> list[int]:
    """Width-w non-adjacent form of k ≥ 0, least significant digit first (odd digits in ±[1, 2^(w-1)))."""
    digits = []
    full, half = 1 << width, 1 << (width - 1)
    while k:
        if k & 1:
            d = k & (full - 1)
            if d >= half:
                d -= full
            k -= d
        else:
            d = 0
        digits.append(d)
        k >>= 1
    return digits


class _FixedBase:
    """Comb tables: rows[i][d] = d·2^(8i)·B for d in 0..255."""

    def __init__(self, base: Any, scalar_bits: int) -> None:
        self.rows: list[list[Any]] = []
        step = base
        for _ in range((scalar_bits + _COMB_BITS - 1) // _COMB_BITS):
            row = [_Z, step]
            for _d in range(2, 1 << _COMB_BITS):
                row.append(_add(row[-1], step))
            self.rows.append(row)
            step = _add(row[-1], step)  # 256·step

    def mul(self, k: int) -> Any:
        acc = _Z
        mask = (1 << _COMB_BITS) - 1
        i = 0
        while k:
            d = k & mask
            if d:
                acc = _add(acc, self.rows[i][d])
            k >>= _COMB_BITS
            i += 1
        return acc


class BN254PyEcc(Group):
    """BN254/alt_bn128 G1 via py-ecc's ``optimized_bn128`` (projective coordinates)."""

    name = "bn254"
    backend = "py-ecc"
    order = bn.curve_order
    point_size = 64

    def __init__(self) -> None:
        super().__init__()
        self._tables: dict[str, _FixedBase] = {}

    def _table(self, which: str) -> _FixedBase:
        t = self._tables.get(which)
        if t is None:
            base = self.G.raw if which == "G" else self.H.raw
            t = self._tables[which] = _FixedBase(base, self.order.bit_length())
        return t

    def _generator_raw(self) -> Any:
        return bn.G1

    def _identity_raw(self) -> Any:
        return _Z

    def _hash_to_raw(self, tag: bytes, msg: bytes) -> Any:
        x, y = hash_to_short_weierstrass(_P, 3, tag, msg)
        return (_FQ(x), _FQ(y), _ONE)

    def _add(self, a: Any, b: Any) -> Any:
        return _add(a, b)

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
            return bytes(64)
        zinv = pow(int(a[2]), -1, _P)
        x, y = int(a[0]) * zinv % _P, int(a[1]) * zinv % _P
        return x.to_bytes(32, "big") + y.to_bytes(32, "big")

    def _decode(self, data: bytes) -> Any:
        x = int.from_bytes(data[:32], "big")
        y = int.from_bytes(data[32:], "big")
        if x == 0 and y == 0:
            return _Z
        if x >= _P or y >= _P:
            raise ValueError("bn254: coordinate not reduced modulo p")
        pt = (_FQ(x), _FQ(y), _ONE)
        if not bn.is_on_curve(pt, bn.b):
            raise ValueError("bn254: point is not on the curve")
        return pt

    def _straus(self, raws: Sequence[Any], scalars: Sequence[int]) -> Any:
        """Σ k_i·P_i by interleaved wNAF (shared doublings, odd multiples ±P..±15P per point)."""
        jobs = []
        for p, k in zip(raws, scalars):
            if not k or bn.is_inf(p):
                continue
            two_p = _double(p)
            odd = [p]
            for _ in range((1 << (_WNAF_WIDTH - 2)) - 1):
                odd.append(_add(odd[-1], two_p))
            jobs.append((wnaf_digits(k), odd))
        if not jobs:
            return _Z
        acc, started = _Z, False
        for i in range(max(len(d) for d, _ in jobs) - 1, -1, -1):
            if started:
                acc = _double(acc)
            for digits, odd in jobs:
                if i < len(digits):
                    d = digits[i]
                    if d > 0:
                        acc = _add(acc, odd[d >> 1])
                        started = True
                    elif d < 0:
                        acc = _add(acc, bn.neg(odd[(-d) >> 1]))
                        started = True
        return acc

    def _lincomb(self, raws: Sequence[Any], scalars: Sequence[int], g: int, h: int) -> Any:
        acc = _Z
        if g:
            acc = self._table("G").mul(g)
        if h:
            acc = _add(acc, self._table("H").mul(h))
        if raws:
            acc = _add(acc, self._straus(raws, scalars))
        return acc
