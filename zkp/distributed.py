"""Distributed Σ-proofs inside an SPDZ session: Π_dzkpCm and Π_dzkpSum.

A party's input ⟨x⟩ to the MPC must be the value x committed in a public
Pedersen commitment C = Cm(x, r) (e.g. a receipt under the operator's signed
Merkle root).  The parties prove it jointly, without anyone learning x.

Π_dzkpCm (seed paper Algorithm 1; vectorised over every commitment of every
owner, so a whole batch costs one broadcast, one input round, one coin toss
and one MAC-checked opening):

  1. each owner broadcasts A_j = Cm(x'_j, r'_j) for fresh nonces and
     secret-shares ⟨r_j⟩, ⟨x'_j⟩, ⟨r'_j⟩;
  2. the parties toss a coin (commit-then-reveal, ``Session.coin_toss``) and
     hash it with a transcript of the statement and every A_j into the
     challenge ψ, which is therefore unpredictable once the shares are fixed;
  3. they compute ⟨z_x⟩ = ⟨x'⟩ + ψ·⟨x⟩ and ⟨z_r⟩ = ⟨r'⟩ + ψ·⟨r⟩ locally
     and ``output`` them — the MAC check there catches a party that tampers
     with any share (MacCheckFailure), and the broadcast-transcript
     comparison catches an owner that sent different A_j to different
     parties (BroadcastInconsistency);
  4. everybody checks z_x·G + z_r·H == A + ψ·C (one random linear
     combination per owner) and raises ProofFailure naming the owner
     otherwise.  If the owner shared x̃ ≠ x, the check can hold for at most
     one ψ: probability 1/q over the coin.

Revealing z_x, z_r leaks nothing: x' and r' are uniform and never opened.

Π_dzkpSum (seed paper Algorithm 12): party i owns C_i = Cm(x_i, r_i); they
prove Σ x_i = y for public y.  Each party shares ⟨r_i⟩, ⟨r'_i⟩ and broadcasts
A_i = r'_i·H; with C' = Σ A_i and a tossed challenge β they open
z = Σ r'_i + β·Σ r_i and check z·H == C' + β·(Σ C_i − y·G).  The paper takes
β = H(C'), which does not bind the statement (see
tests/zkp/test_paper_counterexamples.py); here β comes from a coin toss
hashed with the commitments, y and every A_i.

The session's field must be GF(q) for q = the group order
(``PrimeField(group.order)``); otherwise a ValueError is raised before any
message is sent.
"""

from __future__ import annotations

from typing import Optional, Sequence

from mpc.errors import MalformedMessage, MPCAbort, ProofFailure
from mpc.session import Session
from mpc.shares import AuthVector

from zkp.groups.base import Group, Point
from zkp.pedersen import Commitment, Opening
from zkp.sigma.base import random_weight
from zkp.transcript import Transcript


def require_matching_field(session: Session, group: Group) -> None:
    """ValueError unless the session computes in GF(group order)."""
    if int(session.field.q) != group.order:
        raise ValueError(f"the session's field modulus must be the order of group {group.name}; "
                         f"create the session with PrimeField(get_group({group.name!r}).order)")


def _abort(session: Session, exc: MPCAbort) -> MPCAbort:
    """Mark the session aborted (it releases nothing more) and return the exception to raise."""
    return session.abort(exc)


def _decode_points(session: Session, group: Group, owner: int, data: bytes, n: int) -> list[Point]:
    size = group.point_size
    try:
        return [group.decode(data[i * size:(i + 1) * size]) for i in range(n)]
    except ValueError as exc:
        raise _abort(session, MalformedMessage(f"party {owner} broadcast an invalid group element ({exc})"))


async def broadcast_points(session: Session, group: Group, mine: Sequence[Point],
                           counts: dict[int, int]) -> dict[int, list[Point]]:
    """One round: each party p in ``counts`` broadcasts counts[p] points (this party: ``mine``).

    Messages are padded to a common size; an undecodable point aborts with MalformedMessage
    naming its sender, and equivocation is caught by the next MAC check.
    """
    width = max(counts.values(), default=0) * group.point_size
    if len(mine) != counts.get(session.pid, 0):
        raise ValueError(f"party {session.pid} must broadcast {counts.get(session.pid, 0)} points")
    payload = b"".join(p.to_bytes() for p in mine)
    received = await session.broadcast_bytes(payload + bytes(width - len(payload)), width)
    return {p: _decode_points(session, group, p, received[p], n) for p, n in counts.items()}


async def joint_challenge(session: Session, group: Group, transcript: Transcript) -> int:
    """A challenge nobody controls: a commit-then-reveal coin toss hashed with the transcript."""
    seed = await session.coin_toss()
    transcript.append_bytes(b"coin", seed)
    return transcript.challenge_scalar(b"challenge", group)


async def dzkp_commitments_many(session: Session, group: Group, commitments: dict[int, Sequence[Commitment]],
                                shared_x: dict[int, AuthVector], openings: Optional[Sequence[Opening]] = None,
                                context: bytes = b"") -> None:
    """Π_dzkpCm for several owners at once: ⟨x⟩ shared for owner o are the values in commitments[o].

    Every party passes the same public ``commitments`` and its shares ``shared_x`` (both keyed
    by owner); an owner also passes the openings of its own commitments.  Returns if every
    proof passes; otherwise raises at every honest party (ProofFailure naming the owner,
    MacCheckFailure for tampered shares, BroadcastInconsistency for equivocation).
    """
    require_matching_field(session, group)
    owners = sorted(commitments)
    counts = {o: len(commitments[o]) for o in owners}
    for o in owners:
        if o not in shared_x or len(shared_x[o]) != counts[o]:
            raise ValueError(f"one shared value per commitment of party {o} is needed")
    mine: list[Point] = []
    clear = None
    if session.pid in counts:
        k = counts[session.pid]
        if openings is None or len(openings) != k:
            raise ValueError(f"party {session.pid} must pass the opening of each of its {k} commitments")
        nonces = [(group.random_scalar(), group.random_scalar()) for _ in range(k)]
        mine = [group.commit_point(a, b) for a, b in nonces]
        clear = [int(o.r) for o in openings] + [a for a, _ in nonces] + [b for _, b in nonces]
    firsts = await broadcast_points(session, group, mine, counts)
    inputs = await session.input_many({session.pid: clear} if clear is not None else {},
                                      {o: 3 * counts[o] for o in owners})
    t = Transcript(b"dzkpCm")
    t.append_group(group)
    t.append_bytes(b"context", context)
    for o in owners:
        t.append_int(b"owner", o)
        t.append_points(b"C", [c.point for c in commitments[o]])
        t.append_points(b"A", firsts[o])
    psi = await joint_challenge(session, group, t)
    parts = []
    for o in owners:
        k = counts[o]
        r, x_nonce, r_nonce = inputs[o].split([k, k, k])
        parts += [x_nonce + shared_x[o] * psi, r_nonce + r * psi]
    opened = await session.output(AuthVector.concat(parts))
    failed, at = [], 0
    for o in owners:
        k = counts[o]
        z_x, z_r = opened[at:at + k], opened[at + k:at + 2 * k]
        at += 2 * k
        ws = [random_weight() for _ in range(k)]
        check = group.lincomb(firsts[o] + [c.point for c in commitments[o]],
                              [-w for w in ws] + [-w * psi for w in ws],
                              g=sum(w * int(a) for w, a in zip(ws, z_x)),
                              h=sum(w * int(b) for w, b in zip(ws, z_r)))
        if not check.is_identity():
            failed.append(o)
    if failed:
        raise _abort(session, ProofFailure(
            f"dzkpCm: shared values of party {', '.join(map(str, failed))} do not match the commitments"))


async def dzkp_commitments(session: Session, group: Group, owner: int, commitments: Sequence[Commitment],
                           shared_x: AuthVector, openings: Optional[Sequence[Opening]] = None,
                           context: bytes = b"") -> None:
    """Π_dzkpCm for one owner's commitments (see :func:`dzkp_commitments_many`)."""
    await dzkp_commitments_many(session, group, {owner: list(commitments)}, {owner: shared_x},
                                openings if session.pid == owner else None, context)


async def input_committed(session: Session, group: Group, owner: int, commitments: Sequence[Commitment],
                          openings: Optional[Sequence[Opening]] = None, context: bytes = b"") -> AuthVector:
    """The owner secret-shares the values committed in ``commitments``, proven by Π_dzkpCm.

    Returns ⟨x⟩ only after the proof passed; the owner passes the openings, the others None.
    """
    k = len(commitments)
    values = [int(o.x) for o in openings] if session.pid == owner and openings is not None else None
    shared = await session.input(owner, values, k)
    await dzkp_commitments(session, group, owner, commitments, shared, openings, context)
    return shared


async def dzkp_sum(session: Session, group: Group, commitments: Sequence[Commitment], y: int,
                   opening: Opening, context: bytes = b"") -> None:
    """Π_dzkpSum: party i owns commitments[i]; prove Σ x_i = y revealing no x_i or r_i.

    Every party passes the same public commitments (one per party, in party order) and y,
    and the opening of its own commitment.  Raises ProofFailure at every honest party if the
    committed values do not sum to y or a party shared randomness other than its commitment's.
    """
    require_matching_field(session, group)
    m = session.m
    if len(commitments) != m:
        raise ValueError(f"Π_dzkpSum needs exactly one commitment per party ({m}), got {len(commitments)}")
    nonce = group.random_scalar()
    firsts = await broadcast_points(session, group, [group.commit_point(0, nonce)], {p: 1 for p in range(m)})
    shares = await session.input_many({session.pid: [int(opening.r), nonce]}, {p: 2 for p in range(m)})
    both = AuthVector.concat([shares[p] for p in range(m)])
    rho = both[0::2].sum()
    nonce_sum = both[1::2].sum()
    A = [firsts[p][0] for p in range(m)]
    t = Transcript(b"dzkpSum")
    t.append_group(group)
    t.append_bytes(b"context", context)
    t.append_points(b"C", [c.point for c in commitments])
    t.append_scalar(b"y", y, group)
    t.append_points(b"A", A)
    beta = await joint_challenge(session, group, t)
    (z,) = await session.output(nonce_sum + rho * beta)
    check = group.lincomb(A + [c.point for c in commitments], [-1] * m + [-beta] * m,
                          g=beta * group.scalar(y), h=int(z))
    if not check.is_identity():
        raise _abort(session, ProofFailure("dzkpSum: the committed values do not sum to the claimed total"))


async def commit_shared(session: Session, group: Group, x: AuthVector, r: AuthVector,
                        context: bytes = b"") -> list[Point]:
    """Public Pedersen commitments C_j = x_j·G + r_j·H to shared ⟨x⟩, ⟨r⟩, nobody learning x or r.

    Each party publishes its share of every C_j (x_{j,i}·G + r_{j,i}·H) and of a mask
    A = x'·G + r'·H for random shared ⟨x'⟩, ⟨r'⟩; C and A are the sums. Those shares carry no
    MAC, so the sums are then proven right in one MAC-checked opening: with a challenge ψ
    from a coin toss after every share is fixed, open z_x = x' + Σ_j ψ^j x_j and
    z_r = r' + Σ_j ψ^j r_j and check z_x·G + z_r·H = A + Σ_j ψ^j C_j. A party whose published
    shares are off by any non-zero Δ_j (or Δ_A) passes only if Δ_A + Σ_j ψ^j Δ_j = 0, a
    non-zero polynomial in ψ fixed before ψ: probability ≤ k/q. Opening z reveals nothing
    (x', r' uniform). Costs one broadcast of k + 1 points, one coin toss and one opening of
    two values, and 2(k + 1) scalar multiplications per party.
    """
    require_matching_field(session, group)
    k = len(x)
    if len(r) != k:
        raise ValueError("one randomness per committed value is needed")
    masks = await session.triples(2)   # uniformly random shared values (a of two triples)
    xm, rm = masks[0][0:1], masks[0][1:2]
    xs = list(x.values) + list(xm.values)
    rs = list(r.values) + list(rm.values)
    mine = [group.commit_point(int(a), int(b)) for a, b in zip(xs, rs)]
    got = await broadcast_points(session, group, mine, {p: k + 1 for p in range(session.m)})
    sums = [group.lincomb([got[p][j] for p in range(session.m)], [1] * session.m) for j in range(k + 1)]
    commitments, a_point = sums[:k], sums[k]
    t = Transcript(b"commit-shared")
    t.append_group(group)
    t.append_bytes(b"context", context)
    t.append_points(b"C", commitments)
    t.append_point(b"A", a_point)
    psi = await joint_challenge(session, group, t)
    coeffs, acc = [], 1
    for _ in range(k):
        acc = acc * psi % group.order
        coeffs.append(acc)
    z = await session.output(AuthVector.concat([x.dot_public(coeffs) + xm, r.dot_public(coeffs) + rm]))
    check = group.lincomb(commitments + [a_point], [-c for c in coeffs] + [-1], g=int(z[0]), h=int(z[1]))
    if not check.is_identity():
        raise _abort(session, ProofFailure("commitments to shared values: a party published a wrong share"))
    return commitments
