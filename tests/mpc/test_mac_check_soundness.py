"""The MAC check's random coefficients: a cheater who shifts two opened shares by +δ and −δ
keeps the plain sum of the opened values, so only random coefficients catch it.

The fault tests in test_faults.py tamper with a single value, which any nonzero
coefficients catch; these tests fail if the coefficients are all equal (e.g. all 1), if
the coefficients do not cover every opened value, or if the check drops the values
opened before the last one.
"""
import pytest

from mpc.errors import MacCheckFailure
from mpc.field import PrimeField
from mpc.local import run_parties
from mpc.session import Session

F = PrimeField()
CHEATER = 1


class CancellingCheater(Session):
    """Adds +delta to its share of one opened value and −delta to another, once.

    The sum of all opened values stays the same, so a check whose coefficients are all
    equal passes while every party opens two wrong values."""

    def __init__(self, *args, pair=(0, 1), delta=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.pair, self.delta, self.done = pair, delta, False

    def _open_shares(self, values):
        if self.done or len(values) <= max(self.pair):
            return values
        self.done = True
        values = list(values)
        i, j = self.pair
        values[i] = (values[i] + self.delta) % self.field.q
        values[j] = (values[j] - self.delta) % self.field.q
        return values


def factory(open_mode="auto", **cheat):
    def make(pid, transport, prep):
        if pid == CHEATER:
            return CancellingCheater(transport, prep, F, open_mode=open_mode, **cheat)
        return Session(transport, prep, F, open_mode=open_mode)
    return make


async def output_pair(s):
    x = await s.input(0, [10, 20] if s.pid == 0 else None, 2)
    return await s.output(x)


@pytest.mark.parametrize("m,mode", [(2, "all"), (3, "all"), (5, "king")])
def test_shifts_that_cancel_in_the_sum_are_caught(m, mode):
    res = run_parties(m, output_pair, field=F, open_mode=mode, session_factory=factory(mode), timeout=5)
    for pid, r in enumerate(res):
        if pid != CHEATER:
            assert isinstance(r, MacCheckFailure), (pid, r)
            assert "2 values checked" in str(r)


def test_without_the_shift_the_same_program_outputs_the_inputs():
    # the cheater class with delta 0 is honest: the test above fails only because of the shift
    res = run_parties(3, output_pair, field=F, session_factory=factory(delta=0), timeout=5)
    assert res == [[10, 20]] * 3


async def open_then_output(s):
    """Two openings before one check: the shift in the first opening must still be caught."""
    x = await s.input(0, [1, 2, 3] if s.pid == 0 else None, 3)
    await s.open(x)
    return await s.output(x[0:1] * 5)


def test_shift_in_an_earlier_opening_is_caught_at_the_next_output():
    res = run_parties(3, open_then_output, field=F, session_factory=factory(pair=(1, 2), delta=7), timeout=5)
    for pid, r in enumerate(res):
        if pid != CHEATER:
            assert isinstance(r, MacCheckFailure), (pid, r)
            assert "4 values checked" in str(r)

