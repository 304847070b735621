"""Builders of true statements with witnesses, one per Σ-protocol, and scripted randomness (shared by the zkp tests)."""

import random

from zkp.groups import ToySchnorrGroup

from zkp.pedersen import commit
from zkp.sigma import (MEMBERSHIP, OPENING, RANGE, SUM, MembershipStatement, OpeningStatement,
                       RangeStatement, SumStatement, SumWitness)

KINDS = ["opening", "membership", "range", "sum"]


def range_bits(group):
    return 64 if group.name == "secp256k1" else (8 if group.name == "bn254" else group.order.bit_length() - 2)


def make_case(kind, group, value=12345, extra=(3, 99)):
    """(protocol, statement, witness) for a true statement built around ``value``."""
    if kind == "opening":
        c, o = commit(group, value)
        return OPENING, OpeningStatement(c), o
    if kind == "membership":
        values = sorted({value % group.order, *(e % group.order for e in extra)})
        c, o = commit(group, value)
        return MEMBERSHIP, MembershipStatement(c, tuple(values)), o
    if kind == "range":
        bits = range_bits(group)
        c, o = commit(group, value % (1 << bits))
        return RANGE, RangeStatement(c, bits), o
    if kind == "sum":
        xs = [value, *extra]
        pairs = [commit(group, x) for x in xs]
        stmt = SumStatement(tuple(c for c, _ in pairs), sum(xs))
        return SUM, stmt, SumWitness.from_openings(group, [o for _, o in pairs])
    raise ValueError(kind)


class ScriptedRandomness:
    """Replaces a group's random_scalar with values from a list (to enumerate prover coins)."""

    def __init__(self, group, values):
        self.values = list(values)
        self.group = group

    def __enter__(self):
        it = iter(self.values)
        self.group.random_scalar = lambda: next(it)
        return self

    def __exit__(self, *exc):
        del self.group.random_scalar


def seeded_toy(q=11, seed=1):
    """A fresh toy group whose random_scalar is a seeded generator (reproducible statistics)."""
    g = ToySchnorrGroup(q)
    rng = random.Random(seed)
    g.random_scalar = lambda: rng.randrange(q)
    return g
