"""Shared builders for the ledger tests: parties that know their balance openings, honest multi-transactions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from protocols.ledger import SQLiteLedger, default_group
from protocols.ledger.transactions import (MultiTransaction, PartySecrets, build_multi_transaction,
                                           next_balance_opening, raw_public_key)

GROUP = default_group()


@dataclass
class Party:
    """An account holder: signing key and the opening (balance, r) of its committed balance."""

    account_id: str
    key: Ed25519PrivateKey
    balance: int
    r: int

    @property
    def public_key(self) -> bytes:
        return raw_public_key(self.key)

    def commitment(self) -> bytes:
        return GROUP.commit_point(self.balance, self.r).to_bytes()


def open_parties(ledger: SQLiteLedger, balances: dict[str, int]) -> dict[str, Party]:
    parties = {}
    for aid, bal in balances.items():
        p = Party(aid, Ed25519PrivateKey.generate(), bal, GROUP.random_scalar())
        ledger.open_account(aid, p.public_key, p.commitment())
        parties[aid] = p
    return parties


def new_ledger(tmp_path: Path, balances: dict[str, int], name: str = "ledger.sqlite") -> tuple[SQLiteLedger, dict[str, Party]]:
    ledger = SQLiteLedger(tmp_path / name, GROUP)
    return ledger, open_parties(ledger, balances)


def honest_mtx(ledger: SQLiteLedger, parties: dict[str, Party], phis: dict[str, int], context: bytes = b"test",
               r_phi: dict[str, int] | None = None) -> tuple[MultiTransaction, dict[str, int]]:
    """A valid multi-transaction moving φ (Σφ must be 0 for it to verify); returns it and the r_φ used."""
    r_phi = r_phi or {aid: GROUP.random_scalar() for aid in phis}
    secrets_ = {aid: PartySecrets(phis[aid], r_phi[aid], parties[aid].balance, parties[aid].r, parties[aid].key)
                for aid in phis}
    nonces = {aid: ledger.account(aid).nonce for aid in phis}
    return build_multi_transaction(GROUP, secrets_, nonces, context), r_phi


def settle(parties: dict[str, Party], phis: dict[str, int], r_phi: dict[str, int]) -> None:
    """Update the holders' openings after the ledger accepted the transaction."""
    for aid, phi in phis.items():
        p = parties[aid]
        p.balance, p.r = next_balance_opening(GROUP, p.balance, p.r, phi, r_phi[aid])


def snapshot(ledger: SQLiteLedger) -> tuple:
    """Everything observable: head, number of entries, every account's state."""
    accounts = tuple(ledger.account(a) for a in sorted({e.payload["account_id"] for e in ledger.entries()
                                                         if e.kind == "open_account"}))
    return ledger.head(), len(ledger.entries()), accounts
