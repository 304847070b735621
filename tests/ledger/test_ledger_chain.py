"""The hash chain: any change to a stored entry or to the derived state is detected when the ledger is opened."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger_cases import GROUP, honest_mtx, new_ledger, settle
from protocols.ledger import LedgerCorrupted, SQLiteLedger
from protocols.ledger.chain import canonical_json, entry_hash
from zkp.signatures import generate_operator_key, public_key_bytes, sign_root
from zkp.merkle import MerkleTree


@pytest.fixture(scope="module")
def populated(tmp_path_factory):
    """A closed ledger file with every kind of entry: operator, root, accounts, a multi-transaction, a decision."""
    d = tmp_path_factory.mktemp("chain")
    ledger, parties = new_ledger(d, {"u1": 1_000, "u2": 500})
    key = generate_operator_key()
    ledger.register_operator("utility", public_key_bytes(key.public_key()))
    ledger.publish_root("utility", sign_root(key, MerkleTree([b"leaf-a", b"leaf-b"]), 1_700_000_000))
    phis = {"u1": 300, "u2": -300}
    mtx, r = honest_mtx(ledger, parties, phis)
    ledger.submit_multi_transaction(mtx)
    settle(parties, phis, r)
    ledger.record_decision("energy.join", {"join_slot": 2})
    ledger.close()
    return d / "ledger.sqlite"


def _raw(path):
    conn = sqlite3.connect(str(path), isolation_level=None)
    # an attacker with file access simply drops the append-only triggers
    conn.execute("DROP TRIGGER IF EXISTS entries_no_update")
    conn.execute("DROP TRIGGER IF EXISTS entries_no_delete")
    return conn


def _copy(populated, tmp_path):
    dst = tmp_path / "copy.sqlite"
    shutil.copy(populated, dst)
    return dst


def test_untouched_ledger_verifies_shallow_and_deep(populated):
    with SQLiteLedger(populated, GROUP, deep_check=True) as led:
        kinds = [e.kind for e in led.entries()]
    assert kinds == ["genesis", "open_account", "open_account", "register_operator", "publish_root",
                     "multi_transaction", "decision"]


def test_entries_are_append_only_through_sqlite(populated, tmp_path):
    path = _copy(populated, tmp_path)
    conn = sqlite3.connect(str(path))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE entries SET kind = 'decision' WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM entries WHERE seq = 6")
    conn.close()


COLUMNS = ["kind", "payload", "prev_hash", "hash"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seq=st.integers(0, 6), column=st.sampled_from(COLUMNS), position=st.integers(0, 10_000),
       mask=st.integers(1, 255))
def test_any_single_byte_mutation_of_an_entry_is_detected(populated, tmp_path_factory, seq, column, position, mask):
    path = _copy(populated, tmp_path_factory.mktemp("mut"))
    conn = _raw(path)
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
    conn = _raw(path)
    conn.execute("UPDATE entries SET seq = 60 WHERE seq = 6")
    conn.close()
    with pytest.raises(LedgerCorrupted, match="sequence number 60 where 6 was expected"):
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
    with pytest.raises(LedgerCorrupted, match="entry 6: stored hash does not match"):
        SQLiteLedger(path, GROUP)


def test_tampered_balance_in_the_state_table_is_detected(populated, tmp_path):
    path = _copy(populated, tmp_path)
    conn = sqlite3.connect(str(path))
    forged = GROUP.commit_point(1_000_000, 1).to_bytes()
    conn.execute("UPDATE accounts SET balance_commitment = ? WHERE account_id = 'u2'", (forged,))
    conn.commit()
    conn.close()
    with pytest.raises(LedgerCorrupted, match=r"accounts table disagrees with the history \(accounts \['u2'\]\)"):
        SQLiteLedger(path, GROUP)


def test_tampered_nonce_and_roots_are_detected(populated, tmp_path):
    path = _copy(populated, tmp_path)
    conn = sqlite3.connect(str(path))
    conn.execute("UPDATE accounts SET nonce = 0 WHERE account_id = 'u1'")  # would allow a replay
    conn.commit()
    conn.close()
    with pytest.raises(LedgerCorrupted, match="accounts table"):
        SQLiteLedger(path, GROUP)
    path = _copy(populated, tmp_path / "..")
    conn = sqlite3.connect(str(path))
    conn.execute("DELETE FROM roots")
    conn.commit()
    conn.close()
    with pytest.raises(LedgerCorrupted, match="roots table"):
        SQLiteLedger(path, GROUP)


def _rewrite_from(conn, seq, new_payload_of):
    """Rewrite entry ``seq`` and recompute every later hash, as an attacker with file access can."""
    rows = conn.execute("SELECT seq, kind, payload, prev_hash FROM entries WHERE seq >= ? ORDER BY seq", (seq,)).fetchall()
    prev = bytes(conn.execute("SELECT hash FROM entries WHERE seq = ?", (seq - 1,)).fetchone()[0])
    for s, kind, payload, _ in rows:
        payload = new_payload_of(s, bytes(payload))
        h = entry_hash(prev, s, kind, payload)
        conn.execute("UPDATE entries SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?", (payload, prev, h, s))
        prev = h
    return prev


def test_rewritten_history_with_recomputed_hashes(populated, tmp_path):
    """A hash chain alone cannot stop someone who rewrites a suffix and recomputes the hashes.

    Here the rewrite changes an unsigned decision: the shallow and deep checks both pass
    (nothing signed was touched) and only a head pinned elsewhere exposes it — which is
    why `head()` exists and `inspect --head` checks it.  Rewriting a signed multi-transaction
    the same way is caught by the deep check (the account signatures no longer verify).
    """
    import json

    path = _copy(populated, tmp_path)
    with SQLiteLedger(path, GROUP) as led:
        pinned = led.head()
    conn = _raw(path)

    def new_decision(s, payload):
        p = json.loads(payload)
        p["payload"]["join_slot"] = 9
        return canonical_json(p)

    _rewrite_from(conn, 6, new_decision)
    conn.close()
    with SQLiteLedger(path, GROUP, deep_check=True) as led:
        assert led.entries()[6].payload["payload"]["join_slot"] == 9
        assert led.head() != pinned  # only the pinned head reveals the rewrite

    path = _copy(populated, tmp_path / "..")
    conn = _raw(path)
    victim_cm = bytes(conn.execute("SELECT balance_commitment FROM accounts WHERE account_id='u1'").fetchone()[0])

    def richer(s, payload):
        if s != 5:
            return payload
        p = json.loads(payload)
        p["transfers"][0]["amount_commitment"] = GROUP.commit_point(-10**6, 5).to_bytes().hex()
        return canonical_json(p)

    _rewrite_from(conn, 5, richer)
    # keep the state tables consistent with the forged history
    from zkp.pedersen import Commitment
    opened = bytes.fromhex(json.loads(conn.execute("SELECT payload FROM entries WHERE seq=1").fetchone()[0])
                           ["balance_commitment"])
    forged = (Commitment.from_bytes(GROUP, opened) - Commitment(GROUP.commit_point(-10**6, 5))).to_bytes()
    assert forged != victim_cm
    conn.execute("UPDATE accounts SET balance_commitment = ? WHERE account_id = 'u1'", (forged,))
    conn.close()
    SQLiteLedger(path, GROUP).close()  # consistent enough for the shallow check
    with pytest.raises(LedgerCorrupted, match="entry 5: .*signature"):
        SQLiteLedger(path, GROUP, deep_check=True)


def test_truncated_ledger_is_caught_by_state_or_pinned_head(populated, tmp_path):
    path = _copy(populated, tmp_path)
    with SQLiteLedger(path, GROUP) as led:
        pinned = led.head()
    conn = _raw(path)
    conn.execute("DELETE FROM entries WHERE seq = 6")  # the decision: no derived state to disagree
    conn.close()
    with SQLiteLedger(path, GROUP) as led:
        assert led.head() != pinned
    out = subprocess.run([sys.executable, "-m", "protocols.ledger.inspect", str(path), "--head",
                          f"{pinned[0]}:{pinned[1].hex()}"], capture_output=True, text=True)
    assert out.returncode == 1 and "truncated or rewritten" in out.stderr
    conn = _raw(path)
    conn.execute("DELETE FROM entries WHERE seq = 5")  # the transaction: balances no longer match
    conn.close()
    with pytest.raises(LedgerCorrupted, match="accounts table"):
        SQLiteLedger(path, GROUP)


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
        SQLiteLedger(empty, GROUP, create=False)


def test_inspect_cli(populated, tmp_path):
    ok = subprocess.run([sys.executable, "-m", "protocols.ledger.inspect", str(populated), "--deep"],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "multi_transaction" in ok.stdout and "verified (deep): 7 entries" in ok.stderr
    js = subprocess.run([sys.executable, "-m", "protocols.ledger.inspect", str(populated), "--json"],
                        capture_output=True, text=True)
    assert js.returncode == 0 and len(js.stdout.splitlines()) == 7
    path = _copy(populated, tmp_path)
    conn = _raw(path)
    conn.execute("UPDATE entries SET payload = CAST(replace(CAST(payload AS TEXT), 'join_slot', 'join_slit') AS BLOB) "
                 "WHERE seq = 6")
    conn.close()
    bad = subprocess.run([sys.executable, "-m", "protocols.ledger.inspect", str(path)], capture_output=True, text=True)
    assert bad.returncode == 1 and "CORRUPTED: entry 6: stored hash does not match" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = subprocess.run([sys.executable, "-m", "protocols.ledger.inspect", str(tmp_path / "nope")],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    badhead = subprocess.run([sys.executable, "-m", "protocols.ledger.inspect", str(populated), "--head", "xyz"],
                             capture_output=True, text=True)
    assert badhead.returncode == 2 and "--head" in badhead.stderr
