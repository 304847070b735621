"""The utility operator's side: commit every user's bill data of an epoch, build and sign
the Merkle tree, publish the signed root on the ledger and hand out the receipts (layout
and checks of the receipts: :mod:`.receipts`)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from protocols.energy.market import MarketFile, check_id, public_info
from protocols.energy.model import Scenario
from protocols.energy.utility_operator.receipts import Receipt, ReceiptValues, receipt_leaf_bytes, save_receipts
from protocols.energy.reference.two_state import two_state_inputs
from protocols.energy.run_folder import RunFolder, private_dir
from protocols.ledger.api import Ledger, LedgerRejected
from protocols.ledger.issuance import OperatorRegistration
from zkp.groups.base import Group
from zkp.merkle import MerkleTree
from zkp.signatures import SignedRoot, public_key_bytes, sign_root


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
        for user_id in values:   # ids name receipt files and homes
            check_id(user_id, "user id")
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

    def deliver(self, epoch: EpochReceipts, folder: RunFolder, scenario: Scenario, ledger_writer: bytes) -> list[Path]:
        """Hand out the epoch: the public market file (no bill in it) and each household's own
        receipts in its own home (folder 0700, file 0600). Returns the receipts paths."""
        market = MarketFile(public_info(scenario), scenario.scheme, self.operator_id, self.public_key,
                            epoch.signed_root.root, epoch.signed_root.ledger_id, ledger_writer,
                            epoch.signed_root.to_bytes())
        folder.market.parent.mkdir(parents=True, exist_ok=True)
        market.save(folder.market)
        out = []
        for user_id, per_slot in epoch.receipts.items():
            path = folder.receipts(user_id)
            private_dir(path.parent)
            save_receipts(path, self.operator_id, epoch.signed_root.root, list(per_slot.values()))
            out.append(path)
        return out
