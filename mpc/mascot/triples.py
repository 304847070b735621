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

from . import fieldvec as fv
from .otext import ReceiverBatch, SenderBatch, hash_to_field

DOMAIN_GILBOA = 2
# Blocks of 16 bits, highest first: the kernels sum Σ 2^h·v_h by Horner's rule (see `kernels`).
_BLOCKS = list(reversed(range(0, fv.K_BITS, fv.BLOCK)))


def choice_bits(a: np.ndarray) -> np.ndarray:
    """OT choice bits for the receiver's vector a (M elements): bit h of a_col at h·M + col."""
    return fv.bits_of(a).reshape(-1)


def sender(batch: SenderBatch, b_cols: np.ndarray) -> tuple[memoryview, np.ndarray]:
    """Corrections d (to send; a view of the batch's work array) and S's shares −Σ 2^h m0
    (one per column, (M, 4) limbs)."""
    K = fv.kernels()
    M = len(b_cols)
    q0, q1 = batch.outputs()
    d = batch.scratch.get("gilboa-d", (fv.K_BITS, M, 4))
    acc = fv.zeros(M)
    for h in _BLOCKS:
        e = min(fv.K_BITS, h + fv.BLOCK)
        lo, hi = h * M, e * M
        m = hash_to_field([q0[lo:hi], q1[lo:hi]], batch.first + lo, DOMAIN_GILBOA,
                          batch.scratch).reshape(2, e - h, M, 4)
        K.send_rows(m[0], m[1], b_cols, d[h:e], acc)    # all values are below q: always True
    share = fv.zeros(M)
    fv.add_into(share, acc, negate=True)
    return fv.as_message(d), share


def receiver(batch: ReceiverBatch, choices: np.ndarray, M: int, d: bytes) -> Optional[np.ndarray]:
    """R's shares Σ 2^h (m_{a_h} + a_h·d) as (M, 4) limbs; None if d is malformed."""
    K = fv.kernels()
    dd = fv.from_bytes(d, (fv.K_BITS, M))
    if dd is None:
        return None
    rows = batch.outputs()
    bits = choices.reshape(fv.K_BITS, M)
    acc = fv.zeros(M)
    for h in _BLOCKS:
        e = min(fv.K_BITS, h + fv.BLOCK)
        lo, hi = h * M, e * M
        m = hash_to_field([rows[lo:hi]], batch.first + lo, DOMAIN_GILBOA, batch.scratch).reshape(e - h, M, 4)
        K.recv_rows(m, dd[h:e], bits[h:e], acc)
    return acc
