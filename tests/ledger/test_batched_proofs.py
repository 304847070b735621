"""The account openings' range proofs verified in batches (one multi-scalar multiplication per
batch) must refuse exactly what one-by-one verification refuses: a false proof anywhere in a
batch, or a true proof bound to another account, is named when a file is opened or an entry
replicated, and a failed batch vouches for none of its proofs."""
from __future__ import annotations

import json

import pytest

from ledger_cases import GROUP, create_ledger, keys_of, open_parties, raw, rewrite, rows
from mpc.local import run_parties
from protocols.ledger import LedgerCorrupted, SQLiteLedger
from protocols.ledger import transactions
from protocols.ledger.chain import canonical_json
from protocols.ledger.replica import LedgerDivergence, replicate
from protocols.ledger.transactions import balance_proof_key, prove_initial_balance, verify_initial_balances

LEDGER_ID = bytes(range(16))
PK = bytes(32)


def _opening(aid: str, balance: int = 10**9):
    r = GROUP.random_scalar()
    cm = GROUP.commit_point(balance, r).to_bytes()
    return aid, PK, cm, prove_initial_balance(GROUP, LEDGER_ID, aid, PK, balance, r)


def test_a_batch_with_one_false_proof_vouches_for_none_of_its_proofs(monkeypatch):
    monkeypatch.setattr(transactions, "BATCH", 3)
    good = [_opening(f"u{i}") for i in range(5)]
    # u4 presents u3's proof: a true proof, but of another account's statement
    bad = good[:4] + [(good[4][0], PK, good[4][2], good[3][3])]
    keys = [balance_proof_key(LEDGER_ID, *o) for o in bad]
    assert verify_initial_balances(GROUP, LEDGER_ID, good) == {balance_proof_key(LEDGER_ID, *o) for o in good}
    # batches [u0 u1 u2] and [u3 u4']: only the first vouches
    assert verify_initial_balances(GROUP, LEDGER_ID, bad) == set(keys[:3])


def test_malformed_proofs_are_left_to_the_rules():
    aid, pk, cm, proof = _opening("u0")
    assert verify_initial_balances(GROUP, LEDGER_ID, [(aid, pk, cm, proof[:-1]), (aid, pk, b"\x01" * 64, proof)]) == set()


def _swap_proofs(tmp_path, victim: str, donor: str) -> SQLiteLedger:
    """A writer-signed history of 6 openings in which ``victim``'s opening carries ``donor``'s proof."""
    led = create_ledger(tmp_path / "l.sqlite")
    open_parties(led, {f"u{i}": 10**9 + i for i in range(6)})
    led.close()
    conn = raw(tmp_path / "l.sqlite")
    hist = rows(conn)
    payloads = {json.loads(r[2]).get("account_id"): i for i, r in enumerate(hist) if r[1] == "open_account"}
    p = json.loads(hist[payloads[victim]][2])
    p["balance_proof"] = json.loads(hist[payloads[donor]][2])["balance_proof"]
    hist[payloads[victim]][2] = canonical_json(p)
    rewrite(conn, hist, keys_of(led).writer)
    conn.close()
    return led


def test_a_stored_opening_with_another_accounts_proof_is_named_when_the_file_is_opened(tmp_path):
    led = _swap_proofs(tmp_path, victim="u3", donor="u2")
    with pytest.raises(LedgerCorrupted, match=r"balance-proof.*'u3'"):
        SQLiteLedger(led.path, GROUP)


def test_a_replicated_opening_with_another_accounts_proof_is_refused_by_every_replica(tmp_path):
    led = _swap_proofs(tmp_path, victim="u4", donor="u1")
    writer = SQLiteLedger(led.path, GROUP, check_proofs=False, writer=keys_of(led).writer)
    replicas = [SQLiteLedger(tmp_path / f"r{i}.sqlite", GROUP, replica=True) for i in (1, 2)]
    ledgers = [writer, *replicas]

    async def program(session):
        return await replicate(session, ledgers[session.pid], writer=0)
    results = run_parties(3, program, timeout=60)
    for r in results:
        assert isinstance(r, LedgerDivergence), r
    for r in results[1:]:
        assert "balance-proof" in str(r) and "'u4'" in str(r), r
    # everything before the bad opening was taken, nothing from it on
    bad_seq = next(e.seq for e in writer.stored_entries() if e.kind == "open_account"
                   and json.loads(e.payload)["account_id"] == "u4")
    assert all(rep.head()[0] == bad_seq - 1 for rep in replicas)


def test_the_writer_opens_a_batch_of_accounts_with_one_batch_check(tmp_path, monkeypatch):
    from ledger_cases import Party, opening
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    led = create_ledger(tmp_path / "w.sqlite")
    parties = [Party(f"h{i}", Ed25519PrivateKey.generate(), 7 + i, GROUP.random_scalar()) for i in range(4)]
    singles = []
    real = transactions.verify_initial_balance
    monkeypatch.setattr("protocols.ledger.rules.verify_initial_balance",
                        lambda *a: singles.append(a[2]) or real(*a))
    seqs = led.open_accounts([opening(led, p) for p in parties])
    assert seqs == list(range(seqs[0], seqs[0] + 4))
    assert singles == []                      # every proof came from the batch
    assert [led.account(p.account_id).balance_commitment for p in parties] == [p.commitment() for p in parties]


def test_replication_sends_a_large_batch_in_pieces(tmp_path, monkeypatch):
    """Entries of many kilobytes go out in pieces of CHUNK bytes: every replica ends at the
    writer's head, and no single broadcast carried more than a piece."""
    from protocols.ledger import replica as replica_mod
    from mpc.session import Session

    monkeypatch.setattr(replica_mod, "CHUNK", 5000)
    led = create_ledger(tmp_path / "w.sqlite")
    open_parties(led, {f"u{i}": 1 + i for i in range(3)})       # ~19 kB per opening
    replicas = [SQLiteLedger(tmp_path / f"r{i}.sqlite", GROUP, replica=True) for i in (1, 2)]
    ledgers = [led, *replicas]
    sizes = []
    real = Session.broadcast_from

    async def spy(self, sender, payload=b"", limit=1 << 20):
        out = await real(self, sender, payload, limit)
        sizes.append(len(out))
        return out
    monkeypatch.setattr(Session, "broadcast_from", spy)

    async def program(session):
        return await replicate(session, ledgers[session.pid], writer=0)
    results = run_parties(3, program, timeout=60)
    assert all(r == led.head() for r in results), results
    assert all(rep.head() == led.head() for rep in replicas)
    total = sum(len(e.to_bytes()) + 4 for e in led.stored_entries())
    assert max(sizes) == 5000 and sum(sizes) == 3 * (8 + total)   # 3 parties saw the length and every piece


def test_a_writer_announcing_more_than_the_limit_is_refused_before_anything_is_read(tmp_path, monkeypatch):
    from protocols.ledger import replica as replica_mod

    led = create_ledger(tmp_path / "w.sqlite")
    replicas = [SQLiteLedger(tmp_path / f"r{i}.sqlite", GROUP, replica=True) for i in (1, 2)]
    ledgers = [led, *replicas]
    real = replica_mod._send_entries

    async def lying_writer(session, writer, batch, max_batch):
        if session.pid == writer:     # announces 2^40 bytes and sends nothing else
            await session.broadcast_from(writer, (1 << 40).to_bytes(8, "big"), 8)
            return batch, None
        return await real(session, writer, batch, max_batch)
    monkeypatch.setattr(replica_mod, "_send_entries", lying_writer)

    async def program(session):
        return await replicate(session, ledgers[session.pid], writer=0)
    results = run_parties(3, program, timeout=30)
    for r in results[1:]:
        assert isinstance(r, LedgerDivergence) and "announced 1099511627776 bytes" in str(r), r
    assert all(rep.head()[0] == -1 for rep in replicas)
