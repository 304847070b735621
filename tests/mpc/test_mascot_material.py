"""MASCOT preprocessing material, all parties in one process: triples multiply, masks open to
the owner's value, bits are bits, bounded values stay in range, and every MAC verifies
(Σ_i m_i = α·Σ_i x_i, checked on all parties' shares at once)."""
import secrets

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mpc.field import PrimeField
from mpc.local import run_parties
from mpc.mascot import baseot, fieldvec as fv, otext
from mpc.mascot.sqrt import sqrt_mod

F = PrimeField()
Q = int(F.q)


def ok(results):
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results


def opened(parts):
    """Values and MACs of one AuthVector, summed over the parties' shares."""
    vals = [sum(int(v.values[i]) for v in parts) % Q for i in range(len(parts[0]))]
    macs = [sum(int(v.macs[i]) for v in parts) % Q for i in range(len(parts[0]))]
    return vals, macs


def check_material(m, n, owner, k):
    owner %= m

    async def prog(s):
        trip = await s.prep.triples(n)
        r, clear = await s.prep.input_masks(owner, n)
        bits = await s.prep.random_bits(n)
        bounded = await s.prep.random_bounded(n, k)
        return s.prep.alpha, list(trip), r, clear, bits, bounded

    res = ok(run_parties(m, prog, field=F, backend="mascot", timeout=120))
    alpha = sum(int(r[0]) for r in res) % Q
    vecs = {}
    for name, idx in (("a", (1, 0)), ("b", (1, 1)), ("c", (1, 2)), ("r", (2,)), ("bits", (4,)), ("bounded", (5,))):
        parts = [r[idx[0]] if len(idx) == 1 else r[idx[0]][idx[1]] for r in res]
        vals, macs = opened(parts)
        assert macs == [alpha * v % Q for v in vals], f"MACs of {name} do not verify"
        vecs[name] = vals
    assert vecs["c"] == [a * b % Q for a, b in zip(vecs["a"], vecs["b"])]
    assert vecs["r"] == [int(x) for x in res[owner][3]]
    assert all(res[p][3] is None for p in range(m) if p != owner)
    assert all(res[p][2].values == [0] * n for p in range(m) if p != owner)   # only the owner holds r
    assert set(vecs["bits"]) <= {0, 1}
    assert all(0 <= v < (1 << k) for v in vecs["bounded"])


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(m=st.integers(2, 5), n=st.integers(1, 4), owner=st.integers(0, 4), k=st.integers(1, 12))
def test_material_is_correct_and_authenticated(small_mascot_batches, m, n, owner, k):
    check_material(m, n, owner, k)


@pytest.mark.slow
@settings(max_examples=20, deadline=None)
@given(m=st.integers(2, 5), n=st.integers(1, 40), owner=st.integers(0, 4), k=st.integers(1, 120))
def test_material_is_correct_and_authenticated_more_cases(m, n, owner, k):
    check_material(m, n, owner, k)


def test_bits_and_bounded_are_not_constant_and_masks_are_fresh(small_mascot_batches):
    async def prog(s):
        bits = await s.prep.random_bits(100)
        bounded = await s.prep.random_bounded(20, 12)
        r1, c1 = await s.prep.input_masks(0, 3)
        r2, c2 = await s.prep.input_masks(0, 3)
        return bits, bounded, c1, c2

    res = ok(run_parties(2, prog, field=F, backend="mascot", timeout=120))
    bits, _ = opened([r[0] for r in res])
    bounded, _ = opened([r[1] for r in res])
    assert 25 < sum(bits) < 75
    assert len(set(bounded)) > 15 and max(bounded) >= 1 << 10
    assert res[0][2] != res[0][3]


# building blocks -------------------------------------------------------------------
def test_field_kernels_match_python_integers():
    edge = [0, 1, 2, Q - 1, Q - 2, Q // 2, (1 << 224) - 1, 1 << 224, (1 << 253) + 5]
    t0 = fv.from_ints(edge + [int(v) for v in fv.to_mpz(fv.random_field(40))])
    t1 = fv.from_ints(list(reversed(edge)) + [int(v) for v in fv.to_mpz(fv.random_field(40))])
    x = fv.from_ints([Q - 1] * len(edge) + [int(v) for v in fv.to_mpz(fv.random_field(40))])
    n = len(t0)
    rows0 = np.stack([np.roll(t0, i, axis=0) for i in range(254)])
    rows1 = np.stack([np.roll(t1, 3 * i, axis=0) for i in range(254)])
    u = fv.sub_add_mod(rows0, rows1, x)
    X = [int(v) for v in fv.to_mpz(x)]
    R0 = [[int(v) for v in fv.to_mpz(r)] for r in rows0]
    R1 = [[int(v) for v in fv.to_mpz(r)] for r in rows1]
    U = [[int(v) for v in fv.to_mpz(r)] for r in u]
    assert all(U[i][j] == (R0[i][j] - R1[i][j] + X[j]) % Q for i in range(254) for j in range(n))
    mask = np.array([secrets.randbelow(2) for _ in range(254)], dtype=np.uint64)
    got = fv.weighted_sum(rows0, u, mask)
    assert got == [sum((R0[i][j] + int(mask[i]) * U[i][j]) << i for i in range(254)) % Q for j in range(n)]
    assert fv.weighted_sum(rows1, negate=True) == [(-sum(R1[i][j] << i for i in range(254))) % Q for j in range(n)]
    bits = fv.bits_of(x)
    assert [sum(int(bits[h, j]) << h for h in range(254)) for j in range(n)] == X
    assert fv.from_bytes(Q.to_bytes(32, "little"), (1,)) is None           # not reduced
    assert fv.from_bytes(bytes(31), (1,)) is None                           # wrong length


def test_prg_field_is_uniform_below_q_and_deterministic():
    a, b = fv.prg_field(b"k" * 16, 7, 3000), fv.prg_field(b"k" * 16, 7, 3000)
    assert np.array_equal(a, b) and not np.array_equal(a, fv.prg_field(b"k" * 16, 8, 3000))
    vals = [int(v) for v in fv.to_mpz(a)]
    assert max(vals) < Q and max(vals) > Q * 0.99 and min(vals) < Q * 0.01


def test_base_ot_keys_and_proof():
    sid = b"test"
    a, msg = baseot.sender_first(sid)
    choices = [secrets.randbelow(2) for _ in range(16)]
    reply, keys = baseot.receiver_choose(sid, msg, choices)
    pairs = baseot.sender_keys(sid, a, msg, reply, 16)
    assert [p[c] for p, c in zip(pairs, choices)] == keys
    assert all(p[0] != p[1] for p in pairs)
    _, other = baseot.sender_first(sid)
    try:   # a valid A with someone else's proof
        baseot.receiver_choose(sid, other[:33] + msg[33:], choices)
        raise AssertionError("proof of a different key accepted")
    except baseot.BaseOTError:
        pass


def test_kos_extension_and_check():
    delta = [secrets.randbelow(2) for _ in range(128)]
    seeds = [(secrets.token_bytes(16), secrets.token_bytes(16)) for _ in range(128)]
    rec = otext.KOSReceiver(seeds)
    snd = otext.KOSSender(delta, [s[d] for s, d in zip(seeds, delta)])
    x = np.frombuffer(secrets.token_bytes(1000), dtype=np.uint8) & 1
    u, rb = rec.extend(x)
    sb = snd.extend(len(x), u)
    key = secrets.token_bytes(16)
    assert sb.check(key, rb.check_values(key))
    q0, q1 = sb.outputs()
    t = rb.outputs()
    assert all(np.array_equal(t[j], (q1 if x[j] else q0)[j]) for j in range(len(x)))
    f0, f1, ft = (otext.hash_to_field(r, rb.first, 2) for r in (q0, q1, t))
    assert np.array_equal(np.where(x[:, None] == 1, f1, f0), ft)
    assert max(int(v) for v in fv.to_mpz(f0)) < Q
    # GHASH-based check agrees with the field multiplication
    h = otext.ghash_sum(key, bytes(range(16)))
    H = otext.ghash_sum(key, otext._GCM_ONE)          # = H^2 for one block... of ONE
    assert otext.gf128_mul(bytes(range(16)), H) == h


def test_square_roots():
    for a in [1, 2, Q - 1, 12345] + [secrets.randbelow(Q) for _ in range(20)]:
        r = sqrt_mod(a * a % Q, Q)
        assert r * r % Q == a * a % Q and r <= Q // 2
    assert sqrt_mod(5, Q) is None or sqrt_mod(5, Q) ** 2 % Q == 5
