"""Shared fixtures for the zkp tests: the two real groups (toy groups are built per test)."""

import pytest

from zkp.groups import get_group

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
