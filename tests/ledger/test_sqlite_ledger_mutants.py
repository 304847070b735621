"""The SQLite ledger at its edges, with the failed check named exactly: tests written from the survivors of a
mutation run over protocols/ledger/sqlite_ledger.py (benchmarks/mutation.py).  Everything runs in-process on
small ledgers (no proofs beyond the accounts some tests open)."""
from __future__ import annotations

import importlib.util
import json
import sqlite3

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger_cases import GROUP, Keys, create_ledger, keys_of, new_ledger, raw, rewrite, rows
from protocols.ledger import LedgerCorrupted, LedgerRejected, SQLiteLedger
from protocols.ledger.chain import canonical_json
from protocols.ledger.transactions import raw_public_key
from zkp.groups import get_group


def test_default_group_is_bn254_on_the_fast_backend_when_installed():
    """Called at test time: the module-level GROUP of ledger_cases runs before any mutant is switched on."""
    from protocols.ledger import default_group

    g = default_group()
    assert g.name == "bn254"
    assert g.backend == ("fastecdsa" if importlib.util.find_spec("fastecdsa") else "py-ecc")


def test_default_group_falls_back_to_py_ecc_without_fastecdsa(monkeypatch):
    import zkp.groups as groups
    from protocols.ledger import default_group

    real = groups.get_group

    def without_fastecdsa(name, backend=None):
        if backend == "fastecdsa":
            raise ImportError("fastecdsa is not installed")
        return real(name, backend)

    monkeypatch.setattr(groups, "get_group", without_fastecdsa)
    g = default_group()
    assert (g.name, g.backend) == ("bn254", "py-ecc")


def test_open_or_create_creates_reopens_and_refuses_another_issuer(tmp_path):
    keys = Keys(Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate())
    issuer = raw_public_key(keys.issuer)
    path = tmp_path / "l.sqlite"
    path.touch()  # an empty file holds no ledger yet: it is created
    with SQLiteLedger.open_or_create(path, GROUP, keys.writer, issuer, pin=tmp_path / "p.pin") as led:
        lid, head = led.ledger_id, led.head()
        assert head[0] == 0 and led.issuer_key == issuer and led.writer_key == raw_public_key(keys.writer)
        assert led.record_decision("k", {}) == 1
    assert (tmp_path / "p.pin").is_file()
    with SQLiteLedger.open_or_create(path, GROUP, keys.writer, issuer, pin=tmp_path / "p.pin") as again:
        assert again.ledger_id == lid and again.head()[0] == 1  # the same ledger, not a new one
        assert again.record_decision("k", {}) == 2
    assert json.loads((tmp_path / "p.pin").read_text())["seq"] == 2  # the reopened handle keeps the pin
    slow = get_group("bn254", "py-ecc")  # the caller's group object is the one used, on reopening and creating
    with SQLiteLedger.open_or_create(path, slow, keys.writer, issuer) as again:
        assert again.group is slow
    with SQLiteLedger.open_or_create(tmp_path / "other.sqlite", slow, keys.writer, issuer) as created:
        assert created.group is slow
    other_issuer = raw_public_key(Ed25519PrivateKey.generate())
    with pytest.raises(ValueError, match=r"l\.sqlite: the ledger names another issuer key$"):
        SQLiteLedger.open_or_create(path, GROUP, keys.writer, other_issuer)
    with pytest.raises(ValueError, match="not this ledger's writer key"):
        SQLiteLedger.open_or_create(path, GROUP, Ed25519PrivateKey.generate(), issuer)
    fresh = tmp_path / "new.sqlite"
    with SQLiteLedger.open_or_create(fresh, None, keys.writer, issuer) as led:  # absent: created, default group
        assert led.group.name == "bn254" and led.ledger_id != lid and led.head()[0] == 0


def test_reads_of_missing_things_name_the_check(tmp_path):
    ledger, _ = new_ledger(tmp_path, {})
    for call, reason, detail in [
        (lambda: ledger.latest_root("op"), "no-root", "operator 'op' has published no root"),
        (lambda: ledger.operator_key("op"), "unknown-operator", "operator 'op' is not registered"),
        (lambda: ledger.account("zz"), "unknown-account", "account 'zz' does not exist"),
    ]:
        with pytest.raises(LedgerRejected) as info:
            call()
        assert (info.value.reason, info.value.detail) == (reason, detail)
    assert ledger.roots("op") == []
    ledger.close()


def _writer_signed_bad_opening(tmp_path):
    """A ledger file whose last entry, signed by the writer, opens an account the issuer never authorised."""
    ledger, _ = new_ledger(tmp_path, {"u1": 5})
    writer = keys_of(ledger).writer
    path = ledger.path
    ledger.close()
    conn = raw(path)
    history = rows(conn)
    p = json.loads(history[1][2])
    p["issuer_signature"] = bytes(64).hex()
    history[1][2] = canonical_json(p)
    rewrite(conn, history, writer)
    conn.close()
    return path


def test_verify_chain_checks_proofs_by_default_even_on_a_fast_handle(tmp_path):
    path = _writer_signed_bad_opening(tmp_path)
    with pytest.raises(LedgerCorrupted, match=r"^entry 1: recorded open_account breaks a ledger rule "
                                              r"\(issuer-signature"):
        SQLiteLedger(path, GROUP)
    with SQLiteLedger(path, GROUP, check_proofs=False) as fast:
        assert fast.account("u1").nonce == 0
        fast.verify_chain(check_proofs=False)
        with pytest.raises(LedgerCorrupted, match=r"^entry 1: recorded open_account breaks a ledger rule "
                                                  r"\(issuer-signature"):
            fast.verify_chain()


def test_verify_chain_keeps_the_expected_writer(tmp_path):
    """A handle opened with expect_writer re-checks the genesis writer when the history is replaced under it."""
    ledger = create_ledger(tmp_path / "l.sqlite")
    other = create_ledger(tmp_path / "other.sqlite")
    with SQLiteLedger(ledger.path, GROUP, expect_writer=ledger.writer_key) as led:
        conn = raw(ledger.path)
        conn.execute("DELETE FROM entries")
        for r in rows(raw(other.path)):
            conn.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)", r)
        conn.close()
        with pytest.raises(LedgerCorrupted, match="^entry 0: the genesis names writer key"):
            led.verify_chain()
    ledger.close()
    other.close()


def test_an_unreadable_file_under_an_open_handle_is_reported(tmp_path):
    ledger = create_ledger(tmp_path / "l.sqlite")
    size = ledger.path.stat().st_size
    ledger.path.write_bytes(b"garbage!" * (size // 8))
    for call in (ledger.verify_chain, ledger.head):
        with pytest.raises(LedgerCorrupted, match="^cannot read the entries: file is not a database$"):
            call()
    ledger.close()


def test_verify_chain_of_an_empty_replica_and_of_a_genesis_only_ledger(tmp_path):
    with SQLiteLedger(tmp_path / "replica.sqlite", GROUP, replica=True) as rep:
        assert rep.head() == (-1, bytes(32))
        rep.verify_chain()
    ledger = create_ledger(tmp_path / "l.sqlite")
    assert ledger.head()[0] == 0
    ledger.verify_chain()
    ledger.close()


def test_verify_chain_notices_a_history_truncated_under_the_handle(tmp_path):
    ledger = create_ledger(tmp_path / "l.sqlite")
    ledger.record_decision("k", {})
    conn = raw(ledger.path)
    conn.execute("DELETE FROM entries WHERE seq = 1")
    conn.close()
    with pytest.raises(LedgerCorrupted,
                       match="^the stored history no longer holds entry 1 as this handle verified it$"):
        ledger.verify_chain()
    ledger.close()


def test_a_shallow_verify_chain_does_not_make_a_checking_handle_trust_later_entries(tmp_path):
    """verify_chain(check_proofs=False) on a handle that checks proofs must not swap in a chain that skips them:
    an entry appended afterwards (signed by the writer, breaking a proof rule) is still refused."""
    path = _writer_signed_bad_opening(tmp_path)
    conn = raw(path)
    history = rows(conn)
    bad = history.pop()  # the handle opens on the honest prefix, the bad opening arrives later
    conn.execute("DELETE FROM entries WHERE seq = ?", (bad[0],))
    conn.close()
    with SQLiteLedger(path, GROUP) as led:
        led.verify_chain(check_proofs=False)
        conn = raw(path)
        conn.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)", bad)
        conn.close()
        with pytest.raises(LedgerCorrupted, match=r"^entry 1: recorded open_account breaks a ledger rule "
                                                  r"\(issuer-signature"):
            led.head()


def test_a_replica_skips_entries_it_holds_and_refuses_a_diverging_one(tmp_path):
    import dataclasses

    ledger = create_ledger(tmp_path / "w.sqlite")
    ledger.record_decision("k", {"n": 1})
    with SQLiteLedger(tmp_path / "r.sqlite", GROUP, replica=True, expect_writer=ledger.writer_key) as rep:
        stored = ledger.stored_entries()
        assert [rep.append_replicated(e) for e in stored] == [0, 1]
        assert rep.append_replicated(stored[1]) == 1 and rep.head() == ledger.head()  # held: skipped
        assert len(rep.entries()) == 2
        forged = dataclasses.replace(stored[1], hash=bytes(32))
        with pytest.raises(LedgerCorrupted) as info:
            rep.append_replicated(forged)
        assert info.value.seq == 1
        assert str(info.value) == ("entry 1: the writer's entry differs from the one this replica holds (the "
                                   "histories diverged)")
        assert rep.head() == ledger.head()
        assert rep.stored_entries(0) == stored[1:] and rep.stored_entries() == stored
    ledger.close()


# -- opening: every refusal says exactly what is wrong -------------------------------------------------------

def _corrupted(call) -> str:
    with pytest.raises(LedgerCorrupted) as info:
        call()
    return str(info.value)


def test_files_that_hold_no_ledger(tmp_path):
    missing = tmp_path / "none.sqlite"
    with pytest.raises(FileNotFoundError) as info:
        SQLiteLedger(missing, GROUP)
    assert str(info.value) == f"{missing}: no such ledger file"
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database, just bytes" * 100)
    assert _corrupted(lambda: SQLiteLedger(junk, GROUP)) == (
        f"{junk} is not a readable ledger database: file is not a database")
    assert _corrupted(lambda: SQLiteLedger(tmp_path, GROUP, replica=True)) == (
        f"{tmp_path} is not a readable ledger database: unable to open database file")
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    assert _corrupted(lambda: SQLiteLedger(empty, GROUP)) == f"{empty} holds no ledger (no entries table)"
    assert _sqlite_master(empty) == []  # nothing was installed
    SQLiteLedger(tmp_path / "replica.sqlite", GROUP, replica=True).close()  # schema, no entries
    assert _corrupted(lambda: SQLiteLedger(tmp_path / "replica.sqlite", GROUP)) == "the ledger has no genesis entry"


def test_an_empty_replica_has_no_ledger_id_yet(tmp_path):
    with SQLiteLedger(tmp_path / "r.sqlite", GROUP, replica=True, pin=tmp_path / "r.pin") as rep:
        for prop in ("ledger_id", "issuer_key", "writer_key"):
            with pytest.raises(LedgerRejected) as info:
                getattr(rep, prop)
            assert (info.value.reason, info.value.detail) == ("no-genesis", "this replica holds no entries yet")
        assert rep.pin_head() == (-1, bytes(32)) and not (tmp_path / "r.pin").exists()
        assert rep.stored_entries() == [] and rep.entries() == []


def _sqlite_master(path):
    conn = sqlite3.connect(str(path))
    try:
        return sorted(conn.execute("SELECT type, name FROM sqlite_master").fetchall())
    finally:
        conn.close()


def test_schema_checks_name_the_object(tmp_path):
    def fresh(name):
        led = create_ledger(tmp_path / name)
        led.close()
        return led.path

    p = fresh("a.sqlite")
    conn = raw(p)
    conn.execute("CREATE TABLE accounts (x)")
    conn.close()
    assert _corrupted(lambda: SQLiteLedger(p, GROUP)) == (
        "this is a format-1 ledger (unsigned entries, state tables); it cannot be verified under the "
        "writer-signature rules: create a new ledger")
    for other in ("operators", "roots"):
        p = fresh(f"{other}.sqlite")
        raw(p).execute(f"CREATE TABLE {other} (x)")
        assert "format-1 ledger" in _corrupted(lambda: SQLiteLedger(p, GROUP))
    p = fresh("b.sqlite")
    raw(p).execute("CREATE INDEX by_kind ON entries (kind)")
    assert _corrupted(lambda: SQLiteLedger(p, GROUP)) == (
        "unexpected index 'by_kind' (on 'entries') in the ledger file: planted or from another program")
    p = fresh("c.sqlite")
    conn = raw(p)
    conn.execute("CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries BEGIN SELECT 1; END")
    conn.close()
    assert _corrupted(lambda: SQLiteLedger(p, GROUP)) == (
        "trigger 'entries_no_delete' in the ledger file differs from the expected definition (altered)")
    p = fresh("d.sqlite")
    raw(p).close()  # drops both guards
    with SQLiteLedger(p, GROUP) as led:  # re-created, and the file holds exactly the expected objects
        assert led.head()[0] == 0
    assert _sqlite_master(p) == [("table", "entries"), ("trigger", "entries_no_delete"),
                                 ("trigger", "entries_no_update")]
    conn = raw(p)
    conn.execute("CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries "
                 "BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END")
    conn.close()
    with SQLiteLedger(p, GROUP) as led:  # only the missing one is created
        assert led.head()[0] == 0
    assert len(_sqlite_master(p)) == 3


def test_planner_statistics_are_not_a_planted_object(tmp_path):
    ledger = create_ledger(tmp_path / "l.sqlite")
    ledger.record_decision("k", {})
    ledger.close()
    conn = raw(ledger.path)
    conn.execute("CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries "
                 "BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END")
    conn.execute("CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries "
                 "BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END")
    conn.execute("ANALYZE")
    conn.close()
    assert ("table", "sqlite_stat1") in _sqlite_master(ledger.path)
    with SQLiteLedger(ledger.path, GROUP) as led:
        assert led.head()[0] == 1


def test_a_stored_kind_that_is_not_utf8(tmp_path):
    ledger = create_ledger(tmp_path / "l.sqlite")
    ledger.record_decision("k", {})
    ledger.close()
    conn = raw(ledger.path)
    conn.execute("UPDATE entries SET kind = ? WHERE seq = 1", (b"\xff",))
    conn.close()
    assert _corrupted(lambda: SQLiteLedger(ledger.path, GROUP)) == "entry 1: the kind is not UTF-8"


def test_the_file_is_opened_with_a_rollback_journal_and_full_sync(tmp_path):
    ledger = create_ledger(tmp_path / "l.sqlite")
    ledger.close()
    conn = raw(ledger.path)
    assert conn.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
    conn.close()
    with SQLiteLedger(ledger.path, GROUP) as led:
        assert led._conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert led._conn.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL


def test_only_the_writer_writes(tmp_path):
    ledger = create_ledger(tmp_path / "l.sqlite")
    with SQLiteLedger(ledger.path, GROUP) as reader:
        with pytest.raises(LedgerRejected) as info:
            reader.record_decision("k", {})
        assert (info.value.reason, info.value.detail) == ("read-only",
                                                          "this handle was opened without the writer's key")
    with pytest.raises(ValueError) as info:
        SQLiteLedger(ledger.path, GROUP, writer=Ed25519PrivateKey.generate())
    assert str(info.value) == f"{ledger.path}: the given key is not this ledger's writer key"
    with pytest.raises(FileExistsError) as info:
        SQLiteLedger.create(ledger.path, GROUP, keys_of(ledger).writer, ledger.issuer_key)
    assert str(info.value) == f"{ledger.path} already holds a ledger"
    ledger.close()


def test_a_write_passes_its_stages_in_order_and_returns_its_seq(tmp_path):
    ledger = create_ledger(tmp_path / "l.sqlite")
    stages = []
    ledger.fault_hook = stages.append
    assert ledger.record_decision("k", {"a": 1}) == 1
    assert stages == ["checked", "entry-written", "before-commit"]
    e = ledger.entries()[1]
    assert (e.seq, e.kind, e.payload, e.prev_hash) == (1, "decision", {"kind": "k", "payload": {"a": 1}},
                                                        ledger.entries()[0].hash)
    assert ledger.head() == (1, e.hash)
    ledger.close()


# -- several handles, pins -----------------------------------------------------------------------------------

def test_a_handle_takes_in_what_another_appended_and_notices_a_rewrite(tmp_path):
    ledger = create_ledger(tmp_path / "l.sqlite", pin=tmp_path / "w.pin")
    with SQLiteLedger(ledger.path, GROUP, pin=tmp_path / "r.pin") as reader:
        assert reader.head()[0] == 0
        ledger.record_decision("k", {"n": 1})
        ledger.record_decision("k", {"n": 2})
        assert reader.head() == ledger.head()
        assert json.loads((tmp_path / "r.pin").read_text())["seq"] == 2  # the reader's pin follows
        assert [e.payload["payload"]["n"] for e in reader.entries()[1:]] == [1, 2]
        conn = raw(ledger.path)
        conn.execute("UPDATE entries SET hash = ? WHERE seq = 2", (bytes(32),))
        conn.close()
        assert _corrupted(reader.head) == ("entry 2, verified when this handle read it, is gone or changed "
                                           "(truncated or rewritten under a running process)")
    ledger.close()


def test_a_pin_that_is_not_a_pin_and_one_that_stays_put(tmp_path):
    ledger = create_ledger(tmp_path / "l.sqlite")
    ledger.close()
    bad = tmp_path / "bad.pin"
    bad.write_text("{}")
    msg = _corrupted(lambda: SQLiteLedger(ledger.path, GROUP, pin=bad))
    assert msg.startswith(f"pin {bad}: not a pinned head (")
    fixed = tmp_path / "fixed.pin"
    with SQLiteLedger(ledger.path, GROUP, writer=keys_of(ledger).writer, pin=fixed, advance_pin=False) as led:
        assert not fixed.exists()
        led.record_decision("k", {})
        assert not fixed.exists()
        assert led.pin_head() == led.head() and fixed.exists()
        assert json.loads(fixed.read_text())["seq"] == 1
        led.record_decision("k", {})
        assert json.loads(fixed.read_text())["seq"] == 1


@pytest.mark.parametrize("action", ["DELETE FROM entries WHERE seq = NEW.seq",
                                    "UPDATE entries SET signature = zeroblob(64) WHERE seq = NEW.seq"])
def test_an_insert_changed_after_the_fact_is_caught_by_the_read_back(tmp_path, monkeypatch, action):
    """The third layer (behind the schema check and the row count): a trigger that removes or rewrites the new row
    after it was inserted leaves a row count of 1, and the read-back refuses the write."""
    import protocols.ledger.sqlite_ledger as store

    ledger = create_ledger(tmp_path / "l.sqlite")
    before = ledger.head()
    conn = raw(ledger.path)  # guards dropped, as someone with file access can
    conn.execute(f"CREATE TRIGGER after_insert AFTER INSERT ON entries BEGIN {action}; END")
    conn.close()
    monkeypatch.setattr(store, "_check_schema", lambda rows: [])
    with pytest.raises(LedgerCorrupted) as info:
        ledger.record_decision("k", {})
    assert str(info.value) == "entry 1: entry 1 reads back differently from what was inserted"
    assert info.value.seq == 1 and ledger._chain.head == before
    ledger.close()


def test_an_empty_handle_takes_in_a_history_written_by_another_and_a_truncated_head_is_noticed(tmp_path):
    ledger = create_ledger(tmp_path / "w.sqlite")
    ledger.record_decision("k", {})
    path = tmp_path / "r.sqlite"
    with SQLiteLedger(path, GROUP, replica=True) as empty, SQLiteLedger(path, GROUP, replica=True) as filler:
        assert empty.head() == (-1, bytes(32))
        for e in ledger.stored_entries():
            filler.append_replicated(e)
        assert empty.head() == ledger.head() and empty.ledger_id == ledger.ledger_id  # taken in on the next read
        conn = raw(path)
        conn.execute("DELETE FROM entries WHERE seq = 1")
        conn.close()
        assert _corrupted(empty.head) == ("entry 1, verified when this handle read it, is gone or changed "
                                          "(truncated or rewritten under a running process)")
    ledger.close()


def test_a_failed_guard_installation_is_rolled_back(tmp_path, monkeypatch):
    import protocols.ledger.sqlite_ledger as store

    ledger = create_ledger(tmp_path / "l.sqlite")
    ledger.close()
    raw(ledger.path).close()  # both guards dropped: the next open re-creates them in one transaction
    monkeypatch.setitem(store._GUARDS, "entries_no_update", "CREATE TRIGGER broken")  # the second one fails
    with pytest.raises(sqlite3.OperationalError) as info:
        SQLiteLedger(ledger.path, GROUP)
    assert str(info.value) == "incomplete input"
    assert _sqlite_master(ledger.path) == [("table", "entries")]  # the first guard was rolled back too
