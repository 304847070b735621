"""Actively secure OT extension: KOS15 (Keller–Orsini–Scholl, CRYPTO 2015), κ = 128.

Roles per ordered pair: the extension *sender* holds Δ ∈ {0,1}^128 and, from 128 base OTs
in which it was the receiver with choice bits Δ, one seed k_i^{Δ_i} per column; the
extension *receiver* holds both seeds (k_i^0, k_i^1).

Extending m OTs with receiver choices x (padded with 128 + 64 random bits x'):
    receiver: t^i = G(k_i^0), u^i = t^i ⊕ G(k_i^1) ⊕ x'        (sends u, 128 columns)
    sender:   q^i = G(k_i^{Δ_i}) ⊕ Δ_i·u^i = t^i ⊕ Δ_i·x'
so that row j satisfies q_j = t_j ⊕ x_j·Δ. G is AES-128-CTR keyed by the seed; successive
extensions read successive pieces of the same stream. Bit matrices are transposed with 8×8 block bit
transposes on numpy uint64 words.

Correlation check (the KOS check): after the receiver's u are fixed, a coin toss gives a
key K; the receiver sends x̃ = Σ_j χ_j·x_j and t̃ = Σ_j χ_j·t_j, the sender checks
Σ_j χ_j·q_j = t̃ + x̃·Δ in GF(2^128). We take χ_j = H^(m'+2−j) for H = AES_K(0^128), i.e. the
sums are GHASH polynomial evaluations, computed by AES-GCM's GHASH in `cryptography`
(hardware carry-less multiplication) instead of independent χ_j: this is the universal-hash
form of the check; a non-zero error pattern survives it with probability ≤ (m'+1)/2^128
instead of 2^-128 (≤ 2^-100 for any batch we run). Why not numpy: with independent χ_j
every row needs a full 128×128 carry-less product (~16k bit operations, ~100× the rest of
the extension per OT in numpy), while GHASH runs at memory speed. `gf128_mul` (pure
Python, GCM bit order) is used once per check, for x̃·Δ. A receiver that used inconsistent choice
bits in some columns passes only by guessing the sender's Δ bits in those columns.
The padding rows hide x in x̃ and are discarded.

Outputs are hashed with a tweakable correlation-robust hash built from fixed-key AES,
H(j, y) = π(π(y) ⊕ j) ⊕ π(y) (the TMMO construction of Guo–Katz–Wang–Yu, S&P 2020), which
is what lets the sender's two outputs H(j, q_j), H(j, q_j ⊕ Δ) stay independent even
though q_j and q_j ⊕ Δ are correlated through Δ.
"""
from __future__ import annotations

import hashlib
import secrets
from typing import Optional

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import fieldvec as fv

KAPPA = 128
PAD = KAPPA + 64          # extra random OTs per extension (κ + statistical 64)
_FIXED_KEY = hashlib.sha256(b"mpc-markets mascot fixed-key AES (TMMO)").digest()[:16]
_ECB = Cipher(algorithms.AES(_FIXED_KEY), modes.ECB())
_GCM_ONE = b"\x80" + bytes(15)   # the multiplicative identity in GCM's bit order


# bit matrices ----------------------------------------------------------------------
def transpose(cols: np.ndarray) -> np.ndarray:
    """(128, M/8) uint8 (row i = column i of the OT matrix, bit j = OT j) -> (M, 16) uint8 rows."""
    nrow, nbytes = cols.shape
    blocks = np.ascontiguousarray(cols.reshape(nrow // 8, 8, nbytes).transpose(2, 0, 1))
    x = blocks.view(np.uint64).reshape(-1)
    t = np.empty_like(x)
    # transpose each 8x8 bit block in place: byte k = row k, bit j = column j
    for shift, mask in ((7, 0x00AA00AA00AA00AA), (14, 0x0000CCCC0000CCCC), (28, 0x00000000F0F0F0F0)):
        s, mk = np.uint64(shift), np.uint64(mask)
        np.right_shift(x, s, out=t)
        t ^= x
        t &= mk
        x ^= t
        t <<= s
        x ^= t
    out = x.view(np.uint8).reshape(nbytes, nrow // 8, 8).transpose(0, 2, 1)
    return np.ascontiguousarray(out).reshape(nbytes * 8, nrow // 8)


def prg_bits(stream: fv.Stream, nbytes: int) -> np.ndarray:
    return np.frombuffer(stream.read(nbytes), dtype=np.uint8)


def pack_bits(bits: np.ndarray) -> np.ndarray:
    return np.packbits(bits.astype(np.uint8), bitorder="little")


# GF(2^128) in GCM's representation ------------------------------------------------
def gf128_mul(a: bytes, b: bytes) -> bytes:
    """Product in GF(2^128) with GCM's bit order (NIST SP 800-38D, Algorithm 1)."""
    x, y = int.from_bytes(a, "big"), int.from_bytes(b, "big")
    z, v = 0, y
    R = 0xE1 << 120
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            z ^= v
        v = (v >> 1) ^ R if v & 1 else v >> 1
    return z.to_bytes(16, "big")


def ghash_sum(key: bytes, rows: bytes) -> bytes:
    """Σ_j rows_j·H^(n+2−j) for H = AES_key(0): GHASH of rows as associated data, with the
    length block and the tag mask cancelled by the same computation on zero rows."""
    g = AESGCM(key)
    nonce = bytes(12)
    t1 = g.encrypt(nonce, b"", rows)
    t0 = g.encrypt(nonce, b"", bytes(len(rows)))
    return bytes(a ^ b for a, b in zip(t1, t0))


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(16, "big")


# hashing OT outputs ------------------------------------------------------------------
_ENC = _ECB.encryptor()  # ECB is stateless: one context serves every call


def _pi(data: np.ndarray) -> np.ndarray:
    """The fixed-key permutation on a contiguous (..., 2) uint64 array of blocks."""
    data = np.ascontiguousarray(data)
    out = np.empty(data.nbytes + 16, dtype=np.uint8)
    _ENC.update_into(memoryview(data).cast("B"), out)
    return out[:data.nbytes].view(np.uint64).reshape(data.shape)


def _as_blocks(rows: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rows).view(np.uint64).reshape(len(rows), 2)


def _tweaked(p: np.ndarray, index: np.ndarray, blocks: range, domain: int) -> np.ndarray:
    """H(tweak, y) = π(π(y) ⊕ tweak) ⊕ π(y) for p = π(y) (M, 2); tweak = (index, block | domain)."""
    buf = np.empty((len(p), len(blocks), 2), dtype=np.uint64)
    for c, b in enumerate(blocks):
        np.bitwise_xor(p[:, 0], index, out=buf[:, c, 0])
        np.bitwise_xor(p[:, 1], np.uint64(b | (domain << 32)), out=buf[:, c, 1])
    h = _pi(buf)
    for c in range(len(blocks)):   # 1-D strided loops: numpy's broadcast over a length-2 axis is slow
        h[:, c, 0] ^= p[:, 0]
        h[:, c, 1] ^= p[:, 1]
    return h


def hash_to_field(rows: np.ndarray, first_index: int, domain: int) -> np.ndarray:
    """One uniform field element per OT output row: the first candidate (two TMMO blocks,
    masked to 254 bits) below q; deterministic, so both ends of an OT derive the same value."""
    M = len(rows)
    p = _pi(_as_blocks(rows))
    index = np.arange(first_index, first_index + M, dtype=np.uint64)
    out = _tweaked(p, index, range(2), domain).reshape(M, 4)
    out[:, 3] &= fv._TOP_MASK
    todo = fv.not_below_q(out)
    c = 1
    while len(todo):      # 24% of rows need a second candidate, 6% a third, ...
        v = _tweaked(np.take(p, todo, axis=0), np.take(index, todo), range(2 * c, 2 * c + 2),
                     domain).reshape(len(todo), 4)
        v[:, 3] &= fv._TOP_MASK
        bad = fv.not_below_q(v)
        keep = np.ones(len(todo), dtype=bool)
        keep[bad] = False
        # row assignment through 32-byte void items: one memcpy per row
        out.view("V32").reshape(-1)[todo[keep]] = v.view("V32").reshape(-1)[keep]
        todo = todo[bad]
        c += 1
    return out


def hash_to_key(rows: np.ndarray, first_index: int, domain: int) -> list[bytes]:
    """16-byte keys from OT output rows (for COPE's seeds)."""
    M = len(rows)
    h = _tweaked(_pi(_as_blocks(rows)), np.arange(first_index, first_index + M, dtype=np.uint64),
                 range(1), domain)
    return [h[i].tobytes() for i in range(M)]


# the two ends of one extension instance ----------------------------------------------
class KOSReceiver:
    """Extension receiver (holds both seeds of each base OT)."""

    def __init__(self, seeds: list[tuple[bytes, bytes]]):
        if len(seeds) != KAPPA:
            raise ValueError("KOS needs 128 base OTs")
        self.streams = [(fv.Stream(k0), fv.Stream(k1)) for k0, k1 in seeds]
        self.ot_index = 0      # running index of produced OTs (hash tweaks)

    def extend(self, choices: np.ndarray) -> tuple[bytes, "ReceiverBatch"]:
        """u for the choice bits (uint8 0/1 vector); keeps t for the check and the outputs."""
        m = len(choices)
        mp = -(-(m + PAD) // 128) * 128
        x = np.concatenate([choices.astype(np.uint8),
                            np.frombuffer(secrets.token_bytes(mp - m), dtype=np.uint8) & 1])
        xp = pack_bits(x)
        nb = mp // 8
        t = np.empty((KAPPA, nb), dtype=np.uint8)
        u = np.empty((KAPPA, nb), dtype=np.uint8)
        for i, (s0, s1) in enumerate(self.streams):
            t[i] = prg_bits(s0, nb)
            u[i] = t[i] ^ prg_bits(s1, nb) ^ xp
        first = self.ot_index
        self.ot_index += m
        return u.tobytes(), ReceiverBatch(m, x, transpose(t), first)


class ReceiverBatch:
    def __init__(self, m: int, x: np.ndarray, rows: np.ndarray, first: int):
        self.m, self.x, self.rows, self.first = m, x, rows, first

    def check_values(self, key: bytes) -> bytes:
        xblocks = np.zeros((len(self.x), 16), dtype=np.uint8)
        xblocks[:, 0] = self.x * 0x80
        return ghash_sum(key, xblocks.tobytes()) + ghash_sum(key, self.rows.tobytes())

    def outputs(self) -> np.ndarray:
        return self.rows[:self.m]


class KOSSender:
    """Extension sender (holds Δ and the seeds k_i^{Δ_i})."""

    def __init__(self, delta_bits: list[int], seeds: list[bytes]):
        if len(seeds) != KAPPA or len(delta_bits) != KAPPA:
            raise ValueError("KOS needs 128 base OTs")
        self.delta_bits = delta_bits
        self.delta = pack_bits(np.array(delta_bits, dtype=np.uint8)).tobytes()
        self.streams = [fv.Stream(k) for k in seeds]
        self.ot_index = 0

    def extend(self, m: int, u: bytes) -> Optional["SenderBatch"]:
        """The sender's rows q_j = t_j ⊕ x_j·Δ; None if u has the wrong size."""
        mp = -(-(m + PAD) // 128) * 128
        nb = mp // 8
        if len(u) != KAPPA * nb:
            return None
        uu = np.frombuffer(u, dtype=np.uint8).reshape(KAPPA, nb)
        q = np.empty((KAPPA, nb), dtype=np.uint8)
        for i, st in enumerate(self.streams):
            q[i] = prg_bits(st, nb)
            if self.delta_bits[i]:
                q[i] ^= uu[i]
        first = self.ot_index
        self.ot_index += m
        return SenderBatch(m, transpose(q), first, self.delta)


class SenderBatch:
    def __init__(self, m: int, rows: np.ndarray, first: int, delta: bytes):
        self.m, self.rows, self.first, self.delta = m, rows, first, delta

    def check(self, key: bytes, values: bytes) -> bool:
        if len(values) != 32:
            return False
        x_t, t_t = values[:16], values[16:]
        q_t = ghash_sum(key, self.rows.tobytes())
        return q_t == _xor(t_t, gf128_mul(x_t, self.delta))

    def outputs(self) -> tuple[np.ndarray, np.ndarray]:
        q = self.rows[:self.m]
        d = np.frombuffer(self.delta, dtype=np.uint8)
        return q, q ^ d
