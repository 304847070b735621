"""Correlated OT with errors (COPE, MASCOT Fig. "Π_COPE") over GF(q), k = 254.

One instance per ordered pair: the receiver A holds Δ ∈ GF(q) (its MAC-key share) and,
from k random OTs in which it chose the bits Δ_i, one seed k_i^{Δ_i}; the sender B holds
both seeds. For a batch of inputs x of B (nonce = batch number):
    B: t0_i = F(k_i^0), t1_i = F(k_i^1), sends u_i = t0_i − t1_i + x,   outputs t = −Σ 2^i·t0_i
    A: outputs q = Σ 2^i·(F(k_i^{Δ_i}) + Δ_i·u_i) = Σ 2^i·t0_i + Δ·x
so q + t = Δ·x. F expands a seed into uniform field elements (AES-CTR + rejection). A
sender that uses different x in different rows makes q + t = Δ·x + Σ 2^i·Δ_i·e_i: the
authentication check that follows catches it unless the sender guesses the bits of Δ it
touched, which is the selective-failure leakage MASCOT's analysis allows for.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from gmpy2 import mpz

from . import fieldvec as fv


class CopeSender:
    def __init__(self, keys: list[tuple[bytes, bytes]]):
        if len(keys) != fv.K_BITS:
            raise ValueError("COPE needs one OT per bit of the field")
        self.streams = [(fv.Stream(k0), fv.Stream(k1)) for k0, k1 in keys]

    def extend(self, x: np.ndarray) -> tuple[bytes, list[mpz]]:
        """Corrections u (to send) and this party's shares t of Δ·x; rows are produced in
        blocks of 16 so that each block's data stays in cache while it is used."""
        n = len(x)
        u = np.empty((fv.K_BITS, n, 4), dtype=np.uint64)
        acc = fv.WeightedSum(n)
        for h in range(0, fv.K_BITS, fv.BLOCK):
            st = self.streams[h:h + fv.BLOCK]
            t0 = fv.prg_field_rows([s[0] for s in st], n)
            t1 = fv.prg_field_rows([s[1] for s in st], n)
            u[h:h + len(st)] = fv.sub_add_mod(t0, t1, x)
            acc.add(h, t0)
        return fv.to_bytes(u), acc.result(negate=True)


class CopeReceiver:
    def __init__(self, delta_bits: list[int], keys: list[bytes]):
        if len(keys) != fv.K_BITS or len(delta_bits) != fv.K_BITS:
            raise ValueError("COPE needs one OT per bit of the field")
        self.delta_bits = np.array(delta_bits, dtype=np.uint64)
        self.streams = [fv.Stream(k) for k in keys]

    def extend(self, n: int, u: bytes) -> Optional[list[mpz]]:
        """This party's shares q of Δ·x; None if u is malformed."""
        uu = fv.from_bytes(u, (fv.K_BITS, n))
        if uu is None:
            return None
        acc = fv.WeightedSum(n)
        for h in range(0, fv.K_BITS, fv.BLOCK):
            st = self.streams[h:h + fv.BLOCK]
            acc.add(h, fv.prg_field_rows(st, n))
            acc.add(h, uu[h:h + len(st)], self.delta_bits[h:h + len(st)])
        return acc.result()
