"""Pedersen commitments: homomorphism, opening checks, and why log_G H must stay unknown."""

import pytest
from hypothesis import given, settings, strategies as st

from zkp.groups import ToySchnorrGroup
from zkp.pedersen import Commitment, commit, sum_commitments, verify_opening

scalars = st.integers(min_value=-(2**300), max_value=2**300)
S = settings(max_examples=10, deadline=None)


@S
@given(x1=scalars, r1=scalars, x2=scalars, r2=scalars, k=scalars)
def test_homomorphism(group, x1, r1, x2, r2, k):
    c1, _ = commit(group, x1, r1)
    c2, _ = commit(group, x2, r2)
    assert c1 + c2 == commit(group, x1 + x2, r1 + r2)[0]
    assert c1 - c2 == commit(group, x1 - x2, r1 - r2)[0]
    assert k * c1 == commit(group, k * x1, k * r1)[0] == c1 * k
    assert c1 + 5 == commit(group, x1 + 5, r1)[0]
    assert c1 - 5 == commit(group, x1 - 5, r1)[0]
    assert -c1 == commit(group, -x1, -r1)[0]
    assert sum_commitments([c1, c2, c1]) == c1 + c2 + c1


@S
@given(x=scalars)
def test_opening_verifies_and_wrong_openings_do_not(group, x):
    c, o = commit(group, x)
    assert o.x == x % group.order
    assert verify_opening(group, c, o.x, o.r)
    assert not verify_opening(group, c, o.x + 1, o.r)
    assert not verify_opening(group, c, o.x, o.r + 1)


def test_fresh_randomness_hides_equal_values(group):
    a, _ = commit(group, 42)
    b, _ = commit(group, 42)
    assert a != b


def test_serialisation_round_trip_and_rejection(group):
    c, _ = commit(group, 9)
    assert Commitment.from_bytes(group, c.to_bytes()) == c
    with pytest.raises(ValueError):
        Commitment.from_bytes(group, c.to_bytes()[:-1])


def test_whoever_knows_log_G_H_can_open_to_anything():
    """Binding rests on nobody knowing h = log_G H; in a toy group we can find h and equivocate."""
    g = ToySchnorrGroup(83)
    h = next(k for k in range(g.order) if k * g.G == g.H)
    c, o = commit(g, 10, 20)
    x_other = 55
    r_other = (o.r + (o.x - x_other) * pow(h, -1, g.order)) % g.order
    assert verify_opening(g, c, x_other, r_other)
