"""Shared fixtures for the zkp tests: the real groups and a tiny toy group."""

import random

import pytest

from zkp.groups import ToySchnorrGroup, get_group

REAL_GROUPS = ["secp256k1", "bn254"]


@pytest.fixture(params=REAL_GROUPS, scope="module")
def group(request):
    return get_group(request.param)


@pytest.fixture(scope="module")
def secp():
    return get_group("secp256k1")


@pytest.fixture(scope="module")
def bn254():
    return get_group("bn254")


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
