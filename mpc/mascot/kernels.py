"""Compiled single-pass kernels for MASCOT's bulk work (numba, cached on disk).

COPE and Gilboa touch ~2,000 field elements per triple and pair of parties. In numpy each
step (rejection sampling, (v0 − v1 + x) mod q, Σ_h 2^h·v_h, the TMMO hash's XORs, bit
transposes) was 5–20 passes over memory with temporaries; here each is one loop over
the data. AES stays in `cryptography`: kernels only consume its output.

Field elements are four little-endian uint64 limbs, always reduced into [0, q) on output.
Weighted sums use Horner's rule over the rows, highest row first:
acc ← 2·acc + v_h (mod q), so Σ_h 2^h·v_h comes out reduced, with no wide accumulator and
no big-integer reduction afterwards; callers feed row blocks in descending order.

Every kernel has a plain Python-integer reference in tests/mpc/test_mascot_kernels.py.
numba compiles each kernel on first use and caches the machine code next to this file
(mpc/mascot/__pycache__, or NUMBA_CACHE_DIR if set), so later processes load it in
milliseconds instead of compiling for seconds.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..field import BN254_ORDER

_Q = int(BN254_ORDER)
_U = np.uint64
Q0, Q1, Q2, Q3 = (_U((_Q >> (64 * j)) & (2**64 - 1)) for j in range(4))
T0, T1, T2, T3 = (_U(((2 * _Q) >> (64 * j)) & (2**64 - 1)) for j in range(4))   # 2q < 2^255
TOP_MASK = _U((1 << (_Q.bit_length() - 192)) - 1)   # keeps bits 192..253 of the top limb
ZERO, ONE = _U(0), _U(1)
S63 = _U(63)


# 256-bit limb arithmetic (inlined into the loops below) ------------------------------
@njit(cache=True)
def _ge(a0, a1, a2, a3, b0, b1, b2, b3):
    if a3 != b3:
        return a3 > b3
    if a2 != b2:
        return a2 > b2
    if a1 != b1:
        return a1 > b1
    return a0 >= b0


@njit(cache=True)
def _add(a0, a1, a2, a3, b0, b1, b2, b3):
    """a + b mod 2^256."""
    s0 = a0 + b0
    c = _U(s0 < a0)
    t = a1 + b1
    c1 = _U(t < a1)
    s1 = t + c
    c = c1 | _U(s1 < t)
    t = a2 + b2
    c2 = _U(t < a2)
    s2 = t + c
    c = c2 | _U(s2 < t)
    s3 = a3 + b3 + c
    return s0, s1, s2, s3


@njit(cache=True)
def _sub(a0, a1, a2, a3, b0, b1, b2, b3):
    """a − b mod 2^256 and the final borrow (1 if a < b)."""
    d0 = a0 - b0
    br = _U(a0 < b0)
    t = a1 - b1
    b1_ = _U(a1 < b1)
    d1 = t - br
    br = b1_ | _U(t < br)
    t = a2 - b2
    b2_ = _U(a2 < b2)
    d2 = t - br
    br = b2_ | _U(t < br)
    t = a3 - b3
    b3_ = _U(a3 < b3)
    d3 = t - br
    br = b3_ | _U(t < br)
    return d0, d1, d2, d3, br


@njit(cache=True)
def _sub_if_ge(a0, a1, a2, a3, b0, b1, b2, b3):
    """a − b if a ≥ b, else a; branch-free (the comparison is data-dependent and random, so
    a branch would be mispredicted half the time)."""
    d0, d1, d2, d3, br = _sub(a0, a1, a2, a3, b0, b1, b2, b3)
    keep = ZERO - br                     # all ones iff a < b
    return ((a0 & keep) | (d0 & ~keep), (a1 & keep) | (d1 & ~keep),
            (a2 & keep) | (d2 & ~keep), (a3 & keep) | (d3 & ~keep))


@njit(cache=True)
def _reduce4q(a0, a1, a2, a3):
    """a mod q for a < 4q (< 2^256)."""
    a0, a1, a2, a3 = _sub_if_ge(a0, a1, a2, a3, T0, T1, T2, T3)
    return _sub_if_ge(a0, a1, a2, a3, Q0, Q1, Q2, Q3)


@njit(cache=True)
def _sub_mod(a0, a1, a2, a3, b0, b1, b2, b3):
    """a − b mod q for reduced a, b; branch-free."""
    d0, d1, d2, d3, br = _sub(a0, a1, a2, a3, b0, b1, b2, b3)
    m = ZERO - br                        # add q back iff a < b
    return _add(d0, d1, d2, d3, Q0 & m, Q1 & m, Q2 & m, Q3 & m)


@njit(cache=True)
def _double(a0, a1, a2, a3):
    """2a for a < 2^255."""
    return a0 << ONE, (a1 << ONE) | (a0 >> S63), (a2 << ONE) | (a1 >> S63), (a3 << ONE) | (a2 >> S63)


@njit(cache=True)
def _valid(c0, c1, c2, c3):
    """Is the candidate (top limb already masked to 254 bits) below q?"""
    if c3 != Q3:
        return c3 < Q3
    return not _ge(c0, c1, c2, c3, Q0, Q1, Q2, Q3)


# rejection sampling + correction + Horner (COPE and Gilboa) --------------------------
@njit(cache=True)
def _next(cand, r, i):
    """Index of the first candidate ≥ i of row r that is below q; W (the row length) if none."""
    W = cand.shape[1]
    while i < W and not _valid(cand[r, i, 0], cand[r, i, 1], cand[r, i, 2], cand[r, i, 3] & TOP_MASK):
        i += 1
    return i


@njit(cache=True)
def send_rows(c0, c1, x, out, acc):
    """The sender's side of a COPE/Gilboa row block, rows taken highest first.

    c0, c1: (R, W, 4) candidates (AES output; top limbs are masked here); the n values of
    row r are its first n candidates below q (rejection sampling). x: (n, 4) inputs.
    Writes out[r, j] = (v0 − v1 + x_j) mod q and updates acc_j ← 2·acc_j + v0 per row.
    Returns False if some row has fewer than n valid candidates (probability ~2^-60): acc
    and out are then partly updated, and the caller redoes the block from a copy of acc."""
    R, n = out.shape[0], out.shape[1]
    W0, W1 = c0.shape[1], c1.shape[1]
    p0 = np.zeros(R, dtype=np.int64)     # per row: next candidate to look at
    p1 = np.zeros(R, dtype=np.int64)
    for j in range(n):                   # column by column: acc_j and x_j stay in registers
        x0, x1, x2, x3 = x[j, 0], x[j, 1], x[j, 2], x[j, 3]
        s0, s1, s2, s3 = acc[j, 0], acc[j, 1], acc[j, 2], acc[j, 3]
        for r in range(R - 1, -1, -1):
            i0 = _next(c0, r, p0[r])
            i1 = _next(c1, r, p1[r])
            if i0 == W0 or i1 == W1:
                return False
            p0[r] = i0 + 1
            p1[r] = i1 + 1
            a0, a1, a2, a3 = c0[r, i0, 0], c0[r, i0, 1], c0[r, i0, 2], c0[r, i0, 3] & TOP_MASK
            d0, d1, d2, d3 = _sub_mod(a0, a1, a2, a3, c1[r, i1, 0], c1[r, i1, 1], c1[r, i1, 2],
                                      c1[r, i1, 3] & TOP_MASK)
            d0, d1, d2, d3 = _add(d0, d1, d2, d3, x0, x1, x2, x3)
            out[r, j, 0], out[r, j, 1], out[r, j, 2], out[r, j, 3] = _reduce4q(d0, d1, d2, d3)
            s0, s1, s2, s3 = _double(s0, s1, s2, s3)
            s0, s1, s2, s3 = _add(s0, s1, s2, s3, a0, a1, a2, a3)
            s0, s1, s2, s3 = _reduce4q(s0, s1, s2, s3)
        acc[j, 0], acc[j, 1], acc[j, 2], acc[j, 3] = s0, s1, s2, s3
    return True


@njit(cache=True)
def recv_rows(c, u, bits, acc):
    """The receiver's side: acc_j ← 2·acc_j + v + b·u[r, j] per row r, highest first, with
    v the row's rejection-sampled values from c (R, W, 4) and b = bits[r, j·step]
    (bits (R, n) for Gilboa's choice bits; (R, 1) for COPE's one Δ bit per row).
    Returns False if some row lacks n valid candidates (then acc is partly updated)."""
    R, n = u.shape[0], u.shape[1]
    W = c.shape[1]
    step = 1 if bits.shape[1] == n else 0
    p = np.zeros(R, dtype=np.int64)
    for j in range(n):
        s0, s1, s2, s3 = acc[j, 0], acc[j, 1], acc[j, 2], acc[j, 3]
        for r in range(R - 1, -1, -1):
            i = _next(c, r, p[r])
            if i == W:
                return False
            p[r] = i + 1
            m = ZERO - _U(bits[r, j * step])    # all ones iff the bit is 1 (branch-free)
            s0, s1, s2, s3 = _double(s0, s1, s2, s3)
            s0, s1, s2, s3 = _add(s0, s1, s2, s3, c[r, i, 0], c[r, i, 1], c[r, i, 2], c[r, i, 3] & TOP_MASK)
            s0, s1, s2, s3 = _add(s0, s1, s2, s3, u[r, j, 0] & m, u[r, j, 1] & m, u[r, j, 2] & m, u[r, j, 3] & m)
            s0, s1, s2, s3 = _reduce4q(s0, s1, s2, s3)
        acc[j, 0], acc[j, 1], acc[j, 2], acc[j, 3] = s0, s1, s2, s3
    return True


# vectors mod q --------------------------------------------------------------------------
@njit(cache=True)
def all_below_q(v):
    """Are all (n, 4) values reduced (below q)?"""
    for j in range(v.shape[0]):
        if _ge(v[j, 0], v[j, 1], v[j, 2], v[j, 3], Q0, Q1, Q2, Q3):
            return False
    return True


@njit(cache=True)
def add_into(a, b, negate_b):
    """a ← a + b (or a − b if negate_b) mod q, elementwise on (n, 4) reduced values."""
    for j in range(a.shape[0]):
        if negate_b:
            d0, d1, d2, d3 = _sub_mod(a[j, 0], a[j, 1], a[j, 2], a[j, 3], b[j, 0], b[j, 1], b[j, 2], b[j, 3])
        else:
            d0, d1, d2, d3 = _add(a[j, 0], a[j, 1], a[j, 2], a[j, 3], b[j, 0], b[j, 1], b[j, 2], b[j, 3])
            d0, d1, d2, d3 = _reduce4q(d0, d1, d2, d3)
        a[j, 0], a[j, 1], a[j, 2], a[j, 3] = d0, d1, d2, d3


# the TMMO hash's XORs and rejection (AES itself runs in `cryptography`) ---------------
@njit(cache=True)
def tmmo_tweak(p, idx, first_index, period, c0, domain, out):
    """out[k, 2c + b] = π(y_i) ⊕ tweak(first_index + (i mod period), 2(c0 + c) + b, domain) for
    i = idx[k], b = 0, 1 and c < out.shape[1] / 2: the second AES pass's inputs for
    candidates c0, c0 + 1, ... of each row (rows of several arrays that share OT indices
    are stacked, hence the period). The tweak is the block (index, block | domain << 32)."""
    hi = _U(domain) << _U(32)
    nb = out.shape[1]
    for k in range(idx.shape[0]):
        i = idx[k]
        j = i
        while j >= period:          # i mod period without a division (a few parts at most)
            j -= period
        t = _U(first_index + j)
        for b in range(nb):
            out[k, b, 0] = p[i, 0] ^ t
            out[k, b, 1] = p[i, 1] ^ (_U(2 * c0 + b) | hi)


@njit(cache=True)
def tmmo_finish(h, p, idx, out):
    """Candidates c of row i = idx[k] are H = π(tweaked) ⊕ π(y) over blocks 2c, 2c + 1 (254
    bits): store the first below q in out[i]; return the rows that need more candidates,
    compacted in place at the front of idx (each entry is read before it is overwritten)."""
    rej = idx
    nrej = 0
    for k in range(idx.shape[0]):
        i = idx[k]
        found = False
        for c in range(h.shape[1] // 2):
            v0 = h[k, 2 * c, 0] ^ p[i, 0]
            v1 = h[k, 2 * c, 1] ^ p[i, 1]
            v2 = h[k, 2 * c + 1, 0] ^ p[i, 0]
            v3 = (h[k, 2 * c + 1, 1] ^ p[i, 1]) & TOP_MASK
            if _valid(v0, v1, v2, v3):
                out[i, 0], out[i, 1], out[i, 2], out[i, 3] = v0, v1, v2, v3
                found = True
                break
        if not found:
            rej[nrej] = i
            nrej += 1
    return rej[:nrej]


# bit matrices (KOS) ------------------------------------------------------------------------
_HALVES = np.array([0x00000000FFFFFFFF, 0x0000FFFF0000FFFF, 0x00FF00FF00FF00FF,
                    0x0F0F0F0F0F0F0F0F, 0x3333333333333333, 0x5555555555555555], dtype=np.uint64)


@njit(cache=True)
def transpose(cols, out):
    """(128, nw) uint64, row i = column i of the OT matrix with bit b of word w = OT 64w + b,
    -> out (64·nw, 2) uint64 rows: bit i of word h of row j = column 64h + i of OT j.
    Each 64×64 bit block is transposed in registers-sized steps: six rounds that swap the
    off-diagonal halves of 32-, 16-, ..., 1-bit sub-blocks (Hacker's Delight, §7-3)."""
    nrow, nw = cols.shape
    a = np.empty(64, dtype=np.uint64)
    for w in range(nw):
        for blk in range(nrow // 64):
            for i in range(64):
                a[i] = cols[64 * blk + i, w]
            j = 32
            for stage in range(6):
                m = _HALVES[stage]
                sh = _U(j)
                k = 0
                while k < 64:
                    t = ((a[k] >> sh) ^ a[k + j]) & m
                    a[k + j] ^= t
                    a[k] ^= t << sh
                    k = (k + j + 1) & ~j
                j >>= 1
            for i in range(64):
                out[64 * w + i, blk] = a[i]
