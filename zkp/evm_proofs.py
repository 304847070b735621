"""Zero-sum and range proofs in the form an EVM contract verifies (BN254, SHA-256 Fiat–Shamir).

These are the same Σ-protocols as :mod:`zkp.sigma.sum` and
:mod:`zkp.sigma.nonnegative` (Schnorr to base H; bit decomposition with
Cramer–Damgård–Schoenmakers OR-proofs and a linking Schnorr proof, seed paper
Algorithms 6 and 12), with two changes so that a contract can check them with
the ecAdd/ecMul precompiles (0x06/0x07):

* the Fiat–Shamir hash is :class:`zkp.sha256_transcript.Sha256Transcript`
  (SHA-256 is precompile 0x02; SHAKE-256 has no EVM counterpart);
* the proofs are in *compact* form: they carry the challenge c and the
  responses, not the first messages.  The verifier recomputes each first
  message from the verification equation (A = z·H − c·D) and accepts iff
  hashing them gives c back.  This is the same proof system (the map between
  (A, z) and (c, z) is a bijection for a fixed statement) and saves the
  calldata of two points per bit.  There is no random-weight batching: on the
  EVM every ecMul costs 6,000 gas whatever the scalar, so batching saves nothing.

Proofs made here do not verify under :mod:`zkp.sigma` and vice versa (another
hash, another encoding); the domains name the curve and the form.

Encodings (fixed width, big-endian, strict decoding: exact length, scalars
< q, points on the curve):

* zero-sum proof:   c ‖ z                                        (64 bytes)
* range proof:      c ‖ C_1..C_m ‖ c0_1..c0_m ‖ z0_1..z0_m ‖ z1_1..z1_m ‖ z_link
                    (32 + 64·m + 96·m + 32 bytes; 10,304 bytes for m = 64)

Soundness and zero knowledge are those of the originals under the same
assumptions (discrete log in BN254 G1, SHA-256 modelled as a random oracle).
"""

from __future__ import annotations

from dataclasses import dataclass

from zkp.groups.base import Group, Point
from zkp.sha256_transcript import Sha256Transcript, word

SUM_DOMAIN = b"bn254/zkpSum/compact/v1"
RANGE_DOMAIN = b"bn254/zkpNN/compact/v1"
SUM_PROOF_SIZE = 64


def range_proof_size(bits: int) -> int:
    return 32 + 64 * bits + 96 * bits + 32


def _check_group(group: Group) -> None:
    if group.name != "bn254" or group.point_size != 64:
        raise ValueError("EVM proofs are over BN254 G1 (EIP-196 encoding)")


def _check_context(context: bytes) -> bytes:
    if not isinstance(context, (bytes, bytearray)) or len(context) != 32:
        raise ValueError("the context of an EVM proof is one 32-byte word")
    return bytes(context)


def _scalars(group: Group, data: bytes) -> list[int]:
    ks = [int.from_bytes(data[i:i + 32], "big") for i in range(0, len(data), 32)]
    if any(k >= group.order for k in ks):
        raise ValueError("scalar not reduced modulo the group order")
    return ks


# -- zero sum: D = Σ C_i is a multiple of H ------------------------------------------------------------

def _sum_challenge(group: Group, context: bytes, D: Point, A: Point) -> int:
    t = Sha256Transcript(SUM_DOMAIN)
    t.absorb(context)
    t.absorb_point(D.to_bytes())
    t.absorb_point(A.to_bytes())
    return t.challenge(group.order)


def prove_zero_sum(group: Group, D: Point, rho: int, context: bytes) -> bytes:
    """Proof that D = ρ·H (so the commitments summing to D commit to values summing to 0)."""
    _check_group(group)
    context = _check_context(context)
    if D != group.commit_point(0, rho):
        raise ValueError("zero-sum: D is not ρ·H")
    k = group.random_scalar()
    c = _sum_challenge(group, context, D, group.commit_point(0, k))
    z = (k + c * rho) % group.order
    return word(c) + word(z)


def verify_zero_sum(group: Group, D: Point, proof: bytes, context: bytes) -> bool:
    """Whether ``proof`` shows D = ρ·H for some ρ the prover knows."""
    _check_group(group)
    context = _check_context(context)
    if not isinstance(proof, (bytes, bytearray)) or len(proof) != SUM_PROOF_SIZE:
        return False
    try:
        c, z = _scalars(group, bytes(proof))
    except ValueError:
        return False
    A = group.lincomb([D], [-c], h=z)
    return _sum_challenge(group, context, D, A) == c


# -- range: C commits to x in [0, 2^bits) ----------------------------------------------------------------

@dataclass(frozen=True)
class RangeProof:
    c: int
    bit_commitments: tuple[Point, ...]
    c0: tuple[int, ...]
    z0: tuple[int, ...]
    z1: tuple[int, ...]
    z_link: int

    def to_bytes(self) -> bytes:
        return b"".join([word(self.c), *(p.to_bytes() for p in self.bit_commitments), *map(word, self.c0),
                         *map(word, self.z0), *map(word, self.z1), word(self.z_link)])

    @classmethod
    def from_bytes(cls, group: Group, data: bytes, bits: int) -> "RangeProof":
        """Strict decoding (ValueError on any malformation)."""
        if not isinstance(data, (bytes, bytearray)) or len(data) != range_proof_size(bits):
            raise ValueError(f"a {bits}-bit range proof is {range_proof_size(bits)} bytes")
        data = bytes(data)
        c = _scalars(group, data[:32])[0]
        pos = 32
        Cs = tuple(group.decode(data[pos + 64 * i: pos + 64 * i + 64]) for i in range(bits))
        pos += 64 * bits
        ks = _scalars(group, data[pos:])
        return cls(c, Cs, tuple(ks[:bits]), tuple(ks[bits:2 * bits]), tuple(ks[2 * bits:3 * bits]), ks[3 * bits])


def _range_challenge(group: Group, context: bytes, C: Point, bits: int, Cs, A0s, A1s, A_link: Point) -> int:
    t = Sha256Transcript(RANGE_DOMAIN)
    t.absorb(context, word(bits))
    t.absorb_point(C.to_bytes())
    for Ci, a0, a1 in zip(Cs, A0s, A1s):
        e, f, g = Ci.to_bytes(), a0.to_bytes(), a1.to_bytes()
        t.absorb(e[:32], e[32:], f[:32], f[32:], g[:32], g[32:])
    t.absorb_point(A_link.to_bytes())
    return t.challenge(group.order)


def prove_range(group: Group, C: Point, x: int, r: int, bits: int, context: bytes) -> bytes:
    """Proof that C = x·G + r·H with 0 ≤ x < 2^bits (ValueError if not)."""
    _check_group(group)
    context = _check_context(context)
    q = group.order
    x, r = group.scalar(x), group.scalar(r)
    if group.commit_point(x, r) != C:
        raise ValueError("range proof: (x, r) does not open C")
    if not 0 <= x < 1 << bits:
        raise ValueError(f"range proof: the committed value is not in [0, 2^{bits})")
    Cs, A0s, A1s, rs, ks, sim = [], [], [], [], [], []
    for i in range(bits):
        b = (x >> i) & 1
        r_i, k = group.random_scalar(), group.random_scalar()
        c_sim, z_sim = group.random_scalar(), group.random_scalar()
        Cs.append(group.commit_point(b, r_i))
        real = group.commit_point(0, k)
        # the simulated branch claims the other bit s = 1 − b: A = z·H − c·(C_i − s·G) = z·H − c·((b − s)·G + r_i·H)
        fake = group.commit_point(-c_sim * (b - (1 - b)), z_sim - c_sim * r_i)
        A0s.append(real if b == 0 else fake)
        A1s.append(fake if b == 0 else real)
        rs.append(r_i)
        ks.append(k)
        sim.append((c_sim, z_sim))
    k_link = group.random_scalar()
    c = _range_challenge(group, context, C, bits, Cs, A0s, A1s, group.commit_point(0, k_link))
    c0, z0, z1 = [], [], []
    for i in range(bits):
        b = (x >> i) & 1
        c_sim, z_sim = sim[i]
        c_real = (c - c_sim) % q
        z_real = (ks[i] + c_real * rs[i]) % q
        if b == 0:
            c0.append(c_real), z0.append(z_real), z1.append(z_sim)
        else:
            c0.append(c_sim), z0.append(z_sim), z1.append(z_real)
    rho = (sum(r_i << i for i, r_i in enumerate(rs)) - r) % q
    proof = RangeProof(c, tuple(Cs), tuple(c0), tuple(z0), tuple(z1), (k_link + c * rho) % q)
    return proof.to_bytes()


def verify_range(group: Group, C: Point, proof: bytes, bits: int, context: bytes) -> bool:
    """Whether ``proof`` shows that C commits to a value in [0, 2^bits)."""
    _check_group(group)
    context = _check_context(context)
    try:
        p = RangeProof.from_bytes(group, proof, bits)
    except ValueError:
        return False
    q = group.order
    A0s, A1s = [], []
    for Ci, c0, z0, z1 in zip(p.bit_commitments, p.c0, p.z0, p.z1):
        c1 = (p.c - c0) % q
        A0s.append(group.lincomb([Ci], [-c0], h=z0))                 # z0·H − c0·C_i
        A1s.append(group.lincomb([Ci], [-c1], g=c1, h=z1))           # z1·H − c1·(C_i − G)
    D = group.lincomb([*p.bit_commitments, C], [*(1 << i for i in range(bits)), -1])
    A_link = group.lincomb([D], [-p.c], h=p.z_link)
    return _range_challenge(group, context, C, bits, p.bit_commitments, A0s, A1s, A_link) == p.c
