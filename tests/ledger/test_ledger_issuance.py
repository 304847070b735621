"""Issuance is controlled: a mandatory range proof, the account key's consent, the issuer's authorisation —
for account openings and operator registrations alike."""

from __future__ import annotations

import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger_cases import GROUP, Party, honest_mtx, keys_of, new_ledger, opening, raw, register, rewrite, rows
from protocols.ledger import AccountOpening, LedgerCorrupted, LedgerRejected, SQLiteLedger
from protocols.ledger.chain import canonical_json
from protocols.ledger.issuance import (authorise_issuance, authorise_operator, consent_message, issuance_message,
                                       open_account_request)
from protocols.ledger.rules import encode_account
from protocols.ledger.transactions import initial_balance_context, prove_initial_balance, raw_public_key
from zkp.pedersen import Commitment, Opening
from zkp.sigma.nonnegative import RANGE, RangeStatement


def _rejected(ledger, request, reason: str) -> LedgerRejected:
    before = ledger.head()
    with pytest.raises(LedgerRejected) as info:
        ledger.open_account(request)
    assert info.value.reason == reason, str(info.value)
    assert ledger.head() == before
    return info.value


def _careless_opening(ledger, account_id: str, balance: int, proof: bytes | None = None) -> AccountOpening:
    """What an issuer that signs whatever commitment it is shown, plus a holder who consents, produce — with
    ``proof`` in place of an honest range proof (which cannot exist for this balance)."""
    holder, r = Ed25519PrivateKey.generate(), GROUP.random_scalar()
    pk = raw_public_key(holder)
    cm = GROUP.commit_point(balance, r).to_bytes()
    lid = ledger.ledger_id
    if proof is None:  # run the range prover on the out-of-range value, as a cheater would
        stmt = RangeStatement(Commitment.from_bytes(GROUP, cm), 64)
        witness = Opening(GROUP.scalar(balance), r)
        first, state = RANGE.commit(stmt, witness)
        c = RANGE.challenge(stmt, first, initial_balance_context(lid, account_id, pk, cm))
        proof = RANGE.encode(stmt, first, RANGE.respond(stmt, witness, state, c))
    return AccountOpening(account_id, pk, cm, proof, holder.sign(consent_message(lid, account_id, pk, cm)),
                          keys_of(ledger).issuer.sign(issuance_message(lid, account_id, pk, cm)))


@pytest.mark.parametrize("balance", [1 << 66, -1])
def test_out_of_range_opening_balances_are_refused_even_when_the_issuer_signed(tmp_path, balance):
    ledger, parties = new_ledger(tmp_path, {"u1": 1_000})
    with pytest.raises(ValueError):  # the honest prover and the honest issuer refuse outright
        prove_initial_balance(GROUP, ledger.ledger_id, "big", parties["u1"].public_key, balance, 1)
    with pytest.raises(ValueError):
        authorise_issuance(keys_of(ledger).issuer, GROUP, ledger.ledger_id, "big", parties["u1"].public_key,
                           balance, 1)
    _rejected(ledger, _careless_opening(ledger, "big", balance, proof=b""), "balance-proof")  # the proof is mandatory
    _rejected(ledger, _careless_opening(ledger, "big", balance), "balance-proof")             # and must verify
    with pytest.raises(LedgerRejected) as info:  # so there is nothing to spend
        ledger.account("big")
    assert info.value.reason == "unknown-account"


def test_a_missing_proof_is_malformed_not_skipped(tmp_path):
    ledger, _ = new_ledger(tmp_path, {})
    good = opening(ledger, Party("a", Ed25519PrivateKey.generate(), 10, GROUP.random_scalar()))
    _rejected(ledger, dataclasses.replace(good, balance_proof=None), "malformed")
    ledger.open_account(good)


def test_nobody_can_open_an_account_under_someone_elses_key(tmp_path):
    """The issuer authorised (ledger, id, victim's key, commitment) — e.g. the victim bought the tokens — but the
    opening is signed by someone else, who would then decide the account's fate with the victim's key on it."""
    ledger, _ = new_ledger(tmp_path, {})
    victim = Party("victim", Ed25519PrivateKey.generate(), 50, GROUP.random_scalar())
    good = opening(ledger, victim)
    impostor = Ed25519PrivateKey.generate()
    forged = dataclasses.replace(good, account_signature=impostor.sign(
        consent_message(ledger.ledger_id, "victim", victim.public_key, good.balance_commitment)))
    _rejected(ledger, forged, "account-signature")
    ledger.open_account(good)


def test_only_the_issuer_can_mint(tmp_path):
    """Anyone else's authorisation, for any balance, under one's own key, is refused."""
    ledger, _ = new_ledger(tmp_path, {})
    me = Party("me", Ed25519PrivateKey.generate(), 10**15, GROUP.random_scalar())
    fake_issuer = Ed25519PrivateKey.generate()
    self_issued = authorise_issuance(fake_issuer, GROUP, ledger.ledger_id, "me", me.public_key, me.balance, me.r)
    req = open_account_request(GROUP, ledger.ledger_id, "me", me.key, me.balance, me.r, self_issued)
    _rejected(ledger, req, "issuer-signature")
    # the issuer's signature on a smaller balance does not cover a larger one
    small = authorise_issuance(keys_of(ledger).issuer, GROUP, ledger.ledger_id, "me", me.public_key, 10, me.r)
    _rejected(ledger, open_account_request(GROUP, ledger.ledger_id, "me", me.key, me.balance, me.r, small),
              "issuer-signature")
    ledger.open_account(opening(ledger, me))


def test_operator_registration_needs_the_issuer(tmp_path):
    ledger, _ = new_ledger(tmp_path, {})
    op = Ed25519PrivateKey.generate()
    for authority in (Ed25519PrivateKey.generate(), op):  # a stranger; the operator itself
        with pytest.raises(LedgerRejected) as info:
            ledger.register_operator(authorise_operator(authority, ledger.ledger_id, "utility", raw_public_key(op)))
        assert info.value.reason == "issuer-signature"
    # the issuer's authorisation names the operator id: it does not admit the key under another id
    reg = authorise_operator(keys_of(ledger).issuer, ledger.ledger_id, "utility", raw_public_key(op))
    with pytest.raises(LedgerRejected) as info:
        ledger.register_operator(dataclasses.replace(reg, operator_id="grid"))
    assert info.value.reason == "issuer-signature"
    ledger.register_operator(reg)
    with pytest.raises(LedgerRejected) as info:
        register(ledger, "utility", raw_public_key(Ed25519PrivateKey.generate()))
    assert info.value.reason == "duplicate-operator"
    assert ledger.operator_key("utility") == raw_public_key(op)


def test_malformed_openings(tmp_path):
    ledger, parties = new_ledger(tmp_path, {"u1": 1_000})
    p = parties["u1"]
    _rejected(ledger, opening(ledger, p), "duplicate-account")
    good = opening(ledger, Party("u9", Ed25519PrivateKey.generate(), 42, GROUP.random_scalar()))
    _rejected(ledger, dataclasses.replace(good, public_key=good.public_key[:31]), "malformed")
    _rejected(ledger, dataclasses.replace(good, balance_commitment=b"\x02" * 64), "bad-commitment")
    _rejected(ledger, dataclasses.replace(good, account_id=""), "malformed")
    with pytest.raises(LedgerRejected) as e:
        ledger.account("nobody")
    assert e.value.reason == "unknown-account"
    assert AccountOpening.from_bytes(good.to_bytes()) == good
    for cut in (1, 10, len(good.to_bytes()) - 1):
        with pytest.raises(ValueError):
            AccountOpening.from_bytes(good.to_bytes()[:cut])
    with pytest.raises(ValueError):
        AccountOpening.from_bytes(good.to_bytes() + b"\x00")
    ledger.open_account(good)
    st = ledger.account("u9")
    assert (st.public_key, st.balance_commitment, st.nonce) == (good.public_key, good.balance_commitment, 0)


def test_an_unauthorised_opening_signed_by_the_writer_is_caught_on_open(tmp_path):
    """A compromised writer appends an account its own 'issuer' minted: every reader's default open refuses it."""
    ledger, parties = new_ledger(tmp_path, {"u1": 1_000, "u2": 0})
    mtx, _ = honest_mtx(ledger, parties, {"u1": 10, "u2": -10})
    ledger.submit_multi_transaction(mtx)
    writer, lid = keys_of(ledger).writer, ledger.ledger_id
    ledger.close()
    whale, r = Ed25519PrivateKey.generate(), GROUP.random_scalar()
    minted = open_account_request(GROUP, lid, "whale", whale, 10**18, r, authorise_issuance(
        Ed25519PrivateKey.generate(), GROUP, lid, "whale", raw_public_key(whale), 10**18, r))
    conn = raw(ledger.path)
    rewrite(conn, rows(conn) + [[4, "open_account", canonical_json(encode_account(minted))]], writer)
    conn.close()
    with pytest.raises(LedgerCorrupted, match=r"entry 4: recorded open_account breaks a ledger rule \(issuer-signature"):
        SQLiteLedger(ledger.path, GROUP)
