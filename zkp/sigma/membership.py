"""zkpMbs: a committed value belongs to a public set, by OR-composition.

Statement: C and a set S = {s_0..s_{n-1}} of distinct scalars.  Witness:
(x, r) with C = x·G + r·H and x ∈ S.  The proof is the OR of "C − s_j·G is a
multiple of H" over j (see :mod:`zkp.sigma.or_proof`), so it reveals nothing
about which s_j.

The seed paper's Algorithm 5 is not this protocol: as printed, its
responses use the global challenge ψ where the branch challenge ψ_j is
needed (so honest proofs fail), and even with that fixed every branch is
answered with the real witness, which proves knowledge of an opening of C
and nothing about membership.  ``tests/zkp/test_paper_counterexamples.py``
exhibits both failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from zkp.encoding import Reader, Writer
from zkp.groups.base import Group, Point
from zkp.pedersen import Commitment, Opening
from zkp.sigma.base import NIProof, SigmaProtocol, Terms, points_ok, prove, scalars_ok, verify
from zkp.sigma.or_proof import or_commit, or_equations, or_extract, or_respond, or_simulate
from zkp.transcript import Transcript

#: largest set accepted (proof size and work are linear in it).
MAX_SET_SIZE = 1 << 16


@dataclass(frozen=True)
class MembershipStatement:
    """Public input: C and the set, as a tuple of distinct scalars (order matters for the proof)."""

    commitment: Commitment
    values: tuple[int, ...]

    def __post_init__(self) -> None:
        q = self.commitment.group.order
        vals = tuple(self.commitment.group.scalar(v) for v in self.values)
        if not 1 <= len(vals) <= MAX_SET_SIZE:
            raise ValueError(f"zkpMbs: the set must have 1..{MAX_SET_SIZE} elements")
        if len(set(vals)) != len(vals):
            raise ValueError(f"zkpMbs: set elements must be distinct modulo q = {q}")
        object.__setattr__(self, "values", vals)


@dataclass(frozen=True)
class MembershipFirst:
    As: tuple[Point, ...]


@dataclass(frozen=True)
class MembershipResponse:
    partial_challenges: tuple[int, ...]  # c_0..c_{n-2}; c_{n-1} = c − Σ
    zs: tuple[int, ...]


class MembershipProtocol(SigmaProtocol[MembershipStatement, Opening, MembershipFirst, MembershipResponse]):
    name = b"zkpMbs"

    def group_of(self, stmt: MembershipStatement) -> Group:
        return stmt.commitment.group

    def absorb_statement(self, t: Transcript, stmt: MembershipStatement) -> None:
        t.append_point(b"C", stmt.commitment.point)
        t.append_scalars(b"set", stmt.values, self.group_of(stmt))

    def absorb_first(self, t: Transcript, stmt: MembershipStatement, first: MembershipFirst) -> None:
        t.append_points(b"A", first.As)

    def validate_witness(self, stmt: MembershipStatement, witness: Opening) -> None:
        g = self.group_of(stmt)
        if g.commit_point(witness.x, witness.r) != stmt.commitment.point:
            raise ValueError("zkpMbs: (x, r) does not open the commitment")
        if g.scalar(witness.x) not in stmt.values:
            raise ValueError("zkpMbs: the committed value is not in the set")

    def commit(self, stmt: MembershipStatement, witness: Opening) -> tuple[MembershipFirst, Any]:
        g = self.group_of(stmt)
        x = g.scalar(witness.x)
        real = stmt.values.index(x)
        As, st = or_commit(g, g.scalar(witness.r), [(x - s) % g.order for s in stmt.values], real)
        return MembershipFirst(tuple(As)), st

    def respond(self, stmt: MembershipStatement, witness: Opening, state: Any, c: int) -> MembershipResponse:
        g = self.group_of(stmt)
        partial, zs = or_respond(g, g.scalar(witness.r), state, c, len(stmt.values))
        return MembershipResponse(tuple(partial), tuple(zs))

    def well_formed(self, stmt: MembershipStatement, first: Any, z: Any) -> bool:
        n = len(stmt.values)
        g = self.group_of(stmt)
        return (
            isinstance(first, MembershipFirst)
            and isinstance(z, MembershipResponse)
            and len(first.As) == n
            and len(z.partial_challenges) == n - 1
            and len(z.zs) == n
            and points_ok(g, first.As)
            and scalars_ok(g, [*z.partial_challenges, *z.zs])
        )

    def equations(self, stmt, first: MembershipFirst, c: int, z: MembershipResponse, terms: Terms) -> None:
        or_equations(terms, stmt.commitment.point, stmt.values, first.As, c, z.partial_challenges, z.zs)

    def simulate(self, stmt: MembershipStatement, c: int) -> tuple[MembershipFirst, MembershipResponse]:
        As, partial, zs = or_simulate(self.group_of(stmt), stmt.commitment.point, stmt.values, c)
        return MembershipFirst(tuple(As)), MembershipResponse(tuple(partial), tuple(zs))

    def extract(self, stmt, first, c1, z1: MembershipResponse, c2, z2: MembershipResponse) -> Opening:
        q = self.group_of(stmt).order
        x, r = or_extract(q, stmt.values, c1, z1.partial_challenges, z1.zs, c2, z2.partial_challenges, z2.zs)
        return Opening(x, r)

    def encode(self, stmt, first: MembershipFirst, z: MembershipResponse) -> bytes:
        w = Writer(self.group_of(stmt), self.name)
        return w.points(list(first.As)).scalars(list(z.partial_challenges)).scalars(list(z.zs)).bytes()

    def decode(self, stmt: MembershipStatement, data: bytes) -> tuple[MembershipFirst, MembershipResponse]:
        n = len(stmt.values)
        rd = Reader(self.group_of(stmt), self.name, data)
        As = rd.points(n)
        partial = rd.scalars(n)
        zs = rd.scalars(n)
        rd.finish()
        return MembershipFirst(tuple(As)), MembershipResponse(tuple(partial), tuple(zs))


MEMBERSHIP = MembershipProtocol()


def prove_membership(commitment: Commitment, values: Sequence[Any], opening: Opening, context: bytes = b"") -> NIProof:
    """nzkpMbs: the value committed in ``commitment`` is one of ``values``."""
    return prove(MEMBERSHIP, MembershipStatement(commitment, tuple(values)), opening, context)


def verify_membership(commitment: Commitment, values: Sequence[Any], proof: NIProof, context: bytes = b"") -> bool:
    """Check an nzkpMbs proof."""
    return verify(MEMBERSHIP, MembershipStatement(commitment, tuple(values)), proof, context)
