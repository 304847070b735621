"""Truncation and division checked exhaustively on small bit lengths, their argument checks,
and that power-of-two divisors take the cheaper truncation path.

Exhaustive inputs (every signed k-bit value) leave no room for a wrong offset, multiplier
or shift to hide behind lucky samples; the round counts tie divide_public(·, 2^j) to
trunc(·, j), which a mistaken power-of-two test would silently replace by the (correct but
costlier) multiply-and-truncate path.
"""
import pytest

from mpc import comparison as C
from mpc.field import PrimeField
from mpc.local import run_parties

F = PrimeField()


def run_all(k, body):
    xs = list(range(-(1 << (k - 1)), 1 << (k - 1)))

    async def prog(s):
        x = await s.input(0, xs if s.pid == 0 else None, len(xs))
        return await body(s, x)

    res = run_parties(2, prog, field=F)
    for r in res:
        if isinstance(r, BaseException):
            raise r
    assert res[0] == res[1]
    return xs, res[0]


def test_trunc_every_shift_every_value():
    k = 6

    async def body(s, x):
        return [await s.output_signed(await C.trunc(s, x, k, m)) for m in range(1, k)]

    xs, got = run_all(k, body)
    assert got == [[a >> m for a in xs] for m in range(1, k)]


@pytest.mark.parametrize("divisors", [(3, 5, 6, 7), (9, 17, 31, 33, 63)])
def test_divide_public_every_value(divisors):
    k = 6

    async def body(s, x):
        return [await s.output_signed(await C.divide_public(s, x, d, k)) for d in divisors]

    xs, got = run_all(k, body)
    assert got == [[a // d for a in xs] for d in divisors]


def _rounds(k, op):
    async def prog(s):
        x = await s.input(0, [5] if s.pid == 0 else None, 1)
        online = lambda: s.stats.by_phase["online"]["rounds"]  # noqa: E731 — the dealer's rounds differ per party
        before = online()
        await op(s, x)
        return online() - before

    res = run_parties(2, prog, field=F)
    assert res[0] == res[1]
    return res[0]


@pytest.mark.parametrize("j", [1, 3, 6])
def test_power_of_two_divisor_costs_exactly_a_truncation(j):
    k = 8
    by_trunc = _rounds(k, lambda s, x: C.trunc(s, x, k, j))
    assert _rounds(k, lambda s, x: C.divide_public(s, x, 1 << j, k)) == by_trunc
    # a divisor that is not a power of two takes the multiplier path, which costs more
    assert _rounds(k, lambda s, x: C.divide_public(s, x, (1 << j) + 1, k)) > by_trunc


def test_argument_checks():
    async def prog(s):
        x = await s.input(0, [5] if s.pid == 0 else None, 1)
        msgs = []
        for call in (lambda: C.trunc(s, x, 8, 0), lambda: C.trunc(s, x, 8, 8),
                     lambda: C.mod_pow2(s, x, 8, 0), lambda: C.mod_pow2(s, x, 8, 9),
                     lambda: C.divide_public(s, x, 0, 8), lambda: C.divide_public(s, x, -4, 8)):
            try:
                await call()
                msgs.append("accepted")
            except ValueError as exc:
                msgs.append(str(exc))
        return msgs

    res = run_parties(2, prog, field=F)
    assert res[0] == ["need 0 < m < k"] * 2 + ["need 0 < m <= k"] * 2 + ["divisor must be a positive integer"] * 2


def test_division_by_one_and_by_a_power_of_two_at_least_2_to_the_k():
    k = 6

    async def body(s, x):
        return [await s.output_signed(await C.divide_public(s, x, d, k)) for d in (1, 32, 64, 128)]

    xs, got = run_all(k, body)
    assert got == [[a // d for a in xs] for d in (1, 32, 64, 128)]


def _division_bits(k, d):
    """Bits of the multiply-and-truncate step for a k-bit dividend and divisor d, recomputed
    from the method's definition: shift by the smallest multiple of d >= 2^(k-1) to x < 2^K,
    multiply by M = ceil(2^(K+l)/d) with l = ceil(log2 d); the product has K + bits(M) bits."""
    half = 1 << (k - 1)
    offset = -(-half // d) * d
    big_k = (half + offset).bit_length()
    ell = (d - 1).bit_length()
    mult = -(-(1 << (big_k + ell)) // d)
    return big_k + mult.bit_length()


@pytest.mark.parametrize("d", [3, 5, 7, 9])
def test_division_uses_exactly_the_room_its_method_needs(d):
    """At the largest k whose product fits (bits + κ + 2 ≤ log2 q) the division is exact on the
    extremes; one more bit is refused.  A larger shift or multiplier than the method needs would
    refuse the largest k; a smaller one would accept k + 1."""
    from mpc.session import Session

    f, kappa = PrimeField((1 << 61) - 1), 8
    k = max(k for k in range(2, 40) if _division_bits(k, d) + kappa + 2 <= f.bits)
    xs = [-(1 << (k - 1)), -(1 << (k - 1)) + 1, -d, -1, 0, d - 1, (1 << (k - 1)) - 1]

    async def prog(s):
        x = await s.input(0, xs if s.pid == 0 else None, len(xs))
        q = await s.output_signed(await C.divide_public(s, x, d, k))
        try:
            await C.divide_public(s, x, d, k + 1)
            refused = None
        except ValueError as exc:
            refused = str(exc)
        return q, refused

    res = run_parties(2, prog, field=f, session_factory=lambda pid, t, p: Session(t, p, f, security=kappa))
    assert res[0] == res[1]
    q, refused = res[0]
    assert q == [a // d for a in xs]
    assert refused is not None and "do not fit a 61-bit field" in refused
