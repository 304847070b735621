"""Clients whose inputs must equal committed values: honest clients pass, any deviation
(another value, another blinding, a proof for another input) is caught for that client
alone, and the check is what catches it."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from mpc.field import PrimeField
from mpc.local import run_parties
from zkp.committed_client_input import ClientClaim, OpeningProof, check_openings, client_blinding, prove
from zkp.groups import get_group

GROUP = get_group("bn254", "fastecdsa")
FIELD = PrimeField(GROUP.order)
CONTEXT = b"test-epoch"


def _client(values, tamper=None, ident="h0"):
    """A client's committed values, its proof, and what it shares (x_1..x_k, x')."""
    g = GROUP
    rs = [g.random_scalar() for _ in values]
    cms = [g.commit_point(x, r).to_bytes() for x, r in zip(values, rs)]
    xp, rp = client_blinding(g)
    shared = list(values) + [xp]
    if tamper == "value":
        shared[0] += 1
    d = b"".join(int(v % g.order).to_bytes(32, "big") for v in shared)   # stands in for the masked input
    proof = prove(g, CONTEXT, ident, rs, cms, xp, rp, d)
    if tamper == "response":
        proof = OpeningProof(proof.a_point, (proof.response + 1) % g.order)
    if tamper == "other-input":   # a proof made for another masked input than the one agreed
        d = d[:-1] + bytes([d[-1] ^ 1])
    return cms, shared, proof, d


def _run(clients):
    """Three servers; server 0 plays the client-input step by sharing each client's values."""
    async def program(s):
        claims = []
        for i, (cms, shared, proof, d) in enumerate(clients):
            x = await s.input(0, shared if s.pid == 0 else None, len(shared))
            claims.append(ClientClaim(f"h{i}", x, cms, d, proof))
        return await check_openings(s, GROUP, claims, CONTEXT)
    out = run_parties(3, program, field=FIELD)
    for r in out:
        if isinstance(r, BaseException):
            raise r
    assert out[0] == out[1] == out[2]
    return out[0]


@settings(max_examples=5, deadline=None)
@given(st.lists(st.integers(-(2**64), 2**64), min_size=1, max_size=6))
def test_honest_clients_pass(values):
    assert _run([_client(values), _client(values[::-1], ident="h1")]) == {}


@pytest.mark.parametrize("tamper", ["value", "response", "other-input"])
def test_a_deviating_client_is_caught_alone(tamper):
    bad = _run([_client([5, -7, 10**12]), _client([1, 2, 3], tamper, "h1"), _client([4], ident="h2")])
    assert set(bad) == {"h1"} and "do not open" in bad["h1"]


def test_another_clients_proof_does_not_pass():
    """The challenge binds the client id: h0's honest proof presented by h1 fails."""
    clients = [_client([7, 8], ident="h0")] * 2
    assert set(_run(clients)) == {"h1"}


def test_the_opening_is_mac_checked():
    cms, shared, proof, d = _client([42, 43])
    async def program(s):
        x = await s.input(0, shared if s.pid == 0 else None, len(shared))
        claim = ClientClaim("h0", x, cms, d, proof)
        return await check_openings(s, GROUP, [claim], CONTEXT), s.checks_passed
    out = run_parties(2, program, field=FIELD)
    assert out[0][0] == {} and out[0][1] >= 1   # the opening went through a MAC check


def test_deviations_that_cancel_in_an_unweighted_sum_are_caught():
    """h0's response +1 and h1's −1: the plain sum of both equations still holds, so the batch
    check passes only if its weights are not all equal; both are named."""
    g = GROUP
    c0, c1 = _client([3, 4]), _client([5, 6], ident="h1")
    c0 = (*c0[:2], OpeningProof(c0[2].a_point, (c0[2].response + 1) % g.order), c0[3])
    c1 = (*c1[:2], OpeningProof(c1[2].a_point, (c1[2].response - 1) % g.order), c1[3])
    assert set(_run([c0, c1, _client([7], ident="h2")])) == {"h0", "h1"}


def test_honest_batch_is_accepted_by_the_batch_check_alone(monkeypatch):
    """Many honest clients: one weighted multi-scalar multiplication, no per-client fallback."""
    import zkp.committed_client_input as cci

    calls = []
    real = cci._equation
    monkeypatch.setattr(cci, "_equation", lambda group, weighted: calls.append(len(weighted)) or real(group, weighted))
    assert _run([_client([i, i + 1, i + 2], ident=f"h{i}") for i in range(4)]) == {}
    assert calls == [4, 4, 4]   # one batch of 4 claims per server
