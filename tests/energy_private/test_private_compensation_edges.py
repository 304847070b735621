"""Stage 3 on shares against the reference, by hand: both schemes give the reference's φ
exactly, the sums are revealed as (ΣC(g), ΣC(E\\g)), each user learns only its own φ, a
deficit outside [0, |X|) aborts, and `divide_public_fits` agrees with what divide_public
accepts, at its boundary."""
from __future__ import annotations

import pytest

from mpc import comparison
from mpc.errors import InputOutOfRange
from mpc.field import PrimeField
from mpc.local import run_parties
from mpc.session import Session
from protocols.energy.reference.compensation import CompensationRefused, compute_compensation
from mpc.comparison import divide_fits as divide_public_fits, floor_mul_div
from protocols.energy.private.compensation import compensate, open_to_owners, reveal_sums
from protocols.energy.private.two_state import RuleState, SlotOutcome

OPT_G, OUTSIDE, V, C_G = [10, 20, 30], [30, 40, 50], [0, 1, 2], 1   # switch-in c(g) + v = (1, 2, 3)


def _outcome(s):
    async def share():
        o = await s.input(0, OUTSIDE if s.pid == 0 else None, 3)
        g = await s.input(0, OPT_G if s.pid == 0 else None, 3)
        v = await s.input(0, V if s.pid == 0 else None, 3)
        return SlotOutcome(RuleState(1, o, g), v, True)
    return share()


def _run(body, m=3):
    res = run_parties(m, body)
    for r in res:
        if isinstance(r, BaseException):
            raise r
    return res


@pytest.mark.parametrize("scheme", ["egalitarian", "proportional"])
def test_private_compensation_equals_the_reference_by_hand(scheme):
    ref = compute_compensation(scheme, OPT_G, OUTSIDE, [C_G + v for v in V])

    async def prog(s):
        outcome = await _outcome(s)
        sums = await reveal_sums(s, outcome, C_G)
        comp = await compensate(s, outcome, C_G, scheme, sums)
        return sums, comp.deficit, comp.scheme, await s.output_signed(comp.phi), await open_to_owners(s, comp.phi)

    res = _run(prog)
    for pid, (sums, deficit, name, phi, mine) in enumerate(res):
        assert sums == (66, 120) and name == scheme
        assert deficit == ref.deficit and tuple(phi) == ref.phi
        assert mine == ref.phi[pid]
    assert ref.phi == ((1, 0, -1) if scheme == "egalitarian" else (6, 0, -6))


def test_open_to_owners_gives_nothing_to_parties_without_a_value():
    async def prog(s):
        x = await s.input(0, [-7, 9] if s.pid == 0 else None, 2)
        return await open_to_owners(s, x)

    assert _run(prog, m=3) == [-7, 9, None]


def test_unknown_scheme_refusal_and_out_of_range_deficit():
    """An unknown scheme and proportional sharing with ΣC(E\\g) = 0 are refused publicly,
    before any message, and the session goes on; a deficit outside [0, |X|) aborts it
    (latched: close() raises the abort again)."""
    seen = {}

    async def prog(s):
        outcome = await _outcome(s)
        out = seen.setdefault(s.pid, [])
        rounds = s.stats.rounds
        try:
            await compensate(s, outcome, C_G, "fair", (66, 120))
        except ValueError as exc:
            out.append(str(exc))
        try:
            await compensate(s, outcome, C_G, "proportional", (66, 0))
        except CompensationRefused as exc:
            out.append(str(exc))
        out.append((s.stats.rounds - rounds, s.aborted))
        try:   # sums that do not belong to these shares: shares 33 + 44 + 55 = 132 > 66, D = -66
            await compensate(s, outcome, C_G, "proportional", (66, 60))
        except InputOutOfRange as exc:
            out.append(str(exc))
        return out

    res = run_parties(3, prog, timeout=5)
    for pid in range(3):
        assert seen[pid] == ["unknown scheme 'fair'",
                             "proportional sharing needs sum of C_i(E\\g) > 0, got 0 n$ (net-exporting households)",
                             (0, None),
                             "input range failed: rounding deficit -66 outside [0, 3)"]
        assert isinstance(res[pid], InputOutOfRange), res[pid]
        assert str(res[pid]) == ("input range failed: session already aborted "
                                 "(input range failed: rounding deficit -66 outside [0, 3))")


class _S:
    security = 40

    class field:
        bits = 254


@pytest.mark.parametrize("d", [2, 3, 8, 1000, 2**64 - 59])
def test_divide_public_fits_is_exactly_what_divide_public_accepts(d):
    """At the largest k that fits the answer is yes and divide_public runs; at k + 1 both say no."""
    k = max(k for k in range(2, 240) if divide_public_fits(_S, k, d))
    assert not divide_public_fits(_S, k + 1, d)
    f = PrimeField()

    async def prog(s):
        x = await s.input(0, [-(1 << (k - 1)), (1 << (k - 1)) - 1] if s.pid == 0 else None, 2)
        q = await s.output_signed(await comparison.divide_public(s, x, d, k))
        try:
            await comparison.divide_public(s, x, d, k + 1)
            refused = False
        except ValueError:
            refused = True
        return q, refused

    res = run_parties(2, prog, field=f, session_factory=lambda pid, t, p: Session(t, p, f))
    assert res[0] == ([(-(1 << (k - 1))) // d, ((1 << (k - 1)) - 1) // d], True)


def test_floor_mul_div_checks_its_divisor_and_skips_work_for_whole_quotients():
    async def prog(s):
        online = lambda: s.stats.by_phase["online"]["rounds"]  # noqa: E731 — the dealer's rounds differ per party
        x = await s.input(0, [7, -7] if s.pid == 0 else None, 2)
        before = online()
        plain = await s.output_signed(x * 3)
        output_rounds = online() - before
        before, used = online(), dict(s.consumed)
        whole = await s.output_signed(await floor_mul_div(s, x, 12, 4, 8))   # 12 / 4 = 3 exactly
        rounds, extra = online() - before, {k: v - used.get(k, 0) for k, v in s.consumed.items()}
        before = online()
        try:
            await floor_mul_div(s, x, 1, 0, 8)
            msg = None
        except ValueError as exc:
            msg = str(exc)
        return plain, output_rounds, whole, rounds, extra, msg, online() - before, s.aborted

    plain, output_rounds, whole, rounds, extra, msg, refused_rounds, aborted = _run(prog, m=2)[0]
    assert plain == whole == [21, -21]
    # only the output's own rounds (opening + MAC check) and no preprocessing: no division was run
    assert output_rounds == 3 and rounds == output_rounds
    assert not any(extra.values()), extra
    # the divisor is refused before any message, and the session is not aborted by it
    assert msg == "floor_mul_div: the divisor must be a positive integer"
    assert refused_rounds == 0 and aborted is None
