"""Fiat–Shamir transcripts: framing, domain separation, determinism, range of challenges."""

from zkp.groups import get_group
from zkp.transcript import Transcript


def _challenge(domain, items, group):
    t = Transcript(domain)
    for label, data in items:
        t.append_bytes(label, data)
    return t.challenge_scalar(b"c", group)


def test_deterministic_and_in_range():
    g = get_group("secp256k1")
    a = _challenge(b"d", [(b"x", b"1")], g)
    assert a == _challenge(b"d", [(b"x", b"1")], g)
    assert 0 <= a < g.order


def test_length_prefixes_prevent_reframing():
    g = get_group("secp256k1")
    base = _challenge(b"d", [(b"x", b"ab"), (b"y", b"c")], g)
    assert base != _challenge(b"d", [(b"x", b"a"), (b"y", b"bc")], g)
    assert base != _challenge(b"d", [(b"xa", b"b"), (b"y", b"c")], g)
    assert base != _challenge(b"d", [(b"y", b"c"), (b"x", b"ab")], g)


def test_domain_and_labels_separate():
    g = get_group("bn254")
    assert _challenge(b"zkpCm", [(b"x", b"1")], g) != _challenge(b"zkpSum", [(b"x", b"1")], g)
    assert _challenge(b"d", [(b"x", b"1")], g) != _challenge(b"d", [(b"z", b"1")], g)


def test_successive_challenges_are_chained():
    g = get_group("bn254")
    t = Transcript(b"d")
    c1 = t.challenge_scalar(b"c", g)
    c2 = t.challenge_scalar(b"c", g)
    assert c1 != c2


def test_challenges_look_uniform_in_the_top_bits():
    """Wide reduction: the top bit of c/q is ~fair (a 256-bit digest mod q would skew it)."""
    g = get_group("bn254")
    top = sum(_challenge(b"d", [(b"i", i.to_bytes(4, "big"))], g) * 2 >= g.order for i in range(2000))
    assert 850 < top < 1150
