"""The embedded default ledger: one SQLite file, append-only, hash-chained, crash-safe.

Layout: ``entries`` holds the chain (seq, kind, canonical JSON payload,
prev_hash, hash); ``operators``, ``roots`` and ``accounts`` hold the state the
entries imply, kept only so reads are fast.  Triggers refuse UPDATE and DELETE
on ``entries``.

Crash safety: every write runs inside ``BEGIN IMMEDIATE … COMMIT`` and the
chain link is written in the same transaction as the state change, with the
rollback journal and ``synchronous=FULL``.  A process killed at any point of a
write therefore leaves the previous state: SQLite rolls the hot journal back
on the next open.  ``fault_hook`` (tests only) is called between the
statements of a write with the name of the point reached, so tests can raise
or kill the process there.

Verification on open: the chain (links, hashes, contiguous seq, canonical
payloads, known kinds, the genesis group) and a replay of every entry through
the acceptance rules, whose resulting state must equal the stored tables.
``deep=True`` also re-verifies every signature and proof during the replay.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Callable

from protocols.ledger.api import AccountState, Entry, Ledger, LedgerCorrupted, LedgerRejected
from protocols.ledger.chain import GENESIS_PREV, HASH_SIZE, KINDS, canonical_json, entry_hash, parse_canonical
from protocols.ledger.rules import (AccountUpdate, Effect, MemoryState, NewAccount, NewOperator, NewRoot,
                                    account_payload, check_decision, check_multi_transaction, check_open_account,
                                    check_publish_root, check_register_operator, decision_payload, mtx_payload,
                                    operator_payload, replay_entry, root_payload)
from protocols.ledger.transactions import MultiTransaction
from zkp.groups.base import Group
from zkp.signatures import SignedRoot

FORMAT_VERSION = 1

_SCHEMA = """
CREATE TABLE entries (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload BLOB NOT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE TABLE operators (operator_id TEXT PRIMARY KEY, public_key BLOB NOT NULL);
CREATE TABLE roots (seq INTEGER PRIMARY KEY, operator_id TEXT NOT NULL, signed_root BLOB NOT NULL);
CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY,
    public_key BLOB NOT NULL,
    balance_commitment BLOB NOT NULL,
    nonce INTEGER NOT NULL
);
"""
# guards against accidental writes through SQLite; someone with file access can drop them, which
# is why the chain is verified on open. Re-created on every open.
_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries "
    "BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries "
    "BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END",
)


def default_group() -> Group:
    """BN254 with the fastecdsa backend when it is installed, else py-ecc (same encodings)."""
    from zkp.groups import get_group

    try:
        return get_group("bn254", "fastecdsa")
    except ImportError:
        return get_group("bn254", "py-ecc")


class _TableView:
    """The acceptance rules' view of the state, read from the tables inside the current transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def operator_key(self, operator_id: str) -> bytes | None:
        row = self.conn.execute("SELECT public_key FROM operators WHERE operator_id = ?", (operator_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def last_root_timestamp(self, operator_id: str) -> int | None:
        row = self.conn.execute("SELECT signed_root FROM roots WHERE operator_id = ? ORDER BY seq DESC LIMIT 1",
                                (operator_id,)).fetchone()
        return None if row is None else SignedRoot.from_bytes(bytes(row[0])).timestamp

    def account_state(self, account_id: str) -> AccountState | None:
        row = self.conn.execute("SELECT public_key, balance_commitment, nonce FROM accounts WHERE account_id = ?",
                                (account_id,)).fetchone()
        return None if row is None else AccountState(account_id, bytes(row[0]), bytes(row[1]), int(row[2]))


class SQLiteLedger(Ledger):
    """A :class:`Ledger` in one SQLite file (created if absent, verified when opened)."""

    def __init__(self, path: str | Path, group: Group | None = None, deep_check: bool = False,
                 create: bool = True) -> None:
        """Open (or, with ``create``, create) the ledger at ``path`` and verify it.

        Raises LedgerCorrupted when verification fails (``deep_check``: also
        every signature and proof), ValueError when the file is a ledger over
        another group.
        """
        self.path = Path(path)
        self.group = group if group is not None else default_group()
        #: tests only: called with a stage name between the statements of a write.
        self.fault_hook: Callable[[str], None] | None = None
        try:
            self._conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=30.0)
            self._conn.execute("PRAGMA journal_mode=DELETE")
            self._conn.execute("PRAGMA synchronous=FULL")
            has_table = self._conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='entries'").fetchone() is not None
        except sqlite3.DatabaseError as exc:
            raise LedgerCorrupted(f"{self.path} is not a readable ledger database: {exc}") from None
        if not has_table:
            if not create:
                self._conn.close()
                raise LedgerCorrupted(f"{self.path} holds no ledger (no entries table)")
            self._create()
        try:
            self.verify_chain(deep=deep_check)
            for trigger in _TRIGGERS:
                self._conn.execute(trigger)
        except BaseException:
            self._conn.close()
            raise

    # -- plumbing ------------------------------------------------------------------------------
    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "SQLiteLedger":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _fault(self, stage: str) -> None:
        if self.fault_hook is not None:
            self.fault_hook(stage)

    def _create(self) -> None:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='entries'").fetchone() is None:
                for stmt in _SCHEMA.split(";\n"):
                    if stmt.strip():
                        conn.execute(stmt)
                body = canonical_json({"format": FORMAT_VERSION, "group": self.group.name, "ledger": "mpc-markets"})
                conn.execute("INSERT INTO entries VALUES (0, 'genesis', ?, ?, ?)",
                             (body, GENESIS_PREV, entry_hash(GENESIS_PREV, 0, "genesis", body)))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _append(self, kind: str, payload_of: Callable[[], dict], rule: Callable[[_TableView], list[Effect]]) -> int:
        """Check ``rule`` against the state and append the entry and its effects in one transaction."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            effects = rule(_TableView(conn))
            self._fault("checked")
            seq, prev = self._head_row()
            body = canonical_json(payload_of())
            seq += 1
            conn.execute("INSERT INTO entries (seq, kind, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?)",
                         (seq, kind, body, prev, entry_hash(prev, seq, kind, body)))
            self._fault("entry-written")
            for i, e in enumerate(effects):
                self._write_effect(seq, e)
                self._fault(f"effect-{i}-written")
            self._fault("before-commit")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return seq

    def _write_effect(self, seq: int, e: Effect) -> None:
        conn = self._conn
        if isinstance(e, NewOperator):
            conn.execute("INSERT INTO operators VALUES (?, ?)", (e.operator_id, e.public_key))
        elif isinstance(e, NewRoot):
            conn.execute("INSERT INTO roots VALUES (?, ?, ?)", (seq, e.operator_id, e.signed_root.to_bytes()))
        elif isinstance(e, NewAccount):
            s = e.state
            conn.execute("INSERT INTO accounts VALUES (?, ?, ?, ?)",
                         (s.account_id, s.public_key, s.balance_commitment, s.nonce))
        elif isinstance(e, AccountUpdate):
            conn.execute("UPDATE accounts SET balance_commitment = ?, nonce = ? WHERE account_id = ?",
                         (e.balance_commitment, e.nonce, e.account_id))
        else:  # pragma: no cover
            raise TypeError(f"unknown effect {e!r}")

    def _head_row(self) -> tuple[int, bytes]:
        row = self._conn.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
        return int(row[0]), bytes(row[1])

    # -- writes ------------------------------------------------------------------------------
    def register_operator(self, operator_id: str, public_key: bytes) -> int:
        return self._append("register_operator", lambda: operator_payload(operator_id, bytes(public_key)),
                            lambda v: check_register_operator(v, operator_id, public_key))

    def publish_root(self, operator_id: str, signed_root: SignedRoot) -> int:
        return self._append("publish_root", lambda: root_payload(operator_id, signed_root),
                            lambda v: check_publish_root(v, operator_id, signed_root))

    def open_account(self, account_id: str, public_key: bytes, balance_commitment: bytes,
                     balance_proof: bytes | None = None) -> int:
        proof = None if balance_proof is None else bytes(balance_proof)
        return self._append(
            "open_account", lambda: account_payload(account_id, bytes(public_key), bytes(balance_commitment), proof),
            lambda v: check_open_account(v, self.group, account_id, public_key, balance_commitment, balance_proof))

    def submit_multi_transaction(self, mtx: MultiTransaction) -> int:
        return self._append("multi_transaction", lambda: mtx_payload(mtx),
                            lambda v: check_multi_transaction(v, self.group, mtx))

    def record_decision(self, kind: str, payload: dict[str, Any]) -> int:
        check_decision(kind, payload)
        return self._append("decision", lambda: decision_payload(kind, payload), lambda v: [])

    # -- reads -------------------------------------------------------------------------------
    def latest_root(self, operator_id: str) -> SignedRoot:
        rs = self.roots(operator_id)
        if not rs:
            raise LedgerRejected("no-root", f"operator {operator_id!r} has published no root")
        return rs[-1]

    def roots(self, operator_id: str) -> list[SignedRoot]:
        rows = self._conn.execute("SELECT signed_root FROM roots WHERE operator_id = ? ORDER BY seq",
                                  (operator_id,)).fetchall()
        return [SignedRoot.from_bytes(bytes(r[0])) for r in rows]

    def operator_key(self, operator_id: str) -> bytes:
        key = _TableView(self._conn).operator_key(operator_id)
        if key is None:
            raise LedgerRejected("unknown-operator", f"operator {operator_id!r} is not registered")
        return key

    def account(self, account_id: str) -> AccountState:
        st = _TableView(self._conn).account_state(account_id)
        if st is None:
            raise LedgerRejected("unknown-account", f"account {account_id!r} does not exist")
        return st

    def head(self) -> tuple[int, bytes]:
        return self._head_row()

    def entries(self) -> list[Entry]:
        return [e for e, _ in self._read_chain()]

    # -- verification --------------------------------------------------------------------------
    def _read_chain(self) -> list[tuple[Entry, bytes]]:
        """Every entry with its stored payload bytes, checking links and hashes (LedgerCorrupted)."""
        try:
            rows = self._conn.execute("SELECT seq, CAST(kind AS BLOB), CAST(payload AS BLOB), CAST(prev_hash AS BLOB), "
                                      "CAST(hash AS BLOB), typeof(seq) FROM entries ORDER BY seq").fetchall()
        except sqlite3.DatabaseError as exc:
            raise LedgerCorrupted(f"cannot read the entries: {exc}") from None
        out: list[tuple[Entry, bytes]] = []
        prev = GENESIS_PREV
        for expected_seq, (seq, kind_b, payload, prev_hash, h, seq_type) in enumerate(rows):
            if seq_type != "integer" or seq != expected_seq:
                raise LedgerCorrupted(f"sequence number {seq!r} where {expected_seq} was expected", expected_seq)
            if kind_b is None or payload is None or prev_hash is None or h is None:
                raise LedgerCorrupted("a field is missing", seq)
            try:
                kind = bytes(kind_b).decode("utf-8")
            except UnicodeDecodeError:
                raise LedgerCorrupted("the kind is not UTF-8", seq) from None
            if kind not in KINDS or (kind == "genesis") != (seq == 0):
                raise LedgerCorrupted(f"unexpected entry kind {kind!r}", seq)
            if bytes(prev_hash) != prev:
                raise LedgerCorrupted("prev_hash does not match the previous entry's hash (chain broken)", seq)
            if len(h) != HASH_SIZE or bytes(h) != entry_hash(prev, seq, kind, bytes(payload)):
                raise LedgerCorrupted("stored hash does not match the entry's contents", seq)
            try:
                p = parse_canonical(bytes(payload))
            except ValueError as exc:
                raise LedgerCorrupted(str(exc), seq) from None
            out.append((Entry(seq, kind, p, bytes(prev_hash), bytes(h)), bytes(payload)))
            prev = bytes(h)
        if not out:
            raise LedgerCorrupted("the ledger has no genesis entry", None)
        return out

    def verify_chain(self, deep: bool = False) -> None:
        chain = self._read_chain()
        genesis = chain[0][0].payload
        if genesis.get("format") != FORMAT_VERSION or genesis.get("ledger") != "mpc-markets":
            raise LedgerCorrupted(f"unsupported genesis {genesis!r}", 0)
        if genesis.get("group") != self.group.name:
            raise ValueError(f"{self.path} is a ledger over group {genesis.get('group')!r}, not {self.group.name!r}")
        state = MemoryState()
        root_seqs: list[tuple[int, str, bytes]] = []
        for entry, _ in chain[1:]:
            try:
                effects = replay_entry(state, self.group, entry.kind, entry.payload, deep)
            except LedgerRejected as exc:
                raise LedgerCorrupted(f"recorded {entry.kind} breaks a ledger rule ({exc})", entry.seq) from None
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                raise LedgerCorrupted(f"malformed {entry.kind} payload ({exc!r})", entry.seq) from None
            state.apply(effects)
            root_seqs += [(entry.seq, e.operator_id, e.signed_root.to_bytes()) for e in effects if isinstance(e, NewRoot)]
        self._compare_state(state, root_seqs)

    def _compare_state(self, state: MemoryState, root_seqs: list[tuple[int, str, bytes]]) -> None:
        """LedgerCorrupted unless the stored tables equal the replayed state."""
        try:
            ops = {r[0]: bytes(r[1]) for r in self._conn.execute("SELECT operator_id, public_key FROM operators")}
            roots = [(int(r[0]), r[1], bytes(r[2])) for r in
                     self._conn.execute("SELECT seq, operator_id, signed_root FROM roots ORDER BY seq")]
            accts = {r[0]: AccountState(r[0], bytes(r[1]), bytes(r[2]), r[3]) for r in
                     self._conn.execute("SELECT account_id, public_key, balance_commitment, nonce FROM accounts")}
        except (sqlite3.DatabaseError, TypeError) as exc:
            raise LedgerCorrupted(f"cannot read the state tables: {exc}") from None
        if ops != state.operators:
            raise LedgerCorrupted("the operators table disagrees with the history")
        if roots != root_seqs:
            raise LedgerCorrupted("the roots table disagrees with the history")
        if accts != state.accounts:
            bad = sorted(k for k in set(accts) | set(state.accounts) if accts.get(k) != state.accounts.get(k))
            raise LedgerCorrupted(f"the accounts table disagrees with the history (accounts {bad})")
