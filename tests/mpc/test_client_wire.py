"""Byte-exact tests of mpc/client_input/wire.py: the payloads between input-only clients and servers.

Known-answer encodings, round trips, and every malformed-frame rejection with its exception type
and exact message (the messages name the offending server, which is what a client reports).
"""
import struct

import pytest
from hypothesis import given, settings, strategies as st

from mpc.client_input import wire
from mpc.client_input.wire import (
    ClientInputError, ClientProtocolError, MAX_ID_BYTES, auth_message, decode_hello, decode_input, decode_masks,
    decode_result, encode_hello, encode_input, encode_masks, encode_result, name, text,
)
from mpc.field import BN254_ORDER, PrimeField

F = PrimeField()          # BN254 group order, 32-byte elements
S = PrimeField(257)       # 2-byte elements; 257..65535 are encodable but >= q

# --- name ---------------------------------------------------------------------------------------


def test_name_of_every_frame_type():
    expected = ["HELLO", "MASKS", "INPUT", "REFUSE", "ACK", "REJECT", "RESULT", "CHALLENGE", "AUTH", "REQUEST",
                "REPLY", "NOTICE"]
    assert [name(k) for k in range(1, 13)] == expected
    assert (wire.HELLO, wire.NOTICE) == (1, 12)


@pytest.mark.parametrize("kind", [0, 13, 99, 255])
def test_name_of_an_unknown_type_is_its_number(kind):
    assert name(kind) == str(kind)
    assert isinstance(name(kind), str)


# --- HELLO --------------------------------------------------------------------------------------


def test_encode_hello_known_answer():
    assert encode_hello("bob") == b"bob"
    assert encode_hello("zoë-😀") == b"zo\xc3\xab-\xf0\x9f\x98\x80"
    assert encode_hello("") == b""


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=64))
def test_hello_round_trip(client_id):
    assert decode_hello(encode_hello(client_id)) == client_id


def test_decode_hello_accepts_exactly_max_id_bytes():
    assert MAX_ID_BYTES == 256
    assert decode_hello(b"a" * 256) == "a" * 256
    assert decode_hello("é".encode("utf-8") * 128) == "é" * 128


@pytest.mark.parametrize("payload", [b"a" * 257, b"\xff" * 257, b"a" * 10_000])
def test_decode_hello_rejects_an_over_long_id(payload):
    with pytest.raises(ClientProtocolError) as info:
        decode_hello(payload)
    assert str(info.value) == "client id too long"


@pytest.mark.parametrize("payload", [b"\xff", b"bob\x80", b"\xc3", b"\xed\xa0\x80", b"a" * 255 + b"\xfe"])
def test_decode_hello_rejects_non_utf8(payload):
    with pytest.raises(ClientProtocolError) as info:
        decode_hello(payload)
    assert str(info.value) == "client id is not UTF-8"
    assert info.value.__cause__ is None and info.value.__suppress_context__


# --- MASKS --------------------------------------------------------------------------------------


def test_encode_masks_known_answer():
    assert encode_masks(S, [1], [256], [0x0102]) == b"\x01\x00\x00\x01\x02\x01"
    assert encode_masks(S, [1, 2], [3, 4], [5, 6]) == bytes([1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0])
    assert encode_masks(F, [], [], []) == b""


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=5).flatmap(
    lambda n: st.lists(st.integers(min_value=0, max_value=int(BN254_ORDER) - 1), min_size=3 * n, max_size=3 * n)))
def test_masks_round_trip(values):
    n = len(values) // 3
    a, b, c = values[:n], values[n:2 * n], values[2 * n:]
    assert decode_masks(F, encode_masks(F, a, b, c), n, sender=1) == values


@pytest.mark.parametrize("delta", [-1, 1, -2, 2])
def test_decode_masks_rejects_a_wrong_length_naming_the_server(delta):
    good = encode_masks(S, [1, 2], [3, 4], [5, 6])
    bad = good[:delta] if delta < 0 else good + bytes(delta)
    with pytest.raises(ClientInputError) as info:
        decode_masks(S, bad, 2, sender=3)
    assert str(info.value) == ("server 3 sent malformed mask shares: message format failed: "
                               f"expected 6 field elements (12 bytes) from party 3, got {12 + delta}")
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_decode_masks_rejects_a_wrong_count():
    payload = encode_masks(S, [1, 2], [3, 4], [5, 6])
    with pytest.raises(ClientInputError) as info:
        decode_masks(S, payload, 3, sender=0)
    assert str(info.value) == ("server 0 sent malformed mask shares: message format failed: "
                               "expected 9 field elements (18 bytes) from party 0, got 12")


@pytest.mark.parametrize("bad", [257, 258, 0xFFFF])
def test_decode_masks_rejects_a_value_not_below_q(bad):
    payload = bytes([1, 0]) + bad.to_bytes(2, "little") + bytes([3, 0])
    with pytest.raises(ClientInputError) as info:
        decode_masks(S, payload, 1, sender=2)
    assert str(info.value) == ("server 2 sent malformed mask shares: message format failed: "
                               "value >= field modulus from party 2")


def test_decode_masks_accepts_q_minus_one():
    assert decode_masks(S, (256).to_bytes(2, "little") * 3, 1, sender=2) == [256, 256, 256]


# --- INPUT --------------------------------------------------------------------------------------


def test_input_known_answer_and_rejections():
    assert encode_input(S, [256, 1]) == b"\x00\x01\x01\x00"
    assert decode_input(S, b"\x00\x01\x01\x00", 2) == [256, 1]
    with pytest.raises(ClientProtocolError) as info:
        decode_input(S, b"\x00\x01\x01", 2)
    assert str(info.value) == "malformed input (expected 2 field elements (4 bytes), got 3)"
    with pytest.raises(ClientProtocolError) as info:
        decode_input(S, b"\x01\x01", 1)
    assert str(info.value) == "malformed input (value >= field modulus)"


# --- RESULT -------------------------------------------------------------------------------------


def test_encode_result_known_answer():
    assert encode_result(S, b"pub", [1, 256]) == b"\x03\x00\x00\x00pub\x02\x00\x00\x00\x01\x00\x00\x01"
    assert encode_result(S, b"", []) == bytes(8)
    assert encode_result(F, b"\x00" * 300, [5]) == (b"\x2c\x01\x00\x00" + bytes(300) + b"\x01\x00\x00\x00"
                                                    + b"\x05" + bytes(31))


def test_decode_result_known_answer():
    assert decode_result(S, b"\x03\x00\x00\x00pub\x02\x00\x00\x00\x01\x00\x00\x01", 0) == (b"pub", [1, 256])


def test_decode_result_accepts_the_minimal_eight_byte_result():
    assert decode_result(S, bytes(8), 1) == (b"", [])
    assert decode_result(S, b"\x01\x00\x00\x00X\x00\x00\x00\x00", 1) == (b"X", [])


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.lists(st.integers(min_value=0, max_value=int(BN254_ORDER) - 1), max_size=8))
def test_result_round_trip(public, values):
    assert decode_result(F, encode_result(F, public, values), 4) == (public, values)


def _truncated(sender):
    return f"server {sender} sent a truncated result"


@pytest.mark.parametrize("size", range(8))
def test_decode_result_rejects_fewer_than_eight_bytes(size):
    with pytest.raises(ClientInputError) as info:
        decode_result(S, bytes(size), 5)
    assert str(info.value) == _truncated(5)


@pytest.mark.parametrize("plen,have", [(1, 0), (5, 4), (5, 1), (5, 0), (100, 7), (0xFFFFFFFF, 20)])
def test_decode_result_rejects_a_public_part_past_the_end(plen, have):
    # the payload holds `have` bytes after the length; the public part and the count need plen + 4
    payload = struct.pack("<I", plen) + b"x" * have + (bytes(4) if have < 4 else b"")
    assert len(payload) >= 8 and 4 + plen + 4 > len(payload)
    with pytest.raises(ClientInputError) as info:
        decode_result(S, payload, 6)
    assert str(info.value) == _truncated(6)


def test_decode_result_reads_the_public_length_from_offset_zero():
    payload = struct.pack("<I", 2) + b"ab" + struct.pack("<I", 1) + b"\x07\x00"
    assert decode_result(S, payload, 0) == (b"ab", [7])


def test_decode_result_rejects_trailing_bytes():
    good = encode_result(S, b"pub", [1, 2])
    with pytest.raises(ClientInputError) as info:
        decode_result(S, good + b"\x00", 7)
    assert str(info.value) == ("server 7: message format failed: "
                               "expected 2 field elements (4 bytes) from party 7, got 5")
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_decode_result_rejects_a_short_private_part():
    good = encode_result(S, b"pub", [1, 2])
    with pytest.raises(ClientInputError) as info:
        decode_result(S, good[:-1], 1)
    assert str(info.value) == ("server 1: message format failed: "
                               "expected 2 field elements (4 bytes) from party 1, got 3")


def test_decode_result_count_is_unsigned():
    payload = struct.pack("<I", 0) + struct.pack("<I", 0xFFFFFFFF)
    with pytest.raises(ClientInputError) as info:
        decode_result(S, payload, 2)
    assert str(info.value) == ("server 2: message format failed: "
                               "expected 4294967295 field elements (8589934590 bytes) from party 2, got 0")


def test_decode_result_rejects_a_value_not_below_q():
    payload = struct.pack("<I", 0) + struct.pack("<I", 1) + (257).to_bytes(2, "little")
    with pytest.raises(ClientInputError) as info:
        decode_result(S, payload, 3)
    assert str(info.value) == "server 3: message format failed: value >= field modulus from party 3"


# --- auth_message -------------------------------------------------------------------------------

DOMAIN = b"mpc-markets/client-input/auth/v1\x00"


def test_auth_message_known_answer():
    msg = auth_message(b"ctx", 2, "zoë", b"N" * 32)
    assert msg == (DOMAIN + b"\x00\x00\x00\x03" + b"ctx" + b"\x00\x00\x00\x02" + b"\x00\x04" + b"zo\xc3\xab"
                   + b"N" * 32)


def test_auth_message_known_answer_with_multi_byte_lengths():
    context = bytes(range(256)) + b"\x01"       # 257 = 0x0101 bytes
    cid = "c" * 300                              # 300 = 0x012c bytes
    msg = auth_message(context, 0x01020304, cid, b"\xaa")
    assert msg == (DOMAIN + b"\x00\x00\x01\x01" + context + b"\x01\x02\x03\x04" + b"\x01\x2c" + b"c" * 300
                   + b"\xaa")


def test_auth_message_with_empty_fields():
    assert auth_message(b"", 0, "", b"") == DOMAIN + bytes(4) + bytes(4) + bytes(2)


def test_auth_message_is_domain_separated():
    base = dict(context=b"session-1", server=1, client_id="alice", nonce=b"\x01" * 32)
    m = auth_message(**base)
    assert m.startswith(DOMAIN)
    for field, other in [("context", b"session-2"), ("context", b""), ("server", 2), ("server", 0),
                         ("client_id", "alicf"), ("client_id", "alice\x00"), ("nonce", b"\x02" * 32),
                         ("nonce", b"\x01" * 31)]:
        assert auth_message(**{**base, field: other}) != m, field


def test_auth_message_framing_is_unambiguous():
    # moving bytes between the context and the client id must change the message
    assert auth_message(b"ab", 1, "c", b"n") != auth_message(b"a", 1, "bc", b"n")
    # and between the client id and the nonce
    assert auth_message(b"x", 1, "ab", b"c") != auth_message(b"x", 1, "a", b"bc")


# --- text ---------------------------------------------------------------------------------------


def test_text_decodes_utf8():
    assert text(b"bad input") == "bad input"
    assert text("zoë".encode("utf-8")) == "zoë"
    assert text(b"") == ""


@pytest.mark.parametrize("payload,expected", [(b"\xff", "\ufffd"), (b"ok\x80ok", "ok\ufffdok"),
                                              (b"\xc3", "\ufffd")])
def test_text_replaces_invalid_bytes(payload, expected):
    assert text(payload) == expected


def test_text_is_cut_at_500_characters():
    assert text(b"a" * 500) == "a" * 500
    assert text(b"a" * 501) == "a" * 500
    assert text(b"b" * 2000) == "b" * 500
    assert text("é".encode("utf-8") * 600) == "é" * 500
