"""Shared builders for the ledger tests: a writer and an issuer per ledger, parties that know their balance
openings, honest multi-transactions, and the raw file access an attacker has."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from protocols.ledger import SQLiteLedger, authorise_issuance, authorise_operator, default_group, open_account_request
from protocols.ledger.chain import entry_hash, sign_entry
from protocols.ledger.transactions import (MultiTransaction, PartySecrets, build_multi_transaction,
                                           next_balance_opening, raw_public_key)

GROUP = default_group()


@dataclass
class Keys:
    """The ledger's two role keys (the tests play both roles)."""

    writer: Ed25519PrivateKey
    issuer: Ed25519PrivateKey


#: role keys by ledger id, so any handle on a test ledger finds them
KEYS: dict[bytes, Keys] = {}


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


def create_ledger(path: Path, keys: Keys | None = None, **kw) -> SQLiteLedger:
    keys = keys or Keys(Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate())
    ledger = SQLiteLedger.create(path, GROUP, keys.writer, raw_public_key(keys.issuer), **kw)
    KEYS[ledger.ledger_id] = keys
    return ledger


def keys_of(ledger: SQLiteLedger) -> Keys:
    return KEYS[ledger.ledger_id]


def reopen(ledger: SQLiteLedger, **kw) -> SQLiteLedger:
    """Another handle on the same file, as its writer."""
    return SQLiteLedger(ledger.path, GROUP, writer=keys_of(ledger).writer, **kw)


def opening(ledger: SQLiteLedger, p: Party):
    """The party's account opening, authorised by the ledger's issuer."""
    issued = authorise_issuance(keys_of(ledger).issuer, GROUP, ledger.ledger_id, p.account_id, p.public_key,
                                p.balance, p.r)
    return open_account_request(GROUP, ledger.ledger_id, p.account_id, p.key, p.balance, p.r, issued)


def open_parties(ledger: SQLiteLedger, balances: dict[str, int]) -> dict[str, Party]:
    parties = {}
    for aid, bal in balances.items():
        p = Party(aid, Ed25519PrivateKey.generate(), bal, GROUP.random_scalar())
        ledger.open_account(opening(ledger, p))
        parties[aid] = p
    return parties


def register(ledger: SQLiteLedger, operator_id: str, public_key: bytes) -> int:
    return ledger.register_operator(authorise_operator(keys_of(ledger).issuer, ledger.ledger_id, operator_id,
                                                       public_key))


def new_ledger(tmp_path: Path, balances: dict[str, int], name: str = "ledger.sqlite",
               **kw) -> tuple[SQLiteLedger, dict[str, Party]]:
    ledger = create_ledger(tmp_path / name, **kw)
    return ledger, open_parties(ledger, balances)


def honest_mtx(ledger: SQLiteLedger, parties: dict[str, Party], phis: dict[str, int], context: bytes = b"test",
               r_phi: dict[str, int] | None = None) -> tuple[MultiTransaction, dict[str, int]]:
    """A valid multi-transaction moving φ (Σφ must be 0 for it to verify); returns it and the r_φ used."""
    r_phi = r_phi or {aid: GROUP.random_scalar() for aid in phis}
    secrets_ = {aid: PartySecrets(phis[aid], r_phi[aid], parties[aid].balance, parties[aid].r, parties[aid].key)
                for aid in phis}
    nonces = {aid: ledger.account(aid).nonce for aid in phis}
    return build_multi_transaction(GROUP, secrets_, nonces, context, ledger_id=ledger.ledger_id), r_phi


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


# -- the attacker's view: raw SQLite access to the file ---------------------------------------------

def raw(path: Path) -> sqlite3.Connection:
    """A connection as someone with write access to the file has it: the guard triggers dropped."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS entries_no_update")
    conn.execute("DROP TRIGGER IF EXISTS entries_no_delete")
    return conn


def rows(conn: sqlite3.Connection) -> list[list]:
    return [[s, k, bytes(p), bytes(ph), bytes(h), bytes(sig)] for s, k, p, ph, h, sig in
            conn.execute("SELECT seq, kind, payload, prev_hash, hash, signature FROM entries ORDER BY seq")]


def rewrite(conn: sqlite3.Connection, new_rows: list[list], signer: Ed25519PrivateKey | None) -> None:
    """Replace the whole history by ``new_rows`` (seq, kind, payload), recomputing every link and hash —
    everything an attacker can do.  An entry whose hash is unchanged keeps its (valid) signature; a
    changed one is signed by ``signer`` (an attacker's key) or keeps the old, now mismatching, signature."""
    old = {r[4]: r[5] for r in rows(conn)}
    old_by_seq = {r[0]: r[5] for r in rows(conn)}
    conn.execute("DELETE FROM entries")
    prev = bytes(32)
    for seq, (_, kind, payload, *_rest) in enumerate(new_rows):
        h = entry_hash(prev, seq, kind, payload)
        if h in old:
            sig = old[h]
        else:
            sig = sign_entry(signer, h) if signer is not None else old_by_seq.get(seq, bytes(64))
        conn.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)", (seq, kind, payload, prev, h, sig))
        prev = h
