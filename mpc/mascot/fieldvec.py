"""Vectors of GF(q) elements as numpy limb arrays, for the bulk arithmetic of COPE and Gilboa.

An element is stored as four little-endian 64-bit limbs (shape (..., 4), dtype uint64),
always reduced into [0, q). The OT-based protocols touch ~2,000 such values per triple and
pair of parties, so everything here works on whole arrays: uniform sampling by rejection
from an AES keystream, the sender's correction (t0 − t1 + x) mod q, and the receivers'
weighted sums Σ_i 2^i·v_i, which are accumulated on 16-bit limbs in 64-bit integers and
carried into one big integer per output only at the end.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmpy2 import mpz

from ..field import BN254_ORDER

Q = int(BN254_ORDER)
K_BITS = Q.bit_length()  # 254: bits of a field element (rows of COPE and Gilboa)
_Q32 = np.array([(Q >> (32 * j)) & 0xFFFFFFFF for j in range(8)], dtype=np.int64)
_Q64 = np.array([(Q >> (64 * j)) & (2**64 - 1) for j in range(4)], dtype=np.uint64)
_TOP_MASK = np.uint64((1 << (K_BITS - 192)) - 1)  # keeps bits 192..253 of the top limb
_M32 = np.int64(0xFFFFFFFF)
_ACCEPT = Q / 2**K_BITS  # fraction of 254-bit strings below q (~0.757)
_W16 = np.array([1 << s for s in range(16)], dtype=np.uint64)


def keystream(key: bytes, nonce: int, nbytes: int) -> bytes:
    """AES-CTR keystream (AES-128 for 16-byte keys) with a 64-bit nonce in the counter block."""
    iv = nonce.to_bytes(8, "little") + bytes(8)
    enc = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return enc.update(bytes(nbytes))


def _below_q(v: np.ndarray) -> np.ndarray:
    """For (M, 4) uint64 values < 2^254: boolean mask of those < q (exact)."""
    ok = v[:, 3] < _Q64[3]
    for i in np.flatnonzero(~ok & (v[:, 3] == _Q64[3])):  # probability 2^-62 per value
        ok[i] = limbs_to_int(v[i]) < Q
    return ok


def not_below_q(v: np.ndarray) -> np.ndarray:
    """Indices of the (M, 4) values < 2^254 that are not below q."""
    cand = np.flatnonzero(v[:, 3] >= _Q64[3])
    return np.array([i for i in cand if limbs_to_int(v[i]) >= Q], dtype=np.int64) \
        if len(cand) and (v[cand, 3] == _Q64[3]).any() else cand


def uniform_from_bytes(stream: bytes, n: int) -> Optional[np.ndarray]:
    """The first n values of a byte stream, read as 32-byte candidates masked to 254 bits,
    that fall below q (uniform in GF(q)); None if the stream holds fewer than n."""
    m = len(stream) // 32
    v = np.frombuffer(stream, dtype=np.uint64, count=4 * m).reshape(m, 4).copy()
    v[:, 3] &= _TOP_MASK
    idx = np.flatnonzero(_below_q(v))
    if len(idx) < n:
        return None
    return np.take(v, idx[:n], axis=0)


def prg_field(key: bytes, nonce: int, n: int) -> np.ndarray:
    """n uniform field elements expanded from (key, nonce), identical for everyone holding key."""
    want = int(n / _ACCEPT + 8 * math.sqrt(n) + 16)
    while True:
        out = uniform_from_bytes(keystream(key, nonce, 32 * want), n)
        if out is not None:
            return out
        want *= 2  # astronomically rare; the longer stream extends the same one


class Stream:
    """One AES-128-CTR keystream, read in consecutive pieces. Both ends of an OT keep one per
    seed and read the same pieces in the same order, so their streams stay aligned without
    a new cipher context (or nonce) per batch."""

    __slots__ = ("enc",)

    def __init__(self, key: bytes):
        self.enc = Cipher(algorithms.AES(key), modes.CTR(bytes(16))).encryptor()

    def read_into(self, out: np.ndarray, nbytes: int) -> None:
        """Write the next nbytes of keystream into out[:nbytes] (out needs 16 spare bytes)."""
        self.enc.update_into(_zeros(nbytes), out)

    def read(self, nbytes: int) -> bytes:
        return self.enc.update(_zeros(nbytes))


_ZEROS = [b""]


def _zeros(n: int) -> bytes:
    if len(_ZEROS[0]) < n:
        _ZEROS[0] = bytes(max(n, 2 * len(_ZEROS[0])))
    return memoryview(_ZEROS[0])[:n]


def prg_field_rows(streams: Sequence[Stream], n: int) -> np.ndarray:
    """The next n uniform field elements of each stream: shape (len(streams), n, 4).
    Each stream is consumed by a length that depends only on n (plus, with probability
    ~2^-60, a deterministic extension), so every holder of a stream reads the same values."""
    R = len(streams)
    want = int(n / _ACCEPT + 8 * math.sqrt(n) + 16)
    L = 32 * want
    raw = np.empty(R * L + 16, dtype=np.uint8)
    for i, st in enumerate(streams):   # in order: each row's 16 spare bytes are the next row's start
        st.read_into(raw[i * L:(i + 1) * L + 16], L)
    v = raw[:R * L].view(np.uint64).reshape(R * want, 4)
    top = v[:, 3] & _TOP_MASK
    ok = top < _Q64[3]
    for i in np.flatnonzero(top == _Q64[3]):   # probability 2^-62 per value
        w = v[i].copy()
        w[3] &= _TOP_MASK
        ok[i] = limbs_to_int(w) < Q
    ok = ok.reshape(R, want)
    counts = ok.sum(axis=1)
    if (counts < n).any():   # never in practice (8 standard deviations of margin)
        return _rows_slow(streams, v.reshape(R, want, 4), n)
    flat = np.flatnonzero(ok)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    out = np.take(v, flat[(starts[:, None] + np.arange(n)[None, :]).reshape(-1)], axis=0)
    out[:, 3] &= _TOP_MASK
    return out.reshape(R, n, 4)


def _rows_slow(streams: Sequence[Stream], cand: np.ndarray, n: int) -> np.ndarray:
    out = np.empty((len(streams), n, 4), dtype=np.uint64)
    for r, st in enumerate(streams):
        data = cand[r].tobytes()
        while True:
            got = uniform_from_bytes(data, n)
            if got is not None:
                out[r] = got
                break
            data += st.read(32 * n)     # the same extension at every holder of the stream
    return out


def random_field(n: int) -> np.ndarray:
    """n uniform field elements from the OS randomness (through a fresh AES key)."""
    import secrets
    return prg_field(secrets.token_bytes(16), 0, n)


# conversions ------------------------------------------------------------------
def limbs_to_int(v: np.ndarray) -> int:
    return int.from_bytes(np.ascontiguousarray(v, dtype=np.uint64).tobytes(), "little")


def to_mpz(v: np.ndarray) -> list[mpz]:
    """(n, 4) limbs -> list of mpz."""
    b = np.ascontiguousarray(v, dtype=np.uint64).tobytes()
    return [mpz(int.from_bytes(b[i:i + 32], "little")) for i in range(0, len(b), 32)]


def from_ints(xs: Sequence[int]) -> np.ndarray:
    """List of integers in [0, q) -> (n, 4) limbs."""
    b = b"".join(int(x).to_bytes(32, "little") for x in xs)
    return np.frombuffer(b, dtype=np.uint64).reshape(len(xs), 4).copy()


def to_bytes(v: np.ndarray) -> bytes:
    return np.ascontiguousarray(v, dtype=np.uint64).tobytes()


def from_bytes(data: bytes, shape: tuple) -> Optional[np.ndarray]:
    """Parse little-endian 32-byte elements into limbs of the given leading shape; None if
    the length is wrong or a value is not below q (the caller raises the abort)."""
    count = int(np.prod(shape))
    if len(data) != 32 * count:
        return None
    v = np.frombuffer(data, dtype=np.uint64).reshape(count, 4)
    if (v[:, 3] > _Q64[3]).any() or not _below_q_or_top_ok(v):
        return None
    return v.reshape(*shape, 4)


def _below_q_or_top_ok(v: np.ndarray) -> bool:
    tie = np.flatnonzero(v[:, 3] == _Q64[3])
    return all(limbs_to_int(v[i]) < Q for i in tie)


def bits_of(v: np.ndarray) -> np.ndarray:
    """(n, 4) limbs -> (K_BITS, n) uint8 bit matrix, row h holding bit h of every element."""
    b = np.unpackbits(np.ascontiguousarray(v, dtype=np.uint64).view(np.uint8).reshape(len(v), 32),
                      axis=1, bitorder="little")
    return np.ascontiguousarray(b[:, :K_BITS].T)


# modular corrections ------------------------------------------------------------
def _carry(v: np.ndarray) -> None:
    """Normalise 8 lazy 32-bit limbs (limb-major int64, shape (8, M)) in place; the top limb keeps the sign."""
    for j in range(7):
        c = v[j] >> 32
        v[j] &= _M32
        v[j + 1] += c


_Q1_TOP = Q >> 224
_Q2_TOP = (2 * Q) >> 224


def sub_add_mod(t0: np.ndarray, t1: np.ndarray, x: np.ndarray, chunk: int = 1 << 14) -> np.ndarray:
    """(t0 − t1 + x) mod q for t0, t1 of shape (R, n, 4) and x of shape (n, 4), all reduced.

    On lazy 32-bit limbs: v = t0 − t1 + x + q lies in (0, 3q); how many q to subtract is read
    off the unnormalised top limb (the lower limbs can move it by −1..2, so values within 2 of
    a threshold, probability ~2^-29, are decided exactly); one carry pass then normalises."""
    R, n = t0.shape[:2]
    a = t0.view(np.uint32).reshape(R, n, 8)
    b = t1.view(np.uint32).reshape(R, n, 8)
    y = x.view(np.uint32).reshape(n, 8).T.astype(np.int64) + _Q32[:, None]   # (8, n)
    out = np.empty((R, n, 8), dtype=np.uint32)
    step = max(1, chunk // n)
    buf = np.empty((8, step, n), dtype=np.int64)
    for s in range(0, R, step):
        e = min(R, s + step)
        v = buf[:, :e - s]
        np.copyto(v, a[s:e].transpose(2, 0, 1))
        v -= b[s:e].transpose(2, 0, 1)
        v += y[:, None, :]
        flat = v.reshape(8, -1)
        top = flat[7]
        k = (top >= _Q1_TOP + 2).astype(np.int64)
        k += top >= _Q2_TOP + 2
        unsure = np.flatnonzero(((top >= _Q1_TOP - 2) & (top <= _Q1_TOP + 1)) |
                                ((top >= _Q2_TOP - 2) & (top <= _Q2_TOP + 1)))
        for i in unsure:
            k[i] = sum(int(flat[j, i]) << (32 * j) for j in range(8)) // Q
        flat -= np.multiply.outer(_Q32, k)
        _carry(flat)
        out[s:e] = v.transpose(1, 2, 0)
    return out.view(np.uint64).reshape(R, n, 4)


# weighted sums -------------------------------------------------------------------
BLOCK = 16   # rows per block: the 2^i weights of one block differ only in the low 4 bits


class WeightedSum:
    """Accumulates Σ_i 2^i·v_i mod q column by column, fed in blocks of up to 16 rows that
    start at a multiple of 16, so callers can stream rows through the cache. Inside a block
    the weights 2^(i mod 16) are applied by one einsum on 16-bit limbs; the block's offset
    2^(16c) is a shift by c limbs. Limb sums stay below 2^42, far from overflow."""

    def __init__(self, n: int):
        self.n = n
        self.acc = np.zeros((n, 34), dtype=np.uint64)

    def add(self, first_row: int, rows: np.ndarray, mask: Optional[np.ndarray] = None) -> None:
        """rows (r, n, 4) are rows first_row .. first_row + r − 1, weighted by mask (0/1) if given."""
        r = rows.shape[0]
        c = first_row // BLOCK
        w = _W16[:r] if mask is None else _W16[:r] * np.asarray(mask, dtype=np.uint64)
        u16 = rows.view(np.uint16).reshape(r, self.n, 16)
        self.acc[:, c:c + 16] += np.einsum("snj,s->nj", u16, w)

    def result(self, negate: bool = False) -> list[mpz]:
        acc = self.acc
        for p in range(33):
            acc[:, p + 1] += acc[:, p] >> np.uint64(16)
            acc[:, p] &= np.uint64(0xFFFF)
        b = acc.astype(np.uint16).tobytes()
        w = 68
        q = BN254_ORDER
        if negate:
            return [(-mpz(int.from_bytes(b[i:i + w], "little"))) % q for i in range(0, len(b), w)]
        return [mpz(int.from_bytes(b[i:i + w], "little")) % q for i in range(0, len(b), w)]


def weighted_sum(rows: np.ndarray, extra: Optional[np.ndarray] = None,
                 extra_mask: Optional[np.ndarray] = None, negate: bool = False) -> list[mpz]:
    """Σ_i 2^i·(rows_i + mask_i·extra_i) mod q for each column; rows and extra have shape
    (R, n, 4) with R ≤ 256, mask is a 0/1 vector of length R. Returns n mpz (negated if asked)."""
    R, n = rows.shape[:2]
    ws = WeightedSum(n)
    for h in range(0, R, BLOCK):
        ws.add(h, rows[h:h + BLOCK])
        if extra is not None:
            ws.add(h, extra[h:h + BLOCK], extra_mask[h:h + BLOCK])
    return ws.result(negate)
