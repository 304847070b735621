"""The decoder's verdicts name the step, the sender and what was wrong: an honest party's
abort message is the only diagnosis an operator gets (README: "naming the check").
Also: fixed-width little-endian encoding, bytearray accepted, the modulus itself refused."""
import pytest

from mpc.codec import decode_vector, encode_vector, expect_bytes
from mpc.errors import MalformedMessage
from mpc.field import PrimeField

F = PrimeField()
SMALL = PrimeField(251)  # one byte per element


def test_encoding_is_fixed_width_little_endian():
    assert encode_vector(SMALL, [1, 250, 0]) == bytes([1, 250, 0])
    assert encode_vector(F, [1]) == b"\x01" + bytes(31)
    assert encode_vector(F, [int(F.q) - 1])[-1] == (int(F.q) - 1) >> 248
    assert encode_vector(F, []) == b""


def test_decoder_reads_little_endian_and_accepts_bytearray():
    assert decode_vector(SMALL, bytearray([7, 0, 250]), 3) == [7, 0, 250]
    assert decode_vector(F, (258).to_bytes(32, "little"), 1) == [258]


@pytest.mark.parametrize("data,n,sender,message", [
    (bytes(95), 3, 2, "message format failed: expected 3 field elements (96 bytes) from party 2, got 95"),
    (bytes(33), 1, None, "message format failed: expected 1 field elements (32 bytes), got 33"),
    ([1, 2], 2, 0, "message format failed: expected 2 field elements (64 bytes) from party 0, got list"),
    ("ab", 1, 4, "message format failed: expected 1 field elements (32 bytes) from party 4, got str"),
])
def test_wrong_size_names_sizes_and_sender(data, n, sender, message):
    with pytest.raises(MalformedMessage) as info:
        decode_vector(F, data, n, sender)
    assert str(info.value) == message


@pytest.mark.parametrize("value", [251, 255])
def test_value_at_or_above_the_modulus_is_refused_naming_the_sender(value):
    with pytest.raises(MalformedMessage) as info:
        decode_vector(SMALL, bytes([3, value]), 2, 1)
    assert str(info.value) == "message format failed: value >= field modulus from party 1"
    assert decode_vector(SMALL, bytes([3, 250]), 2, 1) == [3, 250]
    with pytest.raises(MalformedMessage, match=r"^message format failed: value >= field modulus$"):
        decode_vector(SMALL, bytes([value]), 1)


def test_expect_bytes_messages():
    assert expect_bytes(bytearray(b"ab"), 2, "seed") == b"ab"
    assert isinstance(expect_bytes(bytearray(b"ab"), 2, "seed"), bytes)
    with pytest.raises(MalformedMessage) as info:
        expect_bytes(b"abc", 2, "seed", 3)
    assert str(info.value) == "message format failed: seed from party 3 must be 2 bytes"
    with pytest.raises(MalformedMessage) as info:
        expect_bytes("ab", 2, "nonce")
    assert str(info.value) == "message format failed: nonce must be 2 bytes"
