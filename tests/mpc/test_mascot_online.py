"""The online phase on MASCOT material: a representative subset of test_online and
test_comparison with backend="mascot" (cheap sizes), and one session of real processes."""
import json
import random
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mpc import blinded, comparison as C
from mpc.field import PrimeField
from mpc.local import run_parties
from mpc.session import Session
from tests.conftest import REPO, free_base_port

F = PrimeField()
BOUND = 1 << 62


pytestmark = pytest.mark.usefixtures("small_mascot_batches")


def ok(results):
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results


def run(m, prog, security=40):
    factory = lambda pid, t, prep: Session(t, prep, F, security=security)  # noqa: E731
    return ok(run_parties(m, prog, field=F, backend="mascot", timeout=120, session_factory=factory))


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(m=st.integers(2, 3), n=st.integers(1, 4), seed=st.integers(0, 2**32),
       c=st.integers(-BOUND, BOUND), d=st.integers(-BOUND, BOUND))
def test_linearity_and_product(m, n, seed, c, d):
    rng = random.Random(seed)
    xs = [[rng.randint(-BOUND, BOUND) for _ in range(n)] for _ in range(m)]

    async def prog(s):
        v = await s.input_many({s.pid: xs[s.pid]}, {i: n for i in range(m)})
        lin = v[0] * c + v[m - 1] - v[1] + d
        prod = await s.mul(v[0], v[1])
        ip = await s.inner_product(v[0], v[m - 1])
        return (await s.output_signed(lin), await s.output_signed(prod), await s.output_signed(ip))

    res = run(m, prog)
    want = ([F.signed((a * c + z - b + d) % F.q) for a, b, z in zip(xs[0], xs[1], xs[m - 1])],
            [F.signed((a * b) % F.q) for a, b in zip(xs[0], xs[1])],
            [F.signed(sum(a * z for a, z in zip(xs[0], xs[m - 1])) % F.q)])
    assert all(r == want for r in res)


def test_private_output_reaches_only_its_owner():
    xs = [[3, -4, 5], [10, 20, 30], [-1, -2, -3]]

    async def prog(s):
        v = await s.input_many({s.pid: xs[s.pid]}, {i: 3 for i in range(3)})
        return await s.output_to(2, v[0] + v[1] + v[2])

    res = run(3, prog)
    assert res[2] == [F.element(sum(col)) for col in zip(*xs)]
    assert res[0] is None and res[1] is None


def test_material_opens_correctly_through_the_session_mac_check():
    async def prog(s):
        a, b, c = await s.prep.triples(10)
        bits = await s.prep.random_bits(20)
        bounded = await s.prep.random_bounded(10, 10)
        r, clear = await s.prep.input_masks(1, 4)
        opened = [await s.output(v) for v in (a, b, c, bits, bounded, r)]
        return opened, clear, s.checks_passed

    res = run(4, prog)
    (a, b, c, bits, bounded, r), clear1, checks = res[1]
    assert all(res[i][0] == res[1][0] for i in range(4))
    assert c == [(x * y) % F.q for x, y in zip(a, b)]
    assert set(bits) <= {0, 1} and all(0 <= v < 1024 for v in bounded)
    assert r == [int(v) for v in clear1] and checks >= 6


def test_comparisons_equality_and_selection():
    k = 8
    xs, ys = [0, 5, -1, -128, 127], [0, 6, 0, 127, -128]

    async def prog(s):
        v = await s.input_many({0: xs if s.pid == 0 else None, 1: ys if s.pid == 1 else None},
                               {0: len(xs), 1: len(ys)})
        x, y = v[0], v[1]
        lt = await C.less_than(s, x, y, k)
        eq = await C.equal(s, x, y, k)
        mn = await C.select(s, lt, x, y)          # the minimum, as comparison.minimum builds it
        return [await s.output_signed(t) for t in (lt, eq, mn)]

    lt, eq, mn = run(3, prog, security=16)[0]   # κ = 16: fewer bits per mask, same protocol
    assert lt == [int(a < b) for a, b in zip(xs, ys)]
    assert eq == [int(a == b) for a, b in zip(xs, ys)]
    assert mn == [min(a, b) for a, b in zip(xs, ys)]


def test_truncation_and_blinded_comparison():
    xs, ys = [-9, -8, -1, 0, 7, 100], [1, -8, 3, 0, -7, 99]

    async def prog(s):
        v = await s.input_many({0: xs if s.pid == 0 else None, 1: ys if s.pid == 1 else None},
                               {0: len(xs), 1: len(ys)})
        t = await C.trunc(s, v[0], 8, 2)
        lt = await blinded.blinded_less_than(s, v[0], v[1], 8)
        return await s.output_signed(t), lt

    t, lt = run(2, prog, security=16)[0]
    assert t == [a >> 2 for a in xs]
    assert lt == [int(a < b) for a, b in zip(xs, ys)]


@pytest.mark.slow
def test_three_processes_with_mascot_preprocessing(tmp_path):
    base = free_base_port(3)
    procs = [subprocess.Popen([sys.executable, "-m", "mpc.demo", "-M3", "-I", str(i), "-B", str(base),
                               "--preprocessing", "mascot", "--length", "3", "--bits", "16",
                               "--timeout", "120", "--json", str(tmp_path / "p.json")],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(3)]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        assert "matches plain computation: True" in err
        assert "MASCOT" in err and json.loads(out)["ok"] is True
    reports = [json.loads((tmp_path / (f"p.party{i}.json" if i else "p.json")).read_text()) for i in range(3)]
    assert reports[0]["minimum"] == reports[1]["minimum"] == reports[2]["minimum"]
    assert all(r["trust_model"].startswith("MASCOT") for r in reports)
    assert all(r["traffic"]["by_phase"]["preprocessing"]["bytes"] > 100_000 for r in reports)
    assert all(r["traffic"]["offline_seconds"] > 0 for r in reports)
