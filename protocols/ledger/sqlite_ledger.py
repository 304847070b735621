"""The embedded default ledger: one SQLite file holding a writer-signed, hash-chained history.

Layout: a single table ``entries`` (seq, kind, canonical JSON payload,
prev_hash, hash, writer signature) and two guard triggers that refuse UPDATE
and DELETE on it.  Nothing else: the state (operators, roots, accounts) is
derived in memory by replaying the entries through
:class:`~protocols.ledger.replay.VerifiedChain`, and every read is served
from that verified state, never from bytes an attacker could have placed
beside the history.

Opening a file verifies it, by default completely:

1. one read transaction takes a snapshot of ``sqlite_master`` and of every
   entry, so a process appending at the same time can never make a healthy
   ledger look corrupted (the reads of one verification see one state);
2. the schema must be exactly the expected table and guard triggers: a
   planted trigger (one that silently ignores inserts, say) or an altered
   guard is reported, and a guard that was dropped is re-created;
3. every entry is checked: link, hash, the writer's signature under the key
   the genesis fixed, canonical payload, and the acceptance rules — with
   every account, issuer and operator signature and every zero-knowledge
   proof.  ``check_proofs=False`` is the explicit fast path that takes those
   on the writer's word;
4. with ``expect_writer`` the genesis must name that writer key; with
   ``pin`` the history must extend the head pinned there (see
   :mod:`protocols.ledger.pins`), and the pin then moves to the new head.

Writes: only a handle opened with the writer's private key writes.  A write
turns the request into canonical bytes, checks exactly those bytes with the
same code that verifies stored entries, signs the entry hash, inserts it,
checks that the insert changed exactly one row and reads it back, all inside
``BEGIN IMMEDIATE … COMMIT`` with the rollback journal and
``synchronous=FULL``.  A process killed at any point of a write therefore
leaves the previous state (SQLite rolls the hot journal back on the next
open).  Before checking, a write (and every read) first verifies any entries
other connections appended since, so several handles on one file extend one
chain.  ``fault_hook`` (tests only) is called between the statements of a
write with the name of the point reached.

A *replica* (``replica=True``) is a party's own copy that starts empty and is
filled by :meth:`SQLiteLedger.append_replicated` with entries the writer
signed, each verified under the same rules (see :mod:`protocols.ledger.replica`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from protocols.ledger.api import AccountState, Entry, Ledger, LedgerCorrupted, LedgerRejected
from protocols.ledger.chain import (StoredEntry, canonical_json, entry_hash, max_payload_bytes, new_genesis,
                                    sign_entry)
from protocols.ledger.issuance import AccountOpening, OperatorRegistration
from protocols.ledger.pins import PinnedHead, check_extends, load_pin, save_pin
from protocols.ledger.replay import VerifiedChain
from protocols.ledger.rules import encode_account, encode_decision, encode_mtx, encode_operator, encode_root
from protocols.ledger.transactions import MultiTransaction, raw_public_key
from zkp.groups.base import Group
from zkp.signatures import SignedRoot

_TABLE = ("CREATE TABLE entries (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, payload BLOB NOT NULL, "
          "prev_hash BLOB NOT NULL, hash BLOB NOT NULL, signature BLOB NOT NULL)")
# Guards against accidental writes through SQLite.  Someone with file access can drop or alter
# them, which is why every entry is signed and verified; open() reports altered ones and
# re-creates dropped ones.
_GUARDS = {
    "entries_no_update": "CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries "
                         "BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END",
    "entries_no_delete": "CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries "
                         "BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END",
}
# what ANALYZE creates: statistics the query planner reads, never code that runs on a write
_STAT_TABLES = {"sqlite_stat1", "sqlite_stat4"}
_MASTER = "SELECT type, name, tbl_name, sql FROM sqlite_master"
_ROWS = ("SELECT seq, typeof(seq), CAST(kind AS BLOB), CAST(payload AS BLOB), CAST(prev_hash AS BLOB), "
         "CAST(hash AS BLOB), CAST(signature AS BLOB) FROM entries")


def default_group() -> Group:
    """BN254 with the fastecdsa backend when it is installed, else py-ecc (same encodings)."""
    from zkp.groups import get_group

    try:
        return get_group("bn254", "fastecdsa")
    except ImportError:
        return get_group("bn254", "py-ecc")


def _check_schema(rows: list[tuple]) -> list[str] | None:
    """The guard triggers missing from an otherwise exact schema; None for an empty database.

    LedgerCorrupted for anything else: an unexpected table, index, view or trigger — including
    one named like SQLite's internal objects, which ``PRAGMA writable_schema`` can plant — or
    an expected object whose SQL differs (e.g. a guard of the same name with an empty body).
    """
    rows = [r for r in rows if not (r[0] == "table" and r[1] in _STAT_TABLES)]
    if not rows:
        return None
    names = {name for _, name, _, _ in rows}
    if {"operators", "roots", "accounts"} & names:
        raise LedgerCorrupted("this is a format-1 ledger (unsigned entries, state tables); it cannot be verified "
                              "under the writer-signature rules: create a new ledger")
    expected = {("table", "entries"): _TABLE, **{("trigger", n): sql for n, sql in _GUARDS.items()}}
    for type_, name, tbl, sql in rows:
        want = expected.get((type_, name))
        if want is None:
            raise LedgerCorrupted(f"unexpected {type_} {name!r} (on {tbl!r}) in the ledger file: planted or from "
                                  f"another program")
        if sql != want:
            raise LedgerCorrupted(f"{type_} {name!r} in the ledger file differs from the expected definition "
                                  f"(altered)")
    if ("table", "entries") not in {(t, n) for t, n, _, _ in rows}:
        raise LedgerCorrupted("the ledger file has no entries table")
    return sorted(set(_GUARDS) - names)


def _stored(row: tuple) -> StoredEntry:
    seq, seq_type, kind_b, payload, prev_hash, h, sig = row
    if seq_type != "integer":
        raise LedgerCorrupted(f"sequence number {seq!r} is not an integer")
    if kind_b is None or payload is None or prev_hash is None or h is None or sig is None:
        raise LedgerCorrupted("a field is missing", seq)
    try:
        kind = bytes(kind_b).decode("utf-8")
    except UnicodeDecodeError:
        raise LedgerCorrupted("the kind is not UTF-8", seq) from None
    return StoredEntry(seq, kind, bytes(payload), bytes(prev_hash), bytes(h), bytes(sig))


class SQLiteLedger(Ledger):
    """A :class:`Ledger` in one SQLite file, verified when opened (see the module docstring)."""

    def __init__(self, path: str | Path, group: Group | None = None, *, writer: Ed25519PrivateKey | None = None,
                 expect_writer: bytes | None = None, pin: str | Path | None = None, advance_pin: bool = True,
                 check_proofs: bool = True, replica: bool = False) -> None:
        """Open the ledger at ``path`` and verify it.

        ``writer``: the writer's private key, needed to append (it must be the key the genesis
        names).  ``expect_writer``: raw public key the genesis must name.  ``pin``: a pinned-head
        file the history must extend; with ``advance_pin`` it follows every head this handle
        verifies or writes.  ``check_proofs=False``: the fast path (see the module docstring).
        ``replica``: the file may be absent or hold no entries yet (a party's empty copy).

        Raises FileNotFoundError (no file, not a replica), LedgerCorrupted (verification fails),
        ValueError (a ledger over another group, or ``writer`` is not this ledger's writer).
        """
        self.path = Path(path)
        self.group = group if group is not None else default_group()
        self._writer = writer
        self._pin = Path(pin) if pin is not None else None
        self._advance = advance_pin
        self._check_proofs = check_proofs
        self._expect_writer = expect_writer
        #: tests only: called with a stage name between the statements of a write.
        self.fault_hook: Callable[[str], None] | None = None
        if not replica and not self.path.is_file():
            raise FileNotFoundError(f"{self.path}: no such ledger file")
        try:
            uri = self.path.absolute().as_uri() + ("?mode=rwc" if replica else "?mode=rw")
            self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30.0)
        except sqlite3.DatabaseError as exc:
            raise LedgerCorrupted(f"{self.path} is not a readable ledger database: {exc}") from None
        try:
            self._open(replica)
        except BaseException:
            self._conn.close()
            raise

    def _open(self, replica: bool) -> None:
        try:
            self._conn.execute("PRAGMA journal_mode=DELETE")
            self._conn.execute("PRAGMA synchronous=FULL")
            missing, rows = self._snapshot()
        except sqlite3.DatabaseError as exc:
            raise LedgerCorrupted(f"{self.path} is not a readable ledger database: {exc}") from None
        if missing is None or missing:
            if missing is None and not replica:
                raise LedgerCorrupted(f"{self.path} holds no ledger (no entries table)")
            self._install_schema()
        self._chain = self._verify(rows)
        if not self._chain.stored and not replica:
            raise LedgerCorrupted("the ledger has no genesis entry")
        if self._writer is not None and self._chain.genesis is not None \
                and raw_public_key(self._writer) != self._chain.genesis.writer_key:
            raise ValueError(f"{self.path}: the given key is not this ledger's writer key")
        self._check_pin()
        self._advance_pin()

    def _snapshot(self, after: int | None = None) -> tuple[list[str] | None, list[tuple]]:
        """The schema check (see :func:`_check_schema`) and the entries (all, or from seq ``after`` on),
        read in ONE transaction: a concurrent writer cannot make them disagree."""
        conn = self._conn
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            missing = _check_schema(conn.execute(_MASTER).fetchall())
            rows = []
            if missing is not None:
                if after is None:
                    rows = conn.execute(_ROWS + " ORDER BY seq").fetchall()
                else:
                    rows = conn.execute(_ROWS + " WHERE seq >= ? ORDER BY seq", (after,)).fetchall()
        finally:
            if own:
                conn.execute("COMMIT")
        return missing, rows

    def _install_schema(self) -> None:
        """Create the table and any missing guard trigger (re-checked under the write lock)."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            missing = _check_schema(conn.execute(_MASTER).fetchall())
            if missing is None:
                conn.execute(_TABLE)
                missing = sorted(_GUARDS)
            for name in missing:
                conn.execute(_GUARDS[name])
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _verify(self, rows: list[tuple]) -> VerifiedChain:
        chain = VerifiedChain(self.group, self._check_proofs, self._expect_writer)
        chain.accept_many(_stored(row) for row in rows)
        return chain

    # -- creation ------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, group: Group | None, writer: Ed25519PrivateKey, issuer_key: bytes, *,
               pin: str | Path | None = None) -> "SQLiteLedger":
        """A new ledger at ``path`` (which must not hold one): genesis with a random ledger id,
        ``writer``'s public key and ``issuer_key``, signed by ``writer``."""
        group = group if group is not None else default_group()
        led = cls(path, group, pin=pin, replica=True)
        try:
            if led._chain.stored:
                raise FileExistsError(f"{path} already holds a ledger")
            led._writer = writer
            genesis = new_genesis(group.name, raw_public_key(writer), bytes(issuer_key))
            led._write("genesis", genesis.payload())
        except BaseException:
            led.close()
            raise
        return led

    @classmethod
    def open_or_create(cls, path: str | Path, group: Group | None, writer: Ed25519PrivateKey, issuer_key: bytes, *,
                       pin: str | Path | None = None) -> "SQLiteLedger":
        """The writer's ledger at ``path``, created if there is none; ValueError if it exists with another
        writer or issuer key."""
        if Path(path).is_file() and Path(path).stat().st_size > 0:
            led = cls(path, group, writer=writer, pin=pin)
            if led._chain.genesis.issuer_key != bytes(issuer_key):
                led.close()
                raise ValueError(f"{path}: the ledger names another issuer key")
            return led
        return cls.create(path, group, writer, issuer_key, pin=pin)

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

    @property
    def ledger_id(self) -> bytes:
        if self._chain.genesis is None:
            raise LedgerRejected("no-genesis", "this replica holds no entries yet")
        return self._chain.genesis.ledger_id

    @property
    def issuer_key(self) -> bytes:
        """The issuer's raw public key fixed at genesis."""
        if self._chain.genesis is None:
            raise LedgerRejected("no-genesis", "this replica holds no entries yet")
        return self._chain.genesis.issuer_key

    @property
    def writer_key(self) -> bytes:
        """The writer's raw public key fixed at genesis."""
        if self._chain.genesis is None:
            raise LedgerRejected("no-genesis", "this replica holds no entries yet")
        return self._chain.genesis.writer_key

    def _sync(self) -> None:
        """Verify and take in entries that other connections appended since this handle last looked.

        Also notices a history that shrank or changed under this handle (LedgerCorrupted).
        """
        seq, h = self._chain.head
        try:
            _, rows = self._snapshot(after=max(seq, 0))
        except sqlite3.DatabaseError as exc:
            raise LedgerCorrupted(f"cannot read the entries: {exc}") from None
        if seq < 0:
            stored = [_stored(r) for r in rows]
        else:
            if not rows or rows[0][0] != seq or bytes(rows[0][5]) != h:
                raise LedgerCorrupted(f"entry {seq}, verified when this handle read it, is gone or changed "
                                      f"(truncated or rewritten under a running process)")
            stored = [_stored(r) for r in rows[1:]]
        self._chain.accept_many(stored)
        if stored:
            self._check_pin()
            self._advance_pin()

    def _insert(self, e: StoredEntry) -> None:
        """Insert one entry; LedgerCorrupted unless exactly that row is now in the table."""
        cur = self._conn.execute("INSERT INTO entries (seq, kind, payload, prev_hash, hash, signature) "
                                 "VALUES (?, ?, ?, ?, ?, ?)", (e.seq, e.kind, e.payload, e.prev_hash, e.hash,
                                                               e.signature))
        if cur.rowcount != 1:
            raise LedgerCorrupted(f"inserting entry {e.seq} changed {cur.rowcount} rows: a trigger in the ledger "
                                  f"file interferes with writes")
        back = self._conn.execute(_ROWS + " WHERE seq = ?", (e.seq,)).fetchall()
        if len(back) != 1 or _stored(back[0]) != e:
            raise LedgerCorrupted(f"entry {e.seq} reads back differently from what was inserted", e.seq)

    def _write(self, kind: str, payload: dict) -> int:
        """Check the canonical bytes of ``payload``, sign, store exactly those bytes; returns the seq."""
        if self._writer is None:
            raise LedgerRejected("read-only", "this handle was opened without the writer's key")
        try:
            body = canonical_json(payload)
        except ValueError as exc:
            raise LedgerRejected("malformed", str(exc)) from None
        if len(body) > max_payload_bytes(kind):   # refused as a request, not found later as a broken entry
            raise LedgerRejected("malformed", f"a {kind} of {len(body)} bytes is above the ledger's "
                                              f"{max_payload_bytes(kind)}-byte limit")
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._sync()
            seq, prev = self._chain.head[0] + 1, self._chain.head[1]
            h = entry_hash(prev, seq, kind, body)
            e = StoredEntry(seq, kind, body, prev, h, sign_entry(self._writer, h))
            checked = self._chain.check(e)  # the same checks as on open, on the bytes about to be stored
            self._fault("checked")
            self._insert(e)
            self._fault("entry-written")
            self._fault("before-commit")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._chain.apply(checked)
        self._advance_pin()
        return seq

    # -- pinned heads --------------------------------------------------------------------------
    def _current_pin(self) -> PinnedHead | None:
        if self._chain.genesis is None:
            return None
        seq, h = self._chain.head
        return PinnedHead(self._chain.genesis.ledger_id, self._chain.hash_at(0), seq, h)

    def _check_pin(self) -> None:
        if self._pin is None:
            return
        try:
            pin = load_pin(self._pin)
        except ValueError as exc:
            raise LedgerCorrupted(str(exc)) from None
        if pin is None:
            return
        if self._chain.genesis is None:
            raise LedgerCorrupted(f"the ledger file is empty but head {pin.describe()} was pinned: it was deleted "
                                  f"or truncated")
        check_extends(pin, self._chain.genesis.ledger_id, self._chain.hash_at, self._chain.head[0])

    def _advance_pin(self) -> None:
        if self._pin is not None and self._advance:
            self.pin_head()

    def pin_head(self) -> tuple[int, bytes]:
        """Pin the current head in this handle's pin file (if it has one); returns the head."""
        cur = self._current_pin()
        if self._pin is not None and cur is not None:
            save_pin(self._pin, cur, self._chain.hash_at)
        return self._chain.head

    # -- writes ------------------------------------------------------------------------------
    def register_operator(self, registration: OperatorRegistration) -> int:
        return self._write("register_operator", encode_operator(registration))

    def publish_root(self, operator_id: str, signed_root: SignedRoot) -> int:
        return self._write("publish_root", encode_root(operator_id, signed_root))

    def open_account(self, opening: AccountOpening) -> int:
        return self._write("open_account", encode_account(opening))

    def open_accounts(self, openings: list[AccountOpening]) -> list[int]:
        """open_account for each, in order, their range proofs verified together first (one
        multi-scalar multiplication per batch instead of one per proof)."""
        self._chain.preverify_openings((o.account_id, o.public_key, o.balance_commitment, o.balance_proof)
                                       for o in openings)
        return [self.open_account(o) for o in openings]

    def submit_multi_transaction(self, mtx: MultiTransaction) -> int:
        return self._write("multi_transaction", encode_mtx(mtx))

    def record_decision(self, kind: str, payload: dict[str, Any]) -> int:
        return self._write("decision", encode_decision(kind, payload))

    # -- replication -------------------------------------------------------------------------
    def stored_entries(self, after: int = -1) -> list[StoredEntry]:
        """The verified entries with seq > ``after``, exactly as stored (for sending to replicas)."""
        self._sync()
        return list(self._chain.stored[after + 1:])

    def append_replicated_many(self, entries: list[StoredEntry]) -> None:
        """append_replicated for each, in order, the account openings' range proofs verified in
        batches first (VerifiedChain.accept_many)."""
        self._sync()
        self._chain.accept_many(entries, take=self.append_replicated)

    def append_replicated(self, e: StoredEntry) -> int:
        """Append an entry the writer produced elsewhere, after the same checks as on open.

        An entry this file already holds (same seq and hash) is skipped.  LedgerCorrupted if it
        conflicts with what is held or fails a chain check (signature, link, hash);
        LedgerRejected if the writer signed an entry that breaks a rule.
        """
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._sync()
            if e.seq <= self._chain.head[0]:
                if self._chain.hash_at(e.seq) != e.hash:
                    raise LedgerCorrupted("the writer's entry differs from the one this replica holds (the "
                                          "histories diverged)", e.seq)
                conn.execute("COMMIT")
                return e.seq
            checked = self._chain.check(e)
            self._insert(e)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._chain.apply(checked)
        self._advance_pin()
        return e.seq

    # -- reads -------------------------------------------------------------------------------
    def latest_root(self, operator_id: str) -> SignedRoot:
        rs = self.roots(operator_id)
        if not rs:
            raise LedgerRejected("no-root", f"operator {operator_id!r} has published no root")
        return rs[-1]

    def roots(self, operator_id: str) -> list[SignedRoot]:
        self._sync()
        return list(self._chain.state.roots.get(operator_id, []))

    def operator_key(self, operator_id: str) -> bytes:
        self._sync()
        key = self._chain.state.operator_key(operator_id)
        if key is None:
            raise LedgerRejected("unknown-operator", f"operator {operator_id!r} is not registered")
        return key

    def account(self, account_id: str) -> AccountState:
        self._sync()
        st = self._chain.state.account_state(account_id)
        if st is None:
            raise LedgerRejected("unknown-account", f"account {account_id!r} does not exist")
        return st

    def head(self) -> tuple[int, bytes]:
        self._sync()
        return self._chain.head

    def entries(self) -> list[Entry]:
        self._sync()
        return self._chain.entries()

    # -- verification --------------------------------------------------------------------------
    def verify_chain(self, check_proofs: bool = True) -> None:
        try:
            _, rows = self._snapshot()
        except sqlite3.DatabaseError as exc:
            raise LedgerCorrupted(f"cannot read the entries: {exc}") from None
        chain = VerifiedChain(self.group, check_proofs, self._expect_writer)
        for row in rows:
            chain.accept(_stored(row))
        seq, h = self._chain.head
        if chain.hash_at(seq) != (h if seq >= 0 else None):
            raise LedgerCorrupted(f"the stored history no longer holds entry {seq} as this handle verified it")
        if check_proofs == self._check_proofs:
            self._chain = chain
        self._check_pin()
