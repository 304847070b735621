"""Gilboa products over OT (MASCOT's "Multiply" step) for one ordered pair of parties.

The OT receiver R holds a vector a ∈ GF(q)^M and uses the bits of its entries as choice
bits (OT j = h·M + col carries bit h of a_col); the OT sender S holds b_col for each col.
Per OT S derives two uniform field elements m0, m1 from its two KOS outputs and sends
d = m0 − m1 + b; R derives m_{a_h} from its output and sets m_{a_h} + a_h·d = m0 + a_h·b.
Weighted by 2^h and summed over h: R gets Σ 2^h (m0 + a_h b) = Σ 2^h m0 + a·b and S keeps
−Σ 2^h m0, additive shares of a·b. A sender that uses a different b in some OT makes the
product wrong exactly when the receiver's bit is 1 (selective failure); MASCOT's combine
step (random combinations of τ = 3 products) and the sacrifice handle that.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from gmpy2 import mpz

from . import fieldvec as fv
from .otext import ReceiverBatch, SenderBatch, hash_to_field

DOMAIN_GILBOA = 2


def choice_bits(a: np.ndarray) -> np.ndarray:
    """OT choice bits for the receiver's vector a (M elements): bit h of a_col at h·M + col."""
    return fv.bits_of(a).reshape(-1)


def sender(batch: SenderBatch, b_cols: np.ndarray) -> tuple[bytes, list[mpz]]:
    """Corrections d (to send) and S's shares −Σ 2^h m0 (one per column), in blocks of 16 bits."""
    M = len(b_cols)
    q0, q1 = batch.outputs()
    d = np.empty((fv.K_BITS, M, 4), dtype=np.uint64)
    acc = fv.WeightedSum(M)
    for h in range(0, fv.K_BITS, fv.BLOCK):
        e = min(fv.K_BITS, h + fv.BLOCK)
        lo, hi = h * M, e * M
        m0 = hash_to_field(q0[lo:hi], batch.first + lo, DOMAIN_GILBOA).reshape(e - h, M, 4)
        m1 = hash_to_field(q1[lo:hi], batch.first + lo, DOMAIN_GILBOA).reshape(e - h, M, 4)
        d[h:e] = fv.sub_add_mod(m0, m1, b_cols)
        acc.add(h, m0)
    return fv.to_bytes(d), acc.result(negate=True)


def receiver(batch: ReceiverBatch, choices: np.ndarray, M: int, d: bytes) -> Optional[list[mpz]]:
    """R's shares Σ 2^h (m_{a_h} + a_h·d); None if d is malformed."""
    dd = fv.from_bytes(d, (fv.K_BITS, M))
    if dd is None:
        return None
    rows = batch.outputs()
    # all-ones limbs where the choice bit is 1: a 1-D AND instead of a broadcast product
    keep = np.repeat(np.uint64(0) - choices.astype(np.uint64), 4).reshape(fv.K_BITS, M, 4)
    acc = fv.WeightedSum(M)
    for h in range(0, fv.K_BITS, fv.BLOCK):
        e = min(fv.K_BITS, h + fv.BLOCK)
        lo, hi = h * M, e * M
        acc.add(h, hash_to_field(rows[lo:hi], batch.first + lo, DOMAIN_GILBOA).reshape(e - h, M, 4))
        acc.add(h, dd[h:e] & keep[h:e])
    return acc.result()
