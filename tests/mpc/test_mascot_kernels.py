"""Each compiled kernel of mpc.mascot.kernels against a plain Python-integer reference, on
random inputs (hypothesis) with the edge values of GF(q) mixed in; the COPE and Gilboa
wrappers against the definition of their outputs."""
import secrets

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings, strategies as st

from mpc.field import BN254_ORDER
from mpc.mascot import fieldvec as fv, kernels as K, otext
from mpc.mascot.cope import CopeReceiver, CopeSender

Q = int(BN254_ORDER)
TOP = (1 << 254) - 1
EDGE = [0, 1, 2, Q - 1, Q - 2, Q // 2, (1 << 192) - 1, 1 << 192, (1 << 253) + 5, Q - (1 << 64)]
# 256-bit candidates around q: the masked top limb equal to q's decides on the lower limbs
EDGE_CAND = [Q, Q + 1, Q - 1, TOP, (1 << 256) - 1, Q | (1 << 254), (Q - 1) | (3 << 254), 1 << 255]

settings.register_profile("kernels", max_examples=25, deadline=None)
settings.load_profile("kernels")


def limbs(xs, shape=None):
    a = np.array([[(x >> (64 * j)) & (2**64 - 1) for j in range(4)] for x in xs], dtype=np.uint64)
    return a.reshape(*(shape or (len(xs),)), 4)


def ints(v):
    v = np.asarray(v).reshape(-1, 4)
    return [sum(int(r[j]) << (64 * j) for j in range(4)) for r in v]


field = st.one_of(st.sampled_from(EDGE), st.integers(0, Q - 1))
cand = st.one_of(st.sampled_from(EDGE_CAND + EDGE), st.integers(0, (1 << 256) - 1))


def selected(row, n):
    """Reference rejection sampling: the first n candidates (masked to 254 bits) below q."""
    vals = [v & TOP for v in row]
    return [v for v in vals if v < Q][:n]


@st.composite
def row_blocks(draw):
    R, n = draw(st.integers(1, 5)), draw(st.integers(1, 6))
    W = draw(st.integers(n, 3 * n + 4))
    c0 = [[draw(cand) for _ in range(W)] for _ in range(R)]
    c1 = [[draw(cand) for _ in range(W)] for _ in range(R)]
    x = [draw(field) for _ in range(n)]
    acc = [draw(field) for _ in range(n)]
    return R, n, W, c0, c1, x, acc


@given(row_blocks())
def test_send_rows_matches_reference(block):
    R, n, W, c0, c1, x, acc0 = block
    out = np.zeros((R, n, 4), dtype=np.uint64)
    acc = limbs(acc0)
    ok = K.send_rows(limbs(sum(c0, []), (R, W)), limbs(sum(c1, []), (R, W)), limbs(x), out, acc)
    rows0, rows1 = [selected(r, n) for r in c0], [selected(r, n) for r in c1]
    if any(len(r) < n for r in rows0 + rows1):
        assert not ok
        return
    assert ok
    ref = list(acc0)
    for r in range(R - 1, -1, -1):          # highest row first (Horner)
        assert ints(out[r]) == [(a - b + y) % Q for a, b, y in zip(rows0[r], rows1[r], x)]
        ref = [(2 * s + v) % Q for s, v in zip(ref, rows0[r])]
    assert ints(acc) == ref


@given(row_blocks(), st.booleans(), st.data())
def test_recv_rows_matches_reference(block, per_column, data):
    R, n, W, c, _, _, acc0 = block
    u = [[data.draw(field) for _ in range(n)] for _ in range(R)]
    bits = np.array([[data.draw(st.integers(0, 1)) for _ in range(n if per_column else 1)] for _ in range(R)],
                    dtype=np.uint8)
    acc = limbs(acc0)
    ok = K.recv_rows(limbs(sum(c, []), (R, W)), limbs(sum(u, []), (R, n)), bits, acc)
    rows = [selected(r, n) for r in c]
    if any(len(r) < n for r in rows):
        assert not ok
        return
    assert ok
    ref = list(acc0)
    for r in range(R - 1, -1, -1):
        ref = [(2 * s + v + int(bits[r, j if per_column else 0]) * u[r][j]) % Q
               for j, (s, v) in enumerate(zip(ref, rows[r]))]
    assert ints(acc) == ref


@given(st.lists(st.tuples(field, field), min_size=1, max_size=12), st.booleans())
def test_add_into_and_all_below_q(pairs, negate):
    a, b = limbs([p[0] for p in pairs]), limbs([p[1] for p in pairs])
    K.add_into(a, b, negate)
    assert ints(a) == [((x - y) if negate else (x + y)) % Q for x, y in pairs]
    assert K.all_below_q(a)
    assert not K.all_below_q(limbs([p[0] for p in pairs] + [Q]))
    assert not K.all_below_q(limbs([Q + (1 << 70)]))


def aes(block: bytes) -> bytes:
    return Cipher(algorithms.AES(otext._FIXED_KEY), modes.ECB()).encryptor().update(block)


def hash_reference(row: bytes, index: int, domain: int) -> int:
    """TMMO: H = π(π(y) ⊕ tweak) ⊕ π(y) per block, two blocks per candidate, first below q."""
    p = int.from_bytes(aes(row), "little")
    c = 0
    while True:
        v = 0
        for b in (2 * c, 2 * c + 1):
            tweak = index | ((b | (domain << 32)) << 64)
            h = int.from_bytes(aes((p ^ tweak).to_bytes(16, "little")), "little") ^ p
            v |= h << (128 * (b - 2 * c))
        v &= TOP
        if v < Q:
            return v
        c += 1


@given(st.integers(1, 40), st.integers(1, 3), st.integers(0, 2**40), st.integers(0, 7))
def test_hash_to_field_matches_reference(m, nparts, first, domain):
    """Stacked parts share OT indices; rows need up to ~10 candidates across the passes."""
    parts = [np.frombuffer(secrets.token_bytes(16 * m), dtype=np.uint8).reshape(m, 16) for _ in range(nparts)]
    got = ints(otext.hash_to_field(parts, first, domain))
    assert got == [hash_reference(r[i].tobytes(), first + i, domain) for r in parts for i in range(m)]


@given(st.integers(1, 12), st.binary(min_size=16, max_size=16))
def test_transpose_matches_reference(nbytes, seed):
    cols = np.frombuffer(Cipher(algorithms.AES(seed), modes.CTR(bytes(16))).encryptor()
                         .update(bytes(128 * nbytes)), dtype=np.uint8).reshape(128, nbytes)
    bits = np.unpackbits(cols, axis=1, bitorder="little")               # (128, 8·nbytes)
    want = np.packbits(bits.T, axis=1, bitorder="little")               # (8·nbytes, 16)
    assert np.array_equal(otext.transpose(cols), want)


def test_cope_outputs_are_shares_of_delta_times_x():
    """q + t = Δ·x for every value (both wrappers, all 254 rows, with an edge value x)."""
    delta = secrets.randbelow(Q)
    dbits = [(delta >> i) & 1 for i in range(fv.K_BITS)]
    keys = [(secrets.token_bytes(16), secrets.token_bytes(16)) for _ in range(fv.K_BITS)]
    snd, rcv = CopeSender(keys), CopeReceiver(dbits, [k[b] for k, b in zip(keys, dbits)])
    for xs in ([Q - 1, 0, 1] + [secrets.randbelow(Q) for _ in range(20)], [5]):
        u, t = snd.extend(limbs(xs))
        qv = rcv.extend(len(xs), u)
        assert [(a + b) % Q for a, b in zip(ints(qv), ints(t))] == [delta * x % Q for x in xs]
    assert rcv.extend(2, u) is None                                     # wrong length


def test_rows_slow_extends_like_the_stream():
    """The fallback when a row lacks candidates gives the first n values below q of the
    (extended) keystream, and the kernel reports the shortage instead of reading past it."""
    key, n = secrets.token_bytes(16), 50
    a, b = fv.Stream(key), fv.Stream(key)
    full = fv.candidates([a], n)
    short = full[:, :n]                             # n candidates: ~24% are rejected
    out = fv.rows_slow([a], short, n)               # extends with what follows the piece read
    stream = b.read(full.nbytes)[:short.nbytes] + b.read(32 * n)
    assert ints(out[0]) == selected([int.from_bytes(stream[i:i + 32], "little")
                                     for i in range(0, len(stream), 32)], n)
    acc = fv.zeros(n)
    assert not K.recv_rows(short, np.zeros((1, n, 4), dtype=np.uint64), np.zeros((1, 1), dtype=np.uint8), acc)


def test_parsing_and_bits():
    x = limbs(EDGE)
    bits = fv.bits_of(x)
    assert [sum(int(bits[h, j]) << h for h in range(254)) for j in range(len(EDGE))] == EDGE
    assert np.array_equal(fv.from_bytes(fv.to_bytes(x), (len(EDGE),)), x)
    assert fv.from_bytes(Q.to_bytes(32, "little"), (1,)) is None           # not reduced
    assert fv.from_bytes(bytes(31), (1,)) is None                           # wrong length


@given(st.integers(1, 9), st.binary(min_size=16, max_size=16))
def test_ghash_sum_is_the_polynomial_evaluation(n, key):
    """Σ_j rows_j·H^(n+2−j) with H = AES_key(0), against GF(2^128) products in Python
    (the tag mask and length block are removed without a second GHASH pass)."""
    rows = secrets.token_bytes(16 * n)
    H = Cipher(algorithms.AES(key), modes.ECB()).encryptor().update(bytes(16))
    want, power = 0, H
    for j in range(n, 0, -1):                  # row j (1-based) gets H^(n+2−j)
        power = otext.gf128_mul(power, H)
        want ^= int.from_bytes(otext.gf128_mul(rows[16 * (j - 1):16 * j], power), "big")
    assert otext.ghash_sum(key, rows) == want.to_bytes(16, "big")
    assert otext.ghash_sum(key, np.frombuffer(rows, dtype=np.uint8).reshape(n, 16)) == want.to_bytes(16, "big")
