"""Secure comparisons, equality, min, truncation and division agree with Python integers,
with the edges (equal, ±1, the bounds of the declared range, negative values) always included."""
import random

import pytest
from hypothesis import given, settings, strategies as st

from mpc import blinded, comparison as C
from mpc.field import PrimeField
from mpc.local import run_parties

F = PrimeField()


def edge_pairs(k, rng, extra):
    lo, hi = -(1 << (k - 1)), (1 << (k - 1)) - 1
    base = [(0, 0), (5, 5), (5, 6), (6, 5), (-1, 0), (0, -1), (lo, hi), (hi, lo), (lo, lo), (hi, hi),
            (lo, lo + 1), (hi - 1, hi), (-7, -8)]
    base = [(a, b) for a, b in base if lo <= a <= hi and lo <= b <= hi]
    base += [(rng.randint(lo, hi), rng.randint(lo, hi)) for _ in range(extra)]
    return [p[0] for p in base], [p[1] for p in base]


def run2(xs, ys, body, m=3):
    n = len(xs)

    async def prog(s):
        v = await s.input_many({0: xs if s.pid == 0 else None, 1: ys if s.pid == 1 else None},
                               {0: n, 1: n})
        return await body(s, v[0], v[1])

    res = run_parties(m, prog, field=F)
    for r in res:
        if isinstance(r, BaseException):
            raise r
    assert all(r == res[0] for r in res)
    return res[0]


@settings(max_examples=6, deadline=None)
@given(k=st.integers(2, 64), seed=st.integers(0, 2**32), m=st.integers(2, 4))
def test_less_than_equal_min(k, seed, m):
    xs, ys = edge_pairs(k, random.Random(seed), 6)

    async def body(s, x, y):
        lt = await C.less_than(s, x, y, k)
        gt = await C.greater_than(s, x, y, k)
        eq = await C.equal(s, x, y, k)
        mn = await C.minimum(s, x, y, k)
        mx = await C.maximum(s, x, y, k)
        ltz = await C.less_than_zero(s, x, k)
        return [await s.output_signed(v) for v in (lt, gt, eq, mn, mx, ltz)]

    lt, gt, eq, mn, mx, ltz = run2(xs, ys, body, m)
    assert lt == [int(a < b) for a, b in zip(xs, ys)]
    assert gt == [int(a > b) for a, b in zip(xs, ys)]
    assert eq == [int(a == b) for a, b in zip(xs, ys)]
    assert mn == [min(a, b) for a, b in zip(xs, ys)]
    assert mx == [max(a, b) for a, b in zip(xs, ys)]
    assert ltz == [int(a < 0) for a in xs]


@settings(max_examples=6, deadline=None)
@given(k=st.integers(3, 64), seed=st.integers(0, 2**32), data=st.data())
def test_truncation_and_division_round_toward_minus_infinity(k, seed, data):
    shift = data.draw(st.integers(1, k - 1))
    d = data.draw(st.integers(1, 10**6))
    xs, _ = edge_pairs(k, random.Random(seed), 6)

    async def body(s, x, y):
        t = await C.trunc(s, x, k, shift)
        q = await C.divide_public(s, x, d, k)
        return await s.output_signed(t), await s.output_signed(q)

    t, q = run2(xs, xs, body)
    assert t == [a >> shift for a in xs]
    assert q == [a // d for a in xs]


def test_division_by_powers_of_two_and_one():
    xs = [-9, -8, -1, 0, 1, 7, 8, 127, -128]

    async def body(s, x, y):
        return [await s.output_signed(await C.divide_public(s, x, d, 8)) for d in (1, 2, 8, 128, 256)]

    got = run2(xs, xs, body)
    assert got == [[a // d for a in xs] for d in (1, 2, 8, 128, 256)]


def test_select_and_mod_pow2():
    xs, ys = [3, 200, 0, 255], [9, 1, 1, 0]

    async def body(s, x, y):
        bit = await C.less_than(s, x, y, 10)
        sel = await C.select(s, bit, x, y)
        mod = await C.mod_pow2(s, x, 8, 4)
        return await s.output(sel), await s.output(mod)

    sel, mod = run2(xs, ys, body)
    assert sel == [3, 1, 0, 0]
    assert mod == [a % 16 for a in xs]


def test_too_many_bits_for_the_field_is_refused():
    async def body(s, x, y):
        return await C.less_than(s, x, y, 220)

    with pytest.raises(ValueError, match="do not fit"):
        run2([1], [2], body)


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32))
def test_seed_blinded_variant_agrees_but_reveals_the_blinded_difference(seed):
    k = 32
    xs, ys = edge_pairs(k, random.Random(seed), 4)

    async def body(s, x, y):
        lt = await blinded.blinded_less_than(s, x, y, k)
        eq = await blinded.blinded_equal(s, x, y, k)
        mn = await s.output_signed(await blinded.blinded_minimum(s, x, y, k))
        return lt, eq, mn

    lt, eq, mn = run2(xs, ys, body)
    assert lt == [int(a < b) for a, b in zip(xs, ys)]
    assert eq == [int(a == b) for a, b in zip(xs, ys)]
    assert mn == [min(a, b) for a, b in zip(xs, ys)]
