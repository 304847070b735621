"""The comparison protocols' two security parameters, tested where they bite.

1. Room: a k-bit comparison masks with r < 2^(k+κ) and opens c = x + r < 2^(k+κ+1), which
   must not wrap modulo q; hence k + κ + 2 ≤ log2(q).  The largest accepted k is exactly
   bits(q) − κ − 2 (checked on several fields), one more is refused, and comparisons at
   the largest k are exact on the extreme values.  Fails if the bound is weakened (k + κ).
2. Statistical mask: the opened value must carry about k + κ random bits (hiding x with
   distance ≤ 2^−κ).  Dropping the κ-bit high mask changes no result, only privacy, so the
   test looks at what is opened: its bit length, and that its high part varies.
"""
import pytest

from mpc import comparison as C
from mpc.field import BN254_ORDER, SECP256K1_ORDER, PrimeField
from mpc.local import run_parties
from mpc.session import Session

M61 = (1 << 61) - 1          # a Mersenne prime: bits(q) = 61, q just below 2^61
P60 = (1 << 60) + 33         # the smallest prime above 2^60: bits(q) = 61, q just above 2^60


class _Fake:
    """Just what _check_room reads from a session."""

    def __init__(self, field, security):
        self.field, self.security = field, security


@pytest.mark.parametrize("q", [BN254_ORDER, SECP256K1_ORDER, M61, P60])
@pytest.mark.parametrize("kappa", [8, 40])
def test_largest_accepted_bit_length_is_bits_minus_kappa_minus_two(q, kappa):
    f = PrimeField(q)
    s = _Fake(f, kappa)
    k_max = f.bits - kappa - 2
    C._check_room(s, k_max)  # accepted
    for k in (k_max + 1, k_max + 2):
        with pytest.raises(ValueError, match=f"{k}-bit values with κ={kappa} do not fit a {f.bits}-bit field"):
            C._check_room(s, k)


def test_every_comparison_entry_point_checks_the_room():
    f = PrimeField(M61)
    kappa = 16
    k_max = f.bits - kappa - 2   # 43

    def factory(pid, t, prep):
        return Session(t, prep, f, security=kappa)

    async def prog(s):
        a = await s.input(0, [1] if s.pid == 0 else None, 1)
        out = {}
        for name, call in [("less_than_zero", lambda k: C.less_than_zero(s, a, k)),
                           ("equal_zero", lambda k: C.equal_zero(s, a, k)),
                           ("mod_pow2", lambda k: C.mod_pow2(s, a, k, 3)),
                           ("less_than", lambda k: C.less_than(s, a, a, k - 1))]:
            try:
                await call(k_max + 1)
                out[name] = "accepted"
            except ValueError as exc:
                out[name] = str(exc)
        return out

    res = run_parties(2, prog, field=f, session_factory=factory)
    msg = f"{k_max + 1}-bit values with κ={kappa} do not fit a 61-bit field"
    assert res[0] == res[1] == {name: msg for name in ("less_than_zero", "equal_zero", "mod_pow2", "less_than")}


@pytest.mark.parametrize("q", [M61, P60])
def test_comparisons_at_the_largest_bit_length_are_exact(q):
    f = PrimeField(q)
    kappa = 16
    k = f.bits - kappa - 2
    lo, hi = -(1 << (k - 1)), (1 << (k - 1)) - 1
    xs = [lo, lo + 1, -1, 0, 1, hi - 1, hi]

    def factory(pid, t, prep):
        return Session(t, prep, f, security=kappa)

    async def prog(s):
        a = await s.input(0, xs if s.pid == 0 else None, len(xs))
        neg = await s.output(await C.less_than_zero(s, a, k))
        zero = await s.output(await C.equal_zero(s, a, k))
        half = await s.output_signed(await C.trunc(s, a, k, 1))
        return neg, zero, half

    res = run_parties(2, prog, field=f, session_factory=factory)
    assert res[0] == res[1]
    neg, zero, half = res[0]
    assert neg == [int(x < 0) for x in xs]
    assert zero == [int(x == 0) for x in xs]
    assert half == [x // 2 for x in xs]


class OpenRecorder(Session):
    """Records every vector this party opens."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.opened = []

    async def open(self, x):
        values = await super().open(x)
        self.opened.append([int(v) for v in values])
        return values


@pytest.mark.parametrize("k,kappa", [(16, 40), (24, 20)])
def test_opened_masked_value_has_about_k_plus_kappa_random_bits(k, kappa):
    f = PrimeField()
    n = 64
    xs = [(-1) ** j * j for j in range(n)]   # small values: their own bits are far below k
    sessions = {}

    def factory(pid, t, prep):
        sessions[pid] = OpenRecorder(t, prep, f, security=kappa)
        return sessions[pid]

    async def prog(s):
        a = await s.input(0, xs if s.pid == 0 else None, n)
        before = len(s.opened)
        bits = await s.output(await C.less_than_zero(s, a, k))
        return bits, s.opened[before]   # the first opening inside the comparison is c = x + r

    res = run_parties(3, prog, field=f, session_factory=factory)
    bits, c = res[0]
    assert bits == [int(x < 0) for x in xs]
    assert all(r[1] == c for r in res)
    width = k + kappa
    lengths = [v.bit_length() for v in c]
    assert max(lengths) <= width + 1           # x + r < 2^k + 2^(k+κ) (no wrap, nothing larger)
    assert sum(1 for n_bits in lengths if n_bits > width) <= 2   # a carry into bit k+κ is rare: r < 2^(k+κ)
    assert max(lengths) >= width - 2           # the κ extra bits are there: a k-bit mask would give ≈ k
    assert sum(1 for v in c if v >> (width - 1) & 1) in range(16, 49)   # top bit set about half the time
    assert len({v >> k for v in c}) >= n - 2   # the part above x's bits differs from value to value


def test_equality_opens_a_masked_value_of_k_plus_kappa_bits_too():
    f = PrimeField()
    k, kappa, n = 12, 40, 48
    sessions = {}

    def factory(pid, t, prep):
        sessions[pid] = OpenRecorder(t, prep, f, security=kappa)
        return sessions[pid]

    async def prog(s):
        a = await s.input(0, list(range(n)) if s.pid == 0 else None, n)
        before = len(s.opened)
        eq = await s.output(await C.equal_zero(s, a, k))
        return eq, s.opened[before]

    res = run_parties(2, prog, field=f, session_factory=factory)
    eq, c = res[0]
    assert eq == [1] + [0] * (n - 1)
    assert max(v.bit_length() for v in c) >= k + kappa - 2
    assert len({v >> k for v in c}) >= n - 2
