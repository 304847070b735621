"""The utility operator: encrypted energy-bill receipts on the ledger (seed paper §4.2.3, §5.2).

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

Command line: ``python -m protocols.energy.operator --help``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from protocols.energy.model import Scenario
from protocols.energy.two_state import two_state_inputs
from protocols.ledger.api import Ledger, LedgerRejected
from protocols.ledger.issuance import OperatorRegistration
from zkp.groups.base import Group
from zkp.merkle import InclusionProof, MerkleTree, encode_commitment_tuple, verify_inclusion
from zkp.pedersen import Commitment
from zkp.signatures import SignedRoot, public_key_bytes, sign_root, verify_signed_root

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


@dataclass(frozen=True)
class EpochReceipts:
    """One epoch's publication: the tree, the signed root, and every user's receipts by slot."""

    t0: int
    t1: int
    tree: MerkleTree
    signed_root: SignedRoot
    receipts: dict[str, dict[int, Receipt]]


def receipt_values(scenario: Scenario) -> dict[str, list[ReceiptValues]]:
    """The integers the operator commits, per user (scenario order) and slot (index t − 1)."""
    inputs = two_state_inputs(scenario)
    out: dict[str, list[ReceiptValues]] = {}
    for i, user in enumerate(scenario.users):
        rows = []
        for t, energy in enumerate(user.energy_wh):
            a = tuple(int(x) for x in energy)
            rows.append(ReceiptValues(a, tuple(1 if x >= 0 else 0 for x in a), inputs.kappa[i][t], inputs.mu[i],
                                      inputs.v[i][t]))
        out[user.id] = rows
    return out


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


class UtilityOperator:
    """Commits to each epoch's bills, publishes the signed Merkle root, hands out openings."""

    def __init__(self, group: Group, operator_id: str = "utility", key: Ed25519PrivateKey | None = None) -> None:
        self.group = group
        self.operator_id = operator_id
        self.key = key if key is not None else Ed25519PrivateKey.generate()

    @property
    def public_key(self) -> bytes:
        return public_key_bytes(self.key.public_key())

    def issue_epoch(self, scenario: Scenario, t0: int = 1, t1: int | None = None,
                    timestamp: int | None = None, *, ledger_id: bytes, epoch: int) -> EpochReceipts:
        """Commit to slots t0..t1 (1-based, inclusive) of every user, build the tree and sign its root
        for epoch number ``epoch`` (increasing per operator) on ledger ``ledger_id``."""
        t1 = scenario.n_slots if t1 is None else t1
        if not 1 <= t0 <= t1 <= scenario.n_slots:
            raise ValueError(f"epoch {t0}..{t1} is not within slots 1..{scenario.n_slots}")
        values = receipt_values(scenario)
        g = self.group
        rows: list[tuple[str, int, ReceiptValues, tuple[int, ...], tuple[bytes, ...]]] = []
        for user_id, per_slot in values.items():
            for t in range(t0, t1 + 1):
                vals = per_slot[t - 1]
                rs = tuple(g.random_scalar() for _ in vals.as_list())
                cms = tuple(g.commit_point(x, r).to_bytes() for x, r in zip(vals.as_list(), rs))
                rows.append((user_id, t, vals, rs, cms))
        tree = MerkleTree([receipt_leaf_bytes(u, t, cms) for u, t, _, _, cms in rows])
        ts = int(time.time()) if timestamp is None else timestamp
        signed = sign_root(self.key, tree, ts, operator_id=self.operator_id, ledger_id=ledger_id, epoch=epoch)
        receipts: dict[str, dict[int, Receipt]] = {u: {} for u in values}
        for index, (u, t, vals, rs, cms) in enumerate(rows):
            receipts[u][t] = Receipt(u, t, vals, rs, cms, tree.prove(index), tree.root)
        return EpochReceipts(t0, t1, tree, signed, receipts)

    def publish(self, ledger: Ledger, epoch: EpochReceipts, registration: OperatorRegistration | None = None) -> int:
        """Register the operator's key on first use (``registration``: the issuer's authorisation),
        then publish the epoch's signed root; returns its seq."""
        try:
            known = ledger.operator_key(self.operator_id)
        except LedgerRejected:
            known = None
        if known is None:
            if registration is None:
                raise ValueError(f"operator {self.operator_id!r} is not registered on this ledger and no issuer "
                                 f"authorisation was given")
            ledger.register_operator(registration)
        elif known != self.public_key:
            raise ValueError(f"operator {self.operator_id!r} is registered on this ledger with another key")
        return ledger.publish_root(self.operator_id, epoch.signed_root)


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


# -- command line --------------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m protocols.energy.operator",
        description="Utility operator of the group-purchasing protocol: commit to every user's bill data of an "
                    "epoch (a, β per period; κ, μ, v in nano-dollars), publish the signed Merkle root on a "
                    "ledger, and write each user's receipts (openings and inclusion proofs) as JSON.  With "
                    "--verify, check receipt files against the ledger instead.")
    p.add_argument("--ledger", required=True, metavar="PATH",
                   help="SQLite ledger file (created if absent; its writer and issuer keys live in PATH.d/)")
    p.add_argument("--scenario", metavar="FILE", help="scenario JSON (specs/energy.md) or a built-in name")
    p.add_argument("--out", metavar="DIR", help="directory for <user>.json receipt files")
    p.add_argument("--slots", metavar="T0:T1", default=None, help="epoch, 1-based inclusive (default: all slots)")
    p.add_argument("--operator-id", default="utility", help="operator id on the ledger (default: utility)")
    p.add_argument("--key", metavar="FILE", help="operator Ed25519 private key (raw, hex); created if absent. "
                                                 "Without it a fresh key is used and not saved")
    p.add_argument("--timestamp", type=int, default=None, help="Unix time to sign (default: now)")
    p.add_argument("--verify", nargs="+", metavar="RECEIPTS", default=None,
                   help="receipt JSON files to verify (openings included) instead of issuing")
    return p


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _load_key(path: str) -> Ed25519PrivateKey:
    kp = Path(path)
    if kp.exists():
        try:
            return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(kp.read_text().strip()))
        except (ValueError, OSError) as exc:
            raise ValueError(f"--key {path}: not a hex-encoded 32-byte Ed25519 private key ({exc})") from None
    key = Ed25519PrivateKey.generate()
    kp.write_text(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex() + "\n")
    kp.chmod(0o600)
    return key


def _slots(text: str | None, n: int) -> tuple[int, int]:
    if text is None:
        return 1, n
    try:
        a, b = (int(x) for x in text.split(":"))
    except ValueError:
        raise ValueError(f"--slots {text}: expected T0:T1, e.g. 1:7") from None
    if not 1 <= a <= b <= n:
        raise ValueError(f"--slots {text}: must satisfy 1 ≤ T0 ≤ T1 ≤ {n}")
    return a, b


def _verify_files(ledger: Ledger, operator_id: str, files: Iterable[str]) -> int:
    bad = 0
    for f in files:
        try:
            data = json.loads(Path(f).read_text(encoding="utf-8"))
            items = data["receipts"] if isinstance(data, dict) and "receipts" in data else data
            for d in items:
                r = Receipt.from_json(d)
                try:
                    verify_receipt(ledger, operator_id, r)
                    print(f"ok      {f}: {r.user_id} slot {r.slot}")
                except ReceiptInvalid as exc:
                    bad += 1
                    print(f"INVALID {f}: {r.user_id} slot {r.slot}: {exc}")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return _fail(f"{f}: not a receipt file ({exc})")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    from protocols.energy.scenario import ScenarioError, load_scenario
    from protocols.ledger.api import LedgerCorrupted
    from protocols.ledger.issuance import authorise_operator
    from protocols.ledger.keys import open_local_writer
    from protocols.ledger.sqlite_ledger import SQLiteLedger

    args = _parser().parse_args(argv)
    try:
        if args.verify is not None:
            ledger, issuer = SQLiteLedger(args.ledger), None
        else:
            ledger, issuer = open_local_writer(args.ledger)
    except (LedgerCorrupted, ValueError) as exc:
        return _fail(f"--ledger {args.ledger}: {exc}")
    except OSError as exc:
        return _fail(f"--ledger {args.ledger}: {exc}")
    with ledger:
        if args.verify is not None:
            return _verify_files(ledger, args.operator_id, args.verify)
        if not args.scenario or not args.out:
            return _fail("--scenario and --out are required to issue receipts")
        try:
            scenario = load_scenario(args.scenario)
        except ScenarioError as exc:
            return _fail(f"--scenario {args.scenario}: {exc}")
        try:
            t0, t1 = _slots(args.slots, scenario.n_slots)
            key = _load_key(args.key) if args.key else None
        except (ValueError, OSError) as exc:
            return _fail(str(exc))
        op = UtilityOperator(ledger.group, args.operator_id, key)
        print(f"committing {len(scenario.users)} users × {t1 - t0 + 1} slots …", file=sys.stderr)
        previous = ledger.roots(args.operator_id)
        epoch = op.issue_epoch(scenario, t0, t1, args.timestamp, ledger_id=ledger.ledger_id,
                               epoch=previous[-1].epoch + 1 if previous else 1)
        try:
            seq = op.publish(ledger, epoch, authorise_operator(issuer, ledger.ledger_id, args.operator_id,
                                                               op.public_key))
        except (LedgerRejected, ValueError) as exc:
            return _fail(f"the ledger refused the root: {exc}")
        out = Path(args.out)
        try:
            out.mkdir(parents=True, exist_ok=True)
            for user_id, per_slot in epoch.receipts.items():
                doc = {"operator_id": args.operator_id, "receipts": [r.to_json() for r in per_slot.values()]}
                (out / f"{user_id}.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        except OSError as exc:
            return _fail(f"--out {args.out}: cannot write: {exc}")
        print(f"published root {epoch.signed_root.root.hex()} ({epoch.tree.size} leaves, slots {t0}..{t1}) "
              f"as ledger entry {seq}; receipts in {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
