"""Base oblivious transfers on secp256k1 (libsecp256k1 through coincurve).

Protocol: Chou–Orlandi "simplest OT" (LATINCRYPT 2015) in its random-OT form, with the
fixes that later analyses asked for:
- every key is derived from the whole transcript of its OT, H(sid, i, A, B_i, shared point),
  so keys of different OTs, sessions and pairs never collide and the receiver cannot
  reuse a B across OTs to relate keys;
- the sender proves knowledge of a = dlog(A) with a Fiat–Shamir Schnorr proof bound to
  (sid, A), as in the "verified simplest OT" of Doerner et al. (S&P 2018), so a simulator
  can extract a (and with it both keys) and a sender cannot pick A without knowing a
  (e.g. the identity or a point with known relation to G that would break the receiver's
  privacy).
Why not Masny–Rindal: it needs a hash onto the curve, which libsecp256k1 does not offer;
CO with these fixes costs one fixed-base and two variable-base multiplications per OT.

Only 128 of these run per ordered pair of parties (to seed the OT extension), so their
cost (~0.2 ms each) does not matter. Keys are 16 bytes.
"""
from __future__ import annotations

import hashlib
import secrets

from coincurve import PublicKey

# order of the secp256k1 group
N_SECP = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
POINT = 33  # compressed point
SCALAR = 32
SENDER_MSG = 2 * POINT + SCALAR


class BaseOTError(Exception):
    """Raised by the parsers below; the engine turns it into a named abort."""


def _h(*parts: bytes) -> bytes:
    h = hashlib.sha256()
    for p in parts:
        h.update(len(p).to_bytes(4, "little") + p)
    return h.digest()


def _scalar() -> int:
    return 1 + secrets.randbelow(N_SECP - 1)


def _point(data: bytes, what: str) -> PublicKey:
    try:
        return PublicKey(bytes(data))
    except Exception:  # coincurve raises ValueError/TypeError on non-points
        raise BaseOTError(f"{what} is not a point of secp256k1") from None


def _challenge(sid: bytes, A: bytes, R: bytes) -> int:
    return int.from_bytes(_h(b"mascot-baseot-pok", sid, A, R), "big") % N_SECP


def sender_first(sid: bytes) -> tuple[int, bytes]:
    """The sender's secret a and its message A ‖ R ‖ s (A = aG with a Schnorr proof)."""
    a, r = _scalar(), _scalar()
    A = PublicKey.from_secret(a.to_bytes(32, "big")).format()
    R = PublicKey.from_secret(r.to_bytes(32, "big")).format()
    s = (r + _challenge(sid, A, R) * a) % N_SECP
    return a, A + R + s.to_bytes(SCALAR, "big")


def receiver_choose(sid: bytes, sender_msg: bytes, choices: list[int]) -> tuple[bytes, list[bytes]]:
    """Check the sender's proof; return the B_i for the choice bits and the chosen keys."""
    if len(sender_msg) != SENDER_MSG:
        raise BaseOTError("sender message has the wrong length")
    A_b, R_b, s_b = sender_msg[:POINT], sender_msg[POINT:2 * POINT], sender_msg[2 * POINT:]
    A, R = _point(A_b, "A"), _point(R_b, "R")
    s = int.from_bytes(s_b, "big")
    e = _challenge(sid, A_b, R_b)
    if not 0 < s < N_SECP or e == 0:
        raise BaseOTError("proof of knowledge of dlog(A) is malformed")
    lhs = PublicKey.from_secret(s.to_bytes(32, "big"))
    try:
        rhs = PublicKey.combine_keys([R, A.multiply(e.to_bytes(32, "big"))])
    except Exception:
        raise BaseOTError("proof of knowledge of dlog(A) does not verify") from None
    if lhs.format() != rhs.format():
        raise BaseOTError("proof of knowledge of dlog(A) does not verify")
    msgs, keys = [], []
    for i, c in enumerate(choices):
        b = _scalar()
        bb = b.to_bytes(32, "big")
        B = A.add(bb) if c else PublicKey.from_secret(bb)   # B = bG + c·A
        B_b = B.format()
        msgs.append(B_b)
        keys.append(_h(b"mascot-baseot-key", sid, i.to_bytes(4, "little"), A_b, B_b,
                       A.multiply(bb).format())[:16])
    return b"".join(msgs), keys


def sender_keys(sid: bytes, a: int, sender_msg: bytes, receiver_msg: bytes, n: int) -> list[tuple[bytes, bytes]]:
    """Both keys of each OT: H(.., aB) for choice 0 and H(.., a(B − A)) for choice 1."""
    if len(receiver_msg) != n * POINT:
        raise BaseOTError("receiver message has the wrong length")
    A_b = sender_msg[:POINT]
    ab = a.to_bytes(32, "big")
    neg_aA = PublicKey.from_secret(((N_SECP - a) * a % N_SECP).to_bytes(32, "big"))  # −a·A = (−a²)G
    out = []
    for i in range(n):
        B_b = receiver_msg[i * POINT:(i + 1) * POINT]
        B = _point(B_b, f"B_{i}")
        aB = B.multiply(ab)
        try:
            aB_minus_aA = PublicKey.combine_keys([aB, neg_aA])
        except Exception:  # B = A: the receiver chose b = 0, only possible by deviating
            raise BaseOTError(f"B_{i} equals A") from None
        idx = i.to_bytes(4, "little")
        k0 = _h(b"mascot-baseot-key", sid, idx, A_b, B_b, aB.format())[:16]
        k1 = _h(b"mascot-baseot-key", sid, idx, A_b, B_b, aB_minus_aA.format())[:16]
        out.append((k0, k1))
    return out
