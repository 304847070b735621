"""Group backends: laws, encodings, rejection of invalid points, the hashed generator H."""

import hashlib

import gmpy2
import pytest
from hypothesis import given, settings, strategies as st

from zkp.groups import ToySchnorrGroup, get_group
from zkp.hash_to_curve import generator_tag

scalars = st.integers(min_value=0, max_value=2**256 - 1)
S = settings(max_examples=15, deadline=None)


@S
@given(a=scalars, b=scalars)
def test_scalar_multiplication_laws(group, a, b):
    G, H = group.G, group.H
    assert (a + b) * G == a * G + b * G
    assert a * (G + H) == a * G + a * H
    assert a * (b * G) == (a * b % group.order) * G
    assert a * G - a * G == group.identity()
    assert a * G + b * H == b * H + a * G


def test_order_annihilates_generators(group):
    assert (group.order * group.G).is_identity()
    assert (group.order * group.H).is_identity()
    assert not group.G.is_identity() and not group.H.is_identity()
    assert group.G != group.H


@S
@given(k=scalars)
def test_encoding_round_trip_is_canonical(group, k):
    p = k * group.H
    data = p.to_bytes()
    assert len(data) == group.point_size
    assert group.decode(data) == p
    assert group.decode(data).to_bytes() == data


def test_identity_encodes_and_decodes(group):
    e = group.identity()
    assert group.decode(e.to_bytes()).is_identity()
    assert group.G + e == group.G


@S
@given(pts=st.lists(scalars, min_size=0, max_size=6), ks=st.lists(scalars, min_size=6, max_size=6),
       g=scalars, h=scalars)
def test_lincomb_equals_naive_sum(group, pts, ks, g, h):
    points = [k * group.G + group.H for k in pts]
    naive = g * group.G + h * group.H
    for p, k in zip(points, ks):
        naive = naive + k * p
    assert group.lincomb(points, ks[: len(points)], g, h) == naive


def test_scalars_accept_gmpy2_and_reject_non_integers(group):
    assert gmpy2.mpz(5) * group.G == 5 * group.G
    assert group.G * gmpy2.mpz(-1) == -group.G
    with pytest.raises(TypeError):
        group.G * 1.5
    with pytest.raises(TypeError):
        group.G * True


def test_decode_rejects_off_curve_points(group):
    data = bytearray((7 * group.G).to_bytes())
    data[-1] ^= 1  # bn254: y changes; secp256k1: x changes — almost surely off the curve or not reduced
    tried = 0
    while tried < 50:
        try:
            group.decode(bytes(data))
        except ValueError:
            break
        data[-1] ^= 2  # secp256k1: ~half of x values are on the curve, try others
        tried += 1
    else:
        pytest.fail("no off-curve encoding rejected")
    with pytest.raises(ValueError):
        group.decode(b"\x01" * (group.point_size - 1))
    with pytest.raises(ValueError):
        group.decode(group.G.to_bytes() + b"\x00")


def test_bn254_rejects_unreduced_and_off_curve_coordinates(bn254):
    from py_ecc.optimized_bn128 import field_modulus as p

    x, y = 1, 2  # the generator
    assert bn254.G.to_bytes() == x.to_bytes(32, "big") + y.to_bytes(32, "big")  # Ethereum's G1 encoding
    with pytest.raises(ValueError):
        bn254.decode((x + p).to_bytes(32, "big") + y.to_bytes(32, "big"))
    with pytest.raises(ValueError):
        bn254.decode(x.to_bytes(32, "big") + (y + 1).to_bytes(32, "big"))


def test_secp256k1_matches_the_standard_generator_and_rejects_bad_prefix(secp):
    assert secp.G.to_bytes().hex() == "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    bad = b"\x04" + secp.G.to_bytes()[1:]
    with pytest.raises(ValueError):
        secp.decode(bad)
    with pytest.raises(ValueError):
        secp.decode(b"\x02" + (2**256 - 1).to_bytes(32, "big"))


def _reference_hash_to_curve(p, b, tag, msg):
    """Independent re-derivation of the documented try-and-increment."""
    for ctr in range(1000):
        data = len(tag).to_bytes(8, "big") + tag + len(msg).to_bytes(8, "big") + msg + ctr.to_bytes(4, "big")
        x = int.from_bytes(hashlib.shake_256(data).digest(64), "big") % p
        rhs = (x**3 + b) % p
        y = pow(rhs, (p + 1) // 4, p)
        if y * y % p == rhs:
            return x, (y if y % 2 == 0 else p - y)
    raise AssertionError


def test_H_is_the_documented_hash_of_the_group_name(group):
    if group.name == "bn254":
        from py_ecc.optimized_bn128 import field_modulus as p

        b = 3
    else:
        p, b = 2**256 - 2**32 - 977, 7
    x, y = _reference_hash_to_curve(p, b, generator_tag(group.name), b"H")
    assert y % 2 == 0
    if group.name == "bn254":
        assert group.H.to_bytes() == x.to_bytes(32, "big") + y.to_bytes(32, "big")
    else:
        assert group.H.to_bytes() == b"\x02" + x.to_bytes(32, "big")
    assert generator_tag(group.name) == b"mpc-markets/zkp/v1/generator/" + group.name.encode()


def test_H_changes_with_the_tag(group):
    assert group.hash_to_point(b"H", b"other-tag") != group.H
    assert group.hash_to_point(b"H", generator_tag(group.name)) == group.H


def test_get_group_shares_instances_and_rejects_unknown():
    assert get_group("bn254") is get_group("bn254")
    with pytest.raises(ValueError, match="unknown group"):
        get_group("p256")


def test_toy_group_is_a_group_of_prime_order():
    g = ToySchnorrGroup(11)
    elems = {(k * g.G).raw for k in range(11)}
    assert len(elems) == 11 and g.H.raw in elems
    with pytest.raises(ValueError):
        g.decode(bytes([5]))  # 5 is a non-square mod 23: outside the subgroup
    with pytest.raises(ValueError):
        ToySchnorrGroup(13)  # 27 is not prime


def test_points_of_different_groups_do_not_mix(secp, bn254):
    with pytest.raises(TypeError):
        secp.G + bn254.G
    assert (secp.G == bn254.G) is False


def test_bn254_backends_agree_and_proofs_cross_over(bn254, bn254_fast):
    """Both BN254 backends are one group: same H, same encodings, proofs verify across them."""
    from zkp.pedersen import Commitment, commit
    from zkp.sigma import RANGE, NIProof, RangeStatement, prove, verify

    assert bn254_fast.H.to_bytes() == bn254.H.to_bytes()
    k = bn254.random_scalar()
    assert (k * bn254_fast.H).to_bytes() == (k * bn254.H).to_bytes()
    c, o = commit(bn254_fast, 200)
    stmt = RangeStatement(c, 8)
    blob = prove(RANGE, stmt, o, b"x").to_bytes(stmt)
    stmt_slow = RangeStatement(Commitment.from_bytes(bn254, c.to_bytes()), 8)
    assert verify(RANGE, stmt_slow, NIProof.from_bytes(RANGE, stmt_slow, blob), b"x")


def test_get_group_accepts_backend_specs():
    assert get_group("bn254:py-ecc") is get_group("bn254")
    assert get_group("secp256k1").backend == "coincurve"
    with pytest.raises(ValueError, match="unknown backend"):
        get_group("bn254", "gnark")


def test_straus_with_signed_recoding_matches_plain_sums():
    """Scalars above q/2 are recoded as small negatives; the sum must not change."""
    from zkp.groups.msm import straus_wnaf, wnaf_digits

    g = ToySchnorrGroup(83)
    for k in range(0, 300):
        assert sum(d << i for i, d in enumerate(wnaf_digits(k))) == k
    pts = [g.G.raw, g.H.raw, (g.G + g.H).raw]
    for ks in [(1, 82, 41), (42, 0, 81), (80, 2, 3)]:
        expect = g.lincomb([g.G, g.H, g.G + g.H], ks).raw
        got = straus_wnaf(pts, ks, g._add, lambda a: g._add(a, a), g._neg, 1, g.order)
        assert got == expect
