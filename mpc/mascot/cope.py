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

from . import fieldvec as fv

# Blocks of 16 rows, highest first: the kernels sum Σ 2^i·v_i by Horner's rule (see `kernels`).
_BLOCKS = list(reversed(range(0, fv.K_BITS, fv.BLOCK)))


class CopeSender:
    def __init__(self, keys: list[tuple[bytes, bytes]]):
        if len(keys) != fv.K_BITS:
            raise ValueError("COPE needs one OT per bit of the field")
        self.streams = [(fv.Stream(k0), fv.Stream(k1)) for k0, k1 in keys]
        self.scratch = fv.Scratch()

    def extend(self, x: np.ndarray) -> tuple[memoryview, np.ndarray]:
        """Corrections u (to send; a view of a work array, valid until the next extend) and
        this party's shares t of Δ·x as (n, 4) limbs; one kernel pass per block of rows
        samples t0, t1, writes u and folds t0 into the sum."""
        K = fv.kernels()
        n = len(x)
        u = self.scratch.get("u", (fv.K_BITS, n, 4))
        acc = fv.zeros(n)
        for h in _BLOCKS:
            st = self.streams[h:h + fv.BLOCK]
            c0 = fv.candidates([s[0] for s in st], n, self.scratch, "c0")
            c1 = fv.candidates([s[1] for s in st], n, self.scratch, "c1")
            saved = acc.copy()
            if not K.send_rows(c0, c1, x, u[h:h + len(st)], acc):
                acc[:] = saved
                K.send_rows(fv.rows_slow([s[0] for s in st], c0, n), fv.rows_slow([s[1] for s in st], c1, n),
                            x, u[h:h + len(st)], acc)
        t = fv.zeros(n)
        fv.add_into(t, acc, negate=True)
        return fv.as_message(u), t


class CopeReceiver:
    def __init__(self, delta_bits: list[int], keys: list[bytes]):
        if len(keys) != fv.K_BITS or len(delta_bits) != fv.K_BITS:
            raise ValueError("COPE needs one OT per bit of the field")
        self.delta_bits = np.array(delta_bits, dtype=np.uint8).reshape(fv.K_BITS, 1)
        self.streams = [fv.Stream(k) for k in keys]
        self.scratch = fv.Scratch()

    def extend(self, n: int, u: bytes) -> Optional[np.ndarray]:
        """This party's shares q of Δ·x as (n, 4) limbs; None if u is malformed."""
        K = fv.kernels()
        uu = fv.from_bytes(u, (fv.K_BITS, n))
        if uu is None:
            return None
        acc = fv.zeros(n)
        for h in _BLOCKS:
            st = self.streams[h:h + fv.BLOCK]
            e = h + len(st)
            c = fv.candidates(st, n, self.scratch)
            saved = acc.copy()
            if not K.recv_rows(c, uu[h:e], self.delta_bits[h:e], acc):
                acc[:] = saved
                K.recv_rows(fv.rows_slow(st, c, n), uu[h:e], self.delta_bits[h:e], acc)
        return acc
