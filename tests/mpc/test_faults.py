"""Every check the online phase makes, broken on purpose: the party that deviates is
party 1, and every honest party must abort naming the check that caught it. Each test
fails if its check is removed (the session would then finish and return values)."""
import asyncio

import pytest

from mpc import comparison as C
from mpc.errors import (BroadcastInconsistency, CommitmentMismatch, MacCheckFailure,
                        MalformedMessage, MPCAbort, PeerDisconnected, PeerTimeout)
from mpc.testing import CheatingSession, cheating_factory
from mpc.field import PrimeField
from mpc.local import run_parties
from mpc.session import Session, commit_bytes
from mpc.transport import InMemoryNetwork

F = PrimeField()


async def workload(s):
    n = 4
    xs = await s.input_many({s.pid: [s.pid + j for j in range(n)]}, {i: n for i in range(s.m)})
    prod = await s.mul(xs[0], xs[1])
    lt = await C.less_than(s, xs[0], xs[s.m - 1], 16)
    return await s.output(prod + lt)


def honest_results(results, cheater=1):
    return [r for pid, r in enumerate(results) if pid != cheater]


EXPECTED = {
    "value": MacCheckFailure,
    "mac": CommitmentMismatch,
    "triple": MacCheckFailure,
    "equivocate": BroadcastInconsistency,
    "input": MalformedMessage,
}


@pytest.mark.parametrize("mode", ["all", "king"])
@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_every_honest_party_aborts_naming_the_check(kind, mode):
    m = 3 if mode == "all" else 5
    res = run_parties(m, workload, field=F, open_mode=mode,
                      session_factory=cheating_factory(kind, 1, F, open_mode=mode), timeout=2)
    for r in honest_results(res):
        assert isinstance(r, EXPECTED[kind]), (kind, r)
        assert EXPECTED[kind].check in str(r)


def test_without_cheating_the_same_workload_succeeds():
    res = run_parties(3, workload, field=F)
    assert all(not isinstance(r, BaseException) for r in res)
    assert res[0] == res[1] == res[2]


def test_silent_party_makes_everyone_else_time_out():
    res = run_parties(3, workload, field=F, session_factory=cheating_factory("silent", 1, F), timeout=1.0)
    for r in honest_results(res):
        assert isinstance(r, PeerTimeout), r
        assert "within 1 s" in str(r)


def test_departed_party_is_reported_as_disconnected():
    net = InMemoryNetwork(3)

    async def prog(s):
        x = await s.input(0, [1] if s.pid == 0 else None, 1)
        if s.pid == 2:
            net.dead.add(2)
            raise asyncio.CancelledError
        return await s.output(x * 2)

    res = run_parties(3, prog, field=F, network=net, timeout=2.0)
    assert isinstance(res[0], (PeerDisconnected, PeerTimeout))
    assert isinstance(res[1], (PeerDisconnected, PeerTimeout))


class SeedEquivocator(Session):
    """Reveals a coin-toss seed other than the one it committed to."""

    async def broadcast_bytes(self, payload, size):
        if size == 64 and not getattr(self, "_done", False):
            self._done = True
            payload = bytes([payload[0] ^ 1]) + payload[1:]
        return await super().broadcast_bytes(payload, size)


def test_coin_toss_commitment_is_checked():
    def factory(pid, t, prep):
        cls = SeedEquivocator if pid == 1 else Session
        return cls(t, prep, F)

    async def tossing(s):
        await s.coin_toss()
        return await workload(s)

    res = run_parties(3, tossing, field=F, session_factory=factory, timeout=5)
    for r in honest_results(res):
        assert isinstance(r, CommitmentMismatch) and "coin-toss seed" in str(r)


def test_no_output_after_an_abort():
    async def prog(s):
        x = await s.input(0, [7] if s.pid == 0 else None, 1)
        try:
            await s.output(x)
        except MPCAbort:
            pass
        return await s.output(x)  # must refuse, not return 7

    res = run_parties(3, prog, field=F, session_factory=cheating_factory("value", 1, F), timeout=5)
    for r in honest_results(res):
        assert isinstance(r, MacCheckFailure) and "already aborted" in str(r)


def test_commitment_binds_payload_and_nonce():
    assert commit_bytes(b"a", b"n" * 32) != commit_bytes(b"b", b"n" * 32)
    assert commit_bytes(b"a", b"n" * 32) != commit_bytes(b"a", b"m" * 32)


def test_unknown_cheat_is_refused():
    with pytest.raises(ValueError, match="unknown cheat"):
        CheatingSession(None, None, F, kind="nonsense")
