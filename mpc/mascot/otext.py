"""Actively secure OT extension: KOS15 (Keller–Orsini–Scholl, CRYPTO 2015), κ = 128.

Roles per ordered pair: the extension *sender* holds Δ ∈ {0,1}^128 and, from 128 base OTs
in which it was the receiver with choice bits Δ, one seed k_i^{Δ_i} per column; the
extension *receiver* holds both seeds (k_i^0, k_i^1).

Extending m OTs with receiver choices x (padded with 128 + 64 random bits x'):
    receiver: t^i = G(k_i^0), u^i = t^i ⊕ G(k_i^1) ⊕ x'        (sends u, 128 columns)
    sender:   q^i = G(k_i^{Δ_i}) ⊕ Δ_i·u^i = t^i ⊕ Δ_i·x'
so that row j satisfies q_j = t_j ⊕ x_j·Δ. G is AES-128-CTR keyed by the seed; successive
extensions read successive pieces of the same stream. Bit matrices are transposed with 64×64
block bit transposes in a compiled kernel.

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
from typing import Optional, Sequence

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
def transpose(cols: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
    """(128, M/8) uint8 (row i = column i of the OT matrix, bit j = OT j) -> (M, 16) uint8 rows
    (64×64 bit-block transposes in one compiled pass, `kernels.transpose`), into out if given."""
    nrow, nb = cols.shape
    pad = -nb % 8
    if pad:   # never in KOS (128-OT multiples); whole 64-bit words for the kernel
        cols = np.concatenate([cols, np.zeros((nrow, pad), dtype=np.uint8)], axis=1)
    words = np.ascontiguousarray(cols).view(np.uint64)
    if out is None or pad:
        out = np.empty((words.shape[1] * 64, nrow // 64), dtype=np.uint64)
    fv.kernels().transpose(words, out.view(np.uint64).reshape(words.shape[1] * 64, nrow // 64))
    return out.view(np.uint8).reshape(-1, nrow // 8)[:8 * nb]


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


def ghash_sum(key: bytes, rows) -> bytes:
    """Σ_j rows_j·H^(n+2−j) for H = AES_key(0) and n 16-byte rows: GHASH of rows as associated
    data. AES-GCM's tag is that sum ⊕ L·H ⊕ AES_key(J0) (L the length block, J0 = nonce ‖ 1),
    so both terms are removed by one block multiplication and one AES block."""
    nonce = bytes(12)
    tag = AESGCM(key).encrypt(nonce, b"", rows)
    ecb = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    H = ecb.update(bytes(16))
    mask = ecb.update(nonce + (1).to_bytes(4, "big"))
    length = (8 * memoryview(rows).nbytes).to_bytes(8, "big") + bytes(8)
    return _xor(_xor(tag, mask), gf128_mul(length, H))


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(16, "big")


# hashing OT outputs ------------------------------------------------------------------
_ENC = _ECB.encryptor()  # ECB is stateless: one context serves every call


def _pi(data: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
    """The fixed-key permutation on a contiguous (..., 2) uint64 array of blocks (into out,
    which then needs 16 spare bytes, if given)."""
    data = np.ascontiguousarray(data)
    if out is None:
        out = np.empty(data.nbytes + 16, dtype=np.uint8)
    _ENC.update_into(memoryview(data).cast("B"), out.view(np.uint8).reshape(-1))
    return out.view(np.uint8).reshape(-1)[:data.nbytes].view(np.uint64).reshape(data.shape)


def _as_blocks(rows: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rows).view(np.uint64).reshape(len(rows), 2)


def _tweak_pass(p: np.ndarray, idx: np.ndarray, first_index: int, period: int, c0: int, ncand: int,
                domain: int, scratch: Optional[fv.Scratch] = None) -> np.ndarray:
    """π(π(y) ⊕ tweak) for the rows idx and candidates c0 .. c0 + ncand − 1 (two blocks each)."""
    shape = (len(idx), 2 * ncand, 2)
    buf = scratch.get("tmmo-in", shape) if scratch else np.empty(shape, dtype=np.uint64)
    fv.kernels().tmmo_tweak(p, idx, first_index, period, c0, domain, buf)
    return _pi(buf, scratch.get("tmmo-out", (buf.size + 2,)) if scratch else None)


# candidates per pass: one for every row, then three for the 24% rejected (0.24³ of those
# fail again), then four: ~4.5 AES blocks per row in 3 passes instead of 3.6 in ~8 passes
_PASSES = (1, 3)
_LATER = 4


def hash_to_field(parts: Sequence[np.ndarray], first_index: int, domain: int,
                  scratch: Optional[fv.Scratch] = None) -> np.ndarray:
    """One uniform field element per OT output row: the first candidate (two TMMO blocks,
    masked to 254 bits) below q; deterministic, so both ends of an OT derive the same value.
    `parts` are equally long row arrays that share OT indices first_index, first_index + 1,
    ... (the sender's q_j and q_j ⊕ Δ); the results are stacked in that order. The XORs,
    masking and the comparison with q run in `kernels.tmmo_tweak`/`tmmo_finish`. With a
    `scratch`, every array (the result too) is a reused one, valid until the next call."""
    K = fv.kernels()
    M = len(parts[0])
    n = len(parts) * M

    def buffer(name, shape, dtype=np.uint64):
        return scratch.get(name, shape, dtype) if scratch else np.empty(shape, dtype=dtype)

    p = buffer("tmmo-p", (n + 1, 2))      # one spare block for AES
    for k, rows in enumerate(parts):
        _pi(_as_blocks(rows), p[k * M:(k + 1) * M + 1])
    p = p[:n]
    out = buffer("tmmo-field", (n, 4))
    idx = buffer("tmmo-idx", (n,), np.int64)
    idx[:] = np.arange(n)
    c0, npass = 0, 0
    while len(idx):
        k = _PASSES[npass] if npass < len(_PASSES) else _LATER
        idx = K.tmmo_finish(_tweak_pass(p, idx, first_index, M, c0, k, domain, scratch), p, idx, out)
        c0, npass = c0 + k, npass + 1
    return out


def hash_to_key(rows: np.ndarray, first_index: int, domain: int) -> list[bytes]:
    """16-byte keys from OT output rows (for COPE's seeds): the first TMMO block."""
    M = len(rows)
    p = _pi(_as_blocks(rows))
    h = _tweak_pass(p, np.arange(M, dtype=np.int64), first_index, M, 0, 1, domain)[:, 0] ^ p
    return [h[i].tobytes() for i in range(M)]


# the two ends of one extension instance ----------------------------------------------
class KOSReceiver:
    """Extension receiver (holds both seeds of each base OT)."""

    def __init__(self, seeds: list[tuple[bytes, bytes]]):
        if len(seeds) != KAPPA:
            raise ValueError("KOS needs 128 base OTs")
        self.streams = [(fv.Stream(k0), fv.Stream(k1)) for k0, k1 in seeds]
        self.ot_index = 0      # running index of produced OTs (hash tweaks)
        self.scratch = fv.Scratch()   # a batch's arrays live until the next extend()

    def extend(self, choices: np.ndarray) -> tuple[memoryview, "ReceiverBatch"]:
        """u for the choice bits (uint8 0/1 vector; a view of a work array, valid until the
        next extend); keeps t for the check and the outputs."""
        m = len(choices)
        mp = -(-(m + PAD) // 128) * 128
        x = np.concatenate([choices.astype(np.uint8),
                            np.frombuffer(secrets.token_bytes(mp - m), dtype=np.uint8) & 1])
        xp = pack_bits(x)
        nb = mp // 8
        t = self.scratch.get("t", (KAPPA, nb), np.uint8)
        u = self.scratch.get("u", (KAPPA, nb), np.uint8)
        g = self.scratch.get("g", (nb + 16,), np.uint8)
        for i, (s0, s1) in enumerate(self.streams):   # g: keystream with the 16 spare bytes AES-CTR wants
            s0.read_into(g, nb)
            t[i] = g[:nb]
            s1.read_into(g, nb)
            np.bitwise_xor(t[i], g[:nb], out=u[i])
            u[i] ^= xp
        first = self.ot_index
        self.ot_index += m
        rows = transpose(t, self.scratch.get("rows", (mp, 16), np.uint8))
        return fv.as_message(u), ReceiverBatch(m, x, rows, first, self.scratch)


class ReceiverBatch:
    def __init__(self, m: int, x: np.ndarray, rows: np.ndarray, first: int, scratch: fv.Scratch):
        self.m, self.x, self.rows, self.first, self.scratch = m, x, rows, first, scratch

    def check_values(self, key: bytes) -> bytes:
        xblocks = np.zeros((len(self.x), 16), dtype=np.uint8)
        xblocks[:, 0] = self.x * 0x80
        return ghash_sum(key, xblocks) + ghash_sum(key, self.rows)

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
        self.scratch = fv.Scratch()   # a batch's arrays live until the next extend()

    def extend(self, m: int, u: bytes) -> Optional["SenderBatch"]:
        """The sender's rows q_j = t_j ⊕ x_j·Δ; None if u has the wrong size."""
        mp = -(-(m + PAD) // 128) * 128
        nb = mp // 8
        if len(u) != KAPPA * nb:
            return None
        uu = np.frombuffer(u, dtype=np.uint8).reshape(KAPPA, nb)
        q = self.scratch.get("q", (KAPPA, nb), np.uint8)
        g = self.scratch.get("g", (nb + 16,), np.uint8)
        for i, st in enumerate(self.streams):
            st.read_into(g, nb)
            if self.delta_bits[i]:
                np.bitwise_xor(g[:nb], uu[i], out=q[i])
            else:
                q[i] = g[:nb]
        first = self.ot_index
        self.ot_index += m
        rows = transpose(q, self.scratch.get("rows", (mp, 16), np.uint8))
        return SenderBatch(m, rows, first, self.delta, self.scratch)


class SenderBatch:
    def __init__(self, m: int, rows: np.ndarray, first: int, delta: bytes, scratch: fv.Scratch):
        self.m, self.rows, self.first, self.delta, self.scratch = m, rows, first, delta, scratch

    def check(self, key: bytes, values: bytes) -> bool:
        if len(values) != 32:
            return False
        x_t, t_t = values[:16], values[16:]
        q_t = ghash_sum(key, self.rows)
        return q_t == _xor(t_t, gf128_mul(x_t, self.delta))

    def outputs(self) -> tuple[np.ndarray, np.ndarray]:
        q = self.rows[:self.m]
        q1 = self.scratch.get("q1", (self.m, 2))
        np.bitwise_xor(q.view(np.uint64), np.frombuffer(self.delta, dtype=np.uint64), out=q1)
        return q, q1.view(np.uint8)
