"""Strict decoding of peer messages and basic field facts."""
import pytest
from hypothesis import given, settings, strategies as st

from mpc.codec import decode_vector, encode_vector, expect_bytes
from mpc.errors import MalformedMessage
from mpc.field import BN254_ORDER, PrimeField

F = PrimeField()


def test_default_field_is_bn254_group_order():
    from py_ecc.optimized_bn128 import curve_order
    assert F.q == curve_order == BN254_ORDER
    assert F.nbytes == 32


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=int(BN254_ORDER) - 1), max_size=20))
def test_vector_roundtrip(values):
    assert decode_vector(F, encode_vector(F, values), len(values)) == values


@pytest.mark.parametrize("delta", [-1, 1, -32, 32])
def test_decoder_rejects_wrong_length(delta):
    data = encode_vector(F, [1, 2, 3])
    bad = data[:delta] if delta < 0 else data + bytes(delta)
    with pytest.raises(MalformedMessage, match="expected 3 field elements"):
        decode_vector(F, bad, 3, sender=1)


def test_decoder_rejects_value_not_below_modulus():
    data = encode_vector(F, [5]) + int(F.q).to_bytes(32, "little")
    with pytest.raises(MalformedMessage, match="modulus"):
        decode_vector(F, data, 2)


def test_decoder_rejects_non_bytes():
    with pytest.raises(MalformedMessage):
        decode_vector(F, [1, 2, 3], 3)


def test_expect_bytes():
    assert expect_bytes(b"x" * 32, 32, "hash") == b"x" * 32
    with pytest.raises(MalformedMessage, match="hash from party 2 must be 32 bytes"):
        expect_bytes(b"x" * 31, 32, "hash", 2)


def test_field_rejects_composite_modulus():
    with pytest.raises(ValueError):
        PrimeField(2**64)


def test_signed_representative():
    assert F.signed(F.element(-5)) == -5
    assert F.signed(7) == 7
