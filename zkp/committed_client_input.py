"""Input-only clients whose inputs must equal values committed by someone else: one
Fiat–Shamir proof per client, checked by the servers in one MAC-checked opening for all
clients together.

A client (a household) holds openings (x_j, r_j) of public Pedersen commitments
C_j = x_j·G + r_j·H, j = 1..k (e.g. the utility operator's receipts). It secret-shares
x_1..x_k and one extra uniform value x' as a client input (k + 1 values; `d` is the masked
input message the servers agree on), and sends in the clear

    A = x'·G + r'·H          (r' uniform, known only to the client)
    R = r' + Σ_j ψ^j·r_j     where ψ = H(context, client id, A, d, C_1..C_k)

The servers compute ⟨z⟩ = ⟨x'⟩ + Σ_j ψ^j·⟨x_j⟩ locally, open z for every client at once
(`Session.output`, so everything opened is MAC-checked first) and accept a client iff

    z·G + R·H = A + Σ_j ψ^j·C_j.

Soundness: d fixes x_1..x_k and x' before ψ is known (the client's mask shares were fixed
by the servers before), and A is hashed into ψ. If some shared x̃_j ≠ x_j, passing needs
a_G − x̃' + Σ_j ψ^j (x_j − x̃_j) = 0 for A's G-coordinate a_G, since R·H cannot cancel a
G-component without log_G H: a non-zero polynomial of degree ≤ k in ψ, so a hash query
succeeds with probability ≤ k/q (random oracle). A client therefore cannot get values
into the computation other than the committed ones.
Privacy: z and R are masked by the uniform x' and r', which nobody else learns; the
servers learn nothing about x_j or r_j beyond C_j.
Cost: k + 1 client-input values (the blinding factors r_j are never shared), one opened
field element per client, and at every server one multi-scalar multiplication of all
clients' points together, the equations weighted by random 128-bit weights (a false claim
passes with probability 2^-128); only when that fails is each client checked alone.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

from mpc.session import Session
from mpc.shares import AuthVector
from zkp.groups.base import Group, Point
from zkp.sigma.base import random_weight
from zkp.transcript import Transcript

DOMAIN = b"mpc-markets/committed-client-input/v1"


@dataclass(frozen=True)
class OpeningProof:
    """What a client sends in the clear beside its masked input: A and R."""

    a_point: bytes
    response: int

    def to_bytes(self, group: Group) -> bytes:
        return self.a_point + group.scalar(self.response).to_bytes(group.scalar_size, "big")

    @classmethod
    def from_bytes(cls, group: Group, data: bytes) -> "OpeningProof":
        """ValueError unless `data` is a point and a reduced scalar of the group."""
        if len(data) != group.point_size + group.scalar_size:
            raise ValueError("opening proof has the wrong length")
        group.decode(data[:group.point_size])
        r = int.from_bytes(data[group.point_size:], "big")
        if r >= group.order:
            raise ValueError("opening proof response is not reduced")
        return cls(data[:group.point_size], r)

    @staticmethod
    def size(group: Group) -> int:
        return group.point_size + group.scalar_size


def challenge(group: Group, context: bytes, client_id: str, a_point: bytes, masked_input: bytes,
              commitments: Sequence[bytes]) -> int:
    """ψ of the module docstring (both sides compute it from public data)."""
    t = Transcript(DOMAIN)
    t.append_bytes(b"context", context)
    t.append_bytes(b"client", client_id.encode("utf-8"))
    t.append_bytes(b"A", a_point)
    t.append_bytes(b"d", hashlib.sha256(masked_input).digest())
    t.append_bytes(b"C", hashlib.sha256(len(commitments).to_bytes(8, "big") + b"".join(commitments)).digest())
    return t.challenge_scalar(b"psi", group)


def powers(psi: int, k: int, q: int) -> list[int]:
    """ψ^1..ψ^k mod q."""
    out, acc = [], 1
    for _ in range(k):
        acc = acc * psi % q
        out.append(acc)
    return out


def client_blinding(group: Group) -> tuple[int, int]:
    """The client's fresh (x', r')."""
    return group.random_scalar(), group.random_scalar()


def prove(group: Group, context: bytes, client_id: str, randomness: Sequence[int], commitments: Sequence[bytes],
          x_prime: int, r_prime: int, masked_input: bytes) -> OpeningProof:
    """The client's (A, R) once its masked input `d` (which includes x') is fixed."""
    a_point = group.commit_point(x_prime, r_prime).to_bytes()
    psi = challenge(group, context, client_id, a_point, masked_input, commitments)
    q = group.order
    response = (r_prime + sum(p * r for p, r in zip(powers(psi, len(randomness), q), randomness))) % q
    return OpeningProof(a_point, response)


@dataclass(frozen=True)
class ClientClaim:
    """What the servers hold for one client: its shares of x_1..x_k, x' (last), the public
    commitments, its agreed masked input and its opening proof."""

    client_id: str
    shared: AuthVector
    commitments: Sequence[bytes]
    masked_input: bytes
    proof: OpeningProof


async def check_openings(session: Session, group: Group, claims: Sequence[ClientClaim],
                         context: bytes) -> dict[str, str]:
    """The clients whose shared values are not their committed ones, with a reason; all
    honest servers reach the same verdict (it depends only on MAC-checked openings and
    agreed public data). One opening of len(claims) field elements."""
    q = group.order
    zs = []
    psis = []
    for c in claims:
        k = len(c.commitments)
        if len(c.shared) != k + 1:
            raise ValueError(f"client {c.client_id}: {len(c.shared)} shared values for {k} commitments (+1)")
        psi = challenge(group, context, c.client_id, c.proof.a_point, c.masked_input, c.commitments)
        coeffs = powers(psi, k, q) + [1]
        psis.append(coeffs)
        zs.append(c.shared.dot_public(coeffs))
    opened = await session.output(AuthVector.concat(zs)) if zs else []
    bad: dict[str, str] = {}
    decoded = []
    for c, coeffs, z in zip(claims, psis, opened):
        try:
            points = [group.decode(b) for b in c.commitments] + [group.decode(c.proof.a_point)]
        except ValueError as exc:
            bad[c.client_id] = f"malformed commitment ({exc})"
            continue
        decoded.append((c, coeffs, int(z), points))
    # All claims at once with random weights (one large multi-scalar multiplication); only if
    # that fails are they checked one by one, to name the clients that cheated.
    if not _holds_in_batch(group, decoded):
        for c, coeffs, z, points in decoded:
            if not _equation(group, [(1, coeffs, z, c.proof.response, points)]).is_identity():
                bad[c.client_id] = "shared bill values do not open the operator's commitments"
    return bad


def _equation(group: Group, weighted) -> Point:
    """Σ w·(z·G + R·H − A − Σ ψ^j C_j) over (w, coefficients, z, R, points): the identity iff
    every equation holds, up to 2^-128 per false one when the weights are random."""
    q = group.order
    g_coeff = h_coeff = 0
    pts, ks = [], []
    for w, coeffs, z, response, points in weighted:
        g_coeff += w * z
        h_coeff += w * response
        pts.extend(points)
        ks.extend((-w * x) % q for x in coeffs)
    return group.lincomb(pts, ks, g=g_coeff % q, h=h_coeff % q)


def _holds_in_batch(group: Group, decoded) -> bool:
    if not decoded:
        return True
    return _equation(group, [(random_weight(), coeffs, z, c.proof.response, points)
                             for c, coeffs, z, points in decoded]).is_identity()
