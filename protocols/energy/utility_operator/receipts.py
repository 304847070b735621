"""Energy-bill receipts: what the utility operator commits per user and slot, the Merkle leaf
that binds them, the receipt a household holds, its file, and how a receipt is checked
(seed paper §4.2.3, §5.2).

After a billing epoch [t0, t1] the operator commits, for every user i and slot
t of the epoch, to the integers below (Pedersen commitments over the ledger's
group, one fresh randomness each), in this order — P is the number of tariff
periods of the scenario:

    Cm(a_1) … Cm(a_P), Cm(β_1) … Cm(β_P), Cm(κ), Cm(μ), Cm(v)

* a_p — net energy of period p in the slot, in Wh (negative = export): the
  scenario's ``energy_wh[t-1][p]``;
* β_p = 1{a_p ≥ 0} — which price applies (import if 1, export if 0);
* κ — operational cost on the user's current plan, in nano-dollars:
  Σ_p a_p·(β_p·import_p + (1 − β_p)·export_p) with prices in µ$/kWh;
* μ — connection fee of the user's current plan, n$;
* v — disconnection fee due if the user left its plan at slot t, n$ (0 once
  the contract has run out).

κ, μ, v are exactly ``two_state_inputs(scenario).kappa[i][t-1]``, ``.mu[i]``
and ``.v[i][t-1]`` of the plaintext reference.  Negative integers are
committed as their residue mod q (the group order, = the MPC field), which is
how the MPC reads signed values.  The group-plan cost κ_g is not committed:
it is a public linear function of a_p·β_p and a_p.

Each (user, slot) tuple is one Merkle leaf, whose bytes also name the user
and the slot (:func:`receipt_leaf`) so a leaf cannot be passed off as another
user's or another slot's.  Leaves are ordered user-major (scenario order),
then by slot.  The operator signs (operator id, ledger id, epoch number, root,
tree size, timestamp) with Ed25519, publishes the signed root on the ledger
(where the issuer registered its key), and hands each user its receipts:
values, randomness, the commitments and the inclusion proof.

The operator's side is :mod:`.utility`; the command line is ``python -m protocols.energy.utility_operator``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Sequence

from mpc.cli import CliError, read_json_file
from protocols.ledger.api import Ledger, LedgerRejected
from zkp.groups.base import Group
from zkp.merkle import InclusionProof, encode_commitment_tuple, verify_inclusion
from zkp.pedersen import Commitment
from zkp.signatures import SignedRoot, verify_signed_root

LEAF_DOMAIN = b"mpc-markets/energy/receipt-leaf/v1\x00"


class ReceiptInvalid(Exception):
    """A receipt that fails verification; the message names the failed check."""

    def __init__(self, check: str, detail: str) -> None:
        super().__init__(f"{check}: {detail}")
        self.check = check


@dataclass(frozen=True)
class ReceiptValues:
    """The committed integers of one user and slot (Wh per period, 0/1 per period, n$)."""

    a: tuple[int, ...]
    beta: tuple[int, ...]
    kappa: int
    mu: int
    v: int

    def as_list(self) -> list[int]:
        """The integers in leaf order: a_1..a_P, β_1..β_P, κ, μ, v."""
        return [*self.a, *self.beta, self.kappa, self.mu, self.v]

    @classmethod
    def from_list(cls, values: Sequence[int]) -> "ReceiptValues":
        if len(values) < 5 or (len(values) - 3) % 2:
            raise ValueError(f"a receipt holds 2·P + 3 values, got {len(values)}")
        p = (len(values) - 3) // 2
        return cls(tuple(values[:p]), tuple(values[p:2 * p]), values[2 * p], values[2 * p + 1], values[2 * p + 2])


@dataclass(frozen=True)
class Receipt:
    """What the operator gives user ``user_id`` for ``slot``: openings, commitments, inclusion proof."""

    user_id: str
    slot: int
    values: ReceiptValues
    randomness: tuple[int, ...]
    commitments: tuple[bytes, ...]
    proof: InclusionProof
    root: bytes

    def leaf(self) -> bytes:
        return receipt_leaf_bytes(self.user_id, self.slot, self.commitments)

    def to_json(self) -> dict:
        return {"user_id": self.user_id, "slot": self.slot, "values": self.values.as_list(),
                "randomness": [str(r) for r in self.randomness], "commitments": [c.hex() for c in self.commitments],
                "proof": self.proof.to_bytes().hex(), "root": self.root.hex()}

    @classmethod
    def from_json(cls, d: dict) -> "Receipt":
        """Inverse of :meth:`to_json` (ValueError/KeyError/TypeError on a malformed dict)."""
        values = [int(x) for x in d["values"]]
        return cls(str(d["user_id"]), int(d["slot"]), ReceiptValues.from_list(values),
                   tuple(int(r) for r in d["randomness"]), tuple(bytes.fromhex(c) for c in d["commitments"]),
                   InclusionProof.from_bytes(bytes.fromhex(d["proof"])), bytes.fromhex(d["root"]))



def receipt_leaf_bytes(user_id: str, slot: int, commitments: Sequence[bytes]) -> bytes:
    """Leaf data: domain ‖ |user id| ‖ user id ‖ slot (8 bytes) ‖ |commitments| ‖ encodings."""
    uid = user_id.encode("utf-8")
    if not 0 < len(uid) < 1 << 16 or not 0 <= slot < 1 << 63:
        raise ValueError("user id must be 1..65535 bytes and the slot a non-negative 63-bit integer")
    return (LEAF_DOMAIN + len(uid).to_bytes(2, "big") + uid + slot.to_bytes(8, "big")
            + len(commitments).to_bytes(4, "big") + b"".join(bytes(c) for c in commitments))


def receipt_leaf(user_id: str, slot: int, commitments: Sequence[Commitment]) -> bytes:
    """Leaf data for commitment objects (same bytes as :func:`receipt_leaf_bytes`)."""
    encode_commitment_tuple(commitments)  # one group, at least one commitment
    return receipt_leaf_bytes(user_id, slot, [c.to_bytes() for c in commitments])


def check_receipt(public_key: bytes, signed: SignedRoot, receipt: Receipt, check_openings: bool = True,
                  group: Group | None = None) -> None:
    """Raise ReceiptInvalid unless ``receipt`` is a leaf under the operator-signed root.

    Checks: the operator's signature, the root and tree size the receipt claims,
    the inclusion path of the leaf (user id, slot, commitments); with
    ``check_openings`` (the receipt's owner) also that every value/randomness
    pair opens its commitment and that β_p = 1{a_p ≥ 0}.
    """
    if not verify_signed_root(public_key, signed):
        raise ReceiptInvalid("operator-signature", "the root's signature does not verify under the operator's key")
    if receipt.root != signed.root:
        raise ReceiptInvalid("root", "the receipt was issued under another root")
    if receipt.proof.tree_size != signed.tree_size:
        raise ReceiptInvalid("tree-size", f"proof for a tree of {receipt.proof.tree_size} leaves, "
                                          f"signed tree has {signed.tree_size}")
    try:
        leaf = receipt.leaf()
    except ValueError as exc:
        raise ReceiptInvalid("leaf", str(exc)) from None
    # the leaf bytes name the user and the slot, so the position is the receipt's own; the size is the signed one
    if not verify_inclusion(signed.root, leaf, receipt.proof, index=receipt.proof.index, tree_size=signed.tree_size):
        raise ReceiptInvalid("merkle-path", f"the inclusion proof of ({receipt.user_id}, slot {receipt.slot}) "
                                            f"does not lead to the signed root")
    if check_openings:
        if group is None:
            raise ValueError("checking openings needs the group")
        _check_openings(group, receipt)


def _check_openings(group: Group, receipt: Receipt) -> None:
    vals = receipt.values.as_list()
    if not len(vals) == len(receipt.randomness) == len(receipt.commitments):
        raise ReceiptInvalid("opening", "values, randomness and commitments differ in number")
    for k, (x, r, c) in enumerate(zip(vals, receipt.randomness, receipt.commitments)):
        try:
            ok = group.commit_point(x, r) == group.decode(c)
        except ValueError:
            ok = False
        if not ok:
            raise ReceiptInvalid("opening", f"value #{k} and its randomness do not open commitment #{k}")
    for p, (a, b) in enumerate(zip(receipt.values.a, receipt.values.beta)):
        if b != (1 if a >= 0 else 0):
            raise ReceiptInvalid("beta", f"β of period {p} is {b} but a = {a}")


def verify_receipt(ledger: Ledger, operator_id: str, receipt: Receipt, check_openings: bool = True) -> SignedRoot:
    """Check a receipt against the roots the operator published on ``ledger``; returns the matching signed root.

    Raises ReceiptInvalid naming the failed check (no such root published,
    signature, tree size, Merkle path, openings).
    """
    try:
        key = ledger.operator_key(operator_id)
        roots = ledger.roots(operator_id)
    except LedgerRejected as exc:
        raise ReceiptInvalid("unknown-operator", str(exc)) from None
    matching = [sr for sr in roots if sr.root == receipt.root]
    if not matching:
        raise ReceiptInvalid("root-not-published", f"operator {operator_id!r} published no root "
                                                   f"{receipt.root.hex()[:16]}…")
    check_receipt(key, matching[-1], receipt, check_openings, ledger.group)
    return matching[-1]


def save_receipts(path: str | os.PathLike, operator_id: str, root: bytes, receipts: Sequence[Receipt]) -> None:
    """One household's receipts file: readable by its owner only (mode 0600 from creation)."""
    doc = {"operator_id": operator_id, "root": root.hex(), "receipts": [r.to_json() for r in receipts]}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(doc, indent=1) + "\n")


def load_receipts(path: str | os.PathLike) -> tuple[str, bytes, list[Receipt]]:
    """(operator id, root, receipts) of a receipts file; ValueError naming the file otherwise."""
    try:
        doc: Any = read_json_file(path, "receipts file")
    except CliError as exc:
        raise ValueError(str(exc)) from None
    try:
        if not isinstance(doc, dict) or set(doc) != {"operator_id", "root", "receipts"}:
            raise ValueError("expected an object with operator_id, root and receipts")
        if not isinstance(doc["operator_id"], str) or not isinstance(doc["receipts"], list):
            raise ValueError("operator_id must be a string and receipts a list")
        return doc["operator_id"], bytes.fromhex(doc["root"]), [Receipt.from_json(d) for d in doc["receipts"]]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"receipts file {path}: {exc}") from None
