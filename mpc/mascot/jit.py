"""Loads every compiled kernel of `kernels` with the argument types production uses, by
running each wrapper once on tiny inputs: numba then reads the machine code from its
on-disk cache (mpc/mascot/__pycache__, or NUMBA_CACHE_DIR), or compiles it on a cold
cache. The backend calls `warm_up` at the start of set-up, so that this one-off cost is
paid there and can be reported separately (benchmarks.preprocessing prints it).
"""
from __future__ import annotations

import secrets
import time


def warm_up() -> float:
    """CPU seconds spent loading (or compiling) the kernels in this process."""
    c0 = time.process_time()
    from . import fieldvec as fv, otext, triples as gilboa
    from .cope import CopeReceiver, CopeSender

    keys = [(secrets.token_bytes(16), secrets.token_bytes(16)) for _ in range(fv.K_BITS)]
    bits = [k & 1 for k in range(fv.K_BITS)]
    u, t = CopeSender(keys).extend(fv.random_field(2))
    q = CopeReceiver(bits, [k[b] for k, b in zip(keys, bits)]).extend(2, u)
    fv.add_into(q, t)
    fv.add_into(q, t, negate=True)
    delta = [k & 1 for k in range(otext.KAPPA)]
    seeds = [(secrets.token_bytes(16), secrets.token_bytes(16)) for _ in range(otext.KAPPA)]
    rec, snd = otext.KOSReceiver(seeds), otext.KOSSender(delta, [s[d] for s, d in zip(seeds, delta)])
    choices = gilboa.choice_bits(fv.random_field(1))
    u, rb = rec.extend(choices)
    sb = snd.extend(len(choices), u)
    d, _ = gilboa.sender(sb, fv.random_field(1))
    gilboa.receiver(rb, choices, 1, d)
    otext.hash_to_key(rb.outputs()[:1], 0, 0)
    return time.process_time() - c0
