"""Stage 1 of the private group purchase: share the bill data and prove it is the operator's.

Seed §4.2.3, §5.2 and Stage 1 of §6.  For every user i and slot t the utility operator
committed the tuple (Cm(a_1..a_P), Cm(β_1..β_P), Cm(κ), Cm(μ), Cm(v)) (layout of
`protocols.energy.utility_operator.receipts`), put one leaf per (user, slot) into a Merkle tree and
published the signed root on the ledger.  In one session step:

1. every user broadcasts its T leaves (the commitments) with their inclusion proofs;
2. every party checks the operator's signature on the root it read from the ledger and
   every leaf's audit path under it, with the leaf bound to the user id and slot (a user
   cannot present another user's leaf or re-order its own slots); any failure aborts
   naming the user;
3. every user secret-shares the committed values (one input round for all users), and all
   run Π_dzkpCm over every commitment at once (`zkp.distributed.dzkp_commitments_many`):
   a user whose shared values differ from its committed bill makes everyone abort.

Trust: the operator is trusted for the *values* it commits (the seed assumes valid bills);
what the protocol guarantees is that the MPC computes on exactly those values. Ranges: a
user cannot input anything but its committed values, so the values are not range-checked
again inside the MPC; the comparisons of Stages 2 and 3 rely on them being within the
bounds the scenario loader enforces (every linear intermediate below 2^64, see
`two_state`), which holds as long as the operator commits what the loader accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from mpc.errors import MalformedMessage, ProofFailure
from mpc.session import Session
from mpc.shares import AuthVector
from zkp.distributed import dzkp_commitments_many
from zkp.groups.base import Group
from zkp.merkle import HASH_SIZE, InclusionProof
from zkp.pedersen import Commitment, Opening
from zkp.signatures import SignedRoot, verify_inclusion, verify_signed_root

from protocols.energy.market import PublicInfo

_PROOF_HEAD = 17  # index (8) ‖ tree size (8) ‖ path length (1), see InclusionProof.to_bytes


@dataclass
class OwnBill:
    """One user's Stage-1 material: per slot the committed values, their openings and the leaf.

    `values[t]` is what the user will secret-share for slot t+1; an honest user takes it
    from its receipts (tests change it to play a user who shares something else).
    """

    user_id: str
    values: list[list[int]]
    randomness: list[list[int]]
    commitments: list[list[bytes]]
    proofs: list[InclusionProof]


def own_bill_from_receipts(user_id: str, receipts: Sequence) -> OwnBill:
    """Collect the operator's receipts of one user (slot order) into an OwnBill."""
    rs = sorted(receipts, key=lambda r: r.slot)
    return OwnBill(user_id, [list(r.values.as_list()) for r in rs], [list(r.randomness) for r in rs],
                   [list(r.commitments) for r in rs], [r.proof for r in rs])


def max_path(tree_size: int) -> int:
    """The longest inclusion path in a tree of `tree_size` leaves (at least 1)."""
    return max(1, (tree_size - 1).bit_length())


def leaves_size(info: PublicInfo, point_size: int, path_len: int) -> int:
    """Bytes of one user's encoded leaves (`encode_leaves`)."""
    return info.n_slots * (info.leaf_width * point_size + _PROOF_HEAD + HASH_SIZE * path_len)


def encode_leaves(info: PublicInfo, bill: OwnBill, point_size: int, path_len: int) -> bytes:
    """A user's receipts' commitments and inclusion proofs, slot by slot, at a fixed size."""
    out = bytearray()
    proof_room = _PROOF_HEAD + HASH_SIZE * path_len
    for cms, proof in zip(bill.commitments, bill.proofs):
        if len(cms) != info.leaf_width or any(len(c) != point_size for c in cms):
            raise ValueError(f"user {bill.user_id}: a receipt must hold {info.leaf_width} encoded commitments")
        raw = proof.to_bytes()
        if len(raw) > proof_room:
            raise ValueError(f"user {bill.user_id}: inclusion proof longer than the tree allows")
        out += b"".join(cms) + raw + bytes(proof_room - len(raw))
    return bytes(out)


def decode_leaves(info: PublicInfo, owner: int, data: bytes, point_size: int,
                  path_len: int) -> list[tuple[list[bytes], InclusionProof]]:
    """Inverse of `encode_leaves`; MalformedMessage naming the owner on anything else."""
    proof_room = _PROOF_HEAD + HASH_SIZE * path_len
    width = info.leaf_width * point_size
    step = width + proof_room
    leaves = []
    for t in range(info.n_slots):
        chunk = data[t * step:(t + 1) * step]
        cms = [chunk[k * point_size:(k + 1) * point_size] for k in range(info.leaf_width)]
        raw = chunk[width:]
        n = raw[16] if len(raw) > 16 else 0
        try:
            if n > path_len:
                raise ValueError("path longer than the tree allows")
            proof = InclusionProof.from_bytes(raw[:_PROOF_HEAD + HASH_SIZE * n])
        except ValueError as exc:
            raise MalformedMessage(f"party {owner} sent an unreadable inclusion proof for slot {t + 1} ({exc})")
        leaves.append((cms, proof))
    return leaves


class BadLeaf(ValueError):
    """A user's leaf that is not its own under the signed root (`malformed`: not even a
    commitment); the message names the slot."""

    def __init__(self, slot: int, detail: str, malformed: bool = False):
        super().__init__(f"slot {slot}: {detail}")
        self.slot, self.malformed = slot, malformed


def leaf_commitments(group: Group, info: PublicInfo, owner: int, leaves, signed_root: SignedRoot) -> list[Commitment]:
    """The commitments of user `owner`'s leaves, each checked to be its own leaf of the slot
    at its position under the signed root. BadLeaf naming the first slot that fails."""
    from protocols.energy.utility_operator.receipts import receipt_leaf_bytes

    if len(leaves) != info.n_slots:
        raise BadLeaf(len(leaves), f"{len(leaves)} leaves for {info.n_slots} slots")
    flat = []
    for t, (cms, proof) in enumerate(leaves, start=1):
        leaf = receipt_leaf_bytes(info.user_ids[owner], t, cms)
        # leaves are user-major, slot by slot, over every slot (the epoch of the whole scenario)
        if not verify_inclusion(signed_root.root, leaf, proof, index=owner * info.n_slots + t - 1,
                                tree_size=signed_root.tree_size):
            raise BadLeaf(t, "no valid path under the signed root")
        try:
            flat.extend(Commitment.from_bytes(group, c) for c in cms)
        except ValueError as exc:
            raise BadLeaf(t, f"an invalid commitment ({exc})", malformed=True) from None
    return flat


def check_signed_root(session: Session, operator_key: bytes, signed_root: SignedRoot) -> None:
    """Abort unless the root read from the ledger carries the operator's signature."""
    if not verify_signed_root(operator_key, signed_root):
        raise session.abort(ProofFailure(
            "operator signature: the Merkle root read from the ledger is not signed by the registered operator"))


async def share_bills(session: Session, group: Group, info: PublicInfo, bill: OwnBill | None,
                      signed_root: SignedRoot, operator_key: bytes, context: bytes = b"") -> dict[int, AuthVector]:
    """Stage 1: every user's bill values as shares, proven equal to its receipts under the signed root.

    Party p plays user info.user_ids[p] and passes its OwnBill.  Returns {owner: ⟨values⟩}
    with the values flattened slot-major (slot 1's leaf_width values, then slot 2's, ...).
    Aborts at every honest party on a forged root signature, a wrong audit path, a leaf of
    another user or slot, a malformed message, a tampered share, or shared values that do not
    match the commitments.
    """
    if session.m != info.n_users:
        raise ValueError(f"{session.m} parties but {info.n_users} users: one party per user is needed")
    check_signed_root(session, operator_key, signed_root)
    point_size = group.point_size
    path_len = max_path(signed_root.tree_size)
    size = leaves_size(info, point_size, path_len)
    mine = encode_leaves(info, bill, point_size, path_len)
    if len(mine) != size:
        raise ValueError(f"user {bill.user_id}: expected receipts for {info.n_slots} slots")
    received = await session.broadcast_bytes(mine, size)
    commitments: dict[int, list[Commitment]] = {}
    bad_path = []
    for owner in range(session.m):
        try:
            leaves = decode_leaves(info, owner, received[owner], point_size, path_len)
        except MalformedMessage as exc:
            raise session.abort(exc)
        try:
            commitments[owner] = leaf_commitments(group, info, owner, leaves, signed_root)
        except BadLeaf as exc:
            if exc.malformed:
                raise session.abort(MalformedMessage(f"party {owner} sent {exc}"))
            bad_path.append(f"party {owner} (user {info.user_ids[owner]}) slot {exc.slot}")
    if bad_path:
        raise session.abort(ProofFailure(
            "Merkle inclusion: no valid path under the signed root for " + "; ".join(bad_path[:3])))
    k = info.n_slots * info.leaf_width
    clear = [x for row in bill.values for x in row]
    openings = [Opening(group.scalar(x), group.scalar(r))
                for row_x, row_r in zip(bill.values, bill.randomness) for x, r in zip(row_x, row_r)]
    shared = await session.input_many({session.pid: clear}, {o: k for o in range(session.m)})
    await dzkp_commitments_many(session, group, commitments, shared, openings, context=b"energy/stage1|" + context)
    return shared


@dataclass(frozen=True)
class SharedBills:
    """Every user's bill as shares, arranged user-major for the vectorised stages.

    Each field is an AuthVector of length n·T (user i's slot t at index i·T + t − 1),
    except a and beta, which have n·T·P entries (index (i·T + t − 1)·P + p).
    """

    n_users: int
    n_slots: int
    n_periods: int
    a: AuthVector
    beta: AuthVector
    kappa: AuthVector
    mu: AuthVector
    v: AuthVector

    def slot(self, field: str, t: int) -> AuthVector:
        """The n users' values of a per-slot field at slot t (1-based)."""
        vec = getattr(self, field)
        return vec[[i * self.n_slots + t - 1 for i in range(self.n_users)]]


def arrange_bills(info: PublicInfo, shared: dict[int, AuthVector]) -> SharedBills:
    """Split the flattened per-owner vectors into per-quantity vectors (local, no messages)."""
    P, W = info.n_periods, info.leaf_width
    a_idx = [t * W + p for t in range(info.n_slots) for p in range(P)]
    b_idx = [t * W + P + p for t in range(info.n_slots) for p in range(P)]

    def col(k: int) -> list[int]:
        return [t * W + k for t in range(info.n_slots)]

    owners = [shared[o] for o in range(info.n_users)]
    return SharedBills(
        info.n_users, info.n_slots, P,
        a=AuthVector.concat([v[a_idx] for v in owners]),
        beta=AuthVector.concat([v[b_idx] for v in owners]),
        kappa=AuthVector.concat([v[col(2 * P)] for v in owners]),
        mu=AuthVector.concat([v[col(2 * P + 1)] for v in owners]),
        v=AuthVector.concat([v[col(2 * P + 2)] for v in owners]),
    )
