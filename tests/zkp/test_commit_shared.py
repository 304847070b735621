"""Public commitments to shared values (zkp.distributed.commit_shared): they open to the
shared values, and a party that publishes a wrong share of one is caught."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from mpc.errors import ProofFailure
from mpc.field import PrimeField
from mpc.local import run_parties
from mpc.testing import tampering_factory
from zkp.distributed import commit_shared
from zkp.groups import get_group

GROUP = get_group("bn254", "fastecdsa")
FIELD = PrimeField(GROUP.order)


def _program(xs, rs):
    async def program(s):
        x = await s.input(0, xs if s.pid == 0 else None, len(xs))
        r = await s.input(1, rs if s.pid == 1 else None, len(rs))
        return [c.to_bytes() for c in await commit_shared(s, GROUP, x, r, b"test")]
    return program


@settings(max_examples=5, deadline=None)
@given(st.lists(st.integers(-(2**70), 2**70), min_size=1, max_size=5), st.data())
def test_commitments_open_to_the_shared_values(xs, data):
    rs = [data.draw(st.integers(0, GROUP.order - 1)) for _ in xs]
    out = run_parties(3, _program(xs, rs), field=FIELD)
    expected = [GROUP.commit_point(x, r).to_bytes() for x, r in zip(xs, rs)]
    assert out == [expected] * 3


@pytest.mark.parametrize("which", [0, 2])   # a committed value's share, or the mask's
def test_a_wrong_published_share_is_caught(which):
    k = 2

    def tamper(session, payload):
        if len(payload) == (k + 1) * GROUP.point_size and not getattr(session, "_done", False):
            session._done = True
            at = which * GROUP.point_size
            p = GROUP.decode(payload[at:at + GROUP.point_size]) + GROUP.G
            return payload[:at] + p.to_bytes() + payload[at + GROUP.point_size:]
        return None

    out = run_parties(3, _program([5, 6], [7, 8]), field=FIELD, session_factory=tampering_factory(tamper, 1, FIELD))
    for pid in (0, 2):
        assert isinstance(out[pid], ProofFailure) and "wrong share" in str(out[pid]), out[pid]
