"""OR-composition (Cramer–Damgård–Schoenmakers) of discrete-log proofs to base H.

Statement: a commitment C and public values s_0..s_{n-1}; branch j claims
that D_j = C − s_j·G is a multiple of H, i.e. C commits to s_j.  The prover
knows r with D_i = r·H for one (hidden) i.  It runs the real Schnorr proof on
branch i and simulates every other branch with a challenge it picks itself;
the verifier's challenge c fixes the last free one, because the branch
challenges must sum to c.  Only c_0..c_{n-2} are sent; c_{n-1} is derived.

Simulated branches would cost a variable-base multiplication (A_j = z_j·H −
c_j·D_j), but the prover knows D_j = (x − s_j)·G + r·H, so it computes
A_j = (z_j − c_j·r)·H − c_j·(x − s_j)·G with the fixed-base tables — the same
point, cheaper.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from zkp.groups.base import Group, Point
from zkp.sigma.base import Terms, random_weight


@dataclass(frozen=True)
class OrState:
    real: int
    k: int
    sim_c: dict
    sim_z: dict


def or_commit(group: Group, r: int, deltas: Sequence[int], real: int) -> tuple[list[Point], OrState]:
    """First messages A_0..A_{n-1}; ``deltas[j] = x − s_j`` (zero at the real branch)."""
    q = group.order
    k = group.random_scalar()
    sim_c, sim_z, As = {}, {}, []
    for j, d in enumerate(deltas):
        if j == real:
            As.append(group.commit_point(0, k))
        else:
            c_j, z_j = group.random_scalar(), group.random_scalar()
            sim_c[j], sim_z[j] = c_j, z_j
            As.append(group.commit_point(-c_j * d % q, (z_j - c_j * r) % q))
    return As, OrState(real, k, sim_c, sim_z)


def or_respond(group: Group, r: int, st: OrState, c: int, n: int) -> tuple[list[int], list[int]]:
    """(c_0..c_{n-2}, z_0..z_{n-1}): the real branch gets c minus the simulated challenges."""
    q = group.order
    c_real = (c - sum(st.sim_c.values())) % q
    cs = [c_real if j == st.real else st.sim_c[j] for j in range(n)]
    zs = [(st.k + c_real * r) % q if j == st.real else st.sim_z[j] for j in range(n)]
    return cs[:-1], zs


def all_challenges(q: int, c: int, partial: Sequence[int]) -> list[int]:
    """Branch challenges with the last one derived so that they sum to c."""
    return list(partial) + [(c - sum(partial)) % q]


def or_equations(terms: Terms, C: Point, values: Sequence[int], As: Sequence[Point], c: int,
                 partial: Sequence[int], zs: Sequence[int]) -> None:
    """Random combination of z_j·H == A_j + c_j·(C − s_j·G) over all branches."""
    cs = all_challenges(terms.group.order, c, partial)
    c_coeff = 0
    for s, A, c_j, z_j in zip(values, As, cs, zs):
        w = random_weight()
        terms.h += w * z_j
        terms.g += w * c_j * s
        terms.add(-w, A)
        c_coeff -= w * c_j
    terms.add(c_coeff, C)


def or_simulate(group: Group, C: Point, values: Sequence[int], c: int) -> tuple[list[Point], list[int], list[int]]:
    """An accepting (A, partial challenges, z) for challenge c, made without a witness."""
    n = len(values)
    partial = [group.random_scalar() for _ in range(n - 1)]
    cs = all_challenges(group.order, c, partial)
    zs = [group.random_scalar() for _ in range(n)]
    As = [group.lincomb([C], [-c_j], g=c_j * s, h=z_j) for s, c_j, z_j in zip(values, cs, zs)]
    return As, partial, zs


def or_extract(q: int, values: Sequence[int], c1: int, p1: Sequence[int], z1: Sequence[int],
               c2: int, p2: Sequence[int], z2: Sequence[int]) -> tuple[int, int]:
    """(s_j, r) from two accepting transcripts with one first message and c1 ≠ c2."""
    cs1, cs2 = all_challenges(q, c1, p1), all_challenges(q, c2, p2)
    for s, a1, a2, b1, b2 in zip(values, cs1, cs2, z1, z2):
        if a1 != a2:
            return s, (b1 - b2) * pow((a1 - a2) % q, -1, q) % q
    raise ValueError("the two transcripts have the same branch challenges (c1 == c2)")
