"""Pippenger's bucket method (zkp.groups.msm.pippenger) against plain sums of scalar multiples."""
from __future__ import annotations

import secrets

from hypothesis import given, settings, strategies as st

from zkp.groups import ToySchnorrGroup, get_group
from zkp.groups.msm import PIPPENGER_MIN_POINTS, pippenger, pippenger_window

# q and 2q + 1 prime, q of 30 bits: scalars span several bucket windows
TOY = ToySchnorrGroup(1073741891)


def _plain(g, raws, ks):
    acc = g._identity_raw()
    for p, k in zip(raws, ks):
        acc = g._add(acc, g._mul(p, k))
    return acc


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 10**6), st.integers(0, 1073741890)), min_size=0, max_size=700))
def test_pippenger_equals_the_sum_of_scalar_multiples(pairs):
    g = TOY
    raws = [g._mul(g.G.raw, e) for e, _ in pairs]
    ks = [k for _, k in pairs]
    got = pippenger(raws, ks, g._add, lambda a: g._add(a, a), g._neg, g._identity_raw(), g.order)
    assert got == _plain(g, raws, ks)


def test_pippenger_on_bn254_matches_straus_for_a_batch_above_the_threshold():
    g = get_group("bn254", "fastecdsa")
    n = PIPPENGER_MIN_POINTS + 3
    base = [g.random_scalar() * g.G for _ in range(8)]
    pts = [base[i % 8] for i in range(n)]
    ks = [secrets.randbelow(g.order) for _ in range(n)]
    ks[5] = 0
    ks[6] = g.order - 1          # recoded as −1 on −P
    # the same sum with one point per distinct base (8 points: Straus)
    per_base = [sum(k for i, k in enumerate(ks) if i % 8 == b) % g.order for b in range(8)]
    assert g.lincomb(pts, ks) == g.lincomb(base, per_base)
    assert g.lincomb(pts, ks) != g.lincomb(base, per_base[:7] + [(per_base[7] + 1) % g.order])


def test_bucket_width_grows_with_the_batch():
    assert pippenger_window(PIPPENGER_MIN_POINTS) == 6
    assert pippenger_window(1 << 20) == 16
    assert pippenger_window(10) == 4
