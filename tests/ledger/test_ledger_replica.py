"""The ledger replicated within a session: each party on its own SQLite file, verified, heads compared."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger_cases import GROUP, create_ledger, honest_mtx, keys_of, open_parties, raw, register, settle
from mpc.field import PrimeField
from mpc.local import run_parties
from mpc.session import Session
from protocols.ledger import LedgerCorrupted, SQLiteLedger
from protocols.ledger.chain import StoredEntry, canonical_json, entry_hash, sign_entry
from protocols.ledger.replica import LedgerDivergence, _encode_batch, replicate
from zkp.merkle import MerkleTree
from zkp.signatures import generate_operator_key, public_key_bytes, sign_root

M = 3


def _files(tmp_path: Path, m: int = M) -> tuple[SQLiteLedger, list[SQLiteLedger], list[Path]]:
    """Party 0's writer ledger (created before the session) and an empty replica for every other party,
    each on its own file with its own pin."""
    pins = [tmp_path / f"party{p}.pin" for p in range(m)]
    writer = create_ledger(tmp_path / "party0.sqlite", pin=pins[0])
    replicas = [SQLiteLedger(tmp_path / f"party{p}.sqlite", GROUP, replica=True, pin=pins[p],
                             expect_writer=writer.writer_key) for p in range(1, m)]
    return writer, [writer, *replicas], pins


def _inspect_head(path: Path) -> str:
    out = subprocess.run([sys.executable, "-m", "protocols.ledger.inspect", str(path)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return re.search(r"head (\d+:[0-9a-f]{64})", out.stderr).group(1)


def _factory(tamper=None, cheater: int = 0, victims: tuple[int, ...] = (2,)):
    """Sessions as usual, except that the cheater's broadcasts to the victims pass through ``tamper`` (e.g. a
    writer that sends different parties different bytes)."""
    class Equivocating(Session):
        def _broadcast_payload_for(self, peer, payload):
            return tamper(payload) if peer in victims else payload

    def factory(pid, transport, prep):
        return (Equivocating if pid == cheater and tamper else Session)(transport, prep, PrimeField())
    return factory


def _replicate_all(ledgers, tamper=None, timeout: float = 60, **kw) -> list:
    async def program(session):
        return await replicate(session, ledgers[session.pid])
    return run_parties(len(ledgers), program, session_factory=_factory(tamper, **kw), timeout=timeout)


def test_every_party_ends_each_stage_with_the_same_verified_ledger_in_its_own_file(tmp_path):
    writer, ledgers, pins = _files(tmp_path)
    op = generate_operator_key()

    async def program(session: Session):
        led = ledgers[session.pid]
        heads = [await replicate(session, led)]  # the genesis reaches every party
        if session.pid == 0:  # stage 0: accounts, operator, root
            parties = open_parties(led, {"u1": 1_000, "u2": 500, "u3": 0})
            register(led, "utility", public_key_bytes(op.public_key()))
            led.publish_root("utility", sign_root(op, MerkleTree([b"a", b"b"]), 100, operator_id="utility",
                                                  ledger_id=led.ledger_id, epoch=1))
        heads.append(await replicate(session, led))
        nonces = {a: led.account(a).nonce for a in ("u1", "u2", "u3")}  # every party reads its own copy
        if session.pid == 0:  # stage 4: payment and decision
            phis = {"u1": 300, "u2": -100, "u3": -200}
            mtx, r = honest_mtx(led, parties, phis)
            seq = led.submit_multi_transaction(mtx)
            settle(parties, phis, r)
            led.record_decision("energy-group-purchase", {"join_slot": 2, "multi_transaction_seq": seq})
        heads.append(await replicate(session, led))
        return heads, nonces, led.account("u1"), led.latest_root("utility")

    results = run_parties(M, program, timeout=60)
    assert not any(isinstance(r, BaseException) for r in results), results
    assert all(r[0] == results[0][0] for r in results)  # the same head after every stage
    assert [h[0] for h in results[0][0]] == [0, 5, 7]  # genesis; + 3 accounts, operator, root; + payment, decision
    assert all(r[1] == {"u1": 0, "u2": 0, "u3": 0} for r in results)
    assert all(r[2:] == results[0][2:] for r in results) and results[0][2].nonce == 1
    final = results[0][0][-1]
    history = [e.hash for e in writer.entries()]
    for led in ledgers:
        led.close()
    for p in range(M):  # a fresh, fully verifying open of each party's own file, against its own pin
        with SQLiteLedger(tmp_path / f"party{p}.sqlite", GROUP, pin=pins[p]) as again:
            assert again.head() == final
            assert [e.hash for e in again.entries()] == history
    assert {_inspect_head(tmp_path / f"party{p}.sqlite") for p in range(M)} == {f"{final[0]}:{final[1].hex()}"}


def test_a_writer_that_sends_parties_different_signed_histories_is_caught_by_every_party(tmp_path):
    """Party 0 holds the writer key, so it can sign a second history; it sends party 2 the fork."""
    writer, ledgers, _ = _files(tmp_path)
    writer.record_decision("setup", {"n": 0})
    writer.record_decision("energy.join", {"join_slot": 2})
    entries = writer.stored_entries()
    last = entries[-1]
    body = canonical_json({"kind": "energy.join", "payload": {"join_slot": 3}})
    h = entry_hash(last.prev_hash, last.seq, last.kind, body)
    fork = StoredEntry(last.seq, last.kind, body, last.prev_hash, h, sign_entry(keys_of(writer).writer, h))
    real_batch, fork_batch = _encode_batch(entries), _encode_batch(entries[:-1] + [fork])
    assert len(real_batch) == len(fork_batch)

    results = _replicate_all(ledgers, lambda payload: payload.replace(real_batch, fork_batch))
    for r in results:
        assert isinstance(r, LedgerDivergence), r
        assert "heads differ" in str(r)
    # each replica verified what it got (both are validly signed); only the comparison shows the fork
    assert ledgers[1].entries()[-1].payload["payload"] == {"join_slot": 2}
    assert ledgers[2].entries()[-1].payload["payload"] == {"join_slot": 3}


def test_an_entry_tampered_in_transit_is_refused_by_the_replica(tmp_path):
    writer, ledgers, _ = _files(tmp_path)
    writer.record_decision("setup", {"n": 0})
    results = _replicate_all(ledgers, lambda payload: payload.replace(b'"n":0', b'"n":1'))
    for r in results:
        assert isinstance(r, LedgerDivergence), r
        assert "party 2: an entry from the writer does not verify (entry 1: stored hash" in str(r)
    assert ledgers[2].head()[0] == 0  # party 2 kept the genesis only: nothing of the bad entry
    assert ledgers[1].head() == writer.head()


def test_a_writer_signed_entry_that_breaks_a_rule_is_refused_by_every_replica(tmp_path):
    """A payment the writer signed although it carries no proofs: the replicas verify it under the same
    rules as the writer's own open would, and refuse it."""
    writer, ledgers, _ = _files(tmp_path)
    open_parties(writer, {"u1": 5, "u2": 5})
    forged = canonical_json({"ledger_id": writer.ledger_id.hex(), "context": "", "sum_proof": "",
                             "transfers": [{"account_id": "u2",
                                            "amount_commitment": GROUP.commit_point(-10**6, 1).to_bytes().hex()}],
                             "nonces": {"u2": 0}, "solvency_proofs": {"u2": ""}, "signatures": {"u2": ""}})
    seq, prev = writer.head()
    h = entry_hash(prev, seq + 1, "multi_transaction", forged)
    bad = StoredEntry(seq + 1, "multi_transaction", forged, prev, h, sign_entry(keys_of(writer).writer, h))
    writer.stored_entries = lambda after=-1: SQLiteLedger.stored_entries(writer, after) + [bad]
    results = _replicate_all(ledgers)
    for r in results:
        assert isinstance(r, LedgerDivergence), r
        assert "the writer signed an entry that breaks a ledger rule (signature: account 'u2'" in str(r)
    assert all(led.head() == writer.head() for led in ledgers[1:])  # everything up to the bad entry


def test_no_party_accepts_more_entry_bytes_than_the_limit(tmp_path):
    """A writer that sends a batch above the limit makes every other party abort before it is parsed
    (only the writer can send entries at all: the batch goes out by Session.broadcast_from)."""
    writer, ledgers, _ = _files(tmp_path)

    async def program(session):
        return await replicate(session, ledgers[session.pid], max_batch=64)
    results = run_parties(len(ledgers), program, timeout=5)
    assert isinstance(results[0], LedgerDivergence), results[0]
    assert "exceed the 64-byte limit" in str(results[0])
    for pid in (1, 2):
        assert isinstance(results[pid], LedgerDivergence), results[pid]
    assert ledgers[2].head()[0] == -1


def test_a_replica_expecting_another_writer_refuses_the_genesis(tmp_path):
    _, ledgers, _ = _files(tmp_path)
    ledgers[1].close()
    ledgers[1] = SQLiteLedger(tmp_path / "other.sqlite", GROUP, replica=True,
                              expect_writer=public_key_bytes(generate_operator_key().public_key()))
    results = _replicate_all(ledgers)
    assert all(isinstance(r, LedgerDivergence) and "party 1" in str(r) and "not the expected" in str(r)
               for r in results), results
    assert ledgers[1].head()[0] == -1


def test_the_other_replicas_catch_a_truncated_writer_file(tmp_path):
    """Someone cuts the last entry off the writer's file between two sessions: every entry left is validly
    signed, but the other parties hold more, so the next session aborts instead of building on the cut."""
    writer, ledgers, _ = _files(tmp_path)
    writer.record_decision("energy.join", {"join_slot": 2})
    assert all(not isinstance(r, BaseException) for r in _replicate_all(ledgers))
    writer.close()
    conn = raw(writer.path)
    conn.execute("DELETE FROM entries WHERE seq = 1")
    conn.close()
    ledgers[0] = SQLiteLedger(writer.path, GROUP, writer=keys_of(ledgers[1]).writer)  # opened without its pin
    results = _replicate_all(ledgers)
    for r in results:
        assert isinstance(r, LedgerDivergence), r
        assert "the writer's ledger ends at 0 but party 1 holds entry 1" in str(r)
    with pytest.raises(LedgerCorrupted, match="truncated or rolled back"):  # and the writer's own pin says so
        SQLiteLedger(writer.path, GROUP, pin=tmp_path / "party0.pin")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rounds=st.lists(st.tuples(st.integers(0, 3), st.integers(0, M - 1)), min_size=1, max_size=4),
       newcomer=st.integers(1, M - 1), joins_at=st.integers(0, 3))
def test_replicas_converge_to_the_writers_head(tmp_path_factory, rounds, newcomer, joins_at):
    """Any number of stages, each writing any number of entries, a party restarting (reopening and verifying
    its file against its pin), and a party moving to a brand-new empty file: after every stage all heads
    agree, every file holds exactly the writer's entries, and every pin holds the agreed head."""
    tmp = tmp_path_factory.mktemp("conv")
    writer, ledgers, pins = _files(tmp)
    for stage, (writes, restart) in enumerate(rounds):
        for i in range(writes):
            writer.record_decision("tick", {"stage": stage, "i": i})
        if restart:
            path, pin = ledgers[restart].path, (pins[restart] if ledgers[restart]._pin else None)
            ledgers[restart].close()
            ledgers[restart] = SQLiteLedger(path, GROUP, replica=True, pin=pin)
        if stage == joins_at:
            ledgers[newcomer].close()
            ledgers[newcomer] = SQLiteLedger(tmp / f"new{stage}.sqlite", GROUP, replica=True)
        results = _replicate_all(ledgers)
        assert all(r == writer.head() for r in results), results
        for led in ledgers:
            assert [e.hash for e in led.entries()] == [e.hash for e in writer.entries()]
        for p, pin in enumerate(pins):
            if ledgers[p]._pin is not None:
                assert json.loads(pin.read_text())["seq"] == writer.head()[0]
    for led in ledgers:
        led.close()


def test_the_private_group_purchase_runs_on_a_ledger_file_per_party(tmp_path):
    """The flagship protocol (energy.private.session.group_purchase) with every party reading its own
    replica: accounts are bought before the session, so one replication before it and one after it suffice
    (the integration into the multi-process CLI adds one after every stage that writes)."""
    import dataclasses

    from protocols.energy.private.local import prepare
    from protocols.energy.private.session import group_purchase
    from protocols.energy.scenarios.loader import BUILTIN_DIR, parse_scenario

    data = json.loads((BUILTIN_DIR / "table2.json").read_text())
    for u in data["users"]:
        u["energy_wh"] = u["energy_wh"][:6]  # the group joins at slot 6
    setups, _, host = prepare(parse_scenario(data), tmp_path / "party0.sqlite")
    m = len(setups)
    pins = [tmp_path / f"party{p}.pin" for p in range(m)]
    ledgers = [reopen_with_pin(host, pins[0])] + [
        SQLiteLedger(tmp_path / f"party{p}.sqlite", host.group, replica=True, pin=pins[p],
                     expect_writer=host.writer_key) for p in range(1, m)]
    host.close()
    setups = [dataclasses.replace(s, ledger=ledgers[p]) for p, s in enumerate(setups)]

    async def program(session):
        before = await replicate(session, ledgers[session.pid])
        result = await group_purchase(session, setups[session.pid])
        return before, result, await replicate(session, ledgers[session.pid])

    results = run_parties(m, program, field=PrimeField(host.group.order), timeout=120)
    assert not any(isinstance(r, BaseException) for r in results), results
    assert {r[1].result["join_slot"] for r in results} == {6}
    final = results[0][2]
    assert all(r[2] == final for r in results) and final[0] == results[0][0][0] + 2
    for p, led in enumerate(ledgers):
        assert [e.kind for e in led.entries()[-2:]] == ["multi_transaction", "decision"]
        assert all(led.account(u).nonce == 1 for u in ("u1", "u2", "u3", "u4"))
        led.close()
    assert {_inspect_head(tmp_path / f"party{p}.sqlite") for p in range(m)} == {f"{final[0]}:{final[1].hex()}"}


def reopen_with_pin(ledger: SQLiteLedger, pin: Path) -> SQLiteLedger:
    return SQLiteLedger(ledger.path, ledger.group, writer=ledger._writer, pin=pin)
