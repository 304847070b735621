"""zkpNN: a committed value lies in [0, 2^bits), by bit decomposition.

Seed paper Algorithm 6.  The prover commits to each bit, C_i = b_i·G + r_i·H,
proves each b_i ∈ {0, 1} with an OR-proof (branches "C_i commits to 0" and
"C_i commits to 1"), and ties the bits to C with a Schnorr proof that

    D = Σ 2^i·C_i − C = (Σ 2^i·r_i − r)·H,

i.e. D commits to 0, so x = Σ 2^i·b_i.  All sub-proofs share one challenge.
Since 2^bits ≤ q/2, "x ≥ 0" means: x, read as an integer in [0, q), is
below 2^bits — the reading the MPC layer uses for signed values.

Verification is one multi-scalar multiplication of 3·bits + 2 points (all
equations combined with random weights); ``verify_batch`` folds several
proofs into one.  The prover uses only fixed-base multiplications.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zkp.encoding import Reader, Writer
from zkp.groups.base import Group, Point
from zkp.pedersen import Commitment, Opening
from zkp.sigma.base import NIProof, SigmaProtocol, Terms, points_ok, prove, random_weight, scalars_ok, verify
from zkp.sigma.or_proof import OrState, or_commit, or_equations, or_extract, or_respond, or_simulate
from zkp.transcript import Transcript

_BIT_VALUES = (0, 1)


@dataclass(frozen=True)
class RangeStatement:
    """Public input: C and the bit length; claims C commits to x with 0 ≤ x < 2^bits."""

    commitment: Commitment
    bits: int

    def __post_init__(self) -> None:
        q = self.commitment.group.order
        if not isinstance(self.bits, int) or not 1 <= self.bits <= q.bit_length() - 2:
            raise ValueError(f"zkpNN: bits must be an integer in 1..{q.bit_length() - 2} for this group")


@dataclass(frozen=True)
class RangeFirst:
    bit_commitments: tuple[Point, ...]
    A0: tuple[Point, ...]  # OR first messages, branch "bit = 0"
    A1: tuple[Point, ...]  # branch "bit = 1"
    A_link: Point  # Schnorr first message for D = Σ 2^i C_i − C


@dataclass(frozen=True)
class RangeResponse:
    c0: tuple[int, ...]  # branch-0 challenges; branch 1 gets c − c0[i]
    z0: tuple[int, ...]
    z1: tuple[int, ...]
    z_link: int


@dataclass(frozen=True)
class _RangeState:
    bit_r: list[int]
    or_states: list[OrState]
    k_link: int


def bit_decomposition(x: int, bits: int) -> list[int]:
    """Little-endian bits of x (0 ≤ x < 2^bits assumed)."""
    return [(x >> i) & 1 for i in range(bits)]


class RangeProtocol(SigmaProtocol[RangeStatement, Opening, RangeFirst, RangeResponse]):
    name = b"zkpNN"

    def group_of(self, stmt: RangeStatement) -> Group:
        return stmt.commitment.group

    def absorb_statement(self, t: Transcript, stmt: RangeStatement) -> None:
        t.append_point(b"C", stmt.commitment.point)
        t.append_int(b"bits", stmt.bits)

    def absorb_first(self, t: Transcript, stmt: RangeStatement, f: RangeFirst) -> None:
        t.append_points(b"bit-commitments", f.bit_commitments)
        t.append_points(b"A0", f.A0)
        t.append_points(b"A1", f.A1)
        t.append_point(b"A-link", f.A_link)

    def validate_witness(self, stmt: RangeStatement, witness: Opening) -> None:
        g = self.group_of(stmt)
        if g.commit_point(witness.x, witness.r) != stmt.commitment.point:
            raise ValueError("zkpNN: (x, r) does not open the commitment")
        if not 0 <= g.scalar(witness.x) < (1 << stmt.bits):
            raise ValueError(f"zkpNN: the committed value is not in [0, 2^{stmt.bits})")

    def commit(self, stmt: RangeStatement, witness: Opening) -> tuple[RangeFirst, _RangeState]:
        """First message; with an out-of-range witness the bits are those of x mod 2^bits (and fail)."""
        g = self.group_of(stmt)
        bits = bit_decomposition(g.scalar(witness.x), stmt.bits)
        Cs, A0, A1, rs, states = [], [], [], [], []
        for b in bits:
            r_i = g.random_scalar()
            Cs.append(g.commit_point(b, r_i))
            As, st = or_commit(g, r_i, [b, b - 1], b)
            A0.append(As[0])
            A1.append(As[1])
            rs.append(r_i)
            states.append(st)
        k = g.random_scalar()
        first = RangeFirst(tuple(Cs), tuple(A0), tuple(A1), g.commit_point(0, k))
        return first, _RangeState(rs, states, k)

    def link_randomness(self, stmt: RangeStatement, witness: Opening, bit_r: list[int]) -> int:
        """ρ = Σ 2^i·r_i − r, the H-exponent of D = Σ 2^i·C_i − C."""
        q = self.group_of(stmt).order
        return (sum(r_i << i for i, r_i in enumerate(bit_r)) - int(witness.r)) % q

    def respond(self, stmt: RangeStatement, witness: Opening, st: _RangeState, c: int) -> RangeResponse:
        g = self.group_of(stmt)
        c0, z0, z1 = [], [], []
        for r_i, ost in zip(st.bit_r, st.or_states):
            partial, zs = or_respond(g, r_i, ost, c, 2)
            c0.append(partial[0])
            z0.append(zs[0])
            z1.append(zs[1])
        rho = self.link_randomness(stmt, witness, st.bit_r)
        return RangeResponse(tuple(c0), tuple(z0), tuple(z1), (st.k_link + c * rho) % g.order)

    def well_formed(self, stmt: RangeStatement, f: Any, z: Any) -> bool:
        m = stmt.bits
        g = self.group_of(stmt)
        if not (isinstance(f, RangeFirst) and isinstance(z, RangeResponse)):
            return False
        return (
            len(f.bit_commitments) == len(f.A0) == len(f.A1) == m
            and len(z.c0) == len(z.z0) == len(z.z1) == m
            and points_ok(g, [*f.bit_commitments, *f.A0, *f.A1, f.A_link])
            and scalars_ok(g, [*z.c0, *z.z0, *z.z1, z.z_link])
        )

    def equations(self, stmt: RangeStatement, f: RangeFirst, c: int, z: RangeResponse, terms: Terms) -> None:
        for Ci, a0, a1, c0, z0, z1 in zip(f.bit_commitments, f.A0, f.A1, z.c0, z.z0, z.z1):
            or_equations(terms, Ci, _BIT_VALUES, (a0, a1), c, (c0,), (z0, z1))
        # w·(z_link·H − A_link − c·(Σ 2^i C_i − C)) = 0
        w = random_weight()
        terms.h += w * z.z_link
        terms.add(-w, f.A_link)
        for i, Ci in enumerate(f.bit_commitments):
            terms.add(-w * c * (1 << i), Ci)
        terms.add(w * c, stmt.commitment.point)

    def simulate(self, stmt: RangeStatement, c: int) -> tuple[RangeFirst, RangeResponse]:
        """Bit commitments to random values (hiding makes them look alike), OR and link parts simulated."""
        g = self.group_of(stmt)
        Cs, A0, A1, c0, z0, z1 = [], [], [], [], [], []
        for _ in range(stmt.bits):
            Ci = g.commit_point(0, g.random_scalar())
            As, partial, zs = or_simulate(g, Ci, _BIT_VALUES, c)
            Cs.append(Ci)
            A0.append(As[0])
            A1.append(As[1])
            c0.append(partial[0])
            z0.append(zs[0])
            z1.append(zs[1])
        D = g.lincomb(Cs + [stmt.commitment.point], [1 << i for i in range(stmt.bits)] + [-1])
        z_link = g.random_scalar()
        A_link = g.lincomb([D], [-c], h=z_link)
        return RangeFirst(tuple(Cs), tuple(A0), tuple(A1), A_link), RangeResponse(tuple(c0), tuple(z0), tuple(z1), z_link)

    def extract(self, stmt, f: RangeFirst, c1, z1: RangeResponse, c2, z2: RangeResponse) -> Opening:
        q = self.group_of(stmt).order
        x = r = 0
        for i in range(stmt.bits):
            b, r_i = or_extract(q, _BIT_VALUES, c1, (z1.c0[i],), (z1.z0[i], z1.z1[i]),
                                c2, (z2.c0[i],), (z2.z0[i], z2.z1[i]))
            x += b << i
            r += r_i << i
        rho = (z1.z_link - z2.z_link) * pow((c1 - c2) % q, -1, q)
        return Opening(x % q, (r - rho) % q)

    def encode(self, stmt: RangeStatement, f: RangeFirst, z: RangeResponse) -> bytes:
        w = Writer(self.group_of(stmt), self.name)
        w.points(list(f.bit_commitments)).points(list(f.A0)).points(list(f.A1)).point(f.A_link)
        return w.scalars(list(z.c0)).scalars(list(z.z0)).scalars(list(z.z1)).scalar(z.z_link).bytes()

    def decode(self, stmt: RangeStatement, data: bytes) -> tuple[RangeFirst, RangeResponse]:
        m = stmt.bits
        rd = Reader(self.group_of(stmt), self.name, data)
        f = RangeFirst(tuple(rd.points(m)), tuple(rd.points(m)), tuple(rd.points(m)), rd.point())
        z = RangeResponse(tuple(rd.scalars(m)), tuple(rd.scalars(m)), tuple(rd.scalars(m)), rd.scalar())
        rd.finish()
        return f, z


RANGE = RangeProtocol()


def prove_range(commitment: Commitment, opening: Opening, bits: int, context: bytes = b"") -> NIProof:
    """nzkpNN: the committed value is in [0, 2^bits)."""
    return prove(RANGE, RangeStatement(commitment, bits), opening, context)


def verify_range(commitment: Commitment, bits: int, proof: NIProof, context: bytes = b"") -> bool:
    """Check an nzkpNN proof."""
    return verify(RANGE, RangeStatement(commitment, bits), proof, context)
