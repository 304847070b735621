"""The ledger's rules at their boundaries, on writes and on the replay that checks a stored
history, with the failed check named exactly (LedgerRejected.reason / LedgerCorrupted)."""
from __future__ import annotations

import json
import sqlite3

import pytest

from ledger_cases import GROUP, new_ledger
from protocols.ledger import LedgerCorrupted, LedgerRejected, SQLiteLedger
from protocols.ledger.chain import canonical_json, entry_hash
from protocols.ledger.rules import MemoryState, check_decision, replay_entry, root_payload
from zkp.merkle import MerkleTree
from zkp.signatures import generate_operator_key, public_key_bytes, sign_root


def _raw(path):
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS entries_no_update")
    conn.execute("DROP TRIGGER IF EXISTS entries_no_delete")
    return conn


def _rewrite_from(conn, seq, new_payload_of):
    rows = conn.execute("SELECT seq, kind, payload FROM entries WHERE seq >= ? ORDER BY seq", (seq,)).fetchall()
    prev = bytes(conn.execute("SELECT hash FROM entries WHERE seq = ?", (seq - 1,)).fetchone()[0])
    for s, kind, payload in rows:
        payload = new_payload_of(s, bytes(payload))
        h = entry_hash(prev, s, kind, payload)
        conn.execute("UPDATE entries SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?", (payload, prev, h, s))
        prev = h


def test_root_timestamps_must_increase_on_write_and_on_replay(tmp_path):
    key = generate_operator_key()
    ledger = SQLiteLedger(tmp_path / "l.sqlite", GROUP)
    ledger.register_operator("op", public_key_bytes(key.public_key()))
    tree = MerkleTree([b"a"])
    for ts in (5, 9, 12):
        ledger.publish_root("op", sign_root(key, tree, ts))
    for ts in (12, 11):
        with pytest.raises(LedgerRejected) as info:
            ledger.publish_root("op", sign_root(key, tree, ts))
        assert info.value.reason == "root-timestamp"
        assert info.value.detail == f"timestamp {ts} is not after the operator's previous root (12)"
    assert [r.timestamp for r in ledger.roots("op")] == [5, 9, 12]
    ledger.close()
    # rewrite the last root as one stamped 7: after 5 (the first) but not after 9 (the latest before it)
    path = tmp_path / "l.sqlite"
    conn = _raw(path)
    forged = sign_root(key, tree, 7)
    last_seq = conn.execute("SELECT max(seq) FROM entries").fetchone()[0]

    def replace_root(s, payload):
        return canonical_json(root_payload("op", forged)) if s == last_seq else payload

    _rewrite_from(conn, last_seq, replace_root)
    conn.execute("UPDATE roots SET signed_root = ? WHERE seq = ?", (forged.to_bytes(), last_seq))
    conn.close()
    with pytest.raises(LedgerCorrupted) as info:
        SQLiteLedger(path, GROUP)
    assert str(info.value) == (f"entry {last_seq}: recorded publish_root breaks a ledger rule (root-timestamp: "
                               "timestamp 7 is not after the operator's previous root (9))")


def test_replayed_state_answers_like_the_tables(tmp_path):
    key = generate_operator_key()
    state = MemoryState()
    assert state.operator_key("op") is None and state.last_root_timestamp("op") is None
    assert state.account_state("u") is None
    pk = public_key_bytes(key.public_key())
    state.apply(replay_entry(state, GROUP, "register_operator", {"operator_id": "op", "public_key": pk.hex()}, True))
    assert state.operator_key("op") == pk
    for ts in (3, 8):
        p = root_payload("op", sign_root(key, MerkleTree([b"x"]), ts))
        state.apply(replay_entry(state, GROUP, "publish_root", json.loads(canonical_json(p)), True))
    assert state.last_root_timestamp("op") == 8 and state.last_root_timestamp("other") is None
    bad = root_payload("op", sign_root(key, MerkleTree([b"x"]), 20))
    bad["timestamp"] = 21   # the readable copy disagrees with the signed root
    with pytest.raises(ValueError, match="^the readable root fields disagree with the signed root$"):
        replay_entry(state, GROUP, "publish_root", bad, True)
    with pytest.raises(ValueError, match="^unexpected entry kind 'genesis'$"):
        replay_entry(state, GROUP, "genesis", {}, True)


@pytest.mark.parametrize("kind,payload,detail", [
    ("", {}, "decision kind must be a non-empty string of at most 100 characters"),
    ("k" * 101, {}, "decision kind must be a non-empty string of at most 100 characters"),
    (7, {}, "decision kind must be a non-empty string of at most 100 characters"),
    ("k", [1], "decision payload must be a dict"),
    ("k", {"x": b"1"}, "payload.x: bytes is not JSON (encode bytes as hex, tuples as lists)"),
    ("k", {"x": float("nan")}, "payload.x: non-finite number"),
])
def test_decision_checks(kind, payload, detail):
    with pytest.raises(LedgerRejected) as info:
        check_decision(kind, payload)
    assert (info.value.reason, info.value.detail) == ("decision", detail)


def test_decision_kind_of_exactly_100_characters_is_recorded(tmp_path):
    ledger, _ = new_ledger(tmp_path, {})
    seq = ledger.record_decision("k" * 100, {"a": [1, 2.5, None, True, "s"]})
    assert ledger.entries()[seq].payload == {"kind": "k" * 100, "payload": {"a": [1, 2.5, None, True, "s"]}}
    ledger.close()


def test_reads_of_missing_things_name_the_check(tmp_path):
    ledger, _ = new_ledger(tmp_path, {"u1": 5})
    for call, reason, detail in [
        (lambda: ledger.latest_root("op"), "no-root", "operator 'op' has published no root"),
        (lambda: ledger.operator_key("op"), "unknown-operator", "operator 'op' is not registered"),
        (lambda: ledger.account("zz"), "unknown-account", "account 'zz' does not exist"),
    ]:
        with pytest.raises(LedgerRejected) as info:
            call()
        assert (info.value.reason, info.value.detail) == (reason, detail)
    assert ledger.roots("op") == []
    assert ledger.account("u1").nonce == 0
    ledger.close()


def test_a_write_passes_its_stages_in_order_and_genesis_is_recorded(tmp_path):
    ledger = SQLiteLedger(tmp_path / "g.sqlite", GROUP)
    stages = []
    ledger.fault_hook = stages.append
    key = generate_operator_key()
    assert ledger.register_operator("op", public_key_bytes(key.public_key())) == 1
    assert stages == ["checked", "entry-written", "effect-0-written", "before-commit"]
    stages.clear()
    assert ledger.record_decision("k", {}) == 2
    assert stages == ["checked", "entry-written", "before-commit"]
    genesis = ledger.entries()[0]
    assert (genesis.seq, genesis.kind, genesis.prev_hash) == (0, "genesis", bytes(32))
    assert genesis.payload == {"format": genesis.payload["format"], "group": GROUP.name, "ledger": "mpc-markets"}
    assert ledger.head() == (2, ledger.entries()[2].hash)
    ledger.close()


def test_opening_without_create_refuses_a_missing_ledger(tmp_path):
    with pytest.raises(LedgerCorrupted, match=r"holds no ledger \(no entries table\)$"):
        SQLiteLedger(tmp_path / "none.sqlite", GROUP, create=False)
    SQLiteLedger(tmp_path / "new.sqlite", GROUP).close()
    with SQLiteLedger(tmp_path / "new.sqlite", GROUP, create=False) as again:
        assert [e.kind for e in again.entries()] == ["genesis"]


def test_default_group_is_bn254_on_the_fast_backend_when_installed():
    """Called at test time: module-level uses (GROUP in ledger_cases) run before any mutant."""
    import importlib.util

    from protocols.ledger import default_group

    g = default_group()
    assert g.name == "bn254"
    expected = "fastecdsa" if importlib.util.find_spec("fastecdsa") else "py-ecc"
    assert g.backend == expected


def test_account_reads_and_stored_balance_proof(tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from protocols.ledger.transactions import prove_initial_balance, raw_public_key

    ledger = SQLiteLedger(tmp_path / "a.sqlite", GROUP)
    key = raw_public_key(Ed25519PrivateKey.generate())
    r = GROUP.random_scalar()
    cm = GROUP.commit_point(70, r).to_bytes()
    proof = prove_initial_balance(GROUP, "acc", key, 70, r)
    seq = ledger.open_account("acc", key, cm, bytearray(proof))
    assert ledger.entries()[seq].payload["balance_proof"] == proof.hex()
    st = ledger.account("acc")
    assert (st.account_id, st.public_key, st.balance_commitment, st.nonce) == ("acc", key, cm, 0)
    no_proof = ledger.open_account("bare", key, cm)
    assert ledger.entries()[no_proof].payload["balance_proof"] is None
    ledger.close()
    with SQLiteLedger(tmp_path / "a.sqlite", GROUP, deep_check=True) as again:   # the stored proof re-verifies
        assert again.account("acc") == st


def test_failed_creation_rolls_back_and_a_retry_creates_the_ledger(tmp_path, monkeypatch):
    import protocols.ledger.sqlite_ledger as S

    def broken(payload):
        raise RuntimeError("disk full while writing the genesis")

    monkeypatch.setattr(S, "canonical_json", broken)
    path = tmp_path / "c.sqlite"
    with pytest.raises(RuntimeError, match="^disk full while writing the genesis$"):
        SQLiteLedger(path, GROUP)
    conn = sqlite3.connect(str(path))
    assert conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall() == []   # rolled back
    conn.close()
    monkeypatch.undo()
    with SQLiteLedger(path, GROUP) as led:
        assert [e.kind for e in led.entries()] == ["genesis"]


def _rejected(call):
    with pytest.raises(LedgerRejected) as info:
        call()
    return info.value.reason, info.value.detail


def test_root_publication_checks_name_what_is_wrong(tmp_path):
    from dataclasses import replace

    from protocols.ledger.rules import check_publish_root

    key = generate_operator_key()
    state = MemoryState()
    state.operators["op"] = public_key_bytes(key.public_key())
    good = sign_root(key, MerkleTree([b"a"]), 5)
    assert _rejected(lambda: check_publish_root(state, "op", "root")) == (
        "malformed", "signed_root must be a zkp.signatures.SignedRoot")
    assert _rejected(lambda: check_publish_root(state, "nobody", good)) == (
        "unknown-operator", "operator 'nobody' is not registered")
    assert _rejected(lambda: check_publish_root(state, "op", replace(good, root=bytes(31)))) == (
        "malformed", "signed root: root must be 32 bytes")
    assert _rejected(lambda: check_publish_root(state, "op", replace(good, signature=good.signature[:63]))) == (
        "malformed", "signed root: the signature must be 64 bytes")
    forged = replace(good, timestamp=6)
    assert _rejected(lambda: check_publish_root(state, "op", forged)) == (
        "operator-signature", "the signature on the root does not verify under operator 'op''s key")
    effects = check_publish_root(state, "op", forged, verify=False)     # a shallow replay skips the signature
    assert len(effects) == 1 and effects[0].signed_root == forged and effects[0].operator_id == "op"


def test_operator_and_account_checks_name_what_is_wrong(tmp_path):
    from protocols.ledger.rules import check_open_account, check_register_operator

    state = MemoryState()
    pk = public_key_bytes(generate_operator_key().public_key())
    id_msg = "operator id must be a non-empty string of at most 255 bytes"
    for bad_id in ("", "é" * 128, 7):
        assert _rejected(lambda: check_register_operator(state, bad_id, pk)) == ("malformed", id_msg)
    assert check_register_operator(state, "o" * 255, pk)[0].operator_id == "o" * 255
    assert _rejected(lambda: check_register_operator(state, "op", pk[:31])) == (
        "malformed", "operator public key must be a raw 32-byte Ed25519 public key")
    state.operators["op"] = pk
    assert _rejected(lambda: check_register_operator(state, "op", pk)) == (
        "duplicate-operator", "operator 'op' is already registered")
    cm = GROUP.commit_point(5, 1).to_bytes()
    assert _rejected(lambda: check_open_account(state, GROUP, "acc", pk, "cm", None)) == (
        "bad-commitment", "balance commitment must be bytes")
    reason, detail = _rejected(lambda: check_open_account(state, GROUP, "acc", pk, b"\x02" * 64, None))
    assert reason == "bad-commitment" and detail.startswith(f"balance commitment is not a point of {GROUP.name}: ")
    assert _rejected(lambda: check_open_account(state, GROUP, "acc", pk, cm, "proof")) == (
        "malformed", "balance proof must be bytes")
    assert _rejected(lambda: check_open_account(state, GROUP, "acc", pk, cm, b"junk")) == (
        "balance-proof", "the range proof of 'acc''s opening balance fails")
    assert check_open_account(state, GROUP, "acc", pk, cm, b"junk", verify=False)[0].state.account_id == "acc"
    assert _rejected(lambda: check_open_account(state, GROUP, "", pk, cm, None)) == (
        "malformed", "account id must be a non-empty string of at most 255 bytes")


def _ledger_with_root_and_proven_account(path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from protocols.ledger.transactions import prove_initial_balance, raw_public_key

    key = generate_operator_key()
    ledger = SQLiteLedger(path, GROUP)
    ledger.register_operator("op", public_key_bytes(key.public_key()))          # seq 1
    ledger.publish_root("op", sign_root(key, MerkleTree([b"a"]), 5))          # seq 2
    acc_key = raw_public_key(Ed25519PrivateKey.generate())
    r = GROUP.random_scalar()
    ledger.open_account("acc", acc_key, GROUP.commit_point(9, r).to_bytes(),
                        prove_initial_balance(GROUP, "acc", acc_key, 9, r))     # seq 3
    ledger.close()


def _tamper(path, seq, change):
    conn = _raw(path)

    def rewrite(s, payload):
        if s != seq:
            return payload
        p = json.loads(payload)
        change(p)
        return canonical_json(p)

    _rewrite_from(conn, seq, rewrite)
    conn.close()


def test_deep_replay_checks_stored_signatures_and_proofs_that_a_shallow_one_skips(tmp_path):
    path = tmp_path / "d.sqlite"
    _ledger_with_root_and_proven_account(path)

    def bad_signature(p):
        sr = bytes.fromhex(p["signed_root"])
        p["signed_root"] = (sr[:-1] + bytes([sr[-1] ^ 1])).hex()

    _tamper(path, 2, bad_signature)
    conn = _raw(path)                                     # keep the roots table in line with the history
    stored = json.loads(conn.execute("SELECT payload FROM entries WHERE seq = 2").fetchone()[0])
    conn.execute("UPDATE roots SET signed_root = ? WHERE seq = 2", (bytes.fromhex(stored["signed_root"]),))
    conn.close()
    SQLiteLedger(path, GROUP).close()                   # shallow: hashes and state agree
    with pytest.raises(LedgerCorrupted, match=r"^entry 2: recorded publish_root breaks a ledger rule "
                                              r"\(operator-signature: "):
        SQLiteLedger(path, GROUP, deep_check=True)

    path2 = tmp_path / "e.sqlite"
    _ledger_with_root_and_proven_account(path2)

    def other_proof(p):
        proof = bytearray(bytes.fromhex(p["balance_proof"]))
        proof[-1] ^= 1                                     # still decodes: the last scalar changes
        p["balance_proof"] = bytes(proof).hex()

    _tamper(path2, 3, other_proof)
    SQLiteLedger(path2, GROUP).close()
    with pytest.raises(LedgerCorrupted, match=r"^entry 3: recorded open_account breaks a ledger rule "
                                              r"\(balance-proof: "):
        SQLiteLedger(path2, GROUP, deep_check=True)


def test_stored_payload_with_a_non_hex_field_is_reported(tmp_path):
    path = tmp_path / "h.sqlite"
    _ledger_with_root_and_proven_account(path)

    def number_key(p):
        p["public_key"] = 5

    _tamper(path, 1, number_key)
    with pytest.raises(LedgerCorrupted) as info:
        SQLiteLedger(path, GROUP)
    assert str(info.value) == ("entry 1: malformed register_operator payload "
                               "(ValueError('expected a hex string'))")


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
