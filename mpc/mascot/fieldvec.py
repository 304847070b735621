"""Vectors of GF(q) elements as numpy limb arrays, for the bulk arithmetic of COPE and Gilboa.

An element is stored as four little-endian 64-bit limbs (shape (..., 4), dtype uint64),
always reduced into [0, q). The OT-based protocols touch ~2,000 such values per triple and
pair of parties: AES keystreams (here) supply the candidates for uniform sampling by
rejection, and the compiled kernels of `kernels` consume them in one pass each (selection,
corrections, Horner sums). This module keeps the streams, conversions and parsing.
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
_Q64 = np.array([(Q >> (64 * j)) & (2**64 - 1) for j in range(4)], dtype=np.uint64)
_TOP_MASK = np.uint64((1 << (K_BITS - 192)) - 1)  # keeps bits 192..253 of the top limb
_ACCEPT = Q / 2**K_BITS  # fraction of 254-bit strings below q (~0.757)
BLOCK = 4    # rows per block of COPE and Gilboa: a block's candidates (~0.8 MB) stay in L2 while used


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


def candidates(streams: Sequence[Stream], n: int, scratch: Optional["Scratch"] = None,
               name: str = "cand") -> np.ndarray:
    """The next keystream piece of each stream as 32-byte candidates, shape (R, W, 4): enough
    for n values below q per row with 8 standard deviations of margin. Each stream is
    consumed by a length that depends only on n, so every holder of a stream reads the
    same candidates (and the kernels select the same values). The buffer comes from
    `scratch` under `name` if given (valid until that name is asked for again)."""
    R = len(streams)
    want = int(n / _ACCEPT + 8 * math.sqrt(n) + 16)
    L = 32 * want
    raw = scratch.get(name, (R * L + 16,), np.uint8) if scratch else np.empty(R * L + 16, dtype=np.uint8)
    for i, st in enumerate(streams):   # in order: each row's 16 spare bytes are the next row's start
        st.read_into(raw[i * L:(i + 1) * L + 16], L)
    return raw[:R * L].view(np.uint64).reshape(R, want, 4)


def rows_slow(streams: Sequence[Stream], cand: np.ndarray, n: int) -> np.ndarray:
    """Exactly n values per row when `candidates` fell short (probability ~2^-60): the
    same candidates, extended by further keystream, identically at every holder."""
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


def as_message(v: np.ndarray) -> memoryview:
    """A contiguous work array as an outgoing payload without copying it (the transport
    copies each part as it is sent); valid until the array is reused."""
    return memoryview(np.ascontiguousarray(v)).cast("B")


def from_bytes(data: bytes, shape: tuple) -> Optional[np.ndarray]:
    """Parse little-endian 32-byte elements into limbs of the given leading shape; None if
    the length is wrong or a value is not below q (the caller raises the abort)."""
    count = int(np.prod(shape))
    if len(data) != 32 * count:
        return None
    v = np.frombuffer(data, dtype=np.uint64).reshape(count, 4)
    if not kernels().all_below_q(v):
        return None
    return v.reshape(*shape, 4)


def bits_of(v: np.ndarray) -> np.ndarray:
    """(n, 4) limbs -> (K_BITS, n) uint8 bit matrix, row h holding bit h of every element."""
    b = np.unpackbits(np.ascontiguousarray(v, dtype=np.uint64).view(np.uint8).reshape(len(v), 32),
                      axis=1, bitorder="little")
    return np.ascontiguousarray(b[:, :K_BITS].T)


class Scratch:
    """Work arrays of one protocol instance, reused from batch to batch and block to block.
    A fresh array above malloc's mmap threshold (0.1–30 MB here) costs a page fault per
    4 KB on first touch (and glibc returns it to the system when it is freed), which was a
    third of the CPU time on a loaded machine; a reused one costs none. An array handed
    out under a name is valid until the same name is asked for again."""

    def __init__(self):
        self._bufs: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple, dtype=np.uint64) -> np.ndarray:
        n = int(np.prod(shape))
        buf = self._bufs.get(name)
        if buf is None or buf.size < n or buf.dtype != dtype:
            buf = self._bufs[name] = np.empty(n, dtype=dtype)
        return buf[:n].reshape(shape)


def zeros(n: int) -> np.ndarray:
    return np.zeros((n, 4), dtype=np.uint64)


def add_into(acc: np.ndarray, v: np.ndarray, negate: bool = False) -> None:
    """acc ← acc ± v (mod q), in place, on (n, 4) reduced limbs."""
    kernels().add_into(acc, v, negate)


def kernels():
    """The compiled kernels, imported on first use: importing numba costs ~0.4 s of CPU,
    which only a process that runs MASCOT should pay (mpc.preprocessing imports this
    package to register the backend)."""
    from . import kernels as K
    return K
