"""Shared fixtures for the zkp tests: every available real backend (toy groups are built per test)."""

import pytest

from zkp.groups import available_backends, get_group

#: secp256k1:coincurve, bn254:py-ecc, and bn254:fastecdsa when fastecdsa is installed.
REAL_GROUPS = available_backends()


@pytest.fixture(params=REAL_GROUPS, scope="module")
def group(request):
    return get_group(request.param)


@pytest.fixture(scope="module")
def secp():
    return get_group("secp256k1")


@pytest.fixture(scope="module")
def bn254():
    return get_group("bn254")


@pytest.fixture(scope="module")
def bn254_fast():
    pytest.importorskip("fastecdsa")
    return get_group("bn254", "fastecdsa")
