"""Special soundness (an extractor) and honest-verifier zero knowledge (a simulator).

The exact-distribution tests run in a toy group of order 11, where every prover coin can be
enumerated: for a fixed challenge, the multiset of real transcripts equals the multiset of
simulated ones.
"""

import itertools
from collections import Counter

import pytest

from zkp.groups import ToySchnorrGroup
from zkp.pedersen import commit
from zkp.sigma import (MEMBERSHIP, OPENING, RANGE, SUM, MembershipStatement, OpeningStatement, RangeStatement,
                       SumStatement, SumWitness)
from zkp_cases import KINDS, ScriptedRandomness, make_case, seeded_toy


def _witness_satisfies(kind, group, stmt, w):
    if kind == "sum":
        return stmt.difference() == group.commit_point(0, w.rho)
    opens = group.commit_point(w.x, w.r) == stmt.commitment.point
    if kind == "membership":
        return opens and w.x in stmt.values
    if kind == "range":
        return opens and 0 <= w.x < 2**stmt.bits
    return opens


@pytest.mark.parametrize("kind", KINDS)
def test_two_accepting_transcripts_yield_the_witness(group, kind):
    protocol, stmt, witness = make_case(kind, group, 4321, (5, 6))
    first, state = protocol.commit(stmt, witness)
    c1, c2 = group.random_scalar(), group.random_scalar()
    z1 = protocol.respond(stmt, witness, state, c1)
    z2 = protocol.respond(stmt, witness, state, c2)
    assert protocol.check(stmt, first, c1, z1) and protocol.check(stmt, first, c2, z2)
    extracted = protocol.extract(stmt, first, c1, z1, c2, z2)
    assert _witness_satisfies(kind, group, stmt, extracted)
    if kind != "sum":
        assert extracted.x == witness.x % group.order and extracted.r == witness.r
    else:
        assert extracted.rho == witness.rho


@pytest.mark.parametrize("kind", KINDS)
def test_simulated_transcripts_verify_and_have_the_real_shape(group, kind):
    protocol, stmt, witness = make_case(kind, group)
    c = group.random_scalar()
    first_s, z_s = protocol.simulate(stmt, c)
    assert protocol.check(stmt, first_s, c, z_s)
    first_r, state = protocol.commit(stmt, witness)
    z_r = protocol.respond(stmt, witness, state, c)
    assert len(protocol.encode(stmt, first_s, z_s)) == len(protocol.encode(stmt, first_r, z_r))


def _transcripts(group, nonce_count, fn):
    """Multiset of fn()'s outputs over every assignment of the prover's nonce_count coins."""
    out = Counter()
    for combo in itertools.product(range(group.order), repeat=nonce_count):
        with ScriptedRandomness(group, combo):
            out[fn()] += 1
    return out


@pytest.mark.parametrize("kind", ["opening", "sum", "membership"])
def test_real_and_simulated_transcript_distributions_are_identical(kind):
    g = ToySchnorrGroup(11)
    c = 7
    if kind == "opening":
        cm, o = commit(g, 3, 5)
        protocol, stmt, w, coins = OPENING, OpeningStatement(cm), o, 2
    elif kind == "sum":
        (c1, o1), (c2, o2) = commit(g, 3, 5), commit(g, 4, 9)
        protocol, stmt, w, coins = SUM, SumStatement((c1, c2), 7), SumWitness.from_openings(g, [o1, o2]), 1
    else:
        cm, o = commit(g, 2, 6)
        protocol, stmt, w, coins = MEMBERSHIP, MembershipStatement(cm, (2, 5)), o, 3

    def real():
        first, state = protocol.commit(stmt, w)
        return protocol.encode(stmt, first, protocol.respond(stmt, w, state, c))

    def simulated():
        return protocol.encode(stmt, *protocol.simulate(stmt, c))

    real_dist = _transcripts(g, coins, real)
    sim_dist = _transcripts(g, coins, simulated)
    assert real_dist == sim_dist
    assert len(real_dist) == g.order**coins  # uniform over all accepting transcripts for c


def test_range_transcripts_real_vs_simulated_marginals():
    """zkpNN has too many coins to enumerate; compare every response coordinate's histogram."""
    g = seeded_toy(11, seed=3)
    cm, o = commit(g, 2, 4)
    stmt = RangeStatement(cm, 2)
    c, n = 5, 3000
    real, sim = Counter(), Counter()
    for _ in range(n):
        first, st = RANGE.commit(stmt, o)
        z = RANGE.respond(stmt, o, st, c)
        for i, v in enumerate((*z.c0, *z.z0, *z.z1, z.z_link, *(p.raw for p in first.bit_commitments))):
            real[i, v] += 1
        f2, z2 = RANGE.simulate(stmt, c)
        assert RANGE.check(stmt, f2, c, z2)
        for i, v in enumerate((*z2.c0, *z2.z0, *z2.z1, z2.z_link, *(p.raw for p in f2.bit_commitments))):
            sim[i, v] += 1
    coords = {i for i, _ in real}
    support = {v for _, v in real} | {v for _, v in sim}
    for i in coords:
        total_variation = sum(abs(real[i, v] - sim[i, v]) for v in support) / 2 / n
        assert total_variation < 0.08, (i, total_variation)
