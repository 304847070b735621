"""zkpSum: commitments C_1..C_n add up to a commitment of the public value y.

Seed paper Algorithm 12 (non-distributed).  With C_i = x_i·G + r_i·H and
Σ x_i = y, the point D = Σ C_i − y·G equals ρ·H for ρ = Σ r_i; the prover
shows knowledge of ρ with a Schnorr proof to base H:

    A = k·H;   z = k + c·ρ;   verifier: z·H == A + c·D

(the paper's check g^{βy}·h^{z_r} = C'·Π Cm(x_i)^β, written additively).
If Σ x_i ≠ y then D has a nonzero G-component and knowing log_H D would
give log_G H, so the proof is sound under the discrete-log assumption.
Unlike the paper's β = H(C'), the challenge here also binds the commitments
and y.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from zkp.encoding import Reader, Writer
from zkp.groups.base import Group, Point
from zkp.pedersen import Commitment, Opening
from zkp.sigma.base import NIProof, SigmaProtocol, Terms, points_ok, prove, random_weight, scalars_ok, verify
from zkp.transcript import Transcript

MAX_TERMS = 1 << 20


@dataclass(frozen=True)
class SumStatement:
    """Public input: commitments C_1..C_n and y; claims Σ x_i = y (mod q)."""

    commitments: tuple[Commitment, ...]
    y: int

    def __post_init__(self) -> None:
        if not 1 <= len(self.commitments) <= MAX_TERMS:
            raise ValueError("zkpSum: need at least one commitment")
        g = self.commitments[0].group
        if any(c.group is not g for c in self.commitments):
            raise ValueError("zkpSum: commitments of different groups")
        object.__setattr__(self, "commitments", tuple(self.commitments))
        object.__setattr__(self, "y", g.scalar(self.y))

    def difference(self) -> Point:
        """D = Σ C_i − y·G, a multiple of H exactly when the claim holds (whp)."""
        g = self.commitments[0].group
        return g.lincomb([c.point for c in self.commitments], [1] * len(self.commitments), g=-self.y)


@dataclass(frozen=True)
class SumWitness:
    """ρ = Σ r_i (the x_i themselves are not needed)."""

    rho: int

    @classmethod
    def from_openings(cls, group: Group, openings: Sequence[Opening]) -> "SumWitness":
        return cls(sum(int(o.r) for o in openings) % group.order)


@dataclass(frozen=True)
class SumFirst:
    A: Point


@dataclass(frozen=True)
class SumResponse:
    z: int


def dlog_response(group: Group, nonce: Any, rho: Any, c: Any) -> int:
    """z = k + c·ρ mod q — linear in the witness ρ and the nonce k."""
    return (int(nonce) + int(c) * int(rho)) % group.order


class SumProtocol(SigmaProtocol[SumStatement, SumWitness, SumFirst, SumResponse]):
    name = b"zkpSum"

    def group_of(self, stmt: SumStatement) -> Group:
        return stmt.commitments[0].group

    def absorb_statement(self, t: Transcript, stmt: SumStatement) -> None:
        t.append_points(b"C", [c.point for c in stmt.commitments])
        t.append_scalar(b"y", stmt.y, self.group_of(stmt))

    def absorb_first(self, t: Transcript, stmt: SumStatement, first: SumFirst) -> None:
        t.append_point(b"A", first.A)

    def validate_witness(self, stmt: SumStatement, witness: SumWitness) -> None:
        g = self.group_of(stmt)
        if stmt.difference() != g.commit_point(0, witness.rho):
            raise ValueError("zkpSum: the commitments do not sum to y with randomness ρ")

    def commit(self, stmt: SumStatement, witness: SumWitness) -> tuple[SumFirst, int]:
        g = self.group_of(stmt)
        k = g.random_scalar()
        return SumFirst(g.commit_point(0, k)), k

    def respond(self, stmt: SumStatement, witness: SumWitness, state: Any, c: int) -> SumResponse:
        return SumResponse(dlog_response(self.group_of(stmt), state, witness.rho, c))

    def well_formed(self, stmt: SumStatement, first: Any, z: Any) -> bool:
        g = self.group_of(stmt)
        return (
            isinstance(first, SumFirst)
            and isinstance(z, SumResponse)
            and points_ok(g, [first.A])
            and scalars_ok(g, [z.z])
        )

    def equations(self, stmt: SumStatement, first: SumFirst, c: int, z: SumResponse, terms: Terms) -> None:
        # w·(z·H − A − c·(Σ C_i − y·G)) = 0
        w = random_weight()
        terms.h += w * z.z
        terms.g += w * c * stmt.y
        terms.add(-w, first.A)
        for cm in stmt.commitments:
            terms.add(-w * c, cm.point)

    def simulate(self, stmt: SumStatement, c: int) -> tuple[SumFirst, SumResponse]:
        g = self.group_of(stmt)
        z = g.random_scalar()
        return SumFirst(g.lincomb([stmt.difference()], [-c], h=z)), SumResponse(z)

    def extract(self, stmt, first, c1, z1: SumResponse, c2, z2: SumResponse) -> SumWitness:
        q = self.group_of(stmt).order
        return SumWitness((z1.z - z2.z) * pow((c1 - c2) % q, -1, q) % q)

    def encode(self, stmt: SumStatement, first: SumFirst, z: SumResponse) -> bytes:
        return Writer(self.group_of(stmt), self.name).point(first.A).scalar(z.z).bytes()

    def decode(self, stmt: SumStatement, data: bytes) -> tuple[SumFirst, SumResponse]:
        rd = Reader(self.group_of(stmt), self.name, data)
        first, z = SumFirst(rd.point()), SumResponse(rd.scalar())
        rd.finish()
        return first, z


SUM = SumProtocol()


def prove_sum(commitments: Sequence[Commitment], openings: Sequence[Opening], y: Any, context: bytes = b"") -> NIProof:
    """nzkpSum: Σ of the committed values is y."""
    stmt = SumStatement(tuple(commitments), y)
    return prove(SUM, stmt, SumWitness.from_openings(stmt.commitments[0].group, openings), context)


def verify_sum(commitments: Sequence[Commitment], y: Any, proof: NIProof, context: bytes = b"") -> bool:
    """Check an nzkpSum proof."""
    return verify(SUM, SumStatement(tuple(commitments), y), proof, context)
