"""The signed chain against someone who can write the ledger file but does not hold the writer key.

Each attack is performed as such an attacker would: with raw SQLite access, dropping the guard
triggers, recomputing every hash, and signing with the only Ed25519 key it has (its own).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger_cases import (GROUP, create_ledger, honest_mtx, keys_of, open_parties, raw, register, reopen, rewrite,
                          rows, settle)
from protocols.ledger import LedgerCorrupted, SQLiteLedger
from protocols.ledger.chain import canonical_json, entry_hash, sign_entry
from protocols.ledger.issuance import authorise_issuance, authorise_operator, open_account_request
from protocols.ledger.rules import encode_account, encode_operator, encode_root
from protocols.ledger.transactions import raw_public_key
from zkp.merkle import MerkleTree
from zkp.signatures import generate_operator_key, public_key_bytes, sign_root

# entries of the populated ledger
GENESIS, OPENS, REGISTER, ROOT, PAY1, PAY2, DECISION = 0, (1, 2, 3, 4), 5, 6, 7, 8, 9
N_ENTRIES = 10


@pytest.fixture(scope="module")
def populated(tmp_path_factory):
    """A closed ledger file with every kind of entry; PAY1 and PAY2 touch disjoint accounts, so dropping or
    swapping one leaves every rule satisfied — only the writer's signatures can tell."""
    d = tmp_path_factory.mktemp("chain")
    ledger = create_ledger(d / "ledger.sqlite")
    parties = open_parties(ledger, {"u1": 1_000, "u2": 500, "u3": 800, "u4": 0})
    key = generate_operator_key()
    register(ledger, "utility", public_key_bytes(key.public_key()))
    ledger.publish_root("utility", sign_root(key, MerkleTree([b"leaf-a", b"leaf-b"]), 1_700_000_000,
                                             operator_id="utility", ledger_id=ledger.ledger_id, epoch=1))
    for phis in ({"u1": 300, "u2": -300}, {"u3": 200, "u4": -200}):
        mtx, r = honest_mtx(ledger, parties, phis)
        ledger.submit_multi_transaction(mtx)
        settle(parties, phis, r)
    ledger.record_decision("energy.join", {"join_slot": 2})
    ledger.close()
    return d / "ledger.sqlite"


def _copy(populated, tmp_path, name="copy.sqlite"):
    dst = tmp_path / name
    shutil.copy(populated, dst)
    return dst


def _inspect(*args):
    return subprocess.run([sys.executable, "-m", "protocols.ledger.inspect", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_untouched_ledger_verifies_fully_and_fast(populated):
    with SQLiteLedger(populated, GROUP) as led:
        kinds = [e.kind for e in led.entries()]
        writer = led.writer_key
    assert kinds == ["genesis"] + ["open_account"] * 4 + ["register_operator", "publish_root", "multi_transaction",
                                                          "multi_transaction", "decision"]
    SQLiteLedger(populated, GROUP, check_proofs=False, expect_writer=writer).close()


def test_entries_are_append_only_through_sqlite(populated, tmp_path):
    path = _copy(populated, tmp_path)
    conn = sqlite3.connect(str(path))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE entries SET kind = 'decision' WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM entries WHERE seq = 9")
    conn.close()


COLUMNS = ["kind", "payload", "prev_hash", "hash", "signature"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seq=st.integers(0, N_ENTRIES - 1), column=st.sampled_from(COLUMNS), position=st.integers(0, 100_000),
       mask=st.integers(1, 255))
def test_any_single_byte_change_of_any_entry_is_detected_on_default_open(populated, tmp_path_factory, seq, column,
                                                                         position, mask):
    path = _copy(populated, tmp_path_factory.mktemp("mut"))
    conn = raw(path)
    value = bytes(conn.execute(f"SELECT CAST({column} AS BLOB) FROM entries WHERE seq = ?", (seq,)).fetchone()[0])
    i = position % len(value)
    mutated = value[:i] + bytes([value[i] ^ mask]) + value[i + 1:]
    conn.execute(f"UPDATE entries SET {column} = ? WHERE seq = ?", (mutated, seq))
    conn.close()
    with pytest.raises(LedgerCorrupted) as info:
        SQLiteLedger(path, GROUP)
    assert info.value.seq is not None and info.value.seq <= seq + 1


def test_changed_sequence_number_is_detected(populated, tmp_path):
    path = _copy(populated, tmp_path)
    conn = raw(path)
    conn.execute("UPDATE entries SET seq = 60 WHERE seq = 9")
    conn.close()
    with pytest.raises(LedgerCorrupted, match="sequence number 60 where 9 was expected"):
        SQLiteLedger(path, GROUP)


def test_byte_flip_in_the_file_is_detected(populated, tmp_path):
    """Flip one byte of a stored payload directly in the database file (SQLite has no checksums)."""
    path = _copy(populated, tmp_path)
    data = bytearray(path.read_bytes())
    marker = b'"join_slot":2'
    at = data.find(marker)
    assert at >= 0
    data[at + len(marker) - 1] = ord("3")
    path.write_bytes(bytes(data))
    with pytest.raises(LedgerCorrupted, match=f"entry {DECISION}: stored hash does not match"):
        SQLiteLedger(path, GROUP)


# -- finding 1: the chain has a key (the writer's) -----------------------------------------------------

def _forged_payment(ledger_id: bytes) -> bytes:
    """A payment that gives u2 10^6 tokens from nothing: no signatures, no proofs."""
    return canonical_json({"ledger_id": ledger_id.hex(), "context": "", "sum_proof": "",
                           "transfers": [{"account_id": "u2",
                                          "amount_commitment": GROUP.commit_point(-10**6, 1).to_bytes().hex()}],
                           "nonces": {"u2": 1}, "solvency_proofs": {"u2": ""}, "signatures": {"u2": ""}})


def test_appended_payment_without_the_writer_key_is_refused_by_default_open_and_inspect(populated, tmp_path):
    path = _copy(populated, tmp_path)
    with SQLiteLedger(path, GROUP) as led:
        lid = led.ledger_id
    conn = raw(path)
    history = rows(conn)
    history.append([N_ENTRIES, "multi_transaction", _forged_payment(lid)])
    rewrite(conn, history, Ed25519PrivateKey.generate())
    conn.close()
    for kw in ({}, {"check_proofs": False}):
        with pytest.raises(LedgerCorrupted, match=f"entry {N_ENTRIES}: the writer's signature"):
            SQLiteLedger(path, GROUP, **kw)
    out = _inspect(path)
    assert out.returncode == 1 and f"CORRUPTED: entry {N_ENTRIES}: the writer's signature" in out.stderr


def test_payment_appended_under_a_running_reader_is_refused_before_it_is_spent(populated, tmp_path):
    """The receiver's process has the ledger open; the attacker appends to the file meanwhile."""
    path = _copy(populated, tmp_path)
    led = SQLiteLedger(path, GROUP)
    before = led.account("u2")
    conn = raw(path)
    history = rows(conn)
    prev = history[-1][4]
    payload = _forged_payment(led.ledger_id)
    h = entry_hash(prev, N_ENTRIES, "multi_transaction", payload)
    conn.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                 (N_ENTRIES, "multi_transaction", payload, prev, h, sign_entry(Ed25519PrivateKey.generate(), h)))
    conn.close()
    with pytest.raises(LedgerCorrupted, match="writer's signature"):
        led.account("u2")
    assert led._chain.state.account_state("u2") == before  # the forged balance never reached the state
    led.close()


def _drop(history):
    return [r for r in history if r[0] != PAY1]


def _swap(history):
    h = list(history)
    h[PAY1], h[PAY2] = h[PAY2], h[PAY1]
    return h


def _change_decision(history):
    h = [list(r) for r in history]
    p = json.loads(h[DECISION][2])
    p["payload"]["join_slot"] = 9
    h[DECISION][2] = canonical_json(p)
    return h


def _ledger_id(history) -> bytes:
    return bytes.fromhex(json.loads(history[GENESIS][2])["ledger_id"])


def _replace_operator(history):
    """The attacker's own key registered as 'utility' (authorised by its own 'issuer') and a root it signed."""
    h = [list(r) for r in history]
    attacker, lid = generate_operator_key(), _ledger_id(history)
    h[REGISTER][2] = canonical_json(encode_operator(authorise_operator(attacker, lid, "utility",
                                                                       public_key_bytes(attacker.public_key()))))
    h[ROOT][2] = canonical_json(encode_root("utility", sign_root(attacker, MerkleTree([b"forged"]), 1_700_000_000,
                                                                 operator_id="utility", ledger_id=lid, epoch=1)))
    return h


def _mint_2_63(history):
    """An account opened with a balance of 2^63: valid range proof, the account's consent, the attacker's 'issuer'."""
    lid, whale, attacker = _ledger_id(history), Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    r = GROUP.random_scalar()
    issued = authorise_issuance(attacker, GROUP, lid, "whale", raw_public_key(whale), 1 << 63, r)
    o = open_account_request(GROUP, lid, "whale", whale, 1 << 63, r, issued)
    return list(history) + [[N_ENTRIES, "open_account", canonical_json(encode_account(o))]]


ATTACKS = {"drop-a-signed-payment": _drop, "swap-two-payments": _swap, "change-a-decision": _change_decision,
           "replace-operator-key-and-root": _replace_operator, "open-a-2^63-balance": _mint_2_63}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
@pytest.mark.parametrize("signer", ["attacker-key", "old-signatures"])
def test_rewritten_history_with_recomputed_hashes_is_refused(populated, tmp_path, attack, signer):
    path = _copy(populated, tmp_path)
    conn = raw(path)
    rewrite(conn, ATTACKS[attack](rows(conn)), Ed25519PrivateKey.generate() if signer == "attacker-key" else None)
    conn.close()
    for kw in ({}, {"check_proofs": False}):
        with pytest.raises(LedgerCorrupted, match="the writer's signature on the entry does not verify"):
            SQLiteLedger(path, GROUP, **kw)
    assert _inspect(path).returncode == 1


def test_entry_signed_by_the_writer_but_breaking_a_rule_is_caught_by_default_open(populated, tmp_path):
    """Even the writer's key cannot make a reader accept a payment without proofs: the default open re-checks
    every proof; only the explicit fast path takes them on the writer's word."""
    path = _copy(populated, tmp_path)
    with SQLiteLedger(path, GROUP) as led:
        writer = keys_of(led).writer
        lid = led.ledger_id
    conn = raw(path)
    history = rows(conn) + [[N_ENTRIES, "multi_transaction", _forged_payment(lid)]]
    rewrite(conn, history, writer)
    conn.close()
    with pytest.raises(LedgerCorrupted, match=f"entry {N_ENTRIES}: recorded multi_transaction breaks a ledger rule "
                                              r"\(signature: account 'u2'"):
        SQLiteLedger(path, GROUP)
    with SQLiteLedger(path, GROUP, check_proofs=False) as fast:  # what --fast trusts
        assert fast.account("u2").nonce == 2
    out = _inspect(path)
    assert out.returncode == 1 and "signature: account 'u2'" in out.stderr
    assert _inspect(path, "--fast").returncode == 0


# -- pinned heads: what a signed prefix cannot show ---------------------------------------------------

def test_truncation_is_caught_only_by_a_pinned_head(populated, tmp_path):
    path = _copy(populated, tmp_path)
    pin = tmp_path / "party0.pin"
    with SQLiteLedger(path, GROUP, pin=pin) as led:  # pins the head it verified
        pinned = led.head()
    assert json.loads(pin.read_text())["seq"] == pinned[0] == DECISION
    conn = raw(path)
    conn.execute("DELETE FROM entries WHERE seq >= ?", (PAY2,))
    conn.close()
    SQLiteLedger(path, GROUP).close()  # every remaining entry is validly signed
    with pytest.raises(LedgerCorrupted, match=f"ends at entry {PAY1} but entry {DECISION} was pinned: it was "
                                              "truncated or rolled back"):
        SQLiteLedger(path, GROUP, pin=pin)
    out = _inspect(path, "--pin", pin)
    assert out.returncode == 1 and "truncated or rolled back" in out.stderr
    out = _inspect(path, "--head", f"{pinned[0]}:{pinned[1].hex()}")
    assert out.returncode == 1 and "truncated or rolled back" in out.stderr


def test_replaced_or_recreated_ledger_is_caught_by_the_pin_or_the_expected_writer(populated, tmp_path):
    """The attacker deletes the file and builds a new ledger with the same accounts under its own keys."""
    path = _copy(populated, tmp_path)
    pin = tmp_path / "party0.pin"
    with SQLiteLedger(path, GROUP, pin=pin) as led:
        writer = led.writer_key
        old = {e.payload["account_id"] for e in led.entries() if e.kind == "open_account"}
    path.unlink()
    fake = create_ledger(path)
    open_parties(fake, {a: 10**6 for a in old})
    fake.close()
    SQLiteLedger(path, GROUP).close()  # a valid ledger in itself
    with pytest.raises(LedgerCorrupted, match="not the pinned one .* replaced or re-created"):
        SQLiteLedger(path, GROUP, pin=pin)
    with pytest.raises(LedgerCorrupted, match="entry 0: the genesis names writer key .* not the expected"):
        SQLiteLedger(path, GROUP, expect_writer=writer)
    assert _inspect(path, "--writer", writer.hex()).returncode == 1
    path.unlink()  # and a deleted file re-created empty
    with pytest.raises(LedgerCorrupted, match="file is empty but head .* was pinned"):
        SQLiteLedger(path, GROUP, pin=pin, replica=True)


def test_pins_only_move_forward(populated, tmp_path):
    path = _copy(populated, tmp_path)
    pin = tmp_path / "p.pin"
    led = reopen(SQLiteLedger(path, GROUP), pin=pin)
    seq = led.record_decision("note", {"n": 1})
    assert json.loads(pin.read_text())["seq"] == seq  # follows every write
    led.close()
    other = tmp_path / "other.sqlite"
    create_ledger(other).close()
    with pytest.raises(LedgerCorrupted, match="not the pinned one"):  # a pin is not moved to another ledger
        SQLiteLedger(other, GROUP, pin=pin)
    assert json.loads(pin.read_text())["seq"] == seq


# -- finding 2: one snapshot per verification ---------------------------------------------------------

_APPENDER = textwrap.dedent("""
    import os, sys, time
    from protocols.ledger import SQLiteLedger, default_group
    from protocols.ledger.keys import load_key
    from zkp.merkle import MerkleTree
    from zkp.signatures import sign_root
    path, writer, operator, stop = sys.argv[1:5]
    led = SQLiteLedger(path, default_group(), writer=load_key(writer), check_proofs=False)
    op = load_key(operator)
    print("ready", flush=True)
    deadline = time.time() + 120
    n = 0
    while not os.path.exists(stop) and time.time() < deadline and n < 300:   # bounded in time and count
        n += 1   # state-changing entries (the operator's roots) and decisions
        led.publish_root("ticker", sign_root(op, MerkleTree([str(n).encode()]), n, operator_id="ticker",
                                             ledger_id=led.ledger_id, epoch=n))
        led.record_decision("tick", {"i": n, "pad": "x" * 2000})
        time.sleep(0.01)
    print(n, flush=True)
""")


def _key_file(path, key):
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    path.write_text(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex())
    return path


def test_a_healthy_ledger_verifies_while_another_process_appends(populated, tmp_path):
    """Finding 2: opens, inspect runs and a long-lived handle while another process appends state-changing
    entries.  Each verification reads schema and entries in one transaction and derives all state from
    those rows, so concurrent appends never make a healthy ledger look corrupted."""
    path = _copy(populated, tmp_path)
    op = generate_operator_key()
    with SQLiteLedger(path, GROUP) as led:
        writer = keys_of(led).writer
        register(reopen(led), "ticker", public_key_bytes(op.public_key()))
    stop = tmp_path / "stop"
    child = subprocess.Popen([sys.executable, "-c", _APPENDER, str(path), str(_key_file(tmp_path / "w.key", writer)),
                              str(_key_file(tmp_path / "op.key", op)), str(stop)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    seen = set()
    long_lived = SQLiteLedger(path, GROUP, check_proofs=False)
    try:
        time.sleep(1.0)  # let the history grow, so that each verification takes a while
        for _ in range(4):
            with SQLiteLedger(path, GROUP, check_proofs=False) as led:
                seen.add(led.head()[0])
            out = _inspect(path, "--fast")
            assert out.returncode == 0, out.stderr
            long_lived.verify_chain(check_proofs=False)
            seen.add(long_lived.latest_root("ticker").epoch)
    finally:
        stop.touch()
        appended = int(child.stdout.readline())
        child.wait(timeout=60)
    assert child.returncode == 0
    assert len(seen) > 2, "the appender was not running during the opens"
    assert long_lived.head()[0] == DECISION + 1 + 2 * appended
    long_lived.close()


# -- finding 8: planted triggers --------------------------------------------------------------------

def test_planted_or_altered_triggers_are_refused_and_dropped_guards_recreated(populated, tmp_path):
    path = _copy(populated, tmp_path)
    conn = raw(path)
    conn.execute("CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries BEGIN SELECT 1; END")
    conn.close()
    with pytest.raises(LedgerCorrupted, match="trigger 'entries_no_update' .* differs from the expected definition"):
        SQLiteLedger(path, GROUP)
    path = _copy(populated, tmp_path, "ignore.sqlite")
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("CREATE TRIGGER swallow BEFORE INSERT ON entries BEGIN SELECT RAISE(IGNORE); END")
    conn.close()
    with pytest.raises(LedgerCorrupted, match="unexpected trigger 'swallow'"):
        SQLiteLedger(path, GROUP)
    path = _copy(populated, tmp_path, "internal.sqlite")  # a name SQLite reserves, planted by writing the schema
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("INSERT INTO sqlite_master VALUES ('trigger', 'sqlite_swallow', 'entries', 0, 'CREATE TRIGGER "
                 "sqlite_swallow BEFORE INSERT ON entries BEGIN SELECT RAISE(IGNORE); END')")
    conn.close()
    with pytest.raises(LedgerCorrupted, match="unexpected trigger 'sqlite_swallow'"):
        SQLiteLedger(path, GROUP)
    path = _copy(populated, tmp_path, "analyzed.sqlite")  # statistics are not code: a file someone ANALYZEd opens
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("ANALYZE")
    conn.close()
    SQLiteLedger(path, GROUP, check_proofs=False).close()
    path = _copy(populated, tmp_path, "dropped.sqlite")
    raw(path).close()
    SQLiteLedger(path, GROUP).close()
    conn = sqlite3.connect(str(path))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM entries WHERE seq = 9")
    conn.close()


def test_insert_swallowed_by_a_trigger_planted_after_open_fails_loudly(populated, tmp_path, monkeypatch):
    """A trigger planted while the writer runs: every write re-reads the schema inside its transaction; and
    should a trigger ever get past that, the insert's row count and read-back catch the swallowed write."""
    import protocols.ledger.sqlite_ledger as store

    path = _copy(populated, tmp_path)
    led = reopen(SQLiteLedger(path, GROUP))
    before = led.head()
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("CREATE TRIGGER swallow BEFORE INSERT ON entries BEGIN SELECT RAISE(IGNORE); END")
    conn.close()
    with pytest.raises(LedgerCorrupted, match="unexpected trigger 'swallow'"):
        led.record_decision("energy.join", {"join_slot": 3})
    monkeypatch.setattr(store, "_check_schema", lambda rows: [])  # the second layer alone
    with pytest.raises(LedgerCorrupted, match="inserting entry 10 changed 0 rows: a trigger"):
        led.record_decision("energy.join", {"join_slot": 3})
    assert led._chain.head == before  # nothing was taken as written
    led.close()


# -- finding 9: inspect --head SEQ:HASH ---------------------------------------------------------------

def test_inspect_head_checks_an_earlier_entry_and_reports_growth(populated, tmp_path):
    path = _copy(populated, tmp_path)
    with SQLiteLedger(path, GROUP) as led:
        e = led.entries()[PAY1]
    out = _inspect(path, "--head", f"{PAY1}:{e.hash.hex()}")
    assert out.returncode == 0, out.stderr
    assert f"entry {PAY1} is as expected; the ledger has grown by {DECISION - PAY1} entries since" in out.stderr
    # (the head checks do not depend on the proofs: the fast path keeps the test short)
    out = _inspect(path, "--fast", "--head", f"{DECISION}:{rows(sqlite3.connect(str(path)))[DECISION][4].hex()}")
    assert out.returncode == 0 and "has not grown since" in out.stderr
    out = _inspect(path, "--fast", "--head", f"{PAY1}:{bytes(32).hex()}")
    assert out.returncode == 1 and f"CORRUPTED: entry {PAY1} has hash {e.hash.hex()}, not the expected" in out.stderr
    out = _inspect(path, "--fast", "--head", f"{DECISION + 5}:{e.hash.hex()}")
    assert out.returncode == 1 and "truncated or rolled back" in out.stderr


# -- files that are not (this) ledger ------------------------------------------------------------------

def test_wrong_group_and_foreign_files(populated, tmp_path):
    from zkp.groups import get_group

    with pytest.raises(ValueError, match="over group 'bn254', not 'secp256k1'"):
        SQLiteLedger(populated, get_group("secp256k1"))
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(LedgerCorrupted, match="not a readable ledger"):
        SQLiteLedger(junk, GROUP)
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    with pytest.raises(LedgerCorrupted, match="no ledger"):
        SQLiteLedger(empty, GROUP)
    with pytest.raises(FileNotFoundError):
        SQLiteLedger(tmp_path / "absent.sqlite", GROUP)
    assert not (tmp_path / "absent.sqlite").exists()
    with pytest.raises(FileExistsError):
        create_ledger(_copy(populated, tmp_path))
    with pytest.raises(ValueError, match="not this ledger's writer key"):
        SQLiteLedger(populated, GROUP, writer=Ed25519PrivateKey.generate())
    old = tmp_path / "format1.sqlite"
    conn = sqlite3.connect(str(old))
    conn.execute("CREATE TABLE entries (seq INTEGER PRIMARY KEY, kind TEXT, payload BLOB, prev_hash BLOB, hash BLOB)")
    conn.execute("CREATE TABLE accounts (account_id TEXT PRIMARY KEY)")
    conn.close()
    with pytest.raises(LedgerCorrupted, match="format-1 ledger"):
        SQLiteLedger(old, GROUP)


def test_a_reader_without_the_writer_key_cannot_write(populated):
    with SQLiteLedger(populated, GROUP) as led:
        from protocols.ledger import LedgerRejected
        with pytest.raises(LedgerRejected) as info:
            led.record_decision("x", {})
        assert info.value.reason == "read-only"


def test_inspect_cli(populated, tmp_path):
    ok = _inspect(populated)
    assert ok.returncode == 0, ok.stderr
    assert "multi_transaction" in ok.stdout and f"verified (every signature and proof): {N_ENTRIES} entries" in ok.stderr
    js = _inspect(populated, "--json")
    assert js.returncode == 0 and len(js.stdout.splitlines()) == N_ENTRIES
    assert all(len(json.loads(line)["signature"]) == 128 for line in js.stdout.splitlines())
    path = _copy(populated, tmp_path)
    conn = raw(path)
    conn.execute("UPDATE entries SET payload = CAST(replace(CAST(payload AS TEXT), 'join_slot', 'join_slit') AS BLOB) "
                 f"WHERE seq = {DECISION}")
    conn.close()
    bad = _inspect(path)
    assert bad.returncode == 1 and f"CORRUPTED: entry {DECISION}: stored hash does not match" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = _inspect(tmp_path / "nope")
    assert missing.returncode == 2 and "error: PATH" in missing.stderr and "no such file" in missing.stderr
    for args, needle in ((["--head", "xyz"], "--head"), (["--writer", "zz"], "--writer"),
                         (["--pin", tmp_path / "none.pin"], "--pin")):
        r = _inspect(populated, *args)
        assert r.returncode == 2 and r.stderr.startswith("error: ") and needle in r.stderr and "Traceback" not in r.stderr
