"""Crash safety: a write interrupted at any point leaves the previous state, and the ledger still works.

Two ways to interrupt: an exception injected between the statements of a write
(``fault_hook``), and a child process killed with SIGKILL at the same points —
the second leaves a hot rollback journal that SQLite must undo on the next open.
"""

from __future__ import annotations

import pickle
import signal
import subprocess
import sys
import textwrap

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger_cases import GROUP, Party, honest_mtx, keys_of, new_ledger, opening, register, reopen, settle, snapshot
from protocols.ledger import LedgerRejected, SQLiteLedger
from zkp.merkle import MerkleTree
from zkp.signatures import generate_operator_key, public_key_bytes, sign_root

# a write checks the signed entry, inserts it (one row: the state is derived in memory), then commits
MTX_STAGES = ["checked", "entry-written", "before-commit"]


class Injected(Exception):
    pass


def _raise_at(stage):
    def hook(s):
        if s == stage:
            raise Injected(s)
    return hook


@pytest.mark.parametrize("stage", MTX_STAGES)
def test_exception_mid_transaction_leaves_previous_state(tmp_path, stage):
    ledger, parties = new_ledger(tmp_path, {"u1": 1_000, "u2": 0})
    phis = {"u1": 400, "u2": -400}
    mtx, r = honest_mtx(ledger, parties, phis)
    before = snapshot(ledger)
    ledger.fault_hook = _raise_at(stage)
    with pytest.raises(Injected):
        ledger.submit_multi_transaction(mtx)
    ledger.fault_hook = None
    assert snapshot(ledger) == before
    ledger.verify_chain()
    ledger.submit_multi_transaction(mtx)  # the same transaction goes through once the fault is gone
    settle(parties, phis, r)
    assert ledger.account("u1").balance_commitment == parties["u1"].commitment()
    ledger.close()
    SQLiteLedger(tmp_path / "ledger.sqlite", GROUP).close()


@pytest.mark.parametrize("stage", MTX_STAGES)
def test_exception_mid_other_writes(tmp_path, stage):
    ledger, parties = new_ledger(tmp_path, {"u1": 1_000})
    key = generate_operator_key()
    u2 = opening(ledger, Party("u2", Ed25519PrivateKey.generate(), 5, GROUP.random_scalar()))
    writes = [
        lambda: register(ledger, "utility", public_key_bytes(key.public_key())),
        lambda: ledger.publish_root("utility", sign_root(key, MerkleTree([b"x"]), 10, operator_id="utility",
                                                         ledger_id=ledger.ledger_id, epoch=1)),
        lambda: ledger.open_account(u2),
        lambda: ledger.record_decision("energy.join", {"join_slot": 1}),
    ]
    for write in writes:
        before = snapshot(ledger)
        ledger.fault_hook = _raise_at(stage)
        try:
            write()
        except Injected:
            assert snapshot(ledger) == before
            ledger.verify_chain()
            ledger.fault_hook = None
            write()  # then it succeeds
        ledger.fault_hook = None
    assert [e.kind for e in ledger.entries()][-4:] == ["register_operator", "publish_root", "open_account", "decision"]
    ledger.close()
    SQLiteLedger(tmp_path / "ledger.sqlite", GROUP).close()


_CHILD = textwrap.dedent("""
    import os, pickle, signal, sys
    from protocols.ledger import SQLiteLedger, default_group
    from protocols.ledger.keys import load_key
    path, mtx_file, stage, spill, key = sys.argv[1:6]
    with open(mtx_file, "rb") as f:
        mtx = pickle.load(f)
    ledger = SQLiteLedger(path, default_group(), writer=load_key(key))
    if spill == "spill":
        # a one-page cache forces SQLite to write changed pages into the database file before
        # the commit, so a kill leaves a modified file plus a hot journal that must be rolled back
        ledger._conn.execute("PRAGMA cache_size=1")
    def die(s):
        if s == stage:
            os.kill(os.getpid(), signal.SIGKILL)
    ledger.fault_hook = die
    ledger.submit_multi_transaction(mtx)
    print("committed")
""")
_JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")


_KILL_DEFAULT = {("checked", "cache"), ("entry-written", "cache"), ("never", "cache"),
                 ("entry-written", "spill"), ("before-commit", "spill")}
_KILL_CASES = [(s, "cache") for s in MTX_STAGES + ["never"]] + [(s, "spill") for s in ("entry-written",
                                                                                       "before-commit")]


@pytest.mark.parametrize("stage,spill", [c if c in _KILL_DEFAULT else pytest.param(*c, marks=pytest.mark.slow)
                                         for c in _KILL_CASES])
def test_killed_process_mid_transaction_leaves_previous_state(tmp_path, stage, spill):
    ledger, parties = new_ledger(tmp_path, {"u1": 1_000, "u2": 0})
    phis = {"u1": 400, "u2": -400}
    mtx, r = honest_mtx(ledger, parties, phis)
    before = snapshot(ledger)
    ledger.close()
    db = tmp_path / "ledger.sqlite"
    journal = tmp_path / "ledger.sqlite-journal"
    original = db.read_bytes()
    mtx_file = tmp_path / "mtx.pickle"
    mtx_file.write_bytes(pickle.dumps(mtx))
    key_file = tmp_path / "writer.key"
    key_file.write_text(keys_of(ledger).writer.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex())
    child = subprocess.run([sys.executable, "-c", _CHILD, str(db), str(mtx_file), stage, spill, str(key_file)],
                           capture_output=True, text=True, timeout=120)
    if stage == "never":
        assert child.returncode == 0 and "committed" in child.stdout, child.stderr
        ledger = SQLiteLedger(db, GROUP)
        settle(parties, phis, r)
        assert ledger.account("u1").balance_commitment == parties["u1"].commitment()
        assert ledger.account("u1").nonce == 1
        ledger.close()
        return
    assert child.returncode == -signal.SIGKILL, child.stderr
    if spill == "spill":
        assert db.read_bytes() != original, "the kill should leave a half-written database file"
        assert journal.read_bytes()[:8] == _JOURNAL_MAGIC, "… and a hot journal"
    else:
        assert db.read_bytes() == original  # nothing reached the file before the commit
    ledger = reopen(ledger)
    assert not journal.exists() or journal.read_bytes()[:8] != _JOURNAL_MAGIC  # rolled back, no longer hot
    assert snapshot(ledger) == before
    ledger.submit_multi_transaction(mtx)  # still valid: nothing of it was recorded
    ledger.close()


def test_two_handles_on_one_file_keep_one_chain(tmp_path):
    """Writes read the head and the state inside their own IMMEDIATE transaction, so interleaved
    writers through two connections extend one chain and see each other's balances and nonces."""
    a, parties = new_ledger(tmp_path, {"u1": 1_000, "u2": 0})
    b = reopen(a)
    b.record_decision("note", {"by": "b"})
    phis = {"u1": 100, "u2": -100}
    mtx, r = honest_mtx(b, parties, phis)
    a.submit_multi_transaction(mtx)
    settle(parties, phis, r)
    with pytest.raises(LedgerRejected) as info:  # b sees a's nonce update: replay refused
        b.submit_multi_transaction(mtx)
    assert info.value.reason == "nonce"
    mtx2, _ = honest_mtx(b, parties, {"u1": 50, "u2": -50})
    b.submit_multi_transaction(mtx2)
    a.record_decision("note", {"by": "a"})
    assert [e.kind for e in a.entries()][3:] == ["decision", "multi_transaction", "multi_transaction", "decision"]
    a.close()
    b.close()
    SQLiteLedger(tmp_path / "ledger.sqlite", GROUP).close()
