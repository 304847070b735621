"""Online phase with all parties in one process: inputs, linear algebra, Beaver products,
outputs, private outputs and the preprocessing material, over random inputs and party counts."""
import random

from hypothesis import given, settings, strategies as st

from mpc.field import PrimeField
from mpc.local import run_parties

F = PrimeField()
BOUND = 1 << 62
ints = st.integers(min_value=-BOUND, max_value=BOUND)


def ok(results):
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results


def vectors(m, n, seed):
    rng = random.Random(seed)
    return [[rng.randint(-BOUND, BOUND) for _ in range(n)] for _ in range(m)]


@settings(max_examples=12, deadline=None)
@given(m=st.integers(2, 5), n=st.integers(1, 6), seed=st.integers(0, 2**32), c=ints, d=ints,
       mode=st.sampled_from(["all", "king"]))
def test_linearity_and_product(m, n, seed, c, d, mode):
    xs = vectors(m, n, seed)

    async def prog(s):
        v = await s.input_many({s.pid: xs[s.pid]}, {i: n for i in range(m)})
        lin = v[0] * c + v[m - 1] - v[1] + d          # local only
        prod = await s.mul(v[0], v[1])
        ip = await s.inner_product(v[0], v[m - 1])
        return (await s.output_signed(lin), await s.output_signed(prod), await s.output_signed(ip))

    res = ok(run_parties(m, prog, field=F, open_mode=mode))
    want_lin = [F.signed((a * c + z - b + d) % F.q) for a, b, z in zip(xs[0], xs[1], xs[m - 1])]
    want_prod = [F.signed((a * b) % F.q) for a, b in zip(xs[0], xs[1])]
    want_ip = [F.signed(sum(a * z for a, z in zip(xs[0], xs[m - 1])) % F.q)]
    for r in res:
        assert r == (want_lin, want_prod, want_ip)


@settings(max_examples=8, deadline=None)
@given(m=st.integers(2, 4), seed=st.integers(0, 2**32))
def test_private_output_reaches_only_its_owner(m, seed):
    xs = vectors(m, 3, seed)

    async def prog(s):
        v = await s.input_many({s.pid: xs[s.pid]}, {i: 3 for i in range(m)})
        total = v[0]
        for i in range(1, m):
            total = total + v[i]
        return await s.output_to(m - 1, total)

    res = ok(run_parties(m, prog, field=F))
    want = [F.element(sum(col)) for col in zip(*xs)]
    assert res[m - 1] == want
    assert all(r is None for r in res[:m - 1])


def test_triples_masks_and_bits_are_correct_and_authenticated():
    async def prog(s):
        a, b, c = await s.prep.triples(20)
        bits = await s.prep.random_bits(30)
        bounded = await s.prep.random_bounded(30, 10)
        r, clear = await s.prep.input_masks(1, 5)
        opened = [await s.output(v) for v in (a, b, c, bits, bounded, r)]
        return opened, clear

    res = ok(run_parties(4, prog, field=F))
    (a, b, c, bits, bounded, r), clear1 = res[1]
    assert all(res[i][0] == res[1][0] for i in range(4))
    assert c == [(x * y) % F.q for x, y in zip(a, b)]
    assert set(bits) <= {0, 1} and 0 < sum(bits) < 30
    assert all(0 <= v < 1024 for v in bounded)
    assert r == clear1 and res[0][1] is None


def test_counters_count_rounds_messages_and_bytes():
    async def prog(s):
        x = await s.input(0, [1, 2, 3] if s.pid == 0 else None, 3)
        before = s.stats.snapshot()
        await s.open(x)
        after = s.stats.snapshot()
        return before, after

    res = ok(run_parties(3, prog, field=F, open_mode="all"))
    for before, after in res:
        assert after["rounds"] - before["rounds"] == 1
        assert after["messages"] - before["messages"] == 2            # one to each peer
        assert after["bytes"] - before["bytes"] == 2 * (3 * 32 + 12)  # 3 elements + framing
