"""zkpCm: knowledge of an opening (x, r) of a Pedersen commitment C = x·G + r·H.

Seed paper Algorithm 4 (and the Σ-protocol recalled in its §5.2):

    prover:   nonces (x', r');  A = x'·G + r'·H
    verifier: challenge c
    prover:   z_x = x' + c·x,  z_r = r' + c·r
    verifier: z_x·G + z_r·H == A + c·C

The response is linear in the witness (``opening_response``), which is what
the distributed version over SPDZ (Π_dzkpCm) evaluates on shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zkp.encoding import Reader, Writer
from zkp.groups.base import Group, Point
from zkp.pedersen import Commitment, Opening
from zkp.sigma.base import NIProof, SigmaProtocol, Terms, points_ok, prove, random_weight, scalars_ok, verify
from zkp.transcript import Transcript


@dataclass(frozen=True)
class OpeningStatement:
    """Public input: the commitment C."""

    commitment: Commitment


@dataclass(frozen=True)
class OpeningFirst:
    A: Point


@dataclass(frozen=True)
class OpeningResponse:
    z_x: int
    z_r: int


def opening_first_message(group: Group, nonce_x: Any, nonce_r: Any) -> Point:
    """A = x'·G + r'·H."""
    return group.commit_point(nonce_x, nonce_r)


def opening_response(group: Group, nonce: tuple[Any, Any], x: Any, r: Any, c: Any) -> OpeningResponse:
    """(z_x, z_r) = (x' + c·x, r' + c·r) mod q — linear in the witness (x, r) and the nonces."""
    q = group.order
    return OpeningResponse((int(nonce[0]) + int(c) * int(x)) % q, (int(nonce[1]) + int(c) * int(r)) % q)


class OpeningProtocol(SigmaProtocol[OpeningStatement, Opening, OpeningFirst, OpeningResponse]):
    name = b"zkpCm"

    def group_of(self, stmt: OpeningStatement) -> Group:
        return stmt.commitment.group

    def absorb_statement(self, t: Transcript, stmt: OpeningStatement) -> None:
        t.append_point(b"C", stmt.commitment.point)

    def absorb_first(self, t: Transcript, stmt: OpeningStatement, first: OpeningFirst) -> None:
        t.append_point(b"A", first.A)

    def validate_witness(self, stmt: OpeningStatement, witness: Opening) -> None:
        g = self.group_of(stmt)
        if g.commit_point(witness.x, witness.r) != stmt.commitment.point:
            raise ValueError("zkpCm: (x, r) does not open the commitment")

    def commit(self, stmt: OpeningStatement, witness: Opening) -> tuple[OpeningFirst, tuple[int, int]]:
        g = self.group_of(stmt)
        nonce = (g.random_scalar(), g.random_scalar())
        return OpeningFirst(opening_first_message(g, *nonce)), nonce

    def respond(self, stmt: OpeningStatement, witness: Opening, state: Any, c: int) -> OpeningResponse:
        return opening_response(self.group_of(stmt), state, witness.x, witness.r, c)

    def well_formed(self, stmt: OpeningStatement, first: Any, response: Any) -> bool:
        g = self.group_of(stmt)
        return (
            isinstance(first, OpeningFirst)
            and isinstance(response, OpeningResponse)
            and points_ok(g, [first.A])
            and scalars_ok(g, [response.z_x, response.z_r])
        )

    def equations(self, stmt: OpeningStatement, first: OpeningFirst, c: int, z: OpeningResponse, terms: Terms) -> None:
        # w·(z_x·G + z_r·H − A − c·C) = 0
        w = random_weight()
        terms.g += w * z.z_x
        terms.h += w * z.z_r
        terms.add(-w, first.A)
        terms.add(-w * c, stmt.commitment.point)

    def simulate(self, stmt: OpeningStatement, c: int) -> tuple[OpeningFirst, OpeningResponse]:
        g = self.group_of(stmt)
        z_x, z_r = g.random_scalar(), g.random_scalar()
        A = g.commit_point(z_x, z_r) - stmt.commitment.point * c
        return OpeningFirst(A), OpeningResponse(z_x, z_r)

    def extract(self, stmt, first, c1, z1: OpeningResponse, c2, z2: OpeningResponse) -> Opening:
        q = self.group_of(stmt).order
        inv = pow((c1 - c2) % q, -1, q)
        return Opening((z1.z_x - z2.z_x) * inv % q, (z1.z_r - z2.z_r) * inv % q)

    def encode(self, stmt: OpeningStatement, first: OpeningFirst, z: OpeningResponse) -> bytes:
        return Writer(self.group_of(stmt), self.name).point(first.A).scalar(z.z_x).scalar(z.z_r).bytes()

    def decode(self, stmt: OpeningStatement, data: bytes) -> tuple[OpeningFirst, OpeningResponse]:
        rd = Reader(self.group_of(stmt), self.name, data)
        first = OpeningFirst(rd.point())
        z = OpeningResponse(rd.scalar(), rd.scalar())
        rd.finish()
        return first, z


OPENING = OpeningProtocol()


def prove_opening(commitment: Commitment, opening: Opening, context: bytes = b"") -> NIProof:
    """nzkpCm: non-interactive proof of knowledge of an opening of ``commitment``."""
    return prove(OPENING, OpeningStatement(commitment), opening, context)


def verify_opening(commitment: Commitment, proof: NIProof, context: bytes = b"") -> bool:
    """Check an nzkpCm proof."""
    return verify(OPENING, OpeningStatement(commitment), proof, context)
