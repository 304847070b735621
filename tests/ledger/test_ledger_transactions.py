"""Multi-transactions: honest ones execute homomorphically; every cheat is refused and leaves no trace."""

from __future__ import annotations

import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger_cases import GROUP, Party, create_ledger, honest_mtx, keys_of, new_ledger, opening, settle, snapshot
from protocols.ledger import LedgerRejected, SQLiteLedger
from protocols.ledger.transactions import (MultiTransaction, Transfer, commit_amount, new_multi_transaction,
                                           prove_solvency, prove_zero_sum, sign_multi_transaction,
                                           solvency_statement, sum_statement, verify_solvency_proof,
                                           verify_sum_proof)
from zkp.pedersen import Opening
from zkp.sigma.nonnegative import RANGE
from zkp.sigma.sum import SUM, SumWitness

BALANCES = {"u1": 10_000, "u2": 5_000, "u3": 0}


def assert_rejected(ledger: SQLiteLedger, mtx: MultiTransaction, reason: str) -> LedgerRejected:
    before = snapshot(ledger)
    with pytest.raises(LedgerRejected) as info:
        ledger.submit_multi_transaction(mtx)
    assert info.value.reason == reason, str(info.value)
    assert snapshot(ledger) == before, "a rejected transaction changed the ledger"
    return info.value


def test_honest_transaction_updates_committed_balances(tmp_path):
    ledger, parties = new_ledger(tmp_path, BALANCES)
    phis = {"u1": 2_500, "u2": -1_000, "u3": -1_500}
    mtx, r_phi = honest_mtx(ledger, parties, phis)
    seq = ledger.submit_multi_transaction(mtx)
    assert seq == ledger.head()[0] == 4
    settle(parties, phis, r_phi)
    assert {a: p.balance for a, p in parties.items()} == {"u1": 7_500, "u2": 6_000, "u3": 1_500}
    for aid, p in parties.items():
        st_ = ledger.account(aid)
        assert st_.balance_commitment == p.commitment()
        assert st_.nonce == 1
    entry = ledger.entries()[-1]
    assert entry.kind == "multi_transaction"
    assert [t["account_id"] for t in entry.payload["transfers"]] == ["u1", "u2", "u3"]
    # the amounts stay hidden: a transfer stores only the account and a commitment
    assert all(set(t) == {"account_id", "amount_commitment"} for t in entry.payload["transfers"])


def test_receiver_with_zero_balance_can_receive_and_then_pay(tmp_path):
    ledger, parties = new_ledger(tmp_path, BALANCES)
    for phis in ({"u1": 300, "u3": -300}, {"u3": 300, "u2": -300}):
        mtx, r = honest_mtx(ledger, parties, phis)
        ledger.submit_multi_transaction(mtx)
        settle(parties, phis, r)
    assert parties["u3"].balance == 0 and ledger.account("u3").nonce == 2


def test_replayed_transaction_is_refused(tmp_path):
    ledger, parties = new_ledger(tmp_path, BALANCES)
    mtx, _ = honest_mtx(ledger, parties, {"u1": 100, "u2": -100})
    ledger.submit_multi_transaction(mtx)
    err = assert_rejected(ledger, copy.deepcopy(mtx), "nonce")
    assert "replayed" in err.detail


def test_proofs_of_an_old_transaction_do_not_fit_a_new_body(tmp_path):
    """Re-signing the same transfers with fresh nonces changes the body, so the old proofs no longer verify."""
    ledger, parties = new_ledger(tmp_path, BALANCES)
    mtx, _ = honest_mtx(ledger, parties, {"u1": 100, "u2": -100})
    ledger.submit_multi_transaction(mtx)
    again = copy.deepcopy(mtx)
    again.nonces = {a: ledger.account(a).nonce for a in again.nonces}
    again.signatures = {a: sign_multi_transaction(again, a, parties[a].key) for a in again.nonces}
    assert_rejected(ledger, again, "sum-proof")


def test_forged_signature_is_refused(tmp_path):
    ledger, parties = new_ledger(tmp_path, BALANCES)
    mtx, _ = honest_mtx(ledger, parties, {"u1": 100, "u2": -100})
    mtx.signatures["u1"] = sign_multi_transaction(mtx, "u1", Ed25519PrivateKey.generate())
    err = assert_rejected(ledger, mtx, "signature")
    assert "'u1'" in err.detail


def test_missing_signature_is_refused(tmp_path):
    ledger, parties = new_ledger(tmp_path, BALANCES)
    mtx, _ = honest_mtx(ledger, parties, {"u1": 100, "u2": -100})
    del mtx.signatures["u2"]
    assert "missing ['u2']" in assert_rejected(ledger, mtx, "malformed").detail


def test_amount_changed_after_signing_breaks_the_signatures(tmp_path):
    ledger, parties = new_ledger(tmp_path, BALANCES)
    mtx, _ = honest_mtx(ledger, parties, {"u1": 100, "u2": -100})
    mtx.transfers[1] = Transfer("u2", commit_amount(GROUP, -5_000)[0])
    assert_rejected(ledger, mtx, "signature")


def _forged_sum_proof(mtx: MultiTransaction, rho: int) -> bytes:
    """Run the zkpSum prover without its witness check, as a cheater would."""
    stmt = sum_statement(GROUP, mtx)
    first, k = SUM.commit(stmt, SumWitness(rho))
    c = SUM.challenge(stmt, first, mtx.proof_context())
    return SUM.encode(stmt, first, SUM.respond(stmt, SumWitness(rho), k, c))


def test_sum_proof_for_a_nonzero_sum_is_refused(tmp_path):
    ledger, parties = new_ledger(tmp_path, BALANCES)
    phis = {"u1": 100, "u2": -50}  # 50 tokens created from nothing
    mtx, r_phi = honest_mtx_unbalanced(ledger, parties, phis)
    with pytest.raises(ValueError, match="do not sum"):
        prove_zero_sum(GROUP, mtx, sum(r_phi.values()))
    mtx.sum_proof = _forged_sum_proof(mtx, sum(r_phi.values()) % GROUP.order)
    assert not verify_sum_proof(GROUP, mtx)
    assert_rejected(ledger, mtx, "sum-proof")


def honest_mtx_unbalanced(ledger, parties, phis):
    """Everything valid except the sum proof, which is left empty."""
    r_phi = {a: GROUP.random_scalar() for a in phis}
    transfers = [Transfer(a, GROUP.commit_point(phi, r_phi[a]).to_bytes()) for a, phi in phis.items()]
    mtx = new_multi_transaction(transfers, {a: ledger.account(a).nonce for a in phis}, b"test",
                                ledger_id=ledger.ledger_id)
    for a, phi in phis.items():
        p = parties[a]
        mtx.solvency_proofs[a] = prove_solvency(GROUP, mtx, a, p.balance, p.r, phi, r_phi[a])
        mtx.signatures[a] = sign_multi_transaction(mtx, a, p.key)
    return mtx, r_phi


def test_sum_proof_from_another_transaction_is_refused(tmp_path):
    ledger, parties = new_ledger(tmp_path, BALANCES)
    m1, _ = honest_mtx(ledger, parties, {"u1": 100, "u2": -100}, context=b"session-1")
    m2, _ = honest_mtx(ledger, parties, {"u1": 100, "u2": -100}, context=b"session-2")
    m2.sum_proof = m1.sum_proof
    assert_rejected(ledger, m2, "sum-proof")


def test_garbage_sum_proof_is_refused(tmp_path):
    ledger, parties = new_ledger(tmp_path, BALANCES)
    mtx, _ = honest_mtx(ledger, parties, {"u1": 100, "u2": -100})
    mtx.sum_proof = mtx.sum_proof[:-1]
    assert_rejected(ledger, mtx, "sum-proof")


def test_overdraft_cannot_be_proven_and_a_forged_proof_is_refused(tmp_path):
    ledger, parties = new_ledger(tmp_path, BALANCES)
    phis = {"u2": 7_000, "u1": -7_000}  # u2 holds 5 000
    with pytest.raises(ValueError, match="cannot pay"):
        honest_mtx(ledger, parties, phis)
    r_phi = {a: GROUP.random_scalar() for a in phis}
    transfers = [Transfer(a, GROUP.commit_point(phi, r_phi[a]).to_bytes()) for a, phi in phis.items()]
    mtx = new_multi_transaction(transfers, {a: 0 for a in phis}, b"test", ledger_id=ledger.ledger_id)
    p1 = parties["u1"]
    mtx.solvency_proofs["u1"] = prove_solvency(GROUP, mtx, "u1", p1.balance, p1.r, -7_000, r_phi["u1"])
    # u2's cheat: run the range prover on the negative new balance (its bits are those of x mod 2^64)
    p2 = parties["u2"]
    stmt = solvency_statement(GROUP, p2.commitment(), transfers[0].amount_commitment)
    witness = Opening(GROUP.scalar(p2.balance - 7_000), (p2.r - r_phi["u2"]) % GROUP.order)
    first, state = RANGE.commit(stmt, witness)
    c = RANGE.challenge(stmt, first, mtx.solvency_context("u2"))
    mtx.solvency_proofs["u2"] = RANGE.encode(stmt, first, RANGE.respond(stmt, witness, state, c))
    mtx.sum_proof = prove_zero_sum(GROUP, mtx, sum(r_phi.values()))
    mtx.signatures = {a: sign_multi_transaction(mtx, a, parties[a].key) for a in phis}
    err = assert_rejected(ledger, mtx, "solvency-proof")
    assert "'u2'" in err.detail and "overdraft" in err.detail


def test_solvency_proof_against_an_invented_balance_is_refused(tmp_path):
    """A payer proves solvency for a larger balance than the ledger holds: the statement differs."""
    ledger, parties = new_ledger(tmp_path, BALANCES)
    phis = {"u2": 7_000, "u1": -7_000}
    r_phi = {a: GROUP.random_scalar() for a in phis}
    transfers = [Transfer(a, GROUP.commit_point(phi, r_phi[a]).to_bytes()) for a, phi in phis.items()]
    mtx = new_multi_transaction(transfers, {a: 0 for a in phis}, b"test", ledger_id=ledger.ledger_id)
    p1, p2 = parties["u1"], parties["u2"]
    mtx.solvency_proofs["u1"] = prove_solvency(GROUP, mtx, "u1", p1.balance, p1.r, -7_000, r_phi["u1"])
    mtx.solvency_proofs["u2"] = prove_solvency(GROUP, mtx, "u2", 50_000, p2.r, 7_000, r_phi["u2"])
    assert not verify_solvency_proof(GROUP, mtx, "u2", ledger.account("u2").balance_commitment)
    mtx.sum_proof = prove_zero_sum(GROUP, mtx, sum(r_phi.values()))
    mtx.signatures = {a: sign_multi_transaction(mtx, a, parties[a].key) for a in phis}
    assert_rejected(ledger, mtx, "solvency-proof")


def test_solvency_proofs_are_bound_to_their_account(tmp_path):
    """Two accounts with equal balances and amounts: swapping their proofs fails (account id in the context)."""
    ledger, parties = new_ledger(tmp_path, {"a": 1_000, "b": 1_000, "c": 0})
    # same balance and randomness for a and b make their statements identical
    parties["b"].r = parties["a"].r
    ledger2 = create_ledger(tmp_path / "l2.sqlite")
    for p in parties.values():
        ledger2.open_account(opening(ledger2, p))
    r = GROUP.random_scalar()
    mtx, _ = honest_mtx(ledger2, parties, {"a": 10, "b": 10, "c": -20},
                        r_phi={"a": r, "b": r, "c": GROUP.random_scalar()})
    mtx.solvency_proofs["a"], mtx.solvency_proofs["b"] = mtx.solvency_proofs["b"], mtx.solvency_proofs["a"]
    assert_rejected(ledger2, mtx, "solvency-proof")


def test_structural_checks(tmp_path):
    ledger, parties = new_ledger(tmp_path, BALANCES)
    mtx, _ = honest_mtx(ledger, parties, {"u1": 100, "u2": -100})
    bad = copy.deepcopy(mtx)
    bad.transfers.append(Transfer("u1", bad.transfers[0].amount_commitment))
    assert_rejected(ledger, bad, "duplicate-transfer")
    bad = copy.deepcopy(mtx)
    bad.transfers[0] = Transfer("u1", b"\x01" * 64)
    assert_rejected(ledger, bad, "bad-commitment")
    bad = copy.deepcopy(mtx)
    bad.nonces["u1"] = 5
    assert_rejected(ledger, bad, "nonce")
    bad = copy.deepcopy(mtx)
    bad.transfers[0] = Transfer("nobody", bad.transfers[0].amount_commitment)
    for d in (bad.nonces, bad.signatures, bad.solvency_proofs):
        d["nobody"] = d.pop("u1")
    assert_rejected(ledger, bad, "unknown-account")
    bad = copy.deepcopy(mtx)
    bad.transfers = []
    bad.nonces = bad.signatures = bad.solvency_proofs = {}
    assert_rejected(ledger, bad, "malformed")
    ledger.submit_multi_transaction(mtx)  # the original is still fine


def test_decisions(tmp_path):
    ledger, _ = new_ledger(tmp_path, BALANCES)
    seq = ledger.record_decision("energy.join", {"join_slot": 3, "group": ["u1", "u2"]})
    assert ledger.entries()[seq].payload == {"kind": "energy.join", "payload": {"join_slot": 3, "group": ["u1", "u2"]}}

    class Sneaky(int):
        pass
    for bad_payload in ({"x": b"bytes"}, {1: "int key"}, {"x": float("nan")}, ["not", "a", "dict"], {"x": (1, 2)},
                        {"x": Sneaky(3)}):
        with pytest.raises(LedgerRejected) as e:
            ledger.record_decision("energy.join", bad_payload)
        assert e.value.reason == "decision"
    assert ledger.head()[0] == seq


# -- finding 4: what is checked is what is stored -------------------------------------------------------

class LyingNonce(int):
    """Compares equal to any nonce, but serialises (and so would be stored) as its own value."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


def test_a_nonce_that_lies_about_its_value_cannot_record_an_old_transaction_again(tmp_path):
    """The attack: after a payment went through with nonce 0, submit it again with an int subclass whose
    comparisons say "equal to the ledger's nonce 1" but which serialises as 0 — the stored entry would be
    the old signed transaction, recorded twice."""
    ledger, parties = new_ledger(tmp_path, BALANCES)
    mtx, _ = honest_mtx(ledger, parties, {"u1": 100, "u2": -100})
    ledger.submit_multi_transaction(mtx)
    again = copy.deepcopy(mtx)
    again.nonces = {a: LyingNonce(0) for a in again.nonces}
    err = assert_rejected(ledger, again, "malformed")
    assert "nonce" in err.detail and "exactly int" in err.detail
    assert [e.kind for e in ledger.entries()].count("multi_transaction") == 1


def test_requests_need_exact_types(tmp_path):
    """bool is an int, bytearray is bytes-like, a str subclass is a str: none is what the rules reason about."""
    ledger, parties = new_ledger(tmp_path, BALANCES)
    mtx, _ = honest_mtx(ledger, parties, {"u1": 100, "u2": -100})

    class Name(str):
        pass
    for mutate in (lambda m: m.nonces.update(u1=False), lambda m: setattr(m, "context", bytearray(m.context)),
                   lambda m: setattr(m, "transfers", tuple(m.transfers)),
                   lambda m: m.transfers.__setitem__(0, Transfer(Name("u1"), m.transfers[0].amount_commitment))):
        bad = copy.deepcopy(mtx)
        mutate(bad)
        assert_rejected(ledger, bad, "malformed")
    ledger.submit_multi_transaction(mtx)


# -- finding 5: a transaction is bound to its ledger ----------------------------------------------------

def test_a_payment_made_on_one_ledger_cannot_be_replayed_on_another(tmp_path):
    """Two ledgers over one group with the same writer, issuer, accounts, keys and balances: their genesis
    hashes differ, and a payment signed for one is refused by the other even though every signature and
    proof in it verifies."""
    a, parties = new_ledger(tmp_path, BALANCES, name="a.sqlite")
    b = create_ledger(tmp_path / "b.sqlite", keys_of(a))
    for p in parties.values():
        b.open_account(opening(b, p))
    assert a.entries()[0].hash != b.entries()[0].hash and a.ledger_id != b.ledger_id
    assert all(a.account(x) == b.account(x) for x in BALANCES)
    mtx, _ = honest_mtx(a, parties, {"u1": 100, "u2": -100})
    a.submit_multi_transaction(mtx)
    err = assert_rejected(b, mtx, "ledger-id")
    assert a.ledger_id.hex() in err.detail
    # re-labelled with b's id, the account signatures and proofs no longer fit the body
    relabelled = copy.deepcopy(mtx)
    relabelled.ledger_id = b.ledger_id
    assert_rejected(b, relabelled, "signature")
    # and an account opening the (common) issuer authorised for a is refused by b
    newcomer = Party("u9", Ed25519PrivateKey.generate(), 7, GROUP.random_scalar())
    with pytest.raises(LedgerRejected) as info:
        b.open_account(opening(a, newcomer))
    assert info.value.reason == "issuer-signature"
    b.open_account(opening(b, newcomer))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 3_000)), min_size=1, max_size=4))
def test_valid_transfers_preserve_the_sum_of_balances(tmp_path_factory, moves):
    """Any sequence of valid transfers: the openings the holders track still open the ledger's commitments,
    the sum of the balances is unchanged, and transfers that would overdraw cannot be proven."""
    ledger, parties = new_ledger(tmp_path_factory.mktemp("prop"), {"a": 2_000, "b": 1_000, "c": 0})
    ids = ["a", "b", "c"]
    total = sum(p.balance for p in parties.values())
    for src, dst, amount in moves:
        if src == dst:
            continue
        phis = {ids[src]: amount, ids[dst]: -amount}
        if parties[ids[src]].balance < amount:
            with pytest.raises(ValueError):
                honest_mtx(ledger, parties, phis)
            continue
        mtx, r = honest_mtx(ledger, parties, phis)
        ledger.submit_multi_transaction(mtx)
        settle(parties, phis, r)
    assert sum(p.balance for p in parties.values()) == total
    for aid, p in parties.items():
        assert p.balance >= 0
        assert ledger.account(aid).balance_commitment == p.commitment()
    ledger.close()
    SQLiteLedger(ledger.path, GROUP).close()
